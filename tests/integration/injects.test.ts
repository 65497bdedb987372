import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { monitoringViews } from '../../db/schema';
import { recordDueInjects } from '../../server/injects/delivery';
import { PlanCache } from '../../server/injects/plan-cache';
import { minimalScenario } from '../fixtures/minimal-scenario';
import { apiClient } from './helpers/api';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

const dir = backend === 'pglite' ? mkdtempSync(join(tmpdir(), 'drillboard-injects-')) : undefined;
let database: TestDatabase;
let api: ReturnType<typeof apiClient>;
const t: Record<string, string> = {};

beforeAll(async () => {
	database = await seededDatabase({ dataDir: dir });
	api = apiClient(database);
	for (const u of ['facilitator', 'fire1', 'police1', 'em1', 'observer']) t[u] = await api.signIn(u);
	const imported = await api.call('POST', 'scenarios', { body: minimalScenario(), token: t.facilitator });
	expect(imported.status).toBe(201);
});
afterAll(async () => {
	await database.dispose();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

async function runningExercise(opts: { unannounced?: boolean; randomCount?: number; start?: boolean } = {}) {
	const id = (await api.call('POST', 'exercises', { body: { title: 'Inject test' }, token: t.facilitator })).json.exercise.id;
	for (const u of ['fire1', 'police1', 'em1']) await api.call('POST', `exercises/${id}/members`, { body: { username: u, role: 'player' }, token: t.facilitator });
	await api.call('POST', `exercises/${id}/members`, { body: { username: 'observer', role: 'observer' }, token: t.facilitator });
	const assign = await api.call('PUT', `exercises/${id}/scenario`, {
		body: { scenarioId: 'mini-flood', unannounced: opts.unannounced ?? false, randomCount: opts.randomCount ?? 0, seed: 'fixed-seed' },
		token: t.facilitator
	});
	expect(assign.status).toBe(200);
	await api.call('POST', `exercises/${id}/transition`, { body: { status: 'briefing' }, token: t.facilitator });
	if (opts.start !== false) await api.call('POST', `exercises/${id}/transition`, { body: { status: 'running' }, token: t.facilitator });
	return id;
}
const jump = (id: string, to: string) => api.call('POST', `exercises/${id}/clock`, { body: { action: 'jump', to }, token: t.facilitator });
const inboxIds = async (id: string, who: string) => (await api.call('GET', `exercises/${id}/inbox`, { token: t[who] })).json.injects.map((i: { id: string }) => i.id);

describe(`scenario library on ${backend}`, () => {
	it('is for organisers only', async () => {
		expect((await api.call('GET', 'scenarios', { token: t.fire1 })).status).toBe(403);
		const list = await api.call('GET', 'scenarios', { token: t.facilitator });
		expect(list.json.scenarios.map((s: { id: string }) => s.id)).toContain('mini-flood');
		expect((await api.call('GET', 'scenarios/mini-flood', { token: t.fire1 })).status).toBe(403);
	});

	it('rejects an invalid package whole, with every error by path', async () => {
		const bad = minimalScenario();
		bad.id = 'broken-one';
		bad.injects[0].at = 'soon';
		bad.injects[1].tasks = [{ agency: 'fire', template: 'T-missing' }];
		const r = await api.call('POST', 'scenarios', { body: bad, token: t.facilitator });
		expect(r.status).toBe(400);
		expect(r.json.error.code).toBe('invalid_scenario');
		expect(Object.keys(r.json.error.details)).toEqual(['injects.0.at']);
		expect((await api.call('GET', 'scenarios/broken-one', { token: t.facilitator })).status).toBe(404);
	});

	it('refuses to overwrite without replace, and exports what it stored', async () => {
		expect((await api.call('POST', 'scenarios', { body: minimalScenario(), token: t.facilitator })).status).toBe(409);
		const changed = minimalScenario();
		changed.meta.title.en = 'Small waterlogging, revised';
		expect((await api.call('POST', 'scenarios?replace=true', { body: changed, token: t.facilitator })).status).toBe(201);
		const exported = await api.call('GET', 'scenarios/mini-flood?download', { token: t.facilitator });
		expect(exported.json.meta.title.en).toBe('Small waterlogging, revised');
		expect(exported.headers.get('content-disposition')).toContain('mini-flood.json');
	});

	it('refuses a body over the size limit with 413', async () => {
		const huge = JSON.stringify({ pad: 'x'.repeat(6 * 1024 * 1024) });
		const r = await api.call('POST', 'scenarios', { rawBody: huge, token: t.facilitator });
		expect(r.status).toBe(413);
	});
});

describe(`inject delivery on ${backend}`, () => {
	it('delivers due injects exactly once to their targets, even with concurrent schedulers', async () => {
		const id = await runningExercise();
		await jump(id, 'T+00:06');
		const results = await Promise.all([1, 2, 3].map(() => recordDueInjects(database.db, id)));
		expect(results.flat().map((r) => r.injectId)).toEqual(['I-01']);
		expect(await inboxIds(id, 'em1')).toEqual(['I-01']);
		expect(await inboxIds(id, 'fire1')).toEqual([]);
		expect(await inboxIds(id, 'observer')).toEqual(['I-01']);
	});

	it('records one acknowledgement per agency from a target agency’s player', async () => {
		const id = await runningExercise();
		await jump(id, 'T+00:06');
		await recordDueInjects(database.db, id);
		const ack = await api.call('POST', `exercises/${id}/injects/I-01/ack`, { token: t.em1 });
		expect(ack.status).toBe(201);
		expect(ack.json.ack).toMatchObject({ injectId: 'I-01', agency: 'em' });
		expect((await api.call('POST', `exercises/${id}/injects/I-01/ack`, { token: t.em1 })).status).toBe(409);
		expect((await api.call('POST', `exercises/${id}/injects/I-01/ack`, { token: t.fire1 })).status).toBe(403);
		expect((await api.call('POST', `exercises/${id}/injects/I-02/ack`, { token: t.fire1 })).status).toBe(404);
		// The acknowledgement settles the contingency: I-02 fires only if em has not acknowledged I-01.
		await jump(id, 'T+00:12');
		const d = await recordDueInjects(database.db, id);
		expect(d.map((r) => [r.injectId, r.action])).toEqual([['I-02', 'skip']]);
		expect(await inboxIds(id, 'fire1')).toEqual([]);
	});

	it('fires a contingency when its condition holds, and catches up late after downtime', async () => {
		const id = await runningExercise({ randomCount: 1 });
		await jump(id, 'T+02:00');
		const d = await recordDueInjects(database.db, id);
		expect(d.map((r) => [r.injectId, r.action, r.late])).toEqual([
			['I-01', 'deliver', true],
			['I-02', 'deliver', true],
			['R-01', 'deliver', true]
		]);
		expect(await inboxIds(id, 'fire1')).toEqual(['I-02']);
	});

	it('keeps a plan while the assignment stands and re-plans when the scenario is reassigned', async () => {
		const id = await runningExercise({ start: false });
		const plans = new PlanCache();
		const first = await plans.get(database.db, id);
		expect(first!.plan.map((p) => p.source)).not.toContain('random');
		expect(await plans.get(database.db, id)).toBe(first);
		// Reassigned in the briefing with a random draw (as another process would do it): the next call sees it.
		const again = await api.call('PUT', `exercises/${id}/scenario`, { body: { scenarioId: 'mini-flood', randomCount: 1, seed: 'fixed-seed' }, token: t.facilitator });
		expect(again.status).toBe(200);
		const second = await plans.get(database.db, id);
		expect(second).not.toBe(first);
		expect(second!.plan.filter((p) => p.source === 'random')).toHaveLength(1);
		await api.call('POST', `exercises/${id}/transition`, { body: { status: 'running' }, token: t.facilitator });
		// The scheduler's path with the shared cache decides as before: contingency I-02 fires (em never acknowledged).
		await jump(id, 'T+02:00');
		const d = await recordDueInjects(database.db, id, Date.now(), await plans.get(database.db, id));
		expect(d.map((r) => [r.injectId, r.action])).toEqual([
			['I-01', 'deliver'],
			['I-02', 'deliver'],
			['R-01', 'deliver']
		]);
		expect(await recordDueInjects(database.db, id, Date.now(), await plans.get(database.db, id))).toEqual([]);
	});

	it('never delivers twice across a restart', async () => {
		const id = await runningExercise();
		await jump(id, 'T+00:20');
		expect((await recordDueInjects(database.db, id)).length).toBe(2);
		await database.restart();
		api = apiClient(database);
		expect(await recordDueInjects(database.db, id)).toEqual([]);
		expect(await inboxIds(id, 'fire1')).toEqual(['I-02']);
	});

	it('reproduces the random draw from the seed', async () => {
		const a = await runningExercise({ randomCount: 1 });
		const b = await runningExercise({ randomCount: 1 });
		const timeline = async (id: string) => (await api.call('GET', `exercises/${id}/injects`, { token: t.facilitator })).json;
		const ta = await timeline(a);
		const tb = await timeline(b);
		const random = (tl: { injects: { source: string; dueMs: number }[] }) => tl.injects.filter((i) => i.source === 'random').map((i) => i.dueMs);
		expect(random(ta)).toHaveLength(1);
		expect(random(ta)).toEqual(random(tb));
		expect(ta.seed).toBe('fixed-seed');
	});

	it('lets the facilitator inject now, roll the pool and author an ad-hoc inject; nobody else', async () => {
		const id = await runningExercise();
		expect((await api.call('POST', `exercises/${id}/injects/I-02/deliver`, { token: t.fire1 })).status).toBe(403);
		const now = await api.call('POST', `exercises/${id}/injects/I-02/deliver`, { token: t.facilitator });
		expect(now.status).toBe(201);
		expect((await api.call('POST', `exercises/${id}/injects/I-02/deliver`, { token: t.facilitator })).status).toBe(409);
		expect(await inboxIds(id, 'fire1')).toEqual(['I-02']);

		const roll = await api.call('POST', `exercises/${id}/injects/roll`, { token: t.facilitator });
		expect(roll.json.preview.id).toBe('R-01');
		expect(await inboxIds(id, 'em1')).toEqual([]);

		const adhoc = await api.call('POST', `exercises/${id}/injects/adhoc`, {
			body: { type: 'media', delivery: 'media', from: { zh: '网络舆情', en: 'Social media' }, to: { agencies: ['police'] }, message: { zh: '网传隧道有人溺亡', en: 'Rumour: a drowning in the underpass' } },
			token: t.facilitator
		});
		expect(adhoc.status).toBe(201);
		expect(await inboxIds(id, 'police1')).toEqual(['I-02', 'ADHOC-01']);
		// The kept roll is delivered; the facilitator's timeline lists it and the ad-hoc inject with the plan.
		expect((await api.call('POST', `exercises/${id}/injects/R-01/deliver`, { token: t.facilitator })).status).toBe(201);
		const timeline = (await api.call('GET', `exercises/${id}/injects`, { token: t.facilitator })).json.injects as { injectId: string; source: string; state: string; inject: { message: { zh: string } } }[];
		expect(timeline.filter((r) => r.injectId === 'R-01' || r.injectId === 'ADHOC-01').map((r) => [r.injectId, r.source, r.state, r.inject.message.zh])).toEqual([
			['ADHOC-01', 'adhoc', 'delivered', '网传隧道有人溺亡'],
			['R-01', 'random', 'delivered', expect.any(String)]
		]);
		const bad = await api.call('POST', `exercises/${id}/injects/adhoc`, { body: { type: 'media' }, token: t.facilitator });
		expect(bad.status).toBe(400);
	});

	it('keeps the MSEL, upcoming injects and evaluator material from players', async () => {
		const id = await runningExercise({ unannounced: true, start: false });
		const before = await api.call('GET', `exercises/${id}/scenario`, { token: t.fire1 });
		expect(before.json.scenario).toEqual({ hidden: true });
		expect((await api.call('GET', `exercises/${id}/injects`, { token: t.fire1 })).status).toBe(403);
		// Its monitoring points do not exist for players yet (the same answer as an unknown point).
		for (const method of ['POST', 'GET']) {
			const path = `exercises/${id}/monitoring/CAM-1${method === 'POST' ? '/open' : ''}`;
			const early = await api.call(method, path, { token: t.fire1 });
			expect(early.status, `${method} ${path}`).toBe(404);
			expect(early.text).not.toContain('CAM-1');
		}
		expect((await api.call('GET', `exercises/${id}/monitoring/CAM-1`, { token: t.facilitator })).status).toBe(200);
		await api.call('POST', `exercises/${id}/transition`, { body: { status: 'running' }, token: t.facilitator });
		expect((await api.call('GET', `exercises/${id}/monitoring/CAM-1`, { token: t.fire1 })).status).toBe(200);
		await jump(id, 'T+00:16');
		await recordDueInjects(database.db, id);
		// Everything the fire player can fetch, concatenated: no future or foreign inject, no notes.
		const traffic = (
			await Promise.all(
				[`exercises/${id}`, `exercises/${id}/scenario`, `exercises/${id}/inbox`, `exercises/${id}/log`, 'exercises'].map((p) => api.call('GET', p, { token: t.fire1 }))
			)
		)
			.map((r) => r.text)
			.join('\n');
		expect(traffic).toContain('一辆轿车被困');
		for (const secret of ['隧道积水', 'Camera offline', 'expectedActions', 'evaluatorNotes', 'randomPool', 'fixed-seed', 'T-fire-rescue']) {
			expect(traffic, secret).not.toContain(secret);
		}
	});

	it('opens a monitoring point: records the view, shows no future readings, applies faults', async () => {
		const id = await runningExercise({ randomCount: 1 });
		await jump(id, 'T+00:30');
		const open = await api.call('POST', `exercises/${id}/monitoring/CAM-1/open`, { token: t.em1 });
		expect(open.status).toBe(200);
		expect(open.json.point).toMatchObject({ id: 'CAM-1', kind: 'camera' });
		expect(open.json.point.readings).toBeUndefined();
		expect((await api.call('POST', `exercises/${id}/monitoring/NOPE/open`, { token: t.em1 })).status).toBe(404);
		await recordDueInjects(database.db, id);
		const after = await api.call('POST', `exercises/${id}/monitoring/CAM-1/open`, { token: t.em1 });
		const drawn = (await api.call('GET', `exercises/${id}/injects`, { token: t.facilitator })).json.injects.find((i: { injectId: string }) => i.injectId === 'R-01');
		expect(after.json.view.fault).toBe(drawn.dueMs <= 30 * 60_000 ? 'offline' : null);
		// Refreshing an open view (GET) answers the same and is not another look.
		const refresh = await api.call('GET', `exercises/${id}/monitoring/CAM-1`, { token: t.em1 });
		expect(refresh.status).toBe(200);
		expect(refresh.json.view).toEqual(after.json.view);
		expect(refresh.json.point.readings).toBeUndefined();
		expect((await api.call('GET', `exercises/${id}/monitoring/NOPE`, { token: t.em1 })).status).toBe(404);
		const views = await database.db.select().from(monitoringViews).where(eq(monitoringViews.exerciseId, id));
		expect(views.map((v) => [v.pointId, v.agencyCode])).toEqual([
			['CAM-1', 'em'],
			['CAM-1', 'em']
		]);
	});

	it('validates clock actions', async () => {
		const id = await runningExercise();
		expect((await api.call('POST', `exercises/${id}/clock`, { body: { action: 'speed', speed: 20 }, token: t.facilitator })).status).toBe(400);
		expect((await api.call('POST', `exercises/${id}/clock`, { body: { action: 'jump', to: 'later' }, token: t.facilitator })).status).toBe(400);
		expect((await api.call('POST', `exercises/${id}/clock`, { body: { action: 'speed', speed: 4 }, token: t.em1 })).status).toBe(403);
		const ok = await api.call('POST', `exercises/${id}/clock`, { body: { action: 'speed', speed: 4 }, token: t.facilitator });
		expect(ok.json.clock.speed).toBe(4);
	});
});
