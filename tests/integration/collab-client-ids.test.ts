/**
 * Yjs client-id ownership (server/collab/ownership.ts): a writer cannot author changes under another
 * writer's client id (or the server's) to make the owner's genuine edits look already known.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import * as decoding from 'lib0/decoding';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { docClients, docUpdates } from '../../db/schema';
import { CLOSE } from '../../server/collab';
import type { BusMessage, DocBus } from '../../server/collab/bus';
import { UpdateLog, type NewUpdate } from '../../server/collab/persistence';
import { encodeUpdate } from '../../server/collab/protocol';
import { agencyDocName, commonDocName } from '../../src/lib/board/docs';
import { cloneDemoExercise, connectClient, rawClient, sessionsFor, startCollab, userId, waitFor, type Client, type RunningCollab } from './helpers/collab';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

/** Restarts need a database that outlives the server: a PGlite folder on disk, or the test's PostgreSQL database. */
const dataDir = backend === 'pglite' ? mkdtempSync(joinPath(tmpdir(), 'drillboard-clientids-')) : undefined;

let database: TestDatabase;
let server: RunningCollab;
let tokens: Record<string, string>;
const errors: string[] = [];
const clients: Client[] = [];

beforeAll(async () => {
	database = await seededDatabase({ dataDir });
	tokens = await sessionsFor(database.db, ['commander', 'fire1', 'fire2']);
	server = await startCollab(database);
});

afterEach(() => {
	for (const c of clients.splice(0)) c.destroy();
});

afterAll(async () => {
	await server?.stop();
	errors.push(...(server?.log.error ?? []));
	await database?.dispose();
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
	expect(errors).toEqual([]);
});

function join(room: string, who: string, url = server.url): Client {
	const c = connectClient(url, room, { token: tokens[who] });
	clients.push(c);
	return c;
}

const rowsOf = (doc: string) => database.db.select().from(docUpdates).where(eq(docUpdates.doc, doc)).orderBy(asc(docUpdates.seq));
const ownerOf = async (doc: string, clientId: number) =>
	(await database.db.select().from(docClients).where(and(eq(docClients.doc, doc), eq(docClients.clientId, clientId))))[0]?.userId;

/**
 * What a hostile writer does: takes `base` (a peer's copy), edits it under `clientId` (so its clocks
 * run ahead of that client's) and sends the change over a bare socket. Resolves with the close and the
 * reason of the permission-denied message.
 */
async function spoof(room: string, who: string, clientId: number, base: Y.Doc, url = server.url) {
	const forged = new Y.Doc();
	Y.applyUpdate(forged, Y.encodeStateAsUpdate(base));
	forged.clientID = clientId; // only now: Yjs re-picks an id it sees in a remote update
	let change: Uint8Array | null = null;
	forged.on('update', (u: Uint8Array) => (change = u));
	forged.getMap('m').set('forged', `by ${who}`);
	expect(Y.decodeUpdate(change!).structs.every((s) => s.id.client === clientId)).toBe(true);
	const raw = rawClient(url, room, { token: tokens[who] });
	await raw.opened;
	raw.ws.send(encodeUpdate(change!));
	const closed = await raw.closed;
	return { ...closed, denied: raw.received.map(deniedReason).find((r) => r !== null) ?? null };
}

/** The reason of a y-protocols auth "permission denied" message, or null for any other message. */
function deniedReason(message: Uint8Array): string | null {
	const d = decoding.createDecoder(message);
	return decoding.readVarUint(d) === 2 && decoding.readVarUint(d) === 0 ? decoding.readVarString(d) : null;
}

/** Nothing arrives within a moment (to check that something was not relayed). */
const settle = () => new Promise((r) => setTimeout(r, 250));

async function restart() {
	await server.stop();
	errors.push(...server.log.error);
	await database.restart();
	server = await startCollab(database);
}

