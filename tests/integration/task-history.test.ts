import { and, asc, desc, eq, isNotNull, max } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { docSnapshots, docUpdates } from '../../db/schema';
import { agencyDocName } from '../../src/lib/board/docs';
import { TaskHistoryRecorder } from '../../src/lib/board/task-history';
import { addTask, moveTask } from '../../src/lib/board/tasks';
import { clearTaskHistoryCache, taskHistory } from '../../server/review/history';
import { cloneDemoExercise, connectClient, sessionsFor, startCollab, userId, waitFor, type Client, type RunningCollab } from './helpers/collab';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

/**
 * The collaboration server records each agency document's task-card history as it applies updates
 * and stores it with its snapshots; the review continues it over the rows after the last one. Both
 * must equal a replay of the whole attributed log from its first row.
 */
let database: TestDatabase;
let collab: RunningCollab;
let tokens: Record<string, string>;
let exerciseId: string;
let doc: string;
let scenarioMs = 0;
const ids: Record<string, string> = {};

beforeAll(async () => {
	database = await seededDatabase();
	// Small snapshot interval: histories are stored mid-exercise as well as when the room unloads.
	collab = await startCollab(database, { snapshotEvery: 3, snapshotMinTail: 1, scenarioTime: () => scenarioMs });
	tokens = await sessionsFor(database.db, ['fire1', 'commander']);
	for (const u of ['fire1', 'commander']) ids[u] = await userId(database.db, u);
	exerciseId = await cloneDemoExercise(database.db, 'running');
	doc = agencyDocName(exerciseId, 'fire');
});
afterAll(async () => {
	await collab.stop();
	await database.dispose();
});

const head = async () => (await database.db.select({ seq: max(docUpdates.seq) }).from(docUpdates).where(eq(docUpdates.doc, doc)))[0]?.seq ?? 0;

/** One change at a given scenario time, waited for until it is a row of the log. */
async function step(at: number, change: () => void): Promise<void> {
	scenarioMs = at;
	const before = await head();
	change();
	await waitFor(async () => (await head()) > before, `the change at ${at} to be logged`);
}

async function connect(who: string): Promise<Client> {
	const c = connectClient(collab.url, doc, { token: tokens[who] });
	await c.synced();
	return c;
}

/** Closes the clients and waits until the room has unloaded (it snapshots on the way out). */
async function leave(clients: Client[]): Promise<void> {
	const seq = await head();
	for (const c of clients) c.destroy();
	await waitFor(async () => (await storedHistories()).some((s) => s.seq === seq), 'the unload snapshot');
}

const storedHistories = () =>
	database.db
		.select({ seq: docSnapshots.seq, tasks: docSnapshots.tasks })
		.from(docSnapshots)
		.where(and(eq(docSnapshots.doc, doc), isNotNull(docSnapshots.tasks)))
		.orderBy(desc(docSnapshots.seq));

/** The reference: every row from the first, applied and attributed one by one. */
async function fullReplay() {
	const rows = await database.db.select().from(docUpdates).where(eq(docUpdates.doc, doc)).orderBy(asc(docUpdates.seq));
	const replica = new Y.Doc();
	const recorder = new TaskHistoryRecorder(replica, 'fire');
	for (const r of rows) {
		Y.applyUpdate(replica, r.update);
		recorder.record(r.scenarioMs ?? 0, r.userId);
	}
	return recorder.history();
}

