import { asc, eq } from 'drizzle-orm';
import * as encoding from 'lib0/encoding';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Inserter } from '../../db/insert-rows';
import { docUpdates } from '../../db/schema';
import { CLOSE } from '../../server/collab';
import { decodeClientMessage, encodeSyncStep1, encodeUpdate, type ClientMessage } from '../../server/collab/protocol';
import { agencyDocName, commonDocName, controlDocName } from '../../src/lib/board/docs';
import {
	cloneDemoExercise,
	connectClient,
	rawClient,
	sessionsFor,
	setStatus,
	startCollab,
	userId,
	waitFor,
	type Client,
	type RawClient,
	type RunningCollab
} from './helpers/collab';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

const MAX_BYTES = 64 * 1024;
const people = ['facilitator', 'commander', 'fire1', 'fire2', 'police1', 'observer', 'evaluator', 'outsider'];

let database: TestDatabase;
let server: RunningCollab;
let tokens: Record<string, string>;
const clients: Client[] = [];

beforeAll(async () => {
	database = await seededDatabase();
	tokens = await sessionsFor(database.db, people);
	server = await startCollab(database, { maxMessageBytes: MAX_BYTES, statusRefreshMs: 100, awarenessChangeMs: 20 });
});

afterEach(() => {
	for (const c of clients.splice(0)) c.destroy();
});

afterAll(async () => {
	await server?.stop();
	await database?.dispose();
	expect(server.log.error).toEqual([]);
});

function join(room: string, who: string | null, how: 'token' | 'cookie' = 'token'): Client {
	const auth = who === null ? null : how === 'token' ? { token: tokens[who] } : { cookie: tokens[who] };
	const c = connectClient(server.url, room, auth);
	clients.push(c);
	return c;
}

const rowsOf = (doc: string) =>
	database.db.select().from(docUpdates).where(eq(docUpdates.doc, doc)).orderBy(asc(docUpdates.seq));

/** Waits for the provider to be closed `n` times in total and returns the last close. */
async function closedWith(c: Client, n = 1) {
	await waitFor(() => c.closes.length >= n, 'the server to close the connection');
	return c.closes[n - 1];
}