describe(`client-id ownership on ${backend}`, () => {
	it("refuses a change under another writer's client id; the owner's genuine edits still land, also after a restart", async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = agencyDocName(ex, 'fire');
		const a = join(room, 'fire1');
		const watcher = join(room, 'commander');
		await Promise.all([a.synced(), watcher.synced()]);
		a.doc.getMap('m').set('a1', 'first');
		await waitFor(() => watcher.doc.getMap('m').get('a1') === 'first', 'the first edit to arrive');
		await waitFor(async () => (await ownerOf(room, a.doc.clientID)) === (await userId(database.db, 'fire1')), 'the claim to be stored');
		const rowsBefore = (await rowsOf(room)).length;
		const counted = server.collab.stats().foreignClientIds;

		const refused = await spoof(room, 'fire2', a.doc.clientID, a.doc);
		expect(refused).toMatchObject({ code: CLOSE.writeRefused, reason: 'write refused' });
		expect(refused.denied).toBe(`client id ${a.doc.clientID} belongs to someone else`);
		expect(server.collab.stats().foreignClientIds).toBe(counted + 1);
		expect(server.log.warn.some((l) => l.includes('fire2') && l.includes(room) && l.includes('belongs to someone else'))).toBe(true);
		await settle();
		expect(watcher.doc.getMap('m').has('forged')).toBe(false); // not relayed
		expect(a.doc.getMap('m').has('forged')).toBe(false);
		expect(await rowsOf(room)).toHaveLength(rowsBefore); // not stored

		// The owner's next edit uses exactly the clocks the forgery took: it is accepted and relayed.
		a.doc.getMap('m').set('a2', 'genuine');
		await waitFor(() => watcher.doc.getMap('m').get('a2') === 'genuine', "the owner's next edit to arrive");
		const late = join(room, 'fire2');
		await late.synced();
		expect(late.doc.getMap('m').toJSON()).toEqual({ a1: 'first', a2: 'genuine' });

		// The owner goes away (no presence to lean on); ownership is read back from the database.
		a.provider.destroy();
		await restart();
		const again = await spoof(room, 'fire2', a.doc.clientID, a.doc);
		expect(again.code).toBe(CLOSE.writeRefused);
		a.doc.getMap('m').set('a3', 'after restart'); // made offline, sent on reconnect under the same id
		const back = connectClient(server.url, room, { token: tokens.fire1 }, a.doc);
		clients.push(back);
		const fresh = join(room, 'commander');
		await waitFor(() => fresh.doc.getMap('m').get('a3') === 'after restart', 'the offline edit to arrive after the restart');
		expect(fresh.doc.getMap('m').has('forged')).toBe(false);
		expect(back.closes).toEqual([]);
		const fire2 = await userId(database.db, 'fire2');
		expect((await rowsOf(room)).filter((r) => r.userId === fire2)).toEqual([]);
	});

	it("refuses a claim on an id another user's presence announces, and leaves writers' own ids alone", async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = commonDocName(ex);
		const a = join(room, 'fire1');
		const b = join(room, 'fire2');
		await Promise.all([a.synced(), b.synced()]);
		a.provider.awareness.setLocalStateField('user', { id: await userId(database.db, 'fire1') }); // the board's presence shape
		await waitFor(() => b.provider.awareness.getStates().has(a.doc.clientID), "a's presence to reach b");

		// a has written nothing yet: only its presence says whose id it is.
		expect((await spoof(room, 'fire2', a.doc.clientID, b.doc)).code).toBe(CLOSE.writeRefused);
		b.doc.getMap('m').set('b1', 'own id');
		a.doc.getMap('m').set('a1', 'own id');
		await waitFor(() => a.doc.getMap('m').get('b1') === 'own id' && b.doc.getMap('m').get('a1') === 'own id', 'both edits everywhere');
		expect(await ownerOf(room, a.doc.clientID)).toBe(await userId(database.db, 'fire1'));
		expect(await ownerOf(room, b.doc.clientID)).toBe(await userId(database.db, 'fire2'));
		expect(b.closes).toEqual([]);
	});

	it("keeps server-authored changes working and refuses a writer under the server's id", async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = agencyDocName(ex, 'fire');
		const a = join(room, 'fire1');
		await a.synced();
		await server.collab.transact(room, (doc) => doc.getMap('tasks').set('t1', { title: 'evacuate' }));
		await waitFor(() => a.doc.getMap('tasks').has('t1'), 'the task card to arrive');
		const [serverId] = [...a.doc.store.clients.keys()];
		expect(await ownerOf(room, serverId)).toBeNull();

		expect((await spoof(room, 'fire1', serverId, a.doc)).code).toBe(CLOSE.writeRefused);
		await server.collab.transact(room, (doc) => doc.getMap('tasks').set('t2', { title: 'shelter' }));
		await waitFor(() => a.doc.getMap('tasks').has('t2'), 'the second card to arrive');
		expect(a.doc.getMap('m').has('forged')).toBe(false);
		expect((await rowsOf(room)).map((r) => r.userId)).toEqual([null, null]);
	});
});

