/**
 * Soak: a running exercise on the real serving process (tests/integration/helpers/scale-process.ts:
 * collaboration, scheduler, JSON API) under a steady load for a long time, to show that the server's
 * memory stays flat and that nothing is lost or duplicated.
 *
 *   npm run bench:soak                       # 20 minutes, 200 clients; writes bench/results/soak-<time>.json
 *   npm run bench:soak -- --minutes=5        # shorter
 *   npm run bench:soak -- --quick            # 2 minutes
 *
 * Clients (all in this process, loopback): lightweight protocol clients (bench/lib/raw-client.ts)
 * editing the board documents and moving pointers with stock awareness, a sample of real
 * WebsocketProviders (disableBc) in a worker thread, and one API client per agency player appending
 * command-log entries and acknowledging the injects the scheduler delivers (the clock runs at 10×, one
 * inject per scenario minute). Server RSS is read from /proc/<pid>/status every few seconds.
 * Environment: DATABASE_URL (PostgreSQL; otherwise PGlite in a temporary folder). Also run by
 * tests/integration/soak.test.ts as a short variant.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { asc, eq } from 'drizzle-orm';
import postgres from 'postgres';
import * as Y from 'yjs';
import { openDatabase, type DatabaseOptions } from '../db/client';
import { commandLog, docSnapshots, docUpdates, injectAcks, injectDeliveries, users } from '../db/schema';
import { seedDemo } from '../db/seed';
import { startServing, type Proc } from '../tests/integration/helpers/serving';
import { exerciseDocs, presenceUser, rng, sleep, summarize, type EditValue, type Summary } from './lib/common';
import { ProviderPool } from './lib/providers';
import { RawClient, type LatencySink } from './lib/raw-client';

export interface SoakOptions {
	seconds: number;
	/** Collaboration clients in all (real providers included). */
	clients: number;
	realClients: number;
	/** Board edits per second, all clients together. */
	editsPerSecond: number;
	/**
	 * Features each client keeps on the board: once a client has drawn this many, its edits move and
	 * relabel them (as on a real board). Null: every edit adds a new feature, so the documents never
	 * stop growing (the `--growing` run).
	 */
	featuresPerClient: number | null;
	/** Every n-th client moves its pointer. */
	pointerEvery: number;
	pointerHz: number;
	/** Each API client appends one log entry this often. */
	apiIntervalMs: number;
	rssSampleMs: number;
	/** Allowed growth of the median RSS from the first post-warm-up window to the last one. */
	rssGrowthLimit: number;
	/** PostgreSQL server to create a throwaway database on; PGlite otherwise. */
	databaseUrl?: string;
	log?: (msg: string) => void;
}

export interface SoakResult {
	options: Omit<SoakOptions, 'log' | 'databaseUrl'>;
	backend: 'pglite' | 'postgres';
	seconds: number;
	/** The serving process's own memory figures (bench/lib/memory.ts), every `rssSampleMs`; t in s. */
	serverMemory: Record<string, number>[];
	rss: { samples: [number, number][]; warmupSeconds: number; windowSeconds: number; firstMedianMb: number; lastMedianMb: number; growth: number; maxMb: number };
	counts: { editsSent: number; features: number; pointerMoves: number; logEntries2xx: number; acks2xx: number; apiFailures: number; injectsDelivered: number; docUpdateRows: number };
	apiLatency: Summary;
	/** This process's event-loop delay each minute (ms): a lagging client side leaves bytes queued in the server. */
	clientLoop: { minute: number; p99: number; max: number }[];
	serverErrors: string[];
	checks: Record<string, boolean>;
	problems: string[];
}

const PLAYERS = [
	{ username: 'em1', agency: 'em' },
	{ username: 'fire1', agency: 'fire' },
	{ username: 'fire2', agency: 'fire' },
	{ username: 'police1', agency: 'police' },
	{ username: 'health1', agency: 'health' }
];
/** The API clients: one player per agency. */
const API_USERS = ['em1', 'fire1', 'police1', 'health1'];
const AGENCIES = ['em', 'fire', 'police', 'health'];
const CLOCK_SPEED = 10;

