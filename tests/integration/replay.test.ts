import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { docSnapshots, docUpdates } from '../../db/schema';
import { readAcks, readInjects, readLog } from '../../src/lib/board/control';
import { agencyDocName, commonDocName, controlDocName } from '../../src/lib/board/docs';
import { addFeature, deleteFeature, moveFeature, updateFeature } from '../../src/lib/board/features';
import { docToFeatureCollection } from '../../src/lib/board/geojson';
import { listTasks, moveTask, type TaskCard } from '../../src/lib/board/tasks';
import { parseScenarioTime } from '../../src/lib/domain/clock';
import { ClockCache } from '../../server/clock-cache';
import { attachCollab, type Collab } from '../../server/collab';
import { clearReplayCache, docAt, docAtNaive, docIndex, replayFrame, setCheckpointInterval, CHECKPOINT_EVERY, type ReplayFrame } from '../../server/review/replay';
import { startScheduler, type Scheduler } from '../../server/scheduler';
import { minimalScenario } from '../fixtures/minimal-scenario';
import { apiClient } from './helpers/api';
import { connectClient, waitFor, type Client } from './helpers/collab';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

let database: TestDatabase;
let api: ReturnType<typeof apiClient>;
let server: http.Server;
let collab: Collab;
let scheduler: Scheduler;
let url: string;
const clocks = new ClockCache();
const clients: Client[] = [];
const t: Record<string, string> = {};
const quiet = { info: () => {}, warn: () => {}, error: (...a: unknown[]) => console.error(...a) };

function scenario() {
	const pkg = minimalScenario() as ReturnType<typeof minimalScenario> & { injects: Record<string, unknown>[] };
	pkg.id = 'mini-flood-replay';
	delete pkg.injects[1].contingency; // I-02 always comes
	pkg.injects[1].mapEffects = [{ op: 'add', featureId: 'car', layer: 'fire', feature: { kind: 'casualty_collection', geometry: { type: 'Point', coordinates: [114.305, 30.605] }, label: { zh: '被困车辆', en: 'Trapped car' } } }];
	return pkg;
}