/** Two processes' relay in memory: each bus hands a message to the other buses' subscribers. */
function memoryBuses(n: number): DocBus[] {
	const subscribers: { from: DocBus; doc: string; fn: (m: BusMessage) => void }[] = [];
	const make = (): DocBus => {
		const bus: DocBus = {
			async subscribe(doc, fn) {
				const s = { from: bus, doc, fn };
				subscribers.push(s);
				return () => void subscribers.splice(subscribers.indexOf(s), 1);
			},
			publish(doc, message) {
				for (const s of subscribers) if (s.from !== bus && s.doc === doc) setTimeout(() => s.fn(message), 5);
			},
			connected: () => true,
			onReconnect: () => () => {}
		};
		return bus;
	};
	return Array.from({ length: n }, make);
}

describe(`client-id ownership across processes on ${backend}`, () => {
	it('refuses, in the insert transaction, an id claimed through another process', async () => {
		const [busA, busB] = memoryBuses(2);
		const one = await startCollab(database, { bus: busA });
		const two = await startCollab(database, { bus: busB });
		try {
			const ex = await cloneDemoExercise(database.db);
			const room = agencyDocName(ex, 'fire');
			// Both rooms are loaded before the claim, so process two learns it only from the database.
			const a = join(room, 'fire1', one.url);
			const watcher = join(room, 'commander', two.url);
			await Promise.all([a.synced(), watcher.synced()]);
			a.doc.getMap('m').set('a1', 'first');
			await waitFor(() => watcher.doc.getMap('m').get('a1') === 'first', 'the edit to cross processes');

			const rowsBefore = (await rowsOf(room)).length;
			const refused = await spoof(room, 'fire2', a.doc.clientID, a.doc, two.url);
			expect(refused.code).toBe(CLOSE.writeRefused);
			expect(refused.denied).toBe(`client id ${a.doc.clientID} belongs to someone else`);
			expect(two.collab.stats().foreignClientIds).toBe(1);
			await settle();
			expect(watcher.doc.getMap('m').has('forged')).toBe(false);
			expect(await rowsOf(room)).toHaveLength(rowsBefore);

			a.doc.getMap('m').set('a2', 'genuine');
			await waitFor(() => watcher.doc.getMap('m').get('a2') === 'genuine', "the owner's next edit to cross processes");
			expect([...one.log.error, ...two.log.error]).toEqual([]);
		} finally {
			await Promise.all([one.stop(), two.stop()]);
		}
	});

	it('lets exactly one of two racing processes claim a free id', async () => {
		const doc = `exercise/${crypto.randomUUID()}/agency/fire`;
		const [u1, u2] = [await userId(database.db, 'fire1'), await userId(database.db, 'fire2')];
		const outcomes = [u1, u2].map((user) => {
			const outcome = { stored: 0, refused: 0 };
			const log = new UpdateLog<NewUpdate>(
				database,
				doc,
				0,
				{
					committed: (batch) => void (outcome.stored += batch.length),
					failed: (e) => {
						throw e;
					},
					claimed: (_owners, refused) => void (outcome.refused += refused.length)
				},
				{ shared: true, seen: () => 0 }
			);
			log.append({ userId: user, agencyCode: 'fire', wallTime: new Date(), scenarioMs: null, update: new Uint8Array([0, 0]), claims: [42] });
			return { user, outcome, log };
		});
		await Promise.all(outcomes.map((o) => o.log.flushed()));
		const winners = outcomes.filter((o) => o.outcome.stored === 1);
		expect(winners).toHaveLength(1);
		expect(outcomes.find((o) => o !== winners[0])?.outcome).toEqual({ stored: 0, refused: 1 });
		expect(await ownerOf(doc, 42)).toBe(winners[0].user);
		expect((await rowsOf(doc)).map((r) => [r.seq, r.userId])).toEqual([[1, winners[0].user]]);
	});
});