/** A scenario with one inject a scenario minute, to the agencies in turn, enough for the whole run. */
function soakScenario(injects: number) {
	const bi = (zh: string, en: string) => ({ zh, en });
	const at = (m: number) => `T+${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
	return {
		format: 'drillboard-scenario',
		version: 1,
		id: 'soak',
		meta: {
			title: bi('持续负载', 'Soak'),
			description: bi('长时间运行。', 'A long run.'),
			hazard: 'waterlogging',
			objectives: [{ id: 'O1', title: bi('信息报送', 'Information reporting'), capability: 'Operational communications', targets: [{ id: 'O1.1', text: bi('及时签收', 'Acknowledge in time') }] }]
		},
		map: { center: [114.3, 30.6], zoom: 12 },
		agencies: AGENCIES,
		injects: Array.from({ length: injects }, (_, i) => ({
			id: `S-${String(i + 1).padStart(3, '0')}`,
			at: at(i + 1),
			type: 'information',
			delivery: 'phone',
			from: bi('市民', 'A resident'),
			to: { agencies: [AGENCIES[i % AGENCIES.length]] },
			message: bi(`第 ${i + 1} 条`, `Message ${i + 1}`),
			objective: 'O1'
		}))
	};
}

/** Resident set size of a process, MB, from /proc/<pid>/status. */
function rssMb(pid: number): number {
	const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
	return Math.round(kb / 102.4) / 10;
}

function median(xs: number[]): number {
	const a = [...xs].sort((x, y) => x - y);
	return a.length ? a[Math.floor((a.length - 1) / 2)] : NaN;
}

/** A throwaway database (PGlite folder or PostgreSQL database), seeded with the demo. */
async function prepareDatabase(adminUrl: string | undefined): Promise<{ options: DatabaseOptions; env: Record<string, string>; drop: () => Promise<void> }> {
	if (!adminUrl) {
		const dir = mkdtempSync(join(tmpdir(), 'drillboard-soak-'));
		return { options: { dataDir: dir }, env: { DATA_DIR: dir, DATABASE_URL: '' }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
	}
	const name = `drillboard_soak_${process.pid}_${Date.now().toString(36)}`;
	const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
	await admin.unsafe(`create database ${name}`);
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	return {
		options: { url: url.toString(), max: 2 },
		env: { DATABASE_URL: url.toString() },
		drop: async () => {
			await admin.unsafe(`drop database if exists ${name} with (force)`);
			await admin.end();
		}
	};
}

/** What the database holds after the run, read in this process once the server has stopped. */
async function readStored(options: DatabaseOptions, exerciseId: string, names: string[]) {
	const check = await openDatabase(options);
	try {
		const fromDb = new Map<string, { stateVector: string; numbers: Map<string, number | undefined> }>();
		let docUpdateRows = 0;
		for (const name of names) {
			const snaps = await check.db.select().from(docSnapshots).where(eq(docSnapshots.doc, name)).orderBy(asc(docSnapshots.seq));
			const rows = await check.db.select({ update: docUpdates.update }).from(docUpdates).where(eq(docUpdates.doc, name)).orderBy(asc(docUpdates.seq));
			docUpdateRows += rows.length;
			const doc = new Y.Doc();
			doc.transact(() => {
				const snap = snaps.at(-1);
				if (snap) Y.applyUpdate(doc, snap.state);
				for (const r of rows) Y.applyUpdate(doc, r.update);
			});
			const edits = doc.getMap<EditValue>('edits');
			fromDb.set(name, { stateVector: Buffer.from(Y.encodeStateVector(doc)).toString('base64'), numbers: new Map([...edits].map(([k, v]) => [k, v.n])) });
			doc.destroy();
		}
		const logRows = await check.db.select({ seq: commandLog.seq, entry: commandLog.entry }).from(commandLog).where(eq(commandLog.exerciseId, exerciseId));
		const ackRows = await check.db.select().from(injectAcks).where(eq(injectAcks.exerciseId, exerciseId));
		const deliveries = await check.db.select({ injectId: injectDeliveries.injectId, action: injectDeliveries.action }).from(injectDeliveries).where(eq(injectDeliveries.exerciseId, exerciseId));
		return { fromDb, logRows, ackRows, deliveries, docUpdateRows };
	} finally {
		await check.close();
	}
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
	const log = o.log ?? ((m: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${m}`));
	const problems: string[] = [];
	const database = await prepareDatabase(o.databaseUrl);
	const seeding = await openDatabase(database.options);
	await seedDemo(seeding.db, 'drillboard');
	const userRows = await seeding.db.select({ id: users.id, username: users.username }).from(users);
	const userIds = Object.fromEntries(userRows.map((u) => [u.username, u.id]));
	await seeding.close(); // PGlite has one opener: the server's

	let proc: Proc | null = null;
	let pool: ProviderPool | null = null;
	const raw: RawClient[] = [];
	const timers: ReturnType<typeof setInterval>[] = [];
	try {
		proc = await startServing({ ...database.env, REDIS_URL: '', PORT: '0', ARGON2_TEST_FAST: '1', MEMORY_SAMPLE_MS: String(o.rssSampleMs) });
		const server = proc;
		const base = `http://127.0.0.1:${server.port}`;
		const apiLatency: number[] = [];
		const tokens: Record<string, string> = {};
		async function call(method: string, path: string, who: string | null, body?: unknown) {
			const t0 = performance.now();
			const res = await fetch(`${base}/api/v1/${path}`, {
				method,
				// A fresh connection each time: a reused keep-alive socket the server is just closing fails as
				// "fetch failed" without the request having reached the server (a client-side race, not a refusal).
				headers: { ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), connection: 'close' },
				body: body === undefined ? undefined : JSON.stringify(body),
				signal: AbortSignal.timeout(30_000)
			});
			const json = res.headers.get('content-type')?.startsWith('application/json') ? await res.json() : null;
			apiLatency.push(performance.now() - t0);
			return { status: res.status, json };
		}
		async function must(method: string, path: string, who: string | null, body?: unknown) {
			const r = await call(method, path, who, body);
			if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
			return r.json;
		}

		// A running exercise: the five players, a scenario with an inject every scenario minute, clock at 10×.
		for (const u of ['facilitator', ...PLAYERS.map((p) => p.username)]) tokens[u] = (await must('POST', 'session', null, { username: u, password: 'drillboard' })).token;
		const injectCount = Math.ceil((o.seconds * CLOCK_SPEED) / 60) + 5;
		await must('POST', 'scenarios', 'facilitator', soakScenario(injectCount));
		const exerciseId: string = (await must('POST', 'exercises', 'facilitator', { title: 'Soak' })).exercise.id;
		for (const p of PLAYERS) await must('POST', `exercises/${exerciseId}/members`, 'facilitator', { username: p.username, role: 'player' });
		await must('PUT', `exercises/${exerciseId}/scenario`, 'facilitator', { scenarioId: 'soak', randomCount: 0, seed: 'soak' });
		for (const status of ['briefing', 'running']) await must('POST', `exercises/${exerciseId}/transition`, 'facilitator', { status });
		await must('POST', `exercises/${exerciseId}/clock`, 'facilitator', { action: 'speed', speed: CLOCK_SPEED });

		// Collaboration clients: player i % 5, on its agency's document or the common one; every n-th a real provider.
		const docs = exerciseDocs(exerciseId);
		const wsUrl = `ws://127.0.0.1:${server.port}/collab`;
		const realEvery = Math.max(1, Math.floor(o.clients / Math.max(1, o.realClients)));
		const clients = Array.from({ length: o.clients }, (_, idx) => {
			const player = PLAYERS[idx % PLAYERS.length];
			const doc = Math.floor(idx / PLAYERS.length) % 2 ? docs.common : docs.agency(player.agency);
			const real = idx % realEvery === 0 && idx / realEvery < o.realClients;
			return { idx, doc, real, token: tokens[player.username], user: presenceUser(idx, userIds[player.username], player.agency) };
		});
		const sink: LatencySink = { edit: [], pointer: [] };
		const byIdx = new Map<number, RawClient>();
		const lightweight = clients.filter((c) => !c.real);
		for (let i = 0; i < lightweight.length; i += 20) {
			await Promise.all(
				lightweight.slice(i, i + 20).map(async (c) => {
					const rc = new RawClient({ url: wsUrl, doc: c.doc, idx: c.idx, token: c.token, decodeUpdates: false, awareness: 'stock', sink });
					rc.startAwareness(c.user);
					await rc.connect();
					raw.push(rc);
					byIdx.set(c.idx, rc);
				})
			);
		}
		pool = new ProviderPool();
		const realSpecs = clients.filter((c) => c.real).map((c) => ({ idx: c.idx, doc: c.doc, token: c.token, user: c.user }));
		await pool.connect(wsUrl, realSpecs);
		log(`${raw.length} lightweight + ${realSpecs.length} real clients connected to ${proc.port}; running ${o.seconds} s`);

		// The load. Only its writer ever writes a key, so the last number sent for a key must be the stored one.
		const rand = rng(7);
		/** Per document: edit key -> the run number of the last edit sent to it. */
		const sent = new Map<string, Map<string, number>>();
		const keysOf = new Map<number, string[]>();
		let editsSent = 0;
		let pointerMoves = 0;
		let n = 0;
		timers.push(
			setInterval(() => {
				const c = clients[Math.floor(rand() * clients.length)];
				const rc = byIdx.get(c.idx);
				if (rc && !rc.open) return; // a lightweight client keeps nothing to resend
				const own = keysOf.get(c.idx) ?? [];
				keysOf.set(c.idx, own);
				const grow = o.featuresPerClient === null || own.length < o.featuresPerClient;
				const key = grow ? `${c.idx}.${n}` : own[Math.floor(rand() * own.length)];
				if (grow) own.push(key);
				if (rc) rc.edit(key, n);
				else pool!.edit(c.idx, key, n);
				if (!sent.has(c.doc)) sent.set(c.doc, new Map());
				sent.get(c.doc)!.set(key, n++);
				editsSent++;
			}, 1000 / o.editsPerSecond)
		);
		const movers = clients.filter((c) => c.idx % o.pointerEvery === 0);
		timers.push(
			setInterval(() => {
				for (const c of movers) {
					const lng = 114.3 + rand() * 0.02;
					const lat = 30.6 + rand() * 0.02;
					const rc = byIdx.get(c.idx);
					if (rc) rc.movePointer(lng, lat);
					else pool!.movePointer(c.idx, lng, lat);
					pointerMoves++;
				}
			}, 1000 / o.pointerHz)
		);
		const entries2xx: { seq: number; text: string }[] = [];
		const acks2xx: string[] = [];
		let apiFailures = 0;
		const fail = (what: string) => {
			apiFailures++;
			if (problems.length < 50) problems.push(what);
		};
		let running = true;
		const apiLoops = API_USERS.map(async (u, k) => {
			const agency = PLAYERS.find((p) => p.username === u)!.agency;
			const acked = new Set<string>();
			await sleep((k * o.apiIntervalMs) / API_USERS.length);
			for (let i = 0; running; i++) {
				const text = `soak ${u} ${i}`;
				const r = await call('POST', `exercises/${exerciseId}/log`, u, { kind: 'coordination', to: { agencies: [AGENCIES[(k + 1) % AGENCIES.length]] }, body: { text } }).catch((e: Error) => ({ status: 0, json: e.message }));
				if (r.status === 201) entries2xx.push({ seq: r.json.entry.seq, text });
				else fail(`${u} log: ${r.status} ${JSON.stringify(r.json)}`);
				const inbox = await call('GET', `exercises/${exerciseId}/inbox`, u).catch((e: Error) => ({ status: 0, json: e.message }));
				if (inbox.status !== 200) fail(`${u} inbox: ${inbox.status} ${JSON.stringify(inbox.json)}`);
				for (const inj of (inbox.json?.injects ?? []) as { id: string }[]) {
					if (acked.has(inj.id)) continue;
					const a = await call('POST', `exercises/${exerciseId}/injects/${inj.id}/ack`, u).catch((e: Error) => ({ status: 0, json: e.message }));
					if (a.status === 201) {
						acked.add(inj.id);
						acks2xx.push(`${inj.id}/${agency}`);
					} else fail(`${u} ack ${inj.id}: ${a.status} ${JSON.stringify(a.json)}`);
				}
				await sleep(o.apiIntervalMs);
			}
		});

		// Server memory, sampled until the end of the run.
		const samples: [number, number][] = [];
		const t0 = performance.now();
		const sample = () => samples.push([Math.round((performance.now() - t0) / 100) / 10, rssMb(server.child.pid!)]);
		sample();
		timers.push(setInterval(sample, o.rssSampleMs));
		let lastReport = 0;
		const loop = monitorEventLoopDelay({ resolution: 10 });
		loop.enable();
		const clientLoop: SoakResult['clientLoop'] = [];
		while (performance.now() - t0 < o.seconds * 1000) {
			await sleep(1000);
			if (server.child.exitCode !== null) throw new Error(`server exited: ${server.logs.slice(-5).join(' | ')}`);
			const minute = Math.floor((performance.now() - t0) / 60_000);
			if (minute > lastReport) {
				lastReport = minute;
				clientLoop.push({ minute, p99: Math.round(loop.percentile(99) / 1e6), max: Math.round(loop.max / 1e6) });
				loop.reset();
				const queued = server.memory.at(-1)?.sample.queuedMb;
				log(`${minute} min: RSS ${samples.at(-1)![1]} MB (queued to sockets ${queued} MB), ${editsSent} edits, ${entries2xx.length} log entries, ${acks2xx.length} acks; client loop delay p99 ${clientLoop.at(-1)!.p99} ms`);
			}
		}
		loop.disable();
		for (const t of timers.splice(0)) clearInterval(t);
		running = false;
		await Promise.all(apiLoops);
		const elapsed = (performance.now() - t0) / 1000;
		const serverMemory = server.memory.filter((m) => m.at >= t0).map((m) => ({ t: Math.round((m.at - t0) / 100) / 10, ...m.sample }));

		// Settle: every real provider of a document holds every edit sent to it, and they agree.
		const settled = async () => {
			const { finals } = await pool!.collect();
			const current = (f: (typeof finals)[number]) => [...(sent.get(f.doc) ?? [])].every(([k, last]) => f.editNumbers[k] === last);
			return { finals, ok: finals.every((f) => current(f) && finals.every((g) => g.doc !== f.doc || g.stateVector === f.stateVector)) };
		};
		let state = await settled();
		for (const deadline = performance.now() + 30_000; !state.ok && performance.now() < deadline; state = await settled()) await sleep(500);
		const finals = state.finals;
		await pool.close();
		pool = null;
		// A lightweight client keeps nothing to resend: edits in flight when its socket dropped are gone.
		const dropped = raw.filter((rc) => rc.closeCode !== null).map((rc) => `${rc.opts.idx} (${rc.closeCode})`);
		if (dropped.length) problems.push(`lightweight clients whose socket closed during the run (idx, code): ${dropped.join(', ')}`);
		for (const rc of raw.splice(0)) rc.close();
		await server.stop(); // SIGTERM: pending updates stored, then the database closed
		proc = null;

		// The database alone, as the server would load it: newest snapshot, then every logged update.
		const stored = await readStored(database.options, exerciseId, docs.all.filter((d) => sent.has(d) || finals.some((f) => f.doc === d)));
		const { fromDb, logRows, ackRows, deliveries, docUpdateRows } = stored;

		// Checks.
		const realDocsEqual = finals.every((f) => {
			const db = fromDb.get(f.doc);
			return db !== undefined && f.stateVector === db.stateVector && f.editKeys.length === db.numbers.size && f.editKeys.every((k) => db.numbers.get(k) === f.editNumbers[k]);
		});
		if (!realDocsEqual) problems.push('a real client’s document differs from the one rebuilt from the database');
		const missing = [...sent].flatMap(([doc, keys]) => [...keys].filter(([k, last]) => fromDb.get(doc)?.numbers.get(k) !== last).map(([k]) => k));
		if (missing.length) problems.push(`${missing.length} features whose last sent edit is not the stored value, e.g. ${missing.slice(0, 5).join(', ')}`);
		const textOf = (r: (typeof logRows)[number]) => (r.entry as { body?: { text?: string } }).body?.text;
		const logTexts = logRows.map(textOf);
		const logOnce = entries2xx.every((e) => logTexts.filter((t) => t === e.text).length === 1 && logRows.some((r) => r.seq === e.seq && textOf(r) === e.text));
		if (!logOnce) problems.push('a log entry that got a 2xx is missing or present more than once');
		const ackSet = new Set(ackRows.map((a) => `${a.injectId}/${a.agencyCode}`));
		const acksOk = acks2xx.every((a) => ackSet.has(a)) && ackSet.size === ackRows.length;
		if (!acksOk) problems.push('an acknowledgement that got a 2xx is missing or doubled');
		const delivered = deliveries.filter((d) => d.action === 'deliver').map((d) => d.injectId);
		const deliveredOnce = new Set(delivered).size === delivered.length;
		if (!deliveredOnce) problems.push('an inject was delivered more than once');
		const expectedDeliveries = Math.floor((elapsed * CLOCK_SPEED) / 60) - 1; // one a scenario minute, less a tick of slack
		if (delivered.length < expectedDeliveries) problems.push(`only ${delivered.length} injects delivered, expected at least ${expectedDeliveries}`);

		const warmupSeconds = elapsed * 0.2;
		const windowSeconds = Math.min(60, (elapsed - warmupSeconds) / 4);
		const first = samples.filter(([t]) => t >= warmupSeconds && t < warmupSeconds + windowSeconds).map(([, mb]) => mb);
		const last = samples.filter(([t]) => t >= elapsed - windowSeconds).map(([, mb]) => mb);
		const firstMedianMb = median(first);
		const lastMedianMb = median(last);
		const growth = Math.round(((lastMedianMb - firstMedianMb) / firstMedianMb) * 1000) / 1000;
		const rssFlat = growth < o.rssGrowthLimit;
		if (!rssFlat) problems.push(`server RSS grew ${Math.round(growth * 100)} % (limit ${Math.round(o.rssGrowthLimit * 100)} %)`);
		const serverErrors = server.errors.slice(0, 50);
		if (serverErrors.length) problems.push(`${server.errors.length} error line(s) in the server log`);

		return {
			options: { seconds: o.seconds, clients: o.clients, realClients: realSpecs.length, editsPerSecond: o.editsPerSecond, featuresPerClient: o.featuresPerClient, pointerEvery: o.pointerEvery, pointerHz: o.pointerHz, apiIntervalMs: o.apiIntervalMs, rssSampleMs: o.rssSampleMs, rssGrowthLimit: o.rssGrowthLimit },
			backend: o.databaseUrl ? 'postgres' : 'pglite',
			seconds: Math.round(elapsed),
			serverMemory,
			rss: { samples, warmupSeconds: Math.round(warmupSeconds), windowSeconds: Math.round(windowSeconds), firstMedianMb, lastMedianMb, growth, maxMb: Math.max(...samples.map(([, mb]) => mb)) },
			counts: { editsSent, features: [...sent.values()].reduce((a, m) => a + m.size, 0), pointerMoves, logEntries2xx: entries2xx.length, acks2xx: acks2xx.length, apiFailures, injectsDelivered: delivered.length, docUpdateRows },
			apiLatency: summarize(apiLatency),
			clientLoop,
			serverErrors,
			checks: {
				rssFlat,
				noServerErrors: serverErrors.length === 0,
				noApiFailures: apiFailures === 0,
				realClientsEqualDatabase: realDocsEqual,
				everyEditStored: missing.length === 0,
				logEntriesOnce: logOnce,
				acksOnce: acksOk,
				injectsDeliveredOnce: deliveredOnce && delivered.length >= expectedDeliveries
			},
			problems
		};
	} finally {
		for (const t of timers) clearInterval(t);
		for (const rc of raw) rc.close();
		await pool?.close();
		await proc?.stop(5000);
		await database.drop();
	}
}