beforeAll(async () => {
	database = await seededDatabase();
	api = apiClient(database);
	for (const u of ['facilitator', 'commander', 'fire1', 'em1', 'police1', 'evaluator']) t[u] = await api.signIn(u);
	server = http.createServer((_q, r) => r.writeHead(404).end());
	// Small room snapshots and checkpoints, so a seek combines both with a log tail.
	collab = attachCollab(server, api.ctx, { unloadDelayMs: 0, scenarioTime: clocks.scenarioTime, snapshotEvery: 7, snapshotMinTail: 1_000_000, log: quiet });
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/collab`;
	expect((await api.call('POST', 'scenarios', { body: scenario(), token: t.facilitator })).status).toBe(201);
	scheduler = startScheduler(api.ctx, collab, { intervalMs: 40, clocks, log: quiet });
	setCheckpointInterval(5);
});
afterAll(async () => {
	setCheckpointInterval(CHECKPOINT_EVERY);
	await scheduler?.stop();
	for (const c of clients) c.destroy();
	await collab.close();
	server.closeAllConnections();
	await new Promise((r) => server.close(r));
	await database.dispose();
});

const call = (method: string, path: string, who: string, body?: unknown) => api.call(method, path, { body, token: t[who] });
const client = (room: string, who: string) => {
	const c = connectClient(url, room, { token: t[who] });
	clients.push(c);
	return c;
};
const actor = (name: string) => ({ id: name, name });
const sv = (d: Y.Doc) => Buffer.from(Y.encodeStateVector(d)).toString('base64');

interface Live {
	at: number;
	layers: Record<string, unknown>;
	tasks: TaskCard[];
	injects: { id: string; scenarioMs: number; message: unknown }[];
	acks: { injectId: string; agency: string; scenarioMs: number }[];
	log: { seq: number; hash: string }[];
}

const byId = <T extends { id?: string | number }>(xs: T[]) => [...xs].sort((a, b) => String(a.id).localeCompare(String(b.id)));
const sortTasks = (xs: TaskCard[]) => [...xs].sort((a, b) => a.agency.localeCompare(b.agency) || a.id.localeCompare(b.id));
const sortAcks = (xs: Live['acks']) => [...xs].sort((a, b) => a.injectId.localeCompare(b.injectId) || a.agency.localeCompare(b.agency));

function frameView(f: ReplayFrame) {
	return {
		layers: Object.fromEntries(f.layers.filter((l) => l.geojson.features.length).map((l) => [l.key, byId(l.geojson.features)])),
		tasks: sortTasks(f.tasks),
		injects: f.injects.map((i) => ({ id: i.id, scenarioMs: i.scenarioMs, message: i.message })),
		acks: sortAcks(f.acks),
		log: f.log.map((e) => ({ seq: e.seq, hash: e.hash }))
	};
}

describe(`time-travel replay on ${backend}`, () => {
	it('rebuilds board, tasks, injects, acknowledgements and log exactly as they were live', async () => {
		const id = (await call('POST', 'exercises', 'facilitator', { title: 'Replay' })).json.exercise.id;
		for (const [u, role] of [['fire1', 'player'], ['em1', 'player'], ['police1', 'player'], ['commander', 'commander'], ['evaluator', 'evaluator']]) {
			await call('POST', `exercises/${id}/members`, 'facilitator', { username: u, role });
		}
		await call('PUT', `exercises/${id}/scenario`, 'facilitator', { scenarioId: 'mini-flood-replay', seed: 's' });
		await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'briefing' });
		await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'running' });
		await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'paused' });

		const docs = { common: commonDocName(id), em: agencyDocName(id, 'em'), fire: agencyDocName(id, 'fire'), police: agencyDocName(id, 'police') };
		const writers = { common: client(docs.common, 'em1'), em: client(docs.em, 'em1'), fire: client(docs.fire, 'fire1'), police: client(docs.police, 'police1') };
		const watchers = Object.fromEntries(Object.entries(docs).map(([k, d]) => [k, client(d, 'evaluator')])) as Record<keyof typeof docs, Client>;
		const control = client(controlDocName(id), 'evaluator');
		await Promise.all([...Object.values(writers), ...Object.values(watchers), control].map((c) => c.synced()));

		/** Moves the (paused) clock and waits until board updates are stamped with the new time. */
		async function clockTo(time: string) {
			const ms = parseScenarioTime(time) as number;
			expect((await call('POST', `exercises/${id}/clock`, 'facilitator', { action: 'jump', to: time })).status).toBe(200);
			await waitFor(() => clocks.scenarioTime(id) === ms, `the clock at ${time}`);
			return ms;
		}
		/** The live state once every writer's changes reached the server and back out to a reader. */
		async function capture(at: number, expect_: { injects: number; acks: number; log: number }): Promise<Live> {
			await waitFor(() => Object.keys(docs).every((k) => sv(writers[k as keyof typeof docs].doc) === sv(watchers[k as keyof typeof docs].doc)), 'readers to catch up');
			await waitFor(
				() => readInjects(control.doc).length === expect_.injects && readAcks(control.doc).length === expect_.acks && readLog(control.doc).length === expect_.log,
				'the control document'
			);
			await new Promise((r) => setTimeout(r, 150)); // any server-side delivery effects still in flight
			await waitFor(() => Object.keys(docs).every((k) => sv(writers[k as keyof typeof docs].doc) === sv(watchers[k as keyof typeof docs].doc)), 'readers to catch up');
			return {
				at,
				layers: Object.fromEntries(
					Object.entries(watchers)
						.map(([k, c]) => [k, byId(docToFeatureCollection(c.doc, k).features)] as const)
						.filter(([, f]) => f.length)
				),
				tasks: sortTasks(['em', 'fire', 'police'].flatMap((k) => listTasks(watchers[k as 'em'].doc))),
				injects: readInjects(control.doc)
					.sort((a, b) => a.scenarioMs - b.scenarioMs || a.id.localeCompare(b.id))
					.map((i) => ({ id: i.id, scenarioMs: i.scenarioMs, message: i.message })),
				acks: sortAcks(readAcks(control.doc).map((a) => ({ injectId: a.injectId, agency: a.agency, scenarioMs: a.scenarioMs }))),
				log: readLog(control.doc).map((e) => ({ seq: e.seq, hash: e.hash }))
			};
		}

		const moments: Live[] = [];
		// T+00:02 — first marks on three layers.
		let now = await clockTo('T+00:02');
		const cp = addFeature(writers.fire.doc, { kind: 'command_post', geometry: { type: 'Point', coordinates: [114.3, 30.6] }, label: '前指' }, actor('fire1'), 'fire');
		const cordon = addFeature(writers.police.doc, { kind: 'cordon_area', geometry: { type: 'Polygon', coordinates: [[[114.3, 30.6], [114.31, 30.6], [114.31, 30.61], [114.3, 30.6]]] }, label: '警戒区' }, actor('police1'), 'police');
		addFeature(writers.common.doc, { kind: 'exclusion_zone', geometry: { type: 'Point', coordinates: [114.32, 30.62] }, radius: 300, label: '禁入' }, actor('em1'), null);
		moments.push(await capture(now, { injects: 0, acks: 0, log: 0 }));

		// T+00:05 — I-01 to em; acknowledged and reported; the command post moves step by step.
		now = await clockTo('T+00:05');
		await waitFor(() => readInjects(control.doc).length === 1, 'I-01');
		expect((await call('POST', `exercises/${id}/injects/I-01/ack`, 'em1')).status).toBe(201);
		expect((await call('POST', `exercises/${id}/log`, 'em1', { kind: 'report', to: { commander: true }, refs: { inject: 'I-01' }, body: { text: '首报', stage: 'initial' } })).status).toBe(201);
		for (let i = 0; i < 12; i++) moveFeature(writers.fire.doc, cp, 0.001, 0, actor('fire1'));
		updateFeature(writers.police.doc, cordon, { label: '警戒区（扩大）', status: 'planned' }, actor('police1'));
		moments.push(await capture(now, { injects: 1, acks: 1, log: 1 }));

		// T+00:16 — I-02 spawns the fire task and the trapped car; the commander orders; police drops its cordon.
		now = await clockTo('T+00:16');
		await waitFor(() => listTasks(writers.fire.doc).length === 1, 'the spawned task card');
		moveTask(writers.fire.doc, listTasks(writers.fire.doc)[0].id, 'in_progress', actor('fire1'));
		expect((await call('POST', `exercises/${id}/log`, 'commander', { kind: 'order', to: { agencies: ['fire'] }, body: { text: '救援被困车辆' } })).status).toBe(201);
		deleteFeature(writers.police.doc, cordon);
		for (let i = 0; i < 9; i++) addFeature(writers.common.doc, { kind: 'checkpoint', geometry: { type: 'Point', coordinates: [114.3 + i / 1000, 30.59] }, label: `卡口${i}` }, actor('em1'), null);
		moments.push(await capture(now, { injects: 2, acks: 1, log: 2 }));

		// T+00:30 — the task is done, the order acknowledged, more moves.
		now = await clockTo('T+00:30');
		moveTask(writers.fire.doc, listTasks(writers.fire.doc)[0].id, 'done', actor('fire1'));
		await call('POST', `exercises/${id}/injects/I-02/ack`, 'fire1');
		expect((await call('POST', `exercises/${id}/log`, 'fire1', { kind: 'ack', to: { commander: true }, refs: { entries: [2] }, body: { text: '收到' } })).status).toBe(201);
		for (let i = 0; i < 17; i++) moveFeature(writers.fire.doc, cp, 0, 0.0005, actor('fire1'));
		moments.push(await capture(now, { injects: 2, acks: 2, log: 3 }));

		// The moments differ from each other in every part that is compared.
		expect(moments.map((m) => m.tasks.map((x) => x.status).join())).toEqual(['', '', 'in_progress', 'done']);
		expect(moments.map((m) => Object.keys(m.layers).sort().join())).toEqual(['common,fire,police', 'common,fire,police', 'common,fire', 'common,fire']);
		expect(moments.map((m) => m.log.length)).toEqual([0, 1, 2, 3]);

		await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'ended' });
		const rows = await database.db.select({ seq: docUpdates.seq }).from(docUpdates).where(eq(docUpdates.doc, docs.fire));
		expect(rows.length).toBeGreaterThan(30);
		const roomSnapshots = await database.db.select({ seq: docSnapshots.seq }).from(docSnapshots).where(eq(docSnapshots.doc, docs.fire));
		expect(roomSnapshots.length).toBeGreaterThan(0);

		clearReplayCache();
		for (const m of moments) {
			const frame = await replayFrame(database.db, id, m.at, 0);
			const { at: _at, ...live } = m;
			expect(frameView(frame), `the exercise at ${m.at / 60_000} min`).toEqual(live);
		}
		// Between moments the state is the earlier moment's; before the first mark there is nothing of players'.
		expect(frameView(await replayFrame(database.db, id, 10 * 60_000, 0))).toEqual((({ at: _a, ...rest }) => rest)(moments[1]));
		const before = await replayFrame(database.db, id, 60_000, 0);
		expect(before.layers.every((l) => l.geojson.features.length === 0)).toBe(true);
		expect(before.injects).toEqual([]);
		expect(before.endMs).toBe(30 * 60_000);

		// Checkpoints were filled in between the room's snapshots; the checkpointed rebuild equals the naive one everywhere.
		const all = await database.db.select({ seq: docUpdates.seq }).from(docUpdates).where(eq(docUpdates.doc, docs.fire));
		const index = await docIndex(database.db, docs.fire, Math.max(...all.map((r) => r.seq)));
		for (let i = 1; i < index.checkpoints.length; i++) expect(index.checkpoints[i] - index.checkpoints[i - 1]).toBeLessThanOrEqual(7);
		for (const at of [0, 2, 5, 9, 16, 29, 30, 45].map((m) => m * 60_000)) {
			const fast = await docAt(database.db, index, at);
			const naive = await docAtNaive(database.db, docs.fire, at);
			expect(byId(docToFeatureCollection(fast).features)).toEqual(byId(docToFeatureCollection(naive).features));
			expect(sortTasks(listTasks(fast))).toEqual(sortTasks(listTasks(naive)));
		}
	});

	it('is served to reviewers after the end only, never to players', async () => {
		const id = (await call('POST', 'exercises', 'facilitator', { title: 'Replay access' })).json.exercise.id;
		await call('POST', `exercises/${id}/members`, 'facilitator', { username: 'fire1', role: 'player' });
		await call('POST', `exercises/${id}/members`, 'facilitator', { username: 'evaluator', role: 'evaluator' });
		await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'briefing' });
		expect((await call('GET', `exercises/${id}/replay?at=0`, 'facilitator')).status).toBe(403);
		await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'running' });
		await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'ended' });
		const ok = await call('GET', `exercises/${id}/replay?at=0`, 'evaluator');
		expect(ok.status).toBe(200);
		expect(ok.json.layers.map((l: { key: string }) => l.key)[0]).toBe('common');
		expect(ok.json.layers[0].geojson.type).toBe('FeatureCollection');
		expect((await call('GET', `exercises/${id}/replay?at=0`, 'fire1')).status).toBe(403);
		expect((await call('GET', `exercises/${id}/replay?at=-5`, 'facilitator')).status).toBe(400);
		expect((await call('GET', `exercises/${id}/replay`, 'facilitator')).status).toBe(400);
	});
});
