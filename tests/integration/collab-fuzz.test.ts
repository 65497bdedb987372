/**
 * Property-based fuzzing of the collaboration server's message handling, over real sockets against
 * the real server and database. A hostile connection sends random, truncated, oversized and
 * well-formed-but-hostile frames; after every run the server must still serve a fresh client, the
 * hostile connection must have been closed with the documented code (or its frames ignored), the
 * honest writer, reader and observer must agree, and nothing the hostile side sent may have reached
 * the observer. At the end the persisted log must load into the same document.
 */
import fc from 'fast-check';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { CLOSE } from '../../server/collab';
import { loadDocument } from '../../server/collab/persistence';
import { encodeAwareness, encodeSyncStep1, encodeSyncStep2, encodeUpdate } from '../../server/collab/protocol';
import { agencyDocName, controlDocName } from '../../src/lib/board/docs';
import { cloneDemoExercise, connectClient, rawClient, sessionsFor, startCollab, userId, waitFor, type Client, type RunningCollab } from './helpers/collab';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

const MAX_BYTES = 64 * 1024;
const AWARENESS_MS = 10;
/** Fixed, so a failure reproduces; fast-check prints the seed and the shrunk counterexample. */
const SEED = 20261129;
const people = ['facilitator', 'commander', 'fire1', 'fire2', 'police1', 'observer', 'evaluator'];

let database: TestDatabase;
let server: RunningCollab;
let tokens: Record<string, string>;
let ids: Record<string, string>;
const clients: Client[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
	database = await seededDatabase();
	tokens = await sessionsFor(database.db, people);
	ids = Object.fromEntries(await Promise.all(people.map(async (p) => [p, await userId(database.db, p)])));
	server = await startCollab(database, { maxMessageBytes: MAX_BYTES, awarenessChangeMs: AWARENESS_MS, statusRefreshMs: 100 });
});

afterEach(() => {
	for (const c of clients.splice(0)) c.destroy();
	for (const s of sockets.splice(0)) s.terminate();
});

afterAll(async () => {
	await server?.stop();
	await database?.dispose();
});

function join(room: string, who: string): Client {
	const c = connectClient(server.url, room, { token: tokens[who] });
	clients.push(c);
	return c;
}

// ---- reading what the server sends -------------------------------------------------------------

type ServerFrame =
	| { kind: 'sync'; step: number; payload: Uint8Array }
	| { kind: 'awareness'; entries: { clientId: number; state: unknown }[] }
	| { kind: 'other' };

function parseServerFrame(frame: Uint8Array): ServerFrame {
	const d = decoding.createDecoder(frame);
	const type = decoding.readVarUint(d);
	if (type === 0) return { kind: 'sync', step: decoding.readVarUint(d), payload: decoding.readVarUint8Array(d) };
	if (type !== 1) return { kind: 'other' };
	const u = decoding.createDecoder(decoding.readVarUint8Array(d));
	const entries = Array.from({ length: decoding.readVarUint(u) }, () => {
		const clientId = decoding.readVarUint(u);
		decoding.readVarUint(u);
		return { clientId, state: JSON.parse(decoding.readVarString(u)) as unknown };
	});
	return { kind: 'awareness', entries };
}

/** A bare member socket that only listens, keeping its own copy of the document and every frame. */
async function observe(room: string, who: string) {
	const raw = rawClient(server.url, room, { token: tokens[who] });
	sockets.push(raw.ws);
	const doc = new Y.Doc();
	const frames: ServerFrame[] = [];
	raw.ws.on('message', (data) => {
		const f = parseServerFrame(new Uint8Array(data as Buffer));
		frames.push(f);
		if (f.kind === 'sync' && f.step !== 0) Y.applyUpdate(doc, f.payload);
	});
	await raw.opened;
	raw.ws.send(encodeSyncStep1(Y.encodeStateVector(doc)));
	await waitFor(() => frames.some((f) => f.kind === 'sync' && f.step === 1), 'the observer to sync');
	return { doc, frames };
}

// ---- hostile frames ----------------------------------------------------------------------------

/** A Yjs v1 update holding one struct `write`s, by `client` at `clock`, and an empty delete set. */
function craftUpdate(client: number, clock: number, write: (e: encoding.Encoder) => void): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, 1); // one client
	encoding.writeVarUint(e, 1); // one struct
	encoding.writeVarUint(e, client);
	encoding.writeVarUint(e, clock);
	write(e);
	encoding.writeVarUint(e, 0); // no deletions
	return encoding.toUint8Array(e);
}

