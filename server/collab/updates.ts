/**
 * What an incoming Yjs update would do to a room's document, decided before it is persisted: an
 * undecodable update must never reach the log (it would break every later load), and one that changes
 * nothing is not worth a log row. A client's SyncStep2 carries its whole delete set every time it
 * connects, so "changes nothing" is the common case on reconnect. The same pass names the client ids
 * the update writes under, for the ownership check (ownership.ts).
 */
import * as Y from 'yjs';
import { MalformedMessage } from './protocol';

export interface UpdateEffect {
	/** Whether applying it would add content or delete something not yet deleted. */
	changes: boolean;
	/** Client ids of the structs it adds that the doc lacks (whose clocks it advances); deletions are not counted. */
	authors: Set<number>;
}

/** What applying `update` to `doc` would do; throws MalformedMessage for an update that must not be stored. */
export function updateEffect(doc: Y.Doc, update: Uint8Array): UpdateEffect {
	let decoded: ReturnType<typeof Y.decodeUpdate>;
	try {
		decoded = Y.decodeUpdate(update);
	} catch (e) {
		throw new MalformedMessage(`bad update: ${e instanceof Error ? e.message : 'undecodable'}`);
	}
	assertIntegrable(decoded);
	const authors = new Set<number>();
	for (const struct of decoded.structs) {
		if (struct instanceof Y.Skip) continue;
		if (struct.id.clock + struct.length > Y.getState(doc.store, struct.id.client)) authors.add(struct.id.client);
	}
	if (authors.size) return { changes: true, authors };
	for (const [client, ranges] of decoded.ds.clients) {
		for (const range of ranges) if (!rangeDeleted(doc, client, range.clock, range.len)) return { changes: true, authors };
	}
	return { changes: false, authors };
}

/**
 * Rejects updates that decode but make Yjs throw half-way through applying them (found by
 * tests/integration/collab-fuzz.test.ts): an item pointing at its own client's present or future
 * clock (Yjs assumes same-client references are already integrated), and an empty delete range
 * (Yjs' pending-delete encoder refuses it). The stock client writes neither.
 */
function assertIntegrable(decoded: ReturnType<typeof Y.decodeUpdate>): void {
	for (const s of decoded.structs) {
		if (!(s instanceof Y.Item)) continue;
		for (const ref of [s.origin, s.rightOrigin, s.parent instanceof Y.ID ? s.parent : null]) {
			if (ref && ref.client === s.id.client && ref.clock >= s.id.clock) throw new MalformedMessage('bad update: an item refers to its own future');
		}
	}
	for (const ranges of decoded.ds.clients.values()) {
		if (ranges.some((r) => r.len <= 0)) throw new MalformedMessage('bad update: empty delete range');
	}
}

/** Whether every struct of `client` in [clock, clock+len) is known to the doc and already deleted. */
function rangeDeleted(doc: Y.Doc, client: number, clock: number, len: number): boolean {
	const end = clock + len;
	if (end > Y.getState(doc.store, client)) return false;
	const structs = doc.store.clients.get(client);
	if (!structs) return false;
	for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i].id.clock < end; i++) {
		if (!structs[i].deleted) return false;
	}
	return true;
}
