/**
 * What an incoming Yjs update would do to a room's document, decided before it is persisted: an
 * undecodable update must never reach the log (it would break every later load), and one that changes
 * nothing is not worth a log row. A client's SyncStep2 carries its whole delete set every time it
 * connects, so "changes nothing" is the common case on reconnect.
 */
import * as Y from 'yjs';
import { MalformedMessage } from './protocol';

/** True when applying `update` to `doc` would add content or delete something not yet deleted. */
export function updateChangesDoc(doc: Y.Doc, update: Uint8Array): boolean {
	let decoded: ReturnType<typeof Y.decodeUpdate>;
	try {
		decoded = Y.decodeUpdate(update);
	} catch (e) {
		throw new MalformedMessage(`bad update: ${e instanceof Error ? e.message : 'undecodable'}`);
	}
	for (const struct of decoded.structs) {
		if (struct instanceof Y.Skip) continue;
		if (struct.id.clock + struct.length > Y.getState(doc.store, struct.id.client)) return true;
	}
	for (const [client, ranges] of decoded.ds.clients) {
		for (const range of ranges) if (!rangeDeleted(doc, client, range.clock, range.len)) return true;
	}
	return false;
}

/** Whether every struct of `client` in [clock, clock+len) is known to the doc and already deleted. */
function rangeDeleted(doc: Y.Doc, client: number, clock: number, len: number): boolean {
	if (len === 0) return true;
	const end = clock + len;
	if (end > Y.getState(doc.store, client)) return false;
	const structs = doc.store.clients.get(client);
	if (!structs) return false;
	for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i].id.clock < end; i++) {
		if (!structs[i].deleted) return false;
	}
	return true;
}