/** An item with string content whose left origin is (`originClient`, `originClock`). */
const itemAfter = (client: number, clock: number, originClient: number, originClock: number, text: string) =>
	craftUpdate(client, clock, (e) => {
		encoding.writeUint8(e, 0x80 | 4); // has origin, ContentString
		encoding.writeVarUint(e, originClient);
		encoding.writeVarUint(e, originClock);
		encoding.writeVarString(e, text);
	});

/** A GC struct (a run of collected clocks): needs no parent, so it integrates anywhere. */
const gcRun = (client: number, clock: number, length: number) =>
	craftUpdate(client, clock, (e) => {
		encoding.writeUint8(e, 0);
		encoding.writeVarUint(e, length);
	});

/** A real, changing update from a fresh client: the kind a writer sends. */
function realUpdate(key: string, value: string): Uint8Array {
	const doc = new Y.Doc();
	doc.getMap('units').set(key, value);
	doc.getText('notes').insert(0, `${value}!`);
	doc.getText('notes').delete(0, 1);
	const u = Y.encodeStateAsUpdate(doc);
	doc.destroy();
	return u;
}

function awarenessFrame(entries: { clientId: number; clock: number; json: string }[]): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, entries.length);
	for (const x of entries) {
		encoding.writeVarUint(e, x.clientId);
		encoding.writeVarUint(e, x.clock);
		encoding.writeVarString(e, x.json);
	}
	return encodeAwareness(encoding.toUint8Array(e));
}

/**
 * What the server must do with a frame: close with one code, ignore it (`open`), or — for frames whose
 * meaning depends on the random bytes — any of a few outcomes.
 */
type Expect = number | 'open' | 'any';
interface Hostile {
	label: string;
	frame: Uint8Array;
	expect: Expect;
}

const clientId = fc.integer({ min: 1, max: 0xfffffff });
const absurdClock = fc.integer({ min: 2 ** 31, max: 2 ** 50 });
const envelope = fc.constantFrom(encodeUpdate, encodeSyncStep2);

/** Valid frames the stock client sends, for truncation. */
const validFrame = fc.oneof(
	fc.constant(encodeSyncStep1(Y.encodeStateVector(new Y.Doc()))),
	fc.constant(encodeUpdate(realUpdate('engine-9', 'x'))),
	fc.constant(encodeSyncStep2(realUpdate('engine-8', 'y'))),
	fc.constant(Uint8Array.of(3)),
	clientId.map((id) => awarenessFrame([{ clientId: id, clock: 1, json: '{"pointer":[1,2]}' }]))
);

/** Mutates a few bytes of a real update: mostly undecodable, sometimes decodable but hostile. */
const mutatedUpdate = fc
	.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
	.map(([v, edits]) => {
		const u = realUpdate('k', v);
		for (const [at, byte] of edits) u[at % u.length] = byte;
		return u;
	});

/** Frames sent by a connection that may read but not write this document. */
function readerFrames(honestIds: () => number[], otherUser: string): fc.Arbitrary<Hostile> {
	return fc.oneof(
		fc.uint8Array({ maxLength: 200 }).map((frame) => ({ label: 'random bytes', frame, expect: 'any' as Expect })),
		fc
			.tuple(validFrame, fc.nat())
			.map(([f, n]) => ({ label: 'truncated frame', frame: f.slice(0, n % f.length), expect: CLOSE.malformed as Expect })),
		fc.integer({ min: MAX_BYTES + 1, max: MAX_BYTES + 4096 }).map((n) => ({ label: 'oversized frame', frame: new Uint8Array(n).fill(2), expect: CLOSE.tooBig as Expect })),
		fc.tuple(envelope, fc.string({ minLength: 1 })).map(([wrap, v]) => ({ label: 'write by a reader', frame: wrap(realUpdate('engine-1', v)), expect: CLOSE.writeRefused as Expect })),
		fc.tuple(envelope, mutatedUpdate).map(([wrap, u]) => ({ label: 'garbage update', frame: wrap(u), expect: 'any' as Expect })),
		fc
			.tuple(envelope, clientId, absurdClock, fc.nat(1000))
			.map(([wrap, c, clock, len]) => ({ label: 'absurd clock', frame: wrap(gcRun(c, clock, len + 1)), expect: CLOSE.writeRefused as Expect })),
		fc.tuple(envelope, clientId, absurdClock).map(([wrap, c, clock]) => ({
			label: 'missing dependency',
			frame: wrap(itemAfter(c, 0, honestIds()[0], clock, 'orphan')),
			expect: CLOSE.writeRefused as Expect
		})),
		fc.tuple(fc.nat(1000), fc.string()).map(([clock, name]) => ({
			label: "claims an honest client's awareness id",
			frame: awarenessFrame([{ clientId: honestIds()[0], clock: 10_000 + clock, json: JSON.stringify({ user: { name } }) }]),
			expect: 'open' as Expect
		})),
		clientId.map((id) => ({
			label: "claims another user's presence",
			frame: awarenessFrame([{ clientId: id, clock: 1, json: JSON.stringify({ user: { id: ids[otherUser], name: otherUser } }) }]),
			expect: 'open' as Expect
		})),
		fc.tuple(clientId, fc.integer({ min: 33 * 1024, max: 60 * 1024 })).map(([id, n]) => ({
			label: 'huge awareness state',
			frame: awarenessFrame([{ clientId: id, clock: 1, json: JSON.stringify({ blob: 'x'.repeat(n) }) }]),
			expect: 'open' as Expect
		})),
		fc.tuple(clientId, fc.constantFrom('{', 'undefined', "{'a':1}", '\u0000', '')).map(([id, json]) => ({
			label: 'non-JSON awareness state',
			frame: awarenessFrame([{ clientId: id, clock: 1, json }]),
			expect: CLOSE.malformed as Expect
		}))
	);
}