describe(`task history recorded by the collaboration server on ${backend}`, () => {
	it('stores the history with snapshots and continues it over the log tail, equal to a full replay', async () => {
		const fire1 = { id: ids.fire1, name: 'fire1' };
		const cmd = { id: ids.commander, name: 'commander' };
		let a = '';
		let b = '';
		let client = await connect('fire1');
		const commander = await connect('commander');
		await step(60_000, () => (a = addTask(client.doc, { title: { zh: '搜救', en: 'Rescue' }, injectId: 'I-02' }, 'fire', fire1)));
		await step(120_000, () => moveTask(client.doc, a, 'in_progress', fire1));
		await waitFor(() => commander.doc.getMap('tasks').has(a), 'the commander to see the card');
		await step(180_000, () => (b = addTask(commander.doc, { title: { zh: '警戒', en: 'Cordon' } }, 'fire', cmd)));
		await step(240_000, () => moveTask(commander.doc, b, 'blocked', cmd, { reason: '缺器材' }));
		await leave([client, commander]);
		const atUnload = await storedHistories();
		expect(atUnload[0].seq).toBe(await head());
		expect(atUnload.length).toBeGreaterThan(1); // one mid-way (every 3 rows) and one at the unload

		// The room reloads from the stored history and goes on recording.
		client = await connect('fire1');
		await step(300_000, () => moveTask(client.doc, a, 'done', fire1));
		await waitFor(() => client.doc.getMap('tasks').has(b), 'fire1 to see the blocked card');
		await step(360_000, () => moveTask(client.doc, b, 'in_progress', fire1));

		// While the room is loaded the review continues the stored history over the rows after it.
		const expected = await fullReplay();
		expect(expected).toEqual([
			{
				id: a,
				agency: 'fire',
				injectId: 'I-02',
				title: { zh: '搜救', en: 'Rescue' },
				createdMs: 60_000,
				transitions: [
					{ status: 'in_progress', scenarioMs: 120_000, userId: ids.fire1 },
					{ status: 'done', scenarioMs: 300_000, userId: ids.fire1 }
				]
			},
			{
				id: b,
				agency: 'fire',
				injectId: null,
				title: { zh: '警戒', en: 'Cordon' },
				createdMs: 180_000,
				transitions: [
					{ status: 'blocked', scenarioMs: 240_000, userId: ids.commander },
					{ status: 'in_progress', scenarioMs: 360_000, userId: ids.fire1 }
				]
			}
		]);
		expect(await taskHistory(database.db, exerciseId, ['fire'])).toEqual(expected);

		await leave([client]);
		const [last] = await storedHistories();
		expect(last.seq).toBe(await head());
		expect(last.tasks).toEqual(expected);
		clearTaskHistoryCache();
		expect(await taskHistory(database.db, exerciseId, ['fire'])).toEqual(expected);

		// With a stored history at the head, the review reads it instead of replaying anything.
		const marked = expected.map((t) => ({ ...t, title: { zh: '已记录', en: 'recorded' } }));
		await database.db.update(docSnapshots).set({ tasks: marked }).where(and(eq(docSnapshots.doc, doc), eq(docSnapshots.seq, last.seq)));
		clearTaskHistoryCache();
		expect(await taskHistory(database.db, exerciseId, ['fire'])).toEqual(marked);
		await database.db.update(docSnapshots).set({ tasks: expected }).where(and(eq(docSnapshots.doc, doc), eq(docSnapshots.seq, last.seq)));
	});

	it('builds the history for a document stored before histories were recorded', async () => {
		const expected = await fullReplay();
		await database.db.update(docSnapshots).set({ tasks: null }).where(eq(docSnapshots.doc, doc));
		expect(await storedHistories()).toEqual([]);
		clearTaskHistoryCache();
		expect(await taskHistory(database.db, exerciseId, ['fire'])).toEqual(expected); // replayed from the first row

		// The room reads such a document from its first row, and its next snapshot carries the history.
		const client = await connect('fire1');
		const fire1 = { id: ids.fire1, name: 'fire1' };
		let c = '';
		await step(420_000, () => (c = addTask(client.doc, { title: { zh: '转运', en: 'Transfer' } }, 'fire', fire1)));
		await leave([client]);
		const [stored] = await storedHistories();
		expect(stored.tasks).toEqual(await fullReplay());
		expect(stored.tasks?.map((t) => t.id)).toEqual([...expected.map((t) => t.id), c]);
	});
});
