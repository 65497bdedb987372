/**
 * Admission under load and its cache (server/collab/admission.ts): exercise facts are reused for a
 * while, yet a removed member or a revoked session is refused on the next upgrade within the
 * documented staleness, and a storm of joins is admitted in full.
 */
import { and, eq } from 'drizzle-orm';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { exerciseMembers } from '../../db/schema';
import { invalidateSession } from '../../server/auth/sessions';
import { CLOSE } from '../../server/collab';
import { commonDocName } from '../../src/lib/board/docs';
import { cloneDemoExercise, connectClient, rawClient, sessionsFor, startCollab, userId, waitFor, type Client, type RawClient, type RunningCollab } from './helpers/collab';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

/** Long enough that only an event (or a fresh read) can explain a refusal within a test. */
const LONG_CACHE_MS = 60_000;
const SHORT_CACHE_MS = 200;
const people = ['facilitator', 'commander', 'fire1', 'fire2', 'police1', 'outsider'];

let database: TestDatabase;
let server: RunningCollab;
let tokens: Record<string, string>;
const clients: Client[] = [];
const raws: RawClient[] = [];

beforeAll(async () => {
	database = await seededDatabase();
	tokens = await sessionsFor(database.db, people);
	server = await startCollab(database, { admissionCacheMs: LONG_CACHE_MS });
});

afterEach(() => {
	for (const c of clients.splice(0)) c.destroy();
	for (const r of raws.splice(0)) r.ws.terminate();
});

afterAll(async () => {
	await server?.stop();
	await database?.dispose();
	expect(server.log.error).toEqual([]);
});

function raw(url: string, room: string, token: string): RawClient {
	const r = rawClient(url, room, { token });
	raws.push(r);
	return r;
}

/** Admitted: the server speaks first (SyncStep1 to a writer, or presence); refused: it closes at once. */
async function upgradeOutcome(url: string, room: string, token: string): Promise<'admitted' | number> {
	const r = raw(url, room, token);
	const first = await Promise.race([
		waitFor(() => r.received.length > 0, 'a first message').then(() => 'admitted' as const),
		r.closed.then((c) => c.code)
	]);
	r.ws.terminate();
	return first;
}

async function removeMember(exerciseId: string, username: string): Promise<void> {
	const id = await userId(database.db, username);
	await database.db.delete(exerciseMembers).where(and(eq(exerciseMembers.exerciseId, exerciseId), eq(exerciseMembers.userId, id)));
}

function syncStep1(): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, 0); // sync
	encoding.writeVarUint(encoder, 0); // step 1
	encoding.writeVarUint8Array(encoder, Y.encodeStateVector(new Y.Doc()));
	return encoding.toUint8Array(encoder);
}

/** The update inside a SyncStep2 frame, or null for any other frame. */
function step2Update(frame: Uint8Array): Uint8Array | null {
	const decoder = decoding.createDecoder(frame);
	if (decoding.readVarUint(decoder) !== 0 || decoding.readVarUint(decoder) !== 1) return null;
	return decoding.readVarUint8Array(decoder);
}

describe(`collab admission on ${backend}`, () => {
	it('refuses a removed member at once when the exercise change is announced', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = commonDocName(ex);
		expect(await upgradeOutcome(server.url, room, tokens.fire2)).toBe('admitted');
		await removeMember(ex, 'fire2');
		// The facts read by the first upgrade are still cached: this is the staleness the event removes.
		expect(await upgradeOutcome(server.url, room, tokens.fire2)).toBe('admitted');
		server.events.exerciseChanged(ex);
		expect(await upgradeOutcome(server.url, room, tokens.fire2)).toBe(CLOSE.forbidden);
		// Other members are re-read, not refused.
		expect(await upgradeOutcome(server.url, room, tokens.fire1)).toBe('admitted');
	});

	it('refuses a removed member after the cache lifetime without any event', async () => {
		const short = await startCollab(database, { admissionCacheMs: SHORT_CACHE_MS });
		try {
			const ex = await cloneDemoExercise(database.db);
			const room = commonDocName(ex);
			expect(await upgradeOutcome(short.url, room, tokens.police1)).toBe('admitted');
			await removeMember(ex, 'police1');
			await new Promise((r) => setTimeout(r, SHORT_CACHE_MS + 50));
			expect(await upgradeOutcome(short.url, room, tokens.police1)).toBe(CLOSE.forbidden);
		} finally {
			await short.stop();
		}
		expect(short.log.error).toEqual([]);
	});

	it('refuses a revoked session on the next upgrade (sessions are never cached)', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = commonDocName(ex);
		const [token] = Object.values(await sessionsFor(database.db, ['commander']));
		expect(await upgradeOutcome(server.url, room, token)).toBe('admitted');
		await invalidateSession(database.db, token.split('.')[0]);
		expect(await upgradeOutcome(server.url, room, token)).toBe(CLOSE.unauthenticated);
	});

	it('admits a member added after the exercise facts were cached', async () => {
		const ex = await cloneDemoExercise(database.db, 'briefing', ['outsider']);
		const room = commonDocName(ex);
		expect(await upgradeOutcome(server.url, room, tokens.facilitator)).toBe('admitted');
		expect(await upgradeOutcome(server.url, room, tokens.outsider)).toBe(CLOSE.forbidden);
		await database.db.insert(exerciseMembers).values({ exerciseId: ex, userId: await userId(database.db, 'outsider'), role: 'observer' });
		const observer = connectClient(server.url, room, { token: tokens.outsider });
		clients.push(observer);
		await observer.synced();
		expect(observer.closes).toEqual([]);
	});

	it('admits all of a 200-client join storm and sends each the whole document', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = commonDocName(ex);
		await server.collab.transact(room, (doc) => {
			const features = doc.getMap('features');
			for (let i = 0; i < 500; i++) features.set(`f${i}`, { n: i, label: `feature ${i}` });
		});
		const writers = [tokens.facilitator, tokens.commander, tokens.fire1, tokens.fire2, tokens.police1];
		const storm = Array.from({ length: 200 }, (_, i) => raw(server.url, room, writers[i % writers.length]));
		await Promise.all(storm.map((r) => r.opened.then(() => r.ws.send(syncStep1()))));
		await waitFor(() => storm.every((r) => r.received.some((f) => step2Update(f) !== null)), 'every joiner to get SyncStep2', 20_000);
		const replies = storm.map((r) => r.received.map(step2Update).find((u) => u !== null) as Uint8Array);
		for (const update of replies) {
			const doc = new Y.Doc();
			Y.applyUpdate(doc, update);
			expect(doc.getMap('features').size).toBe(500);
		}
		expect(server.collab.stats().connections).toBeGreaterThanOrEqual(200);
	}, 30_000);
});