/** A client write to the control document and the outcomes allowed for it. */
interface ControlAttempt {
	frame: Uint8Array;
	codes: (number | 'open')[];
}

/** Sends the frames, then a ping: `ws` answers it only if no frame made the server close. */
async function attack(room: string, who: string, frames: Uint8Array[]): Promise<{ code: number | 'open'; received: ServerFrame[] }> {
	const raw = rawClient(server.url, room, { token: tokens[who] });
	sockets.push(raw.ws);
	await raw.opened;
	for (const f of frames) raw.ws.send(f);
	raw.ws.ping();
	const pong = new Promise<'open'>((resolve) => raw.ws.once('pong', () => resolve('open')));
	const outcome = await Promise.race([pong, raw.closed.then((c) => c.code)]);
	if (outcome === 'open') raw.ws.close();
	await raw.closed;
	return { code: outcome, received: raw.received.map(parseServerFrame) };
}

/** The outcome the first non-ignored frame decides; 'any' frames widen the accepted set. */
function allowed(expects: Expect[]): Set<number | 'open'> {
	const ok = new Set<number | 'open'>();
	for (const e of expects) {
		if (e === 'open') continue;
		if (e === 'any') [CLOSE.malformed, CLOSE.writeRefused].forEach((c) => ok.add(c));
		else {
			ok.add(e);
			return ok;
		}
	}
	ok.add('open');
	return ok;
}

const count = (m: Map<string, number>, code: number | 'open') => m.set(String(code), (m.get(String(code)) ?? 0) + 1);
const summary = (m: Map<string, number>) => [...m].map(([code, n]) => `${n}× ${code}`).join(', ');

const settle = () => new Promise((r) => setTimeout(r, AWARENESS_MS * 4));

/** Same state vector and same content in every shared type the tests write. */
const sameDoc = (a: Y.Doc, b: Y.Doc) => {
	expect(Y.decodeStateVector(Y.encodeStateVector(a))).toEqual(Y.decodeStateVector(Y.encodeStateVector(b)));
	const content = (d: Y.Doc) => ({ runs: d.getMap('runs').toJSON(), units: d.getMap('units').toJSON(), clock: d.getMap('clock').toJSON(), notes: d.getText('notes').toString() });
	expect(content(a)).toEqual(content(b));
};

async function persisted(room: string): Promise<Y.Doc> {
	const doc = new Y.Doc();
	const bad: number[] = [];
	await loadDocument(database.db, room, doc, (seq) => bad.push(seq));
	expect(bad).toEqual([]);
	return doc;
}

/** A fresh stock client can still join and sync, and sees what the writer sees. */
async function freshClientAgrees(room: string, who: string, writer: Y.Doc): Promise<void> {
	const fresh = join(room, who);
	await fresh.synced();
	expect(fresh.doc.getMap('runs').toJSON()).toEqual(writer.getMap('runs').toJSON());
	fresh.destroy();
	clients.splice(clients.indexOf(fresh), 1);
}

