import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { docUpdates } from '../../db/schema';
import { agencyDocName } from '../../src/lib/board/docs';
import { addTask, moveTask } from '../../src/lib/board/tasks';
import { findUserByUsername } from '../../server/users';
import { recordDueInjects } from '../../server/injects/delivery';
import { minimalScenario } from '../fixtures/minimal-scenario';
import { apiClient } from './helpers/api';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

let database: TestDatabase;
let api: ReturnType<typeof apiClient>;
const t: Record<string, string> = {};
const MIN = 60_000;

beforeAll(async () => {
	database = await seededDatabase();
	api = apiClient(database);
	for (const u of ['facilitator', 'commander', 'fire1', 'em1', 'evaluator', 'observer', 'police1']) t[u] = await api.signIn(u);
	await api.call('POST', 'scenarios', { body: minimalScenario(), token: t.facilitator });
});
afterAll(() => database.dispose());

const call = (method: string, path: string, who: string, body?: unknown) => api.call(method, path, { body, token: t[who] });
const jump = (id: string, to: string) => call('POST', `exercises/${id}/clock`, 'facilitator', { action: 'jump', to });

/** Writes task-card updates to the update log as the collab server would: attributed and timed. */
async function logTaskUpdates(exerciseId: string) {
	const doc = new Y.Doc();
	const fire1 = (await findUserByUsername(database.db, 'fire1'))!.id;
	const updates: { update: Uint8Array; userId: string | null; ms: number }[] = [];
	doc.on('update', (u: Uint8Array) => updates.push({ update: u, userId: current.userId, ms: current.ms }));
	let current = { userId: null as string | null, ms: 15 * MIN };
	addTask(doc, { title: { zh: '救援', en: 'Rescue' }, injectId: 'I-02' }, 'fire', { id: 'control', name: 'Control' }, { id: 'I-02:T-fire-rescue' });
	current = { userId: fire1, ms: 17 * MIN };
	moveTask(doc, 'I-02:T-fire-rescue', 'in_progress', { id: fire1, name: 'fire1' });
	current = { userId: fire1, ms: 40 * MIN };
	moveTask(doc, 'I-02:T-fire-rescue', 'done', { id: fire1, name: 'fire1' });
	await database.db.insert(docUpdates).values(
		updates.map((u, i) => ({ doc: agencyDocName(exerciseId, 'fire'), seq: i + 1, userId: u.userId, agencyCode: u.userId ? 'fire' : null, scenarioMs: u.ms, update: u.update }))
	);
}

async function playedExercise(): Promise<string> {
	const id = (await call('POST', 'exercises', 'facilitator', { title: '内涝复盘' })).json.exercise.id;
	for (const [u, role] of [['fire1', 'player'], ['em1', 'player'], ['police1', 'player'], ['commander', 'commander'], ['evaluator', 'evaluator'], ['observer', 'observer']]) {
		await call('POST', `exercises/${id}/members`, 'facilitator', { username: u, role });
	}
	await call('PUT', `exercises/${id}/scenario`, 'facilitator', { scenarioId: 'mini-flood', seed: 'r' });
	await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'briefing' });
	await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'running' });
	// Paused, the clock only moves by jumps: every scenario time below is exact.
	await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'paused' });
	await jump(id, 'T+00:05');
	await recordDueInjects(database.db, id);
	await jump(id, 'T+00:07');
	await call('POST', `exercises/${id}/injects/I-01/ack`, 'em1');
	await jump(id, 'T+00:15');
	await recordDueInjects(database.db, id); // I-02 is skipped: em acknowledged I-01 in time
	await jump(id, 'T+00:25');
	await call('POST', `exercises/${id}/log`, 'em1', { kind: 'report', to: { commander: true }, refs: { inject: 'I-01' }, body: { text: '首报', stage: 'initial', report: { time: '10:05', place: '解放路下穿隧道' } } });
	await call('POST', `exercises/${id}/observations`, 'evaluator', { kind: 'improvement', text: '首报要素不全', agency: 'em', injectId: 'I-01' });
	await call('PUT', `exercises/${id}/ratings`, 'evaluator', { objectiveId: 'O1', targetId: 'O1.1', agency: 'em', rating: 'M' });
	await logTaskUpdates(id);
	await jump(id, 'T+01:00');
	await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'ended' });
	return id;
}