describe(`collab server on ${backend}`, () => {
	it('lets three clients converge', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = agencyDocName(ex, 'fire');
		const a = join(room, 'fire1');
		const b = join(room, 'fire2', 'cookie');
		const c = join(room, 'facilitator');
		await Promise.all([a.synced(), b.synced(), c.synced()]);
		a.doc.getMap('units').set('engine-1', { at: [1, 2] });
		b.doc.getArray('log').push(['fire2 was here']);
		c.doc.getText('notes').insert(0, 'facilitator note');
		for (const x of [a, b, c]) {
			await waitFor(
				() => x.doc.getMap('units').has('engine-1') && x.doc.getArray('log').length === 1 && x.doc.getText('notes').length > 0,
				'all three edits everywhere'
			);
		}
		for (const x of [b, c]) expect(Y.encodeStateVector(x.doc)).toEqual(Y.encodeStateVector(a.doc));
		expect((await rowsOf(room)).map((r) => r.seq)).toEqual([1, 2, 3]);
	});

	it("refuses a police player's write to the fire agency document, and it stays absent after a reconnect", async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = agencyDocName(ex, 'fire');
		const fire = join(room, 'fire1');
		await fire.synced();
		fire.doc.getMap('units').set('engine-1', 'staged');
		const police = join(room, 'police1');
		await police.synced();
		await waitFor(() => police.doc.getMap('units').get('engine-1') === 'staged', 'police to read the fire layer');

		const refusedBefore = server.collab.stats().refusedWrites;
		police.doc.getMap('units').set('engine-1', 'hijacked');
		expect(await closedWith(police)).toEqual({ code: CLOSE.writeRefused, reason: 'write refused' });
		expect(police.denied).toEqual(['read-only for you now']);
		expect(server.collab.stats().refusedWrites).toBe(refusedBefore + 1);
		expect(server.log.warn.some((l) => l.includes('police1') && l.includes(room))).toBe(true);

		// The stock client reconnects as a reader: it keeps receiving, and is not asked to re-send.
		await police.synced();
		fire.doc.getMap('units').set('engine-2', 'rolling');
		await waitFor(() => police.doc.getMap('units').get('engine-2') === 'rolling', 'police to read after reconnecting');
		await new Promise((r) => setTimeout(r, 200));
		expect(police.closes).toHaveLength(1);

		expect(fire.doc.getMap('units').get('engine-1')).toBe('staged');
		const fresh = join(room, 'fire2');
		await fresh.synced();
		expect(fresh.doc.getMap('units').toJSON()).toEqual({ 'engine-1': 'staged', 'engine-2': 'rolling' });
		const policeId = await userId(database.db, 'police1');
		expect((await rowsOf(room)).filter((r) => r.userId === policeId)).toEqual([]);
	});

	it("refuses an observer's write to the common document", async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = commonDocName(ex);
		const player = join(room, 'police1');
		const observer = join(room, 'observer');
		await Promise.all([player.synced(), observer.synced()]);
		observer.doc.getMap('notes').set('observer', 'should not land');
		expect((await closedWith(observer)).code).toBe(CLOSE.writeRefused);
		player.doc.getMap('notes').set('police', 'ok');
		await observer.synced();
		await waitFor(() => observer.doc.getMap('notes').get('police') === 'ok', 'the observer to keep reading');
		expect(player.doc.getMap('notes').has('observer')).toBe(false);
		expect((await rowsOf(room)).map((r) => r.userId)).toEqual([await userId(database.db, 'police1')]);
	});

	it('lets an evaluator read but not write', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = agencyDocName(ex, 'police');
		const evaluator = join(room, 'evaluator');
		await evaluator.synced();
		evaluator.doc.getMap('m').set('x', 1);
		expect((await closedWith(evaluator)).code).toBe(CLOSE.writeRefused);
	});

	it('closes an upgrade without a session with 4401, and the stock client stops', async () => {
		const ex = await cloneDemoExercise(database.db);
		const anonymous = join(commonDocName(ex), null);
		let final: { code: number } | null = null;
		anonymous.provider.on('closed', (e) => (final = e));
		expect((await closedWith(anonymous)).code).toBe(CLOSE.unauthenticated);
		await waitFor(() => final !== null, 'the provider to give up');
		expect(anonymous.provider.shouldConnect).toBe(false);
		await new Promise((r) => setTimeout(r, 400));
		expect(anonymous.closes).toHaveLength(1);

		const forged = connectClient(server.url, commonDocName(ex), { token: 'abc.def' });
		clients.push(forged);
		expect((await closedWith(forged)).code).toBe(CLOSE.unauthenticated);
	});

	it("closes with 4403 for another exercise's document, sending no document data", async () => {
		const ex = await cloneDemoExercise(database.db, 'running', ['fire1']);
		const room = commonDocName(ex);
		const member = join(room, 'police1');
		await member.synced();
		member.doc.getMap('m').set('secret', 'plan');
		await waitFor(async () => (await rowsOf(room)).length === 1, 'the write to be stored');
		const raw = rawClient(server.url, room, { token: tokens.fire1 });
		expect((await raw.closed).code).toBe(CLOSE.forbidden);
		expect(raw.received).toEqual([]);
		const stranger = join(room, 'outsider');
		expect((await closedWith(stranger)).code).toBe(CLOSE.forbidden);
		expect(stranger.doc.getMap('m').size).toBe(0);
	});

	it('closes with 4403 for names that are not documents and for unknown agencies', async () => {
		const ex = await cloneDemoExercise(database.db);
		for (const room of [`exercise/${ex}/secret`, `exercise/${ex}/agency/nobody`, 'exercise/x/common', `exercise/${crypto.randomUUID()}/common`]) {
			const raw = rawClient(server.url, room, { token: tokens.facilitator });
			expect((await raw.closed).code, room).toBe(CLOSE.forbidden);
		}
		// An encoded name is the same document.
		const encoded = join(encodeURIComponent(commonDocName(ex)), 'facilitator');
		await encoded.synced();
	});

	it('checks the Origin of cookie-authenticated upgrades', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = commonDocName(ex);
		const foreign = rawClient(server.url, room, { cookie: tokens.fire1, origin: 'https://evil.example' });
		expect((await foreign.closed).code).toBe(CLOSE.forbidden);
		const own = rawClient(server.url, room, { cookie: tokens.fire1, origin: new URL(server.url.replace('ws', 'http')).origin });
		await own.opened;
		own.ws.close();
		const bearer = rawClient(server.url, room, { token: tokens.fire1, origin: 'https://tool.example' });
		await bearer.opened;
		bearer.ws.close();
	});

	it('disconnects only the client that sends a malformed frame', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = commonDocName(ex);
		const a = join(room, 'fire1');
		const b = join(room, 'police1');
		await Promise.all([a.synced(), b.synced()]);
		const malformed = [
			Uint8Array.of(7), // unknown message type
			Uint8Array.of(0, 2, 50, 1, 2), // update whose length runs past the frame
			Uint8Array.of(0, 2, 3, 0xff, 0xff, 0xff), // update that does not decode
			Uint8Array.of(0, 0, 1, 0, 9), // trailing bytes
			Uint8Array.of(2, 0, 0) // auth message from a client
		];
		for (const frame of malformed) {
			const raw = rawClient(server.url, room, { token: tokens.fire2 });
			await raw.opened;
			raw.ws.send(frame);
			expect((await raw.closed).code).toBe(CLOSE.malformed);
		}
		const text = rawClient(server.url, room, { token: tokens.fire2 });
		await text.opened;
		text.ws.send('hello');
		expect((await text.closed).code).toBe(CLOSE.malformed);

		a.doc.getMap('m').set('still', 'here');
		await waitFor(() => b.doc.getMap('m').get('still') === 'here', 'the others to carry on');
		expect(a.closes).toEqual([]);
		expect(b.closes).toEqual([]);
		expect(server.collab.stats().malformed).toBeGreaterThanOrEqual(6);
	});

	it('disconnects only the client that sends an oversized message', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = commonDocName(ex);
		const a = join(room, 'fire1');
		const b = join(room, 'police1');
		await Promise.all([a.synced(), b.synced()]);
		const raw = rawClient(server.url, room, { token: tokens.fire2 });
		await raw.opened;
		raw.ws.send(new Uint8Array(MAX_BYTES + 1));
		expect((await raw.closed).code).toBe(CLOSE.tooBig);
		a.doc.getMap('m').set('after', 'big');
		await waitFor(() => b.doc.getMap('m').get('after') === 'big', 'the others to carry on');
		expect(server.collab.stats().tooBig).toBe(1);
	});

	it('closes a client that exceeds the message rate', async () => {
		const ex = await cloneDemoExercise(database.db);
		const raw = rawClient(server.url, commonDocName(ex), { token: tokens.fire2 });
		await raw.opened;
		for (let i = 0; i < 300; i++) raw.ws.send(Uint8Array.of(3)); // query awareness
		expect((await raw.closed).code).toBe(CLOSE.rateLimited);
	});

	it('stops writes once the exercise has ended', async () => {
		const ex = await cloneDemoExercise(database.db, 'running');
		const room = agencyDocName(ex, 'fire');
		const fire = join(room, 'fire1');
		await fire.synced();
		fire.doc.getMap('m').set('before', 1);
		await waitFor(async () => (await rowsOf(room)).length === 1, 'the first write');
		await setStatus(database.db, ex, 'ended');
		await new Promise((r) => setTimeout(r, 300));
		fire.doc.getMap('m').set('after', 1);
		expect((await closedWith(fire)).code).toBe(CLOSE.writeRefused);
		expect(await rowsOf(room)).toHaveLength(1);
	});

	it('keeps the control document server-written: clients are refused, writeControl is stored and relayed', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = controlDocName(ex);
		const facilitator = join(room, 'facilitator');
		const player = join(room, 'fire1');
		await Promise.all([facilitator.synced(), player.synced()]);

		await server.collab.writeControl(ex, (doc) => doc.getMap('clock').set('scenarioMs', 60_000));
		await server.collab.writeControl(ex, (doc) => doc.getMap('clock').set('scenarioMs', 120_000));
		await waitFor(() => player.doc.getMap('clock').get('scenarioMs') === 120_000, 'the server change to reach clients');
		const rows = await rowsOf(room);
		expect(rows.map((r) => [r.seq, r.userId, r.agencyCode])).toEqual([
			[1, null, null],
			[2, null, null]
		]);
		// One server client id across writes, so the state vector does not grow per write.
		expect(Y.decodeStateVector(Y.encodeStateVector(player.doc)).size).toBe(1);

		facilitator.doc.getMap('clock').set('scenarioMs', 0);
		expect((await closedWith(facilitator)).code).toBe(CLOSE.writeRefused);
		expect(facilitator.denied).toEqual(['the control document is written by the server only']);
		await server.collab.transact(room, (doc) => doc.getMap('clock').set('paused', true));
		await facilitator.synced();
		await waitFor(() => player.doc.getMap('clock').get('paused') === true, 'a second server change');
		expect(player.doc.getMap('clock').get('scenarioMs')).toBe(120_000);
	});

	it('sends a large sync reply paced, and nothing sent after it overtakes it', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = commonDocName(ex);
		// A board well over the pacing threshold (64 KB), so every joiner's reply waits for a later turn.
		await server.collab.transact(room, (doc) => {
			const features = doc.getMap('features');
			for (let i = 0; i < 800; i++) features.set(`f${i}`, `feature ${i} `.repeat(20));
		});
		// The server writes without pause, so changes are committed and relayed while replies wait.
		let n = 0;
		let writing = true;
		const writes = (async () => {
			for (; writing; n++) {
				await server.collab.transact(room, (doc) => doc.getMap('m').set(`k${n}`, n));
				await new Promise((next) => setImmediate(next));
			}
		})();
		const readers = Array.from({ length: 8 }, () => rawClient(server.url, room, { token: tokens.observer }));
		const replyAt = (r: RawClient) => framesOf(r).findIndex((f) => f.type === 'sync-step2');
		try {
			await Promise.all(readers.map((r) => r.opened));
			for (const r of readers) {
				r.ws.send(encodeSyncStep1(Y.encodeStateVector(new Y.Doc())));
				await new Promise((done) => setTimeout(done, 10));
			}
			await waitFor(() => readers.every((r) => replyAt(r) >= 0 && r.received.length > replyAt(r) + 3), 'every reader to get the board and later changes');
		} finally {
			writing = false;
			await writes;
		}
		const verifier = join(room, 'fire1');
		await verifier.synced();
		await waitFor(() => readers.every((r) => lastKey(r) === `k${n - 1}`), `every reader to get the last of ${n} changes`);

		for (const r of readers) {
			const frames = framesOf(r);
			const at = replyAt(r);
			const reply = frames[at] as { update: Uint8Array };
			expect(reply.update.length).toBeGreaterThan(64 * 1024);
			// What came before the reply is already in it: nothing sent after it was queued went first.
			const inReply = Y.encodeStateVectorFromUpdate(reply.update);
			for (const earlier of updatesIn(frames.slice(0, at))) expect(Y.decodeUpdate(Y.diffUpdate(earlier, inReply)).structs).toEqual([]);
			const board = new Y.Doc();
			for (const f of frames) if (f.type === 'sync-step2' || f.type === 'update') Y.applyUpdate(board, f.update);
			expect(board.getMap('features').size).toBe(800);
			expect(board.getMap('m').toJSON()).toEqual(verifier.doc.getMap('m').toJSON());
		}
		for (const r of readers) r.ws.close();
	});

	it('does not log updates that change nothing', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = commonDocName(ex);
		const a = join(room, 'fire1');
		await a.synced();
		a.doc.getMap('m').set('k', 1);
		a.doc.getMap('m').delete('k');
		await waitFor(async () => (await rowsOf(room)).length === 2, 'two writes');
		// Reconnecting makes the client answer the server's SyncStep1 with its whole delete set again.
		a.provider.disconnect();
		a.provider.connect();
		await a.synced();
		await new Promise((r) => setTimeout(r, 200));
		expect(await rowsOf(room)).toHaveLength(2);
	});

	it('relays awareness, drops entries for other clients, and removes a leaver', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = commonDocName(ex);
		const a = join(room, 'fire1');
		const b = join(room, 'police1');
		await Promise.all([a.synced(), b.synced()]);
		const fire1 = await userId(database.db, 'fire1');
		const police1 = await userId(database.db, 'police1');
		a.provider.awareness.setLocalState({ user: { id: fire1, name: 'fire1' }, pointer: [1, 2] });
		b.provider.awareness.setLocalState({ user: { id: police1, name: 'police1' }, pointer: null });
		await waitFor(() => b.provider.awareness.getStates().has(a.doc.clientID), 'b to see a');
		await waitFor(() => a.provider.awareness.getStates().has(b.doc.clientID), 'a to see b');

		// A raw client tries to overwrite a's state and to pose as fire1 under its own id.
		const raw = rawClient(server.url, room, { token: tokens.police1 });
		await raw.opened;
		const forged = new Y.Doc();
		const { Awareness } = await import('y-protocols/awareness');
		const fake = new Awareness(forged);
		fake.clientID = a.doc.clientID;
		fake.meta.set(a.doc.clientID, { clock: 1000, lastUpdated: Date.now() });
		fake.states.set(a.doc.clientID, { user: { id: police1, name: 'not fire1' } });
		fake.meta.set(forged.clientID, { clock: 1, lastUpdated: Date.now() });
		fake.states.set(forged.clientID, { user: { id: fire1, name: 'fire1 (forged)' } });
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, 1);
		encoding.writeVarUint8Array(encoder, encodeAwarenessUpdate(fake, [a.doc.clientID, forged.clientID]));
		raw.ws.send(encoding.toUint8Array(encoder));
		fake.destroy();
		forged.destroy();
		await new Promise((r) => setTimeout(r, 150));
		expect(b.provider.awareness.getStates().get(a.doc.clientID)).toMatchObject({ user: { name: 'fire1' } });
		expect(b.provider.awareness.getStates().has(forged.clientID)).toBe(false);
		raw.ws.close();

		a.provider.destroy();
		await waitFor(() => !b.provider.awareness.getStates().has(a.doc.clientID), 'a to leave b’s awareness');
	});
});

