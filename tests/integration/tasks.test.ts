import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agencyDocName } from '../../src/lib/board/docs';
import { addTask, assignTask, commentOnTask, listTasks, moveTask, toggleChecklistItem } from '../../src/lib/board/tasks';
import { apiClient } from './helpers/api';
import { cloneDemoExercise, connectClient, sessionsFor, startCollab, userId, waitFor, type Client, type RunningCollab } from './helpers/collab';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

/**
 * `GET /api/v1/exercises/:id/tasks`: cards written live by players and the commander through the
 * agency documents are read back from the database (snapshot + update log), per agency or for all.
 */
let database: TestDatabase;
let api: ReturnType<typeof apiClient>;
let collab: RunningCollab;
let tokens: Record<string, string>;
const clients: Client[] = [];
let exerciseId: string;

const client = (agency: string, who: string) => {
	const c = connectClient(collab.url, agencyDocName(exerciseId, agency), { token: tokens[who] });
	clients.push(c);
	return c;
};
const get = (query: string, who = 'observer') => api.call('GET', `exercises/${exerciseId}/tasks${query}`, { token: tokens[who] });

beforeAll(async () => {
	database = await seededDatabase();
	api = apiClient(database);
	collab = await startCollab(database);
	tokens = await sessionsFor(database.db, ['fire1', 'police1', 'commander', 'observer', 'outsider']);
	exerciseId = await cloneDemoExercise(database.db, 'running');
});
afterAll(async () => {
	for (const c of clients) c.destroy();
	await collab.stop();
	await database.dispose();
});

describe(`task card read endpoint on ${backend}`, () => {
	it('lists the cards players and the commander wrote into the agency documents', async () => {
		const fire = client('fire', 'fire1');
		const police = client('police', 'commander');
		await Promise.all([fire.synced(), police.synced()]);
		const fire1 = { id: await userId(database.db, 'fire1'), name: '消防 刘强' };
		const cmd = { id: await userId(database.db, 'commander'), name: '总指挥 李刚' };

		const a = addTask(fire.doc, { title: { zh: '搜救被困人员', en: 'Rescue trapped people' }, priority: 'urgent', dueScenarioMs: 0, checklist: [{ zh: '确认位置', en: 'Locate' }] }, 'fire', fire1);
		const b = addTask(fire.doc, { title: { zh: '设置警戒', en: 'Set a cordon' }, injectId: 'I-02' }, 'fire', fire1);
		moveTask(fire.doc, b, 'in_progress', fire1);
		moveTask(fire.doc, b, 'blocked', fire1, { reason: '缺少警戒带' });
		assignTask(fire.doc, a, fire1, fire1);
		toggleChecklistItem(fire.doc, a, 'c1', fire1);
		commentOnTask(fire.doc, a, '已派出两个班组', fire1);
		addTask(police.doc, { title: { zh: '交通管制', en: 'Traffic control' } }, 'police', cmd);

		await waitFor(async () => (await get('')).json?.tasks?.length === 3, 'three stored cards');
		const all = (await get('')).json;
		expect(all.tasks.map((t: { agency: string }) => t.agency)).toEqual(['fire', 'fire', 'police']);
		// Each card carries whether it is overdue at the exercise's scenario time now.
		const card = all.tasks.find((t: { id: string }) => t.id === a);
		expect(card).toMatchObject({
			title: { zh: '搜救被困人员' },
			priority: 'urgent',
			status: 'todo',
			assignee: { id: fire1.id },
			checklist: [{ id: 'c1', done: true }],
			comments: [{ text: '已派出两个班组', by: { id: fire1.id } }],
			createdBy: { id: fire1.id }
		});
		expect(typeof card.overdue).toBe('boolean');

		const fireOnly = (await get('?agency=fire')).json.tasks;
		expect(fireOnly).toHaveLength(2);
		expect((await get('?agency=fire&status=blocked')).json.tasks).toMatchObject([{ id: b, blockedReason: '缺少警戒带', injectId: 'I-02' }]);
		expect((await get('?inject=I-02')).json.tasks.map((t: { id: string }) => t.id)).toEqual([b]);
		expect((await get('?agency=police', 'fire1')).json.tasks).toHaveLength(1);
	});

	it('does not list a card whose write the server refused', async () => {
		const intruder = client('health', 'police1');
		await intruder.synced();
		addTask(intruder.doc, { title: { zh: '越权', en: 'Not mine' } }, 'health', { id: 'x', name: 'police1' });
		await waitFor(() => intruder.closes.some((c) => c.code === 4003), 'the refusal');
		expect(listTasks(intruder.doc)).toHaveLength(1); // still in the refused client's copy…
		expect((await get('?agency=health')).json.tasks).toEqual([]); // …but never stored
	});

	it('answers bad filters with 400, non-members with 404 and anonymous callers with 401', async () => {
		const bad = await get('?agency=nope');
		expect(bad.status).toBe(400);
		expect(bad.json.error.details).toEqual({ agency: 'Unknown agency.' });
		expect((await get('?status=later')).status).toBe(400);
		expect((await get('', 'outsider')).status).toBe(404);
		expect((await api.call('GET', `exercises/${exerciseId}/tasks`)).status).toBe(401);
		expect((await api.call('POST', `exercises/${exerciseId}/tasks`, { token: tokens.commander, body: {} })).status).toBe(405);
	});

	it('reads the same cards back after the rooms unloaded (snapshot and log)', async () => {
		for (const c of clients.splice(0)) c.destroy();
		await new Promise((r) => setTimeout(r, 200));
		expect((await get('')).json.tasks).toHaveLength(3);
	});
});
