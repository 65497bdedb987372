import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docUpdates } from '../../db/schema';
import { agencyDocName, commonDocName, controlDocName } from '../../src/lib/board/docs';
import { readAcks, readClock, readInjects, readLog, readPointStates } from '../../src/lib/board/control';
import { addFeature, featureMap } from '../../src/lib/board/features';
import { listTasks } from '../../src/lib/board/tasks';
import { ClockCache } from '../../server/clock-cache';
import { attachCollab, type Collab } from '../../server/collab';
import { recordDueInjects } from '../../server/injects/delivery';
import { startScheduler, type Scheduler } from '../../server/scheduler';
import { minimalScenario } from '../fixtures/minimal-scenario';
import { apiClient } from './helpers/api';
import { connectClient, waitFor, type Client } from './helpers/collab';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

let database: TestDatabase;
let api: ReturnType<typeof apiClient>;
let server: http.Server;
let collab: Collab;
let url: string;
const clocks = new ClockCache();
const clients: Client[] = [];
const t: Record<string, string> = {};
const quiet = { info: () => {}, warn: () => {}, error: (...a: unknown[]) => console.error(...a) };

/** The minimal scenario plus an initial map layer, a map effect, a task spawn and a monitoring change. */
function scenario() {
	const pkg = minimalScenario() as ReturnType<typeof minimalScenario> & { map: Record<string, unknown>; injects: Record<string, unknown>[] };
	pkg.id = 'mini-flood-board';
	pkg.map.layers = [
		{ id: 'base', name: { zh: '底图', en: 'Base' }, features: [{ id: 'tunnel', feature: { kind: 'hazard_zone', geometry: { type: 'Polygon', coordinates: [[[114.3, 30.6], [114.31, 30.6], [114.31, 30.61], [114.3, 30.6]]] }, label: { zh: '隧道', en: 'Tunnel' } } }] }
	];
	pkg.injects[1].mapEffects = [{ op: 'add', featureId: 'car', layer: 'fire', feature: { kind: 'casualty_collection', geometry: { type: 'Point', coordinates: [114.305, 30.605] }, label: { zh: '被困车辆', en: 'Trapped car' } } }];
	pkg.injects[1].monitoringEffects = [{ point: 'CAM-1', value: 1.2 }];
	return pkg;
}

async function startScheduling(): Promise<Scheduler> {
	return startScheduler(api.ctx, collab, { intervalMs: 50, clocks, log: quiet });
}