describe('storage failures', () => {
	it('resets a room whose update could not be stored; the writer re-sends it on reconnect', async () => {
		let failures = 1;
		const insertRows: Inserter = (table, columns) => {
			const insert = database.insertRows(table, columns);
			return async (rows) => {
				if (table === docUpdates && failures > 0) {
					failures--;
					throw new Error('simulated outage');
				}
				await insert(rows);
			};
		};
		const flaky = await startCollab({ ...database, insertRows });
		try {
			const ex = await cloneDemoExercise(database.db);
			const room = agencyDocName(ex, 'fire');
			const connect = (who: string) => {
				const c = connectClient(flaky.url, room, { token: tokens[who] });
				clients.push(c);
				return c;
			};
			const a = connect('fire1');
			const b = connect('fire2');
			await Promise.all([a.synced(), b.synced()]);
			a.doc.getMap('m').set('x', 'survives');
			expect((await closedWith(a)).code).toBe(CLOSE.internalError);
			expect((await closedWith(b)).code).toBe(CLOSE.internalError);
			await waitFor(() => b.doc.getMap('m').get('x') === 'survives', 'the re-sent update to arrive');
			const rows = await rowsOf(room);
			expect(rows.map((r) => [r.seq, r.userId])).toEqual([[1, await userId(database.db, 'fire1')]]);
			expect(flaky.log.error.some((l) => l.includes('could not store') && l.includes('simulated outage'))).toBe(true);
		} finally {
			await flaky.stop();
		}
	});
});

