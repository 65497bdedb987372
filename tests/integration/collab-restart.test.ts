import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docSnapshots, docUpdates } from '../../db/schema';
import { CLOSE } from '../../server/collab';
import { agencyDocName, commonDocName } from '../../src/lib/board/docs';
import { cloneDemoExercise, connectClient, sessionsFor, startCollab, userId, waitFor, type Client, type RunningCollab } from './helpers/collab';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

/** Restarts use a database that outlives the server: a PGlite folder on disk, or the test's PostgreSQL database. */
const dataDir = backend === 'pglite' ? mkdtempSync(joinPath(tmpdir(), 'drillboard-collab-')) : undefined;
const SNAPSHOT_EVERY = 10;

let database: TestDatabase;
let server: RunningCollab;
let tokens: Record<string, string>;
const errors: string[] = [];

async function start() {
	server = await startCollab(database, { snapshotEvery: SNAPSHOT_EVERY, snapshotMinTail: 1 });
}

/** Stops the server and the database, then opens both again, as a process restart would. */
async function restart() {
	await server.stop();
	errors.push(...server.log.error);
	await database.restart();
	await start();
}

beforeAll(async () => {
	database = await seededDatabase({ dataDir });
	tokens = await sessionsFor(database.db, ['facilitator', 'commander', 'fire1', 'fire2', 'police1']);
	await start();
});

afterAll(async () => {
	await server?.stop();
	errors.push(...(server?.log.error ?? []));
	await database?.dispose();
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
	expect(errors).toEqual([]);
});

const opened: Client[] = [];
function join(room: string, who: string): Client {
	const c = connectClient(server.url, room, { token: tokens[who] });
	opened.push(c);
	return c;
}
function leaveAll() {
	for (const c of opened.splice(0)) c.destroy();
}

describe(`collab persistence across restarts on ${backend}`, () => {
	it('keeps every update with its attribution, seq gapless, and loads from snapshot + tail', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = agencyDocName(ex, 'fire');
		const fire = join(room, 'fire1');
		const commander = join(room, 'commander');
		await Promise.all([fire.synced(), commander.synced()]);
		for (let i = 0; i < 17; i++) fire.doc.getArray('log').push([`fire ${i}`]);
		for (let i = 0; i < 8; i++) commander.doc.getMap('orders').set(`o${i}`, i);
		await waitFor(() => fire.doc.getMap('orders').size === 8 && commander.doc.getArray('log').length === 17, 'all writes to meet');
		const expected = fire.doc.getArray('log').toJSON();
		leaveAll();
		await restart();

		const rows = await database.db.select().from(docUpdates).where(eq(docUpdates.doc, room)).orderBy(asc(docUpdates.seq));
		expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
		const fire1 = await userId(database.db, 'fire1');
		const commanderId = await userId(database.db, 'commander');
		expect(rows.filter((r) => r.userId === fire1).every((r) => r.agencyCode === 'fire')).toBe(true);
		expect(rows.filter((r) => r.userId === commanderId).every((r) => r.agencyCode === null)).toBe(true);
		expect(new Set(rows.map((r) => r.userId))).toEqual(new Set([fire1, commanderId]));
		const snapshots = await database.db.select().from(docSnapshots).where(eq(docSnapshots.doc, room));
		expect(snapshots.length).toBeGreaterThan(0);

		const reader = join(room, 'fire2');
		await reader.synced();
		expect(reader.doc.getArray('log').toJSON()).toEqual(expected);
		expect(reader.doc.getMap('orders').size).toBe(8);
		// And the log continues where it stopped.
		reader.doc.getMap('orders').set('after-restart', true);
		await waitFor(async () => (await database.db.select().from(docUpdates).where(eq(docUpdates.doc, room))).length === rows.length + 1, 'the next write');
		const [last] = await database.db.select().from(docUpdates).where(eq(docUpdates.doc, room)).orderBy(asc(docUpdates.seq)).offset(rows.length);
		expect(last.seq).toBe(rows.length + 1);
		leaveAll();
	});

	it("keeps a refused police write out after a reconnect and a restart", async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = agencyDocName(ex, 'fire');
		const fire = join(room, 'fire1');
		const police = join(room, 'police1');
		await Promise.all([fire.synced(), police.synced()]);
		fire.doc.getMap('units').set('engine-1', 'staged');
		await waitFor(() => police.doc.getMap('units').has('engine-1'), 'police to read');
		police.doc.getMap('units').set('police-car', 'parked in the fire layer');
		await waitFor(() => police.closes.length === 1, 'the refusal');
		expect(police.closes[0].code).toBe(CLOSE.writeRefused);
		await police.synced();
		leaveAll();
		await restart();

		const reader = join(room, 'fire2');
		await reader.synced();
		expect(reader.doc.getMap('units').toJSON()).toEqual({ 'engine-1': 'staged' });
		const policeId = await userId(database.db, 'police1');
		const rows = await database.db.select().from(docUpdates).where(eq(docUpdates.doc, room));
		expect(rows.some((r) => r.userId === policeId)).toBe(false);
		leaveAll();
	});

	it('stores pending updates and a snapshot when the last client leaves', async () => {
		const ex = await cloneDemoExercise(database.db);
		const room = commonDocName(ex);
		const a = join(room, 'police1');
		await a.synced();
		for (let i = 0; i < 3; i++) a.doc.getMap('m').set(`k${i}`, i);
		await waitFor(async () => (await database.db.select().from(docUpdates).where(eq(docUpdates.doc, room))).length === 3, 'the writes');
		leaveAll();
		await waitFor(() => server.collab.stats().rooms === 0, 'the room to unload');
		const [snapshot] = await database.db.select().from(docSnapshots).where(eq(docSnapshots.doc, room));
		expect(snapshot.seq).toBe(3);
	});
});