describe(`after-action review on ${backend}`, () => {
	it('keeps evaluator material from players and the review closed until the end', async () => {
		const id = (await call('POST', 'exercises', 'facilitator', { title: 'x' })).json.exercise.id;
		await call('POST', `exercises/${id}/members`, 'facilitator', { username: 'evaluator', role: 'evaluator' });
		await call('POST', `exercises/${id}/members`, 'facilitator', { username: 'fire1', role: 'player' });
		await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'briefing' });
		expect((await call('POST', `exercises/${id}/observations`, 'evaluator', { kind: 'note', text: '开始' })).status).toBe(201);
		expect((await call('GET', `exercises/${id}/observations`, 'fire1')).status).toBe(403);
		expect((await call('POST', `exercises/${id}/observations`, 'fire1', { kind: 'note', text: 'x' })).status).toBe(403);
		expect((await call('GET', `exercises/${id}/review`, 'facilitator')).status).toBe(403);
		expect((await call('POST', `exercises/${id}/observations`, 'evaluator', { kind: 'rumour', text: '' })).status).toBe(400);
	});

	it('generates the review from what happened, with findings and proposed rectifications', async () => {
		const id = await playedExercise();
		const r = await call('GET', `exercises/${id}/review`, 'facilitator');
		expect(r.status).toBe(200);
		const g = r.json.generated;
		expect(g.overview.scenario.id).toBe('mini-flood');
		const em = g.agencies.find((a: { agency: string }) => a.agency === 'em');
		expect(em).toMatchObject({ injectsReceived: 1, acknowledged: 1, ackMedianMs: 2 * MIN });
		expect(em.report).toMatchObject({ receivedMs: 5 * MIN, firstReportMs: 25 * MIN, phoneOnTime: true, reports: 1 });
		const fire = g.agencies.find((a: { agency: string }) => a.agency === 'fire');
		expect(fire.tasks).toEqual({ total: 1, done: 1, rate: 1, medianCompletionMs: 25 * MIN });
		const messages = g.findings.map((f: { message: { en: string } }) => f.message.en);
		expect(messages).toContain('The initial report of Emergency Management omitted nature and cause, scale and scope, casualties (dead, injured, missing, trapped), hazardous substances, trend, measures taken, requests, reporting unit, reporting person');
		expect(messages).toContain('Target O1.1 was rated M');
		expect(g.rectifications.length).toBe(g.findings.length);
		expect(g.improvements.map((i: { text: string }) => i.text)).toEqual(['首报要素不全']);
		expect((await call('GET', `exercises/${id}/review`, 'fire1')).status).toBe(403);
	});

	it('saves versions, tracks accepted items to verification by a later exercise', async () => {
		const id = await playedExercise();
		const { generated } = (await call('GET', `exercises/${id}/review`, 'facilitator')).json;
		const [first, second] = generated.rectifications;
		const body = {
			summary: '总体完成推演目标。',
			rectifications: [
				{ ...first, owner: '应急局值班科', decision: 'accepted' },
				{ ...second, decision: 'rejected' },
				{ id: 'R-extra', problem: { zh: '视频调度不熟练', en: 'Slow video dispatch' }, cause: { zh: '培训不足', en: 'Too little training' }, action: { zh: '专项培训', en: 'Targeted training' }, element: 'training', agency: 'em', dueDate: '2027-01-15', decision: 'accepted' }
			]
		};
		const v1 = await call('POST', `exercises/${id}/review`, 'evaluator', body);
		expect(v1.status).toBe(201);
		expect(v1.json.review.version).toBe(1);
		expect((await call('POST', `exercises/${id}/review`, 'fire1', body)).status).toBe(403);
		const v2 = await call('POST', `exercises/${id}/review`, 'facilitator', body);
		expect(v2.json.review.version).toBe(2);
		const fetched = await call('GET', `exercises/${id}/review`, 'facilitator');
		expect(fetched.json.saved.summary).toBe('总体完成推演目标。');
		expect(fetched.json.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);

		const list = await call('GET', `rectifications?exercise=${id}`, 'facilitator');
		expect(list.json.items.map((i: { id: string }) => i.id).sort()).toEqual([`${id}:${first.id}`, `${id}:R-extra`].sort());
		expect((await call('GET', 'rectifications', 'fire1')).json.items).toEqual([]);
		const item = encodeURIComponent(`${id}:R-extra`);
		const move = (status: string, extra: Record<string, unknown> = {}) => call('PATCH', `rectifications/${item}`, 'facilitator', { status, ...extra });
		expect((await move('verified')).status).toBe(409);
		expect((await move('in_progress')).json.item.status).toBe('in_progress');
		expect((await move('done')).json.item.status).toBe('done');
		expect((await move('verified')).json.error.message).toBe('Name the later exercise that re-tested this.');
		expect((await move('verified', { verifiedBy: id })).status).toBe(400);
		const later = (await call('POST', 'exercises', 'facilitator', { title: '复测演练' })).json.exercise.id;
		const verified = await move('verified', { verifiedBy: later });
		expect(verified.json.item).toMatchObject({ status: 'verified', verifiedBy: later });
		const after = await call('GET', `rectifications?exercise=${id}`, 'facilitator');
		const em = after.json.closure.find((c: { agency: string }) => c.agency === 'em');
		expect(em.closed).toBeGreaterThanOrEqual(1);
		expect((await call('PATCH', `rectifications/${item}`, 'fire1', { owner: 'x' })).status).toBe(404);
	});

	it('lets players write their agency’s self-assessment after the end only', async () => {
		const id = await playedExercise();
		const ok = await call('PUT', `exercises/${id}/self-assessments`, 'fire1', { objectiveId: 'O1', text: '响应较快，报告偏慢。' });
		expect(ok.status).toBe(200);
		expect(ok.json.selfAssessment.agencyCode).toBe('fire');
		expect((await call('PUT', `exercises/${id}/self-assessments`, 'observer', { objectiveId: 'O1', text: 'x' })).status).toBe(403);
		const review = await call('GET', `exercises/${id}/review`, 'facilitator');
		expect(review.json.selfAssessments.map((s: { text: string }) => s.text)).toEqual(['响应较快，报告偏慢。']);
	});
});