describe('relaying committed rows', () => {
	it('relays a change that completes a pending one whole, also when the pending one came in a batch', async () => {
		// Every insert waits for the gate: the frames that arrive meanwhile form the next batch.
		let gate: Promise<void> = Promise.resolve();
		const insertRows: Inserter = (table, columns) => {
			const insert = database.insertRows(table, columns);
			return async (rows) => {
				await gate;
				await insert(rows);
			};
		};
		const gated = await startCollab({ ...database, insertRows });
		try {
			const ex = await cloneDemoExercise(database.db);
			const room = agencyDocName(ex, 'fire');
			const reader = connectClient(gated.url, room, { token: tokens.police1 });
			clients.push(reader);
			await reader.synced();
			const writer = rawClient(gated.url, room, { token: tokens.fire1 });
			await writer.opened;
			// Two Yjs clients of the writer: one writes A then B (B builds on A), the other x and y.
			const changes = (write: (doc: Y.Doc) => void) => {
				const doc = new Y.Doc();
				const out: Uint8Array[] = [];
				doc.on('update', (u: Uint8Array) => out.push(u));
				write(doc);
				return out;
			};
			const [a, b] = changes((d) => {
				d.getText('t').insert(0, 'A');
				d.getText('t').insert(1, 'B');
			});
			const [first, x, y] = changes((d) => ['first', 'x', 'y'].forEach((k) => d.getMap('m').set(k, 1)));
			const send = (u: Uint8Array) => writer.ws.send(encodeUpdate(u));
			send(first);
			await waitFor(() => reader.doc.getMap('m').get('first') === 1, 'the first change');

			let open!: () => void;
			gate = new Promise((r) => (open = r));
			send(x); // its insert waits for the gate
			send(b); // B without A: pending on the server, and in one batch with y,
			send(y); // so the batch's relay (the doc's update event) leaves B out
			await new Promise((r) => setTimeout(r, 100));
			open();
			await waitFor(() => reader.doc.getMap('m').get('y') === 1, 'the batch');
			expect(reader.doc.getText('t').toString()).toBe('');
			send(a); // alone, but what it completes must reach the reader with it
			await waitFor(() => reader.doc.getText('t').toString() === 'AB', 'A and B');
			expect(reader.doc.getMap('m').toJSON()).toEqual({ first: 1, x: 1, y: 1 });
			writer.ws.close();
		} finally {
			await gated.stop();
		}
	});
});