describe(`collab fuzzing on ${backend}`, () => {
	it('a reader sending hostile frames is closed or ignored, and nothing it sends reaches anyone', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = agencyDocName(ex, 'fire');
		const writer = join(room, 'fire1');
		const reader = join(room, 'police1');
		await Promise.all([writer.synced(), reader.synced()]);
		writer.provider.awareness.setLocalState({ user: { id: ids.fire1, name: 'fire1' } });
		const observer = await observe(room, 'evaluator');
		await waitFor(() => observer.frames.some((f) => f.kind === 'awareness' && f.entries.some((e) => e.clientId === writer.doc.clientID)), 'presence');
		const honestIds = () => [writer.doc.clientID, reader.doc.clientID];
		const honestState = (id: number) => (id === writer.doc.clientID ? writer : reader).provider.awareness.getLocalState();
		const outcomes = new Map<string, number>();
		let run = 0;

		await fc.assert(
			fc.asyncProperty(fc.constantFrom('police1', 'observer', 'evaluator'), fc.array(readerFrames(honestIds, 'fire1'), { minLength: 1, maxLength: 3 }), async (who, hostile) => {
				run++;
				const seen = observer.frames.length;
				const { code, received } = await attack(room, who, hostile.map((h) => h.frame));
				const key = `${hostile.map((h) => h.label).join(' + ')} -> ${code}`;
				count(outcomes, code);
				expect(allowed(hostile.map((h) => h.expect)).has(code), key).toBe(true);
				// A refused write is announced before the close, as the stock client expects.
				if (code === CLOSE.writeRefused) expect(received.some((f) => f.kind === 'other')).toBe(true);
				await settle();

				// Nothing from the hostile connection reached the observer: no document change at all,
				// and presence only under ids it may own, never an honest client's or another user's.
				const during = observer.frames.slice(seen);
				expect(during.filter((f) => f.kind === 'sync')).toEqual([]);
				for (const f of during) {
					if (f.kind !== 'awareness') continue;
					for (const e of f.entries) {
						if (honestIds().includes(e.clientId)) expect(e.state).toEqual(honestState(e.clientId));
						else if (e.state !== null) {
							expect(JSON.stringify(e.state).length).toBeLessThanOrEqual(32 * 1024);
							expect(JSON.stringify(e.state)).not.toContain(ids.fire1);
						}
					}
				}

				// The honest parties carry on and agree.
				writer.doc.getMap('runs').set(`r${run}`, run);
				await waitFor(() => reader.doc.getMap('runs').get(`r${run}`) === run && observer.doc.getMap('runs').get(`r${run}`) === run, 'the honest edit');
				expect(writer.closes).toEqual([]);
				expect(reader.closes).toEqual([]);
				await freshClientAgrees(room, 'fire2', writer.doc);
			}),
			{ numRuns: 40, seed: SEED }
		);

		sameDoc(reader.doc, writer.doc);
		sameDoc(observer.doc, writer.doc);
		sameDoc(await persisted(room), writer.doc);
		expect(writer.doc.getMap('units').size).toBe(0); // no refused write ever landed
		expect(server.log.error).toEqual([]);
		console.info(`[collab-fuzz] reader frames: ${summary(outcomes)}`);
	});

	it('a writer sending garbage or adversarial updates never breaks the document for anyone', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = agencyDocName(ex, 'fire');
		const writer = join(room, 'fire1');
		const reader = join(room, 'police1');
		await Promise.all([writer.synced(), reader.synced()]);
		const observer = await observe(room, 'evaluator');
		writer.doc.getText('notes').insert(0, 'base text');
		await waitFor(() => reader.doc.getText('notes').length === 9 && observer.doc.getText('notes').length === 9, 'the base text');
		let run = 0;
		const outcomes = new Map<string, number>();

		const hostileUpdate = fc.oneof(
			mutatedUpdate.map((u) => ({ label: 'mutated update', u })),
			fc.uint8Array({ minLength: 1, maxLength: 100 }).map((u) => ({ label: 'random update', u })),
			fc.tuple(clientId, absurdClock, fc.integer({ min: 1, max: 2 ** 40 })).map(([c, clock, len]) => ({ label: 'gc at an absurd clock', u: gcRun(c, clock, len) })),
			fc.tuple(clientId, fc.integer({ min: 1, max: 2 ** 40 })).map(([c, len]) => ({ label: 'huge gc run', u: gcRun(c, 0, len) })),
			fc.tuple(clientId, absurdClock).map(([c, clock]) => ({ label: 'missing dependency', u: itemAfter(c, 0, writer.doc.clientID, clock, 'orphan') })),
			fc.tuple(clientId, fc.nat(5)).map(([c, d]) => ({ label: 'item after its own future', u: itemAfter(c, 0, c, d, 'loop') })),
			clientId.map((c) => ({
				label: 'empty delete range',
				u: (() => {
					const e = encoding.createEncoder();
					encoding.writeVarUint(e, 0); // no structs
					encoding.writeVarUint(e, 1); // one client in the delete set
					encoding.writeVarUint(e, c);
					encoding.writeVarUint(e, 1);
					encoding.writeVarUint(e, 5);
					encoding.writeVarUint(e, 0);
					return encoding.toUint8Array(e);
				})()
			}))
		);

		await fc.assert(
			fc.asyncProperty(fc.array(fc.tuple(envelope, hostileUpdate), { minLength: 1, maxLength: 3 }), async (hostile) => {
				run++;
				const seen = observer.frames.length;
				const { code } = await attack(
					room,
					'fire2',
					hostile.map(([wrap, h]) => wrap(h.u))
				);
				const key = `${hostile.map(([, h]) => h.label).join(' + ')} -> ${code}`;
				count(outcomes, code);
				// A writer's update is either stored whole or refused as malformed; never an internal error.
				expect([CLOSE.malformed, 'open'], key).toContain(code);
				await settle();
				expect(server.log.error, key).toEqual([]);
				// Relayed content, if any, is only what the hostile writer was allowed to write.
				const sent = new Set(hostile.flatMap(([, h]) => { try { return [...Y.decodeUpdate(h.u).structs.map((s) => s.id.client)]; } catch { return []; } }));
				for (const f of observer.frames.slice(seen)) {
					if (f.kind === 'sync') for (const s of Y.decodeUpdate(f.payload).structs) expect(sent.has(s.id.client)).toBe(true);
				}

				writer.doc.transact(() => {
					writer.doc.getMap('runs').set(`r${run}`, run);
					writer.doc.getText('notes').insert(0, `${run}.`);
				});
				const text = () => writer.doc.getText('notes').toString();
				await waitFor(() => [reader.doc, observer.doc].every((d) => d.getMap('runs').get(`r${run}`) === run && d.getText('notes').toString() === text()), 'the honest edit');
				expect(writer.closes).toEqual([]);
				await freshClientAgrees(room, 'fire2', writer.doc);
			}),
			{ numRuns: 40, seed: SEED }
		);

		sameDoc(reader.doc, writer.doc);
		sameDoc(observer.doc, writer.doc);
		const stored = await persisted(room);
		sameDoc(stored, writer.doc);
		// Every honest insert is still there, whatever the hostile writer added around it.
		for (const piece of ['base text', ...Array.from({ length: run }, (_, i) => `${i + 1}.`)]) expect(stored.getText('notes').toString()).toContain(piece);
		expect(server.log.error).toEqual([]);
		console.info(`[collab-fuzz] writer updates: ${summary(outcomes)}`);
	});

	it('the control document refuses every client write and stays server-written', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = controlDocName(ex);
		const reader = join(room, 'police1');
		await reader.synced();
		let run = 0;

		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom('facilitator', 'commander', 'fire1'),
				fc.oneof(
					fc.tuple(envelope, fc.string()).map(([wrap, v]): ControlAttempt => ({ frame: wrap(realUpdate('clock', v)), codes: [CLOSE.writeRefused] })),
					fc.tuple(envelope, clientId, absurdClock).map(([wrap, c, clock]): ControlAttempt => ({ frame: wrap(gcRun(c, clock, 1)), codes: [CLOSE.writeRefused] })),
					fc.tuple(envelope, mutatedUpdate).map(([wrap, u]): ControlAttempt => ({ frame: wrap(u), codes: [CLOSE.writeRefused, CLOSE.malformed, 'open'] }))
				),
				async (who, hostile) => {
					run++;
					const { code } = await attack(room, who, [hostile.frame]);
					expect(hostile.codes).toContain(code);
					await server.collab.writeControl(ex, (doc) => doc.getMap('clock').set('scenarioMs', run * 1000));
					await waitFor(() => reader.doc.getMap('clock').get('scenarioMs') === run * 1000, 'the server write');
				}
			),
			{ numRuns: 20, seed: SEED }
		);

		const stored = await persisted(room);
		sameDoc(stored, reader.doc);
		expect(Y.decodeStateVector(Y.encodeStateVector(stored)).size).toBe(1); // the server's id only
		expect(reader.doc.getMap('clock').toJSON()).toEqual({ scenarioMs: run * 1000 });
		expect(server.log.error).toEqual([]);
	});
});