// `npm run bench:soak`: the full run, results into bench/results/.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const args = process.argv.slice(2);
	const quick = args.includes('--quick');
	const growing = args.includes('--growing');
	const minutes = Number(args.find((a) => a.startsWith('--minutes='))?.split('=')[1] ?? (quick ? 2 : 20));
	process.env.ARGON2_TEST_FAST = '1'; // the demo seed hashes its passwords
	process.setMaxListeners(0);
	const result = await runSoak({
		seconds: minutes * 60,
		clients: 200,
		realClients: 10,
		editsPerSecond: 20,
		featuresPerClient: growing ? null : 10,
		pointerEvery: 5,
		pointerHz: 2,
		apiIntervalMs: 2000,
		rssSampleMs: 5000,
		rssGrowthLimit: 0.1,
		databaseUrl: process.env.DATABASE_URL || undefined
	});
	mkdirSync('bench/results', { recursive: true });
	const file = `bench/results/soak${growing ? '-growing' : ''}${quick ? '-quick' : ''}-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.json`;
	writeFileSync(file, JSON.stringify(result, null, 2));
	const { rss, counts, checks } = result;
	console.log(`\n${result.backend}, ${result.seconds} s: RSS after warm-up ${rss.firstMedianMb} → ${rss.lastMedianMb} MB (median of ${rss.windowSeconds} s windows, ${(rss.growth * 100).toFixed(1)} %), max ${rss.maxMb} MB`);
	for (let m = 0; m * 60 < result.seconds; m++) {
		const w = result.serverMemory.filter((x) => x.t >= m * 60 && x.t < (m + 1) * 60);
		const med = (k: string) => median(w.map((x) => x[k]));
		if (w.length) console.log(`minute ${m}: server rss ${med('rssMb')} heapTotal ${med('heapTotalMb')} (new ${med('newSpaceMb')}, old ${med('oldSpaceMb')}, large ${med('largeObjectSpaceMb')}) heapUsed ${med('heapUsedMb')} external ${med('externalMb')} (array buffers ${med('arrayBuffersMb')}, queued to sockets ${med('queuedMb')}) wasm ${med('wasmSizeMb')} (resident ${med('wasmRssMb')}) MB (medians)`);
	}
	console.log(`counts: ${JSON.stringify(counts)}; API latency p50 ${result.apiLatency.p50} ms, p99 ${result.apiLatency.p99} ms`);
	console.log(`checks: ${JSON.stringify(checks)}`);
	for (const p of result.problems) console.log(`problem: ${p}`);
	console.log(`wrote ${file}`);
	process.exit(Object.values(checks).every(Boolean) ? 0 : 1);
}