describe('update log attribution', () => {
	it('records user, agency, wall time and a gapless seq', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = agencyDocName(ex, 'fire');
		const fire = join(room, 'fire1');
		const commander = join(room, 'commander');
		await Promise.all([fire.synced(), commander.synced()]);
		const started = Date.now();
		for (let i = 0; i < 20; i++) {
			fire.doc.getMap('m').set(`f${i}`, i);
			commander.doc.getMap('m').set(`c${i}`, i);
		}
		await waitFor(() => fire.doc.getMap('m').size === 40 && commander.doc.getMap('m').size === 40, 'all writes');
		const rows = await rowsOf(room);
		expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
		const fire1 = await userId(database.db, 'fire1');
		const commanderId = await userId(database.db, 'commander');
		expect(rows.filter((r) => r.userId === fire1).every((r) => r.agencyCode === 'fire')).toBe(true);
		expect(rows.filter((r) => r.userId === commanderId).every((r) => r.agencyCode === null)).toBe(true);
		expect(rows.filter((r) => r.userId === fire1).length).toBeGreaterThan(0);
		expect(rows.filter((r) => r.userId === commanderId).length).toBeGreaterThan(0);
		expect(rows.every((r) => r.wallTime.getTime() >= started - 1000 && r.scenarioMs === null)).toBe(true);
	});
});

/** The frames a raw reader got, read with the server's decoder (sync and awareness frames have one format both ways). */
const framesOf = (r: RawClient): ClientMessage[] => r.received.map(decodeClientMessage);

const updatesIn = (frames: ClientMessage[]): Uint8Array[] => frames.flatMap((f) => (f.type === 'update' ? [f.update] : []));

/** The map key written by a raw reader's last received update (the server writes one key per change). */
function lastKey(r: RawClient): string | undefined {
	const last = updatesIn(framesOf(r)).at(-1);
	if (!last) return undefined;
	const item = Y.decodeUpdate(last).structs.find((s): s is Y.Item => s instanceof Y.Item);
	return item?.parentSub ?? undefined;
}
