/**
 * Awareness relay details (server/collab/awareness.ts) with stock providers: a real change goes out
 * at once, and an echo of another tab's state does not make that tab's presence vanish with the echoer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commonDocName } from '../../src/lib/board/docs';
import { cloneDemoExercise, connectClient, sessionsFor, startCollab, userId, waitFor, type Client, type RunningCollab } from './helpers/collab';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

/** A window long enough that a change relayed well within it can only be the leading edge. */
const CHANGE_MS = 2000;

let database: TestDatabase;
let server: RunningCollab;
let tokens: Record<string, string>;
const clients: Client[] = [];

beforeAll(async () => {
	database = await seededDatabase();
	tokens = await sessionsFor(database.db, ['fire1', 'police1']);
	server = await startCollab(database, { awarenessChangeMs: CHANGE_MS });
});

afterEach(() => {
	for (const c of clients.splice(0)) c.destroy();
});

afterAll(async () => {
	await server?.stop();
	await database?.dispose();
	expect(server.log.error).toEqual([]);
});

function join(room: string, who: string): Client {
	const c = connectClient(server.url, room, { token: tokens[who] });
	clients.push(c);
	return c;
}

describe(`collab presence on ${backend}`, () => {
	it('relays a change at once, and later ones in the same window at its end', async () => {
		const room = commonDocName(await cloneDemoExercise(database.db));
		const a = join(room, 'fire1');
		const b = join(room, 'police1');
		await Promise.all([a.synced(), b.synced()]);
		const id = await userId(database.db, 'fire1');
		const seen = () => b.provider.awareness.getStates().get(a.doc.clientID) as { pointer?: number[] } | undefined;
		// Joining sent presence of its own; start from a quiet room.
		await new Promise((r) => setTimeout(r, CHANGE_MS + 100));

		const first = Date.now();
		a.provider.awareness.setLocalState({ user: { id, name: 'fire1' }, pointer: [1, 1] });
		await waitFor(() => seen()?.pointer?.[0] === 1, 'the first pointer');
		expect(Date.now() - first).toBeLessThan(CHANGE_MS / 2);

		a.provider.awareness.setLocalStateField('pointer', [2, 2]);
		await waitFor(() => seen()?.pointer?.[0] === 2, 'the second pointer', CHANGE_MS * 3);
		expect(Date.now() - first).toBeGreaterThanOrEqual(CHANGE_MS - 50);
	});

	it('keeps a tab’s presence when another tab of the same person, which echoed it, closes', async () => {
		const room = commonDocName(await cloneDemoExercise(database.db));
		const id = await userId(database.db, 'fire1');
		const tab1 = join(room, 'fire1');
		const watcher = join(room, 'police1');
		await Promise.all([tab1.synced(), watcher.synced()]);
		tab1.provider.awareness.setLocalState({ user: { id, name: 'fire1' }, pointer: [3, 4] });
		await waitFor(() => watcher.provider.awareness.getStates().has(tab1.doc.clientID), 'the watcher to see tab 1');

		// The stock provider re-sends every state it receives, so tab 2 echoes tab 1's state to the server.
		const tab2 = join(room, 'fire1');
		await tab2.synced();
		tab2.provider.awareness.setLocalState({ user: { id, name: 'fire1' }, pointer: null });
		await waitFor(() => tab2.provider.awareness.getStates().has(tab1.doc.clientID), 'tab 2 to see tab 1');
		await waitFor(() => watcher.provider.awareness.getStates().has(tab2.doc.clientID), 'the watcher to see tab 2', CHANGE_MS * 3);
		tab2.destroy();
		await waitFor(() => !watcher.provider.awareness.getStates().has(tab2.doc.clientID), 'tab 2 to leave', CHANGE_MS * 3);
		expect(watcher.provider.awareness.getStates().get(tab1.doc.clientID)).toMatchObject({ pointer: [3, 4] });
	});
});