beforeAll(async () => {
	database = await seededDatabase();
	api = apiClient(database);
	for (const u of ['facilitator', 'commander', 'fire1', 'em1']) t[u] = await api.signIn(u);
	server = http.createServer((_q, r) => r.writeHead(404).end());
	collab = attachCollab(server, api.ctx, { unloadDelayMs: 0, scenarioTime: clocks.scenarioTime, log: quiet });
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/collab`;
	expect((await api.call('POST', 'scenarios', { body: scenario(), token: t.facilitator })).status).toBe(201);
});
afterAll(async () => {
	for (const c of clients) c.destroy();
	await collab.close();
	server.closeAllConnections();
	await new Promise((r) => server.close(r));
	await database.dispose();
});

async function runningExercise(): Promise<string> {
	const id = (await api.call('POST', 'exercises', { body: { title: 'Scheduler' }, token: t.facilitator })).json.exercise.id;
	for (const [u, role] of [['fire1', 'player'], ['em1', 'player'], ['commander', 'commander']]) await api.call('POST', `exercises/${id}/members`, { body: { username: u, role }, token: t.facilitator });
	await api.call('PUT', `exercises/${id}/scenario`, { body: { scenarioId: 'mini-flood-board', seed: 's' }, token: t.facilitator });
	await api.call('POST', `exercises/${id}/transition`, { body: { status: 'briefing' }, token: t.facilitator });
	await api.call('POST', `exercises/${id}/transition`, { body: { status: 'running' }, token: t.facilitator });
	return id;
}
const client = (room: string, who: string) => {
	const c = connectClient(url, room, { token: t[who] });
	clients.push(c);
	return c;
};

describe(`scheduler and control document on ${backend}`, () => {
	it('delivers injects onto the documents: control inbox, map effects, task cards, monitoring, initial layers', async () => {
		const scheduler = await startScheduling();
		try {
			const id = await runningExercise();
			const control = client(controlDocName(id), 'fire1');
			const fire = client(agencyDocName(id, 'fire'), 'fire1');
			const common = client(commonDocName(id), 'fire1');
			await Promise.all([control.synced(), fire.synced(), common.synced()]);
			await waitFor(() => readClock(control.doc)?.status === 'running', 'the clock in the control document');
			await waitFor(() => featureMap(common.doc).has('scn-tunnel'), 'the initial layer on the common board');

			await api.call('POST', `exercises/${id}/clock`, { body: { action: 'jump', to: 'T+00:16' }, token: t.facilitator });
			await waitFor(() => readInjects(control.doc).length === 2, 'two delivered injects');
			expect(readInjects(control.doc).map((i) => i.id)).toEqual(['I-01', 'I-02']);
			// Player-safe content only.
			expect(Object.keys(readInjects(control.doc)[1]).sort()).toEqual(['deliveredAt', 'delivery', 'from', 'id', 'late', 'message', 'scenarioMs', 'source', 'to', 'type']);
			await waitFor(() => listTasks(fire.doc).length === 1, 'the spawned task card');
			expect(listTasks(fire.doc)[0]).toMatchObject({ id: 'I-02:T-fire-rescue', injectId: 'I-02', agency: 'fire', status: 'todo', title: { zh: '救援被困车辆' } });
			expect(listTasks(fire.doc)[0].dueScenarioMs).toBeGreaterThanOrEqual(36 * 60_000);
			expect(featureMap(fire.doc).get('scn-car')?.get('agency')).toBe('fire');
			expect(readPointStates(control.doc).get('CAM-1')?.value).toBe(1.2);
			// The server's writes carry the scenario time they belong to (the replay depends on it), not
			// whatever the clock says when the scheduler gets to them: the delivery's time for I-02's
			// effects, T+0 for the scenario's own map.
			const i02 = readInjects(control.doc)[1].scenarioMs;
			const serverStamps = async (doc: string) =>
				(await database.db.select({ ms: docUpdates.scenarioMs, userId: docUpdates.userId }).from(docUpdates).where(eq(docUpdates.doc, doc))).filter((r) => r.userId === null).map((r) => r.ms);
			expect(await serverStamps(agencyDocName(id, 'fire'))).toEqual([i02, i02]);
			expect(await serverStamps(commonDocName(id))).toEqual([0]);

			await api.call('POST', `exercises/${id}/injects/I-02/ack`, { token: t.fire1 });
			await waitFor(() => readAcks(control.doc).some((a) => a.injectId === 'I-02' && a.agency === 'fire'), 'the acknowledgement mirrored');
			await api.call('POST', `exercises/${id}/log`, { body: { kind: 'order', to: { agencies: ['fire'] }, body: { text: '救援被困车辆' } }, token: t.commander });
			await waitFor(() => readLog(control.doc).length === 1, 'the log entry mirrored');

			// Board updates are stamped with the exercise clock.
			addFeature(fire.doc, { kind: 'command_post', geometry: { type: 'Point', coordinates: [114.3, 30.6] }, label: '前指' }, { id: 'u', name: 'fire1' }, 'fire');
			await waitFor(async () => {
				const rows = await database.db
					.select({ ms: docUpdates.scenarioMs })
					.from(docUpdates)
					.where(and(eq(docUpdates.doc, agencyDocName(id, 'fire')), isNotNull(docUpdates.userId)));
				return rows.some((r) => (r.ms ?? 0) >= 16 * 60_000);
			}, 'a player update stamped with scenario time');
		} finally {
			await scheduler.stop();
		}
	});

	it('keeps an unannounced scenario off the board until the start', async () => {
		const scheduler = await startScheduling();
		try {
			const id = (await api.call('POST', 'exercises', { body: { title: 'Unannounced board' }, token: t.facilitator })).json.exercise.id;
			await api.call('POST', `exercises/${id}/members`, { body: { username: 'fire1', role: 'player' }, token: t.facilitator });
			await api.call('PUT', `exercises/${id}/scenario`, { body: { scenarioId: 'mini-flood-board', seed: 's', unannounced: true }, token: t.facilitator });
			await api.call('POST', `exercises/${id}/transition`, { body: { status: 'briefing' }, token: t.facilitator });
			const control = client(controlDocName(id), 'fire1');
			const common = client(commonDocName(id), 'fire1');
			await Promise.all([control.synced(), common.synced()]);
			await waitFor(() => readClock(control.doc)?.status === 'briefing', 'the briefing clock');
			await new Promise((r) => setTimeout(r, 300));
			// Neither the initial layers nor the scenario id reach a player before the start.
			expect(featureMap(common.doc).size).toBe(0);
			expect(JSON.stringify(control.doc.toJSON())).not.toContain('mini-flood-board');
			await api.call('POST', `exercises/${id}/transition`, { body: { status: 'running' }, token: t.facilitator });
			await waitFor(() => featureMap(common.doc).has('scn-tunnel'), 'the initial layer after the start');
		} finally {
			await scheduler.stop();
		}
	});

	it('finishes on restart what a crash left between the database and the documents', async () => {
		const id = await runningExercise();
		await api.call('POST', `exercises/${id}/clock`, { body: { action: 'jump', to: 'T+00:06' }, token: t.facilitator });
		// Recorded in the database but never written to the documents, as after a crash at that moment.
		expect((await recordDueInjects(database.db, id)).map((r) => r.injectId)).toEqual(['I-01']);
		const control = client(controlDocName(id), 'em1');
		await control.synced();
		expect(readInjects(control.doc)).toEqual([]);
		const scheduler = await startScheduling();
		try {
			await waitFor(() => readInjects(control.doc).length === 1, 'the reconciled delivery');
			await new Promise((r) => setTimeout(r, 300));
			expect(readInjects(control.doc).map((i) => i.id)).toEqual(['I-01']);
		} finally {
			await scheduler.stop();
		}
	});
});
