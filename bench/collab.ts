/**
 * Collaboration benchmark: our y-websocket server (server/collab) against the reference
 * @y/websocket-server 0.1.1, in the same run, each in its own child process.
 *
 *   npm run bench:collab                 all three workloads, 60 s each, both servers, updates bench/README.md
 *   npm run bench:collab -- --quick      CI mode: 10 s edits, 20 s presence (one awareness renewal round)
 *   options: --servers=reference,drillboard  --workloads=edits,presence,storm  --cpu-prof  --stages  --readme / --no-readme
 *   env: BENCH_SECONDS, BENCH_PRESENCE_SECONDS, BENCH_WARMUP_SECONDS (10; quick 2), BENCH_CLIENTS (200), BENCH_REAL_CLIENTS (10),
 *        BENCH_FEATURES (10000), BENCH_BOARD_SHAPE (json | ymap), DATABASE_URL (ours on PostgreSQL)
 *
 * See bench/README.md for what each figure means and how it is measured.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import { exerciseDocs, fromB64, makeFeature, now, presenceUser, rng, sleep, summarize, type Summary } from './lib/common';
import { RawClient, type LatencySink } from './lib/raw-client';
import { ProviderPool } from './lib/providers';
import type { ProviderFinal, ProviderSpec } from './lib/provider-worker';
import { ServerProcess, type ServerKind } from './lib/server-proc';
import type { BenchUser, ServerMetrics } from './servers/harness';
import type { StageSummary } from './servers/relay-stages';

// ---------------------------------------------------------------------------------------------
// Configuration

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const envNum = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

const quick = flag('quick');
const cfg = {
	quick,
	seconds: envNum('BENCH_SECONDS', quick ? 10 : 60),
	/** Presence must outlast one 15 s awareness renewal round, so quick mode keeps 20 s. */
	presenceSeconds: envNum('BENCH_PRESENCE_SECONDS', envNum('BENCH_SECONDS', quick ? 20 : 60)),
	/** Unmeasured load before each window of workloads 1–2 (bench/README.md, "Warm-up"). */
	warmupSeconds: envNum('BENCH_WARMUP_SECONDS', quick ? 2 : 10),
	clients: envNum('BENCH_CLIENTS', 200),
	realClients: envNum('BENCH_REAL_CLIENTS', 10),
	editsPerSecond: envNum('BENCH_EDIT_RATE', 40),
	pointerClients: envNum('BENCH_POINTER_CLIENTS', 40),
	pointerHz: 5,
	features: envNum('BENCH_FEATURES', 10_000),
	/** Put every client of workloads 1–2 on the common document (N² = 200²) instead of spreading them over seven. */
	oneDoc: process.env.BENCH_ONE_DOC === '1',
	boardShape: (process.env.BENCH_BOARD_SHAPE === 'ymap' ? 'ymap' : 'json') as 'json' | 'ymap',
	servers: (option('servers') ?? 'reference,drillboard').split(',') as ServerKind[],
	workloads: (option('workloads') ?? 'edits,presence,storm').split(','),
	cpuProf: flag('cpu-prof'),
	/** Time each relay inside the servers (bench/servers/relay-stages.ts). */
	stages: flag('stages'),
	/** Before each run, wait up to this long for other processes to use < quietCores (shared machines). */
	quietWaitSeconds: envNum('BENCH_QUIET_WAIT', quick ? 0 : 90),
	quietCores: envNum('BENCH_QUIET_CORES', 0.3),
	writeReadme: flag('readme') || (!quick && !flag('no-readme') && process.env.BENCH_ONE_DOC !== '1')
};

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const resultsDir = `${benchDir}results`;
const log = (...a: unknown[]) => console.log(`[collab ${new Date().toISOString().slice(11, 19)}]`, ...a);

// ---------------------------------------------------------------------------------------------
// Client-side (parent process) measurement: does the load generator itself stall?

const parentEld = monitorEventLoopDelay({ resolution: 5 });
parentEld.enable();
/** Busy and total jiffies of all cores from /proc/stat (Linux), to see how much else ran meanwhile. */
function cpuJiffies(): { busy: number; total: number } | null {
	try {
		const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
		const idle = f[3] + (f[4] ?? 0);
		const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
		return { busy: total - idle, total };
	} catch {
		return null;
	}
}

/** Cores busy over the next `ms` (everything on the machine; the benchmark is idle while this runs). */
async function busyCores(ms = 1000): Promise<number> {
	const a = cpuJiffies();
	await sleep(ms);
	const b = cpuJiffies();
	return a && b ? ((b.busy - a.busy) / (b.total - a.total)) * os.cpus().length : 0;
}

async function waitQuiet(label: string): Promise<number> {
	const until = performance.now() + cfg.quietWaitSeconds * 1000;
	let busy = await busyCores();
	while (busy > cfg.quietCores && performance.now() < until) {
		log(`${label}: other processes keep ${busy.toFixed(2)} cores busy; waiting for a quieter machine`);
		await sleep(4000);
		busy = await busyCores();
	}
	return Math.round(busy * 100) / 100;
}

function parentWindow() {
	parentEld.reset();
	const cpu0 = process.cpuUsage();
	const j0 = cpuJiffies();
	const t0 = performance.now();
	return (serverCpuMs: number) => {
		const cpu = process.cpuUsage(cpu0);
		const wall = performance.now() - t0;
		const j1 = cpuJiffies();
		const cores = os.cpus().length;
		const clientCpuMs = (cpu.user + cpu.system) / 1000;
		// Busy share of the whole machine, in cores, minus the benchmark's own two processes.
		const busyCores = j0 && j1 ? ((j1.busy - j0.busy) / (j1.total - j0.total)) * cores : NaN;
		const otherCores = busyCores - (clientCpuMs + serverCpuMs) / wall;
		return {
			/** Main thread's event-loop delay max (lightweight clients live here). */
			eldMaxMs: Math.max(0, Math.round(parentEld.max / 1e6 - 5)),
			/** CPU of the whole client process (main thread + provider worker), share of one core. */
			cpuShare: Math.round((clientCpuMs / wall) * 1000) / 1000,
			/** Cores kept busy by other processes on the machine during the window (noise). */
			otherCores: Math.round(Math.max(0, otherCores) * 100) / 100
		};
	};
}

// ---------------------------------------------------------------------------------------------
// Clients

interface ClientPlan {
	idx: number;
	doc: string;
	real: boolean;
}

/** Clients round-robin over the documents; every (clients / realClients)-th one is a real WebsocketProvider. */
function planClients(docs: string[], n: number, real: number): ClientPlan[] {
	const step = Math.max(1, Math.floor(n / Math.max(1, real)));
	let reals = 0;
	return Array.from({ length: n }, (_, idx) => {
		const doc = docs[idx % docs.length];
		const isReal = real > 0 && idx % step === 0 && reals < real;
		if (isReal) reals++;
		return { idx, doc, real: isReal };
	});
}

interface Session {
	srv: ServerProcess;
	pool: ProviderPool;
	raws: Map<number, RawClient>;
	plans: ClientPlan[];
	/** Each client's own account (ours: a player created for the run; reference: a made-up id). */
	users: Record<number, BenchUser>;
	sink: LatencySink;
	/** Token of a demo account (verifiers and the storm's board writer use the facilitator's). */
	token: (username: string) => string | undefined;
}

async function withServer<T>(kind: ServerKind, label: string, fn: (s: Session) => Promise<T>): Promise<T> {
	await waitQuiet(`${kind}/${label}`);
	const srv = await ServerProcess.start(kind, {
		env: { ARGON2_TEST_FAST: '1', NODE_ENV: 'production', ...(cfg.stages ? { BENCH_STAGES: '1' } : {}) },
		cpuProfDir: cfg.cpuProf ? `${resultsDir}/profiles` : undefined,
		label: `${kind}-${label}`
	});
	log(`${kind}: listening on ${srv.ready.port}`, JSON.stringify(srv.ready.info));
	const pool = new ProviderPool();
	const session: Session = { srv, pool, raws: new Map(), plans: [], users: {}, sink: { edit: [], pointer: [] }, token: (u) => srv.ready.tokens[u] };
	try {
		return await fn(session);
	} finally {
		for (const c of session.raws.values()) c.close();
		await pool.close();
		await sleep(200);
		await srv.stop();
	}
}

/** Creates (or, for the reference, makes up) one account per planned client. */
async function createUsers(s: Session): Promise<void> {
	s.users = await s.srv.request<Record<number, BenchUser>>(
		'bench.users',
		s.plans.map((p) => ({ idx: p.idx, doc: p.doc }))
	);
}

/** Opens all clients of the plan at once: lightweight ones here, real ones in the provider worker. */
async function joinAll(s: Session, opts: { decodeUpdates: boolean; presence: boolean; lean?: boolean }) {
	const specs: ProviderSpec[] = [];
	const started = now();
	const rawJoins: Promise<void>[] = [];
	const joined: RawClient[] = [];
	for (const p of s.plans) {
		const account = s.users[p.idx];
		const user = opts.presence ? presenceUser(p.idx, account.userId, account.agency) : undefined;
		if (p.real) {
			specs.push({ idx: p.idx, doc: p.doc, token: account.token, user });
			continue;
		}
		const c = new RawClient({ url: s.srv.url, doc: p.doc, idx: p.idx, token: account.token, decodeUpdates: opts.decodeUpdates, lean: opts.lean, awareness: opts.presence ? 'stock' : 'none', sink: s.sink });
		if (user) c.startAwareness(user);
		s.raws.set(p.idx, c);
		joined.push(c);
		rawJoins.push(c.connect());
	}
	const [providers] = await Promise.all([s.pool.connect(s.srv.url, specs), Promise.all(rawJoins)]);
	const synced = [...joined.map((c) => c.syncedAt - started), ...providers.map((p) => p.syncedAt - started)];
	return { started, providers, synced };
}

// ---------------------------------------------------------------------------------------------
// Workloads 1 and 2: steady edits, optionally with presence

interface SteadyResult {
	server: ServerKind;
	seconds: number;
	joinMs: number;
	editsSent: number;
	editsPerSecond: number;
	editLatency: Summary;
	/** The unmeasured warm-up before the window (same load), reported so nothing is hidden. */
	warmup: { seconds: number; edits: number; editLatency: Summary } | null;
	/** Latency at the real WebsocketProvider clients only (full replicas applying every update). */
	editLatencyReal: Summary;
	pointerMoves: number;
	pointerLatency: Summary | null;
	server_: ServerMetrics;
	messages: Traffic;
	clients: { eldMaxMs: number; cpuShare: number; otherCores: number; workerEldMaxMs: number };
	persisted: { rows: number; rowsPerSecond: number; editsInSeveralRows: number } | null;
	check: Check;
}

interface Check {
	/** Edits some client (or the database) never got. */
	lost: number;
	/** Edit deliveries beyond the first to the same client. */
	duplicateDeliveries: number;
	/** Real clients, fresh verifiers and the database agree on each document's state. */
	consistent: boolean;
	notes: string[];
	closes: number[];
	permissionDenied: number;
}

async function steady(kind: ServerKind, presence: boolean): Promise<SteadyResult> {
	const label = presence ? 'presence' : 'edits';
	const seconds = presence ? cfg.presenceSeconds : cfg.seconds;
	return withServer(kind, label, async (s) => {
		const names = exerciseDocs(s.srv.ready.exerciseId);
		const docs = cfg.oneDoc ? [names.common] : names.all;
		s.plans = planClients(docs, cfg.clients, cfg.realClients);
		await createUsers(s);
		log(`${kind}/${label}: joining ${s.plans.length} clients (${s.plans.filter((p) => p.real).length} real) over ${docs.length} documents`);
		const join = await joinAll(s, { decodeUpdates: true, presence });
		const joinMs = Math.max(...join.synced);
		await sleep(2000);
		const ours = kind === 'drillboard';
		const rand = rng(presence ? 2 : 1);
		const sent = new Map<string, Map<string, number>>(docs.map((d) => [d, new Map()]));
		const sentBy = new Map<number, number>();
		const seq = new Map<number, number>();
		const movers = presence ? s.plans.filter((p) => p.idx % Math.max(1, Math.floor(cfg.clients / cfg.pointerClients)) === 0).slice(0, cfg.pointerClients) : [];
		const pos = new Map(movers.map((m) => [m.idx, [121.5 + rand() * 0.1, 31.3 + rand() * 0.1] as [number, number]]));
		/** The workload's traffic for `secs`: edits from random clients at the set rate, pointer moves on their cadence. */
		const drive = (secs: number) =>
			new Promise<{ edits: number; moves: number }>((resolve) => {
				const t0 = performance.now();
				const next = new Map(movers.map((m, j) => [m.idx, t0 + (j * 1000) / cfg.pointerHz / movers.length]));
				const total = Math.round(secs * cfg.editsPerSecond);
				let edits = 0;
				let moves = 0;
				const timer = setInterval(() => {
					const t = performance.now();
					const due = Math.min(total, Math.floor(((t - t0) / 1000) * cfg.editsPerSecond));
					while (edits < due) {
						const p = s.plans[Math.floor(rand() * s.plans.length)];
						const n = (seq.get(p.idx) ?? 0) + 1;
						seq.set(p.idx, n);
						const key = `${p.idx}.${n}`;
						sent.get(p.doc)?.set(key, p.idx);
						sentBy.set(p.idx, (sentBy.get(p.idx) ?? 0) + 1);
						if (p.real) s.pool.edit(p.idx, key);
						else s.raws.get(p.idx)?.edit(key);
						edits++;
					}
					for (const m of movers) {
						let due = next.get(m.idx) as number;
						if (due > t || t - t0 >= secs * 1000) continue;
						while (due <= t) due += 1000 / cfg.pointerHz;
						next.set(m.idx, due);
						const at = pos.get(m.idx) as [number, number];
						at[0] += (rand() - 0.5) * 0.001;
						at[1] += (rand() - 0.5) * 0.001;
						if (m.real) s.pool.movePointer(m.idx, at[0], at[1]);
						else s.raws.get(m.idx)?.movePointer(at[0], at[1]);
						moves++;
					}
					if (t - t0 >= secs * 1000 && edits >= total) {
						clearInterval(timer);
						resolve({ edits, moves });
					}
				}, 5);
			});
		// Every lightweight client has every other client's edit to its document, or `ms` passed.
		const expected = (c: RawClient) => (sent.get(c.opts.doc)?.size ?? 0) - (sentBy.get(c.opts.idx) ?? 0);
		const drain = async (ms: number) => {
			const start = performance.now();
			while (performance.now() - start < ms && [...s.raws.values()].some((c) => c.othersSeen < expected(c))) await sleep(50);
			await sleep(300);
			return Math.round(performance.now() - start);
		};

		// Warm-up, unmeasured and the same for both servers: the first seconds of a fresh process
		// (JIT, PGlite's WASM tiers, pool growth) are not the steady state this workload is about.
		let warmup: SteadyResult['warmup'] = null;
		if (cfg.warmupSeconds > 0) {
			const w = await drive(cfg.warmupSeconds);
			await drain(10_000);
			const warm = s.sink.edit.concat((await s.pool.collect()).editLatency);
			warmup = { seconds: cfg.warmupSeconds, edits: w.edits, editLatency: summarize(warm) };
			log(`${kind}/${label}: warm-up ${w.edits} edits in ${cfg.warmupSeconds} s, edit p99 ${warmup.editLatency.p99} ms (not counted)`);
		}
		const rows0 = ours ? await s.srv.request<number>('db.settle', { quietMs: 1000 }) : 0;

		// Measurement window.
		s.sink.edit.length = 0;
		s.sink.pointer.length = 0;
		await s.pool.markMetrics();
		await s.srv.mark();
		const parent = parentWindow();
		const traffic0 = traffic(s);
		const { edits: editsSent, moves } = await drive(seconds);

		const drainMs = await drain(10_000);
		const serverMetrics = await s.srv.metrics();
		const clientMetrics = parent(serverMetrics.cpuMs);
		const messages = trafficSince(s, traffic0, serverMetrics);
		const collected = await s.pool.collect();
		log(`${kind}/${label}: ${editsSent} edits, ${moves} pointer moves in ${seconds} s; drained in ${drainMs} ms`);

		const check = await verify(s, docs, sent, expected);
		if (check.notes.length) log(`${kind}/${label}: ${check.notes.slice(0, 5).join('; ')}`);
		let persisted: SteadyResult['persisted'] = null;
		if (ours) {
			const rows1 = await s.srv.request<number>('db.settle');
			const db = await dbCheck(s, docs, sent, check);
			persisted = { rows: rows1 - rows0, rowsPerSecond: Math.round(((rows1 - rows0) / seconds) * 10) / 10, editsInSeveralRows: db };
		}
		const all = s.sink.edit.concat(collected.editLatency);
		return {
			server: kind,
			seconds,
			joinMs: Math.round(joinMs),
			editsSent,
			editsPerSecond: Math.round((editsSent / seconds) * 10) / 10,
			editLatency: summarize(all),
			warmup,
			editLatencyReal: summarize(collected.editLatency),
			pointerMoves: moves,
			pointerLatency: presence ? summarize(s.sink.pointer.concat(collected.pointerLatency)) : null,
			server_: serverMetrics,
			messages,
			clients: { ...clientMetrics, workerEldMaxMs: Math.round(collected.eldMaxMs) },
			persisted,
			check
		};
	});
}

interface Traffic {
	/** Frames the server sent to / received from the lightweight clients, per second. */
	toClientsPerSecond: number;
	fromClientsPerSecond: number;
	/** Server CPU per frame handled, scaled from the lightweight clients' share to all clients (µs). */
	serverCpuUsPerFrame: number;
}

function traffic(s: Session) {
	let inn = 0;
	let out = 0;
	for (const c of s.raws.values()) {
		inn += c.msgsIn;
		out += c.msgsOut;
	}
	return { inn, out, t: performance.now() };
}

function trafficSince(s: Session, t0: { inn: number; out: number; t: number }, m: ServerMetrics): Traffic {
	const t1 = traffic(s);
	const secs = (t1.t - t0.t) / 1000;
	const share = s.raws.size / Math.max(1, s.plans.length);
	const frames = (t1.inn - t0.inn + t1.out - t0.out) / share;
	return {
		toClientsPerSecond: Math.round((t1.inn - t0.inn) / secs),
		fromClientsPerSecond: Math.round((t1.out - t0.out) / secs),
		serverCpuUsPerFrame: frames ? Math.round(((m.cpuMs * 1000) / frames) * 10) / 10 : NaN
	};
}

/** Compares what every client holds with what was sent, and real clients with fresh verifiers per document. */
async function verify(s: Session, docs: string[], sent: Map<string, Map<string, number>>, expected: (c: RawClient) => number): Promise<Check> {
	const check: Check = { lost: 0, duplicateDeliveries: 0, consistent: true, notes: [], closes: [], permissionDenied: 0 };
	for (const c of s.raws.values()) {
		const missing = expected(c) - c.othersSeen;
		if (missing > 0) {
			check.lost += missing;
			if (check.notes.length < 10) check.notes.push(`client ${c.opts.idx} (${c.opts.doc.split('/').slice(2).join('/')}) missed ${missing} edits`);
		}
		for (const n of c.received.values()) if (n > 1) check.duplicateDeliveries += n - 1;
		if (c.closeCode !== null) check.closes.push(c.closeCode);
		check.permissionDenied += c.authDenied.length;
	}
	const finals = (await s.pool.collect()).finals;
	const verifiers = await s.pool.verify(
		s.srv.url,
		docs.map((doc, i) => ({ idx: 10_000 + i, doc, token: s.token('facilitator') }))
	);
	const byDoc = new Map(verifiers.map((v) => [v.doc, v]));
	const compare = (who: string, f: { editKeys: string[]; stateVector: string }, doc: string) => {
		const want = sent.get(doc) ?? new Map();
		const have = new Set(f.editKeys);
		let missing = 0;
		for (const k of want.keys()) if (!have.has(k)) missing++;
		if (missing) {
			check.lost += missing;
			check.consistent = false;
			check.notes.push(`${who} lacks ${missing} edits of ${doc.split('/').slice(2).join('/')}`);
		}
		const v = byDoc.get(doc);
		if (v && !sameStateVector(v.stateVector, f.stateVector)) {
			check.consistent = false;
			check.notes.push(`${who} state vector differs from the server's on ${doc.split('/').slice(2).join('/')}`);
		}
	};
	for (const f of finals) {
		compare(`provider ${f.idx}`, f, f.doc);
		check.closes.push(...f.closes);
		check.permissionDenied += f.permissionDenied.length;
	}
	for (const v of verifiers) compare(`verifier`, v, v.doc);
	return check;
}

/** Rebuilds each document from the database and compares it with the verifiers; returns edits logged twice. */
async function dbCheck(s: Session, docs: string[], sent: Map<string, Map<string, number>> | null, check: Check, features?: number): Promise<number> {
	const loaded = await s.srv.request<{ doc: string; stateVector: string; editKeys: string[]; featureCount: number; editsInSeveralRows: number; rows: number; snapshots: number }[]>('db.load', docs);
	const verifiers = await s.pool.verify(
		s.srv.url,
		docs.map((doc, i) => ({ idx: 20_000 + i, doc, token: s.token('facilitator') }))
	);
	let twice = 0;
	for (const d of loaded) {
		const name = d.doc.split('/').slice(2).join('/');
		twice += d.editsInSeveralRows;
		const v = verifiers.find((x) => x.doc === d.doc) as ProviderFinal;
		if (!sameStateVector(v.stateVector, d.stateVector)) {
			check.consistent = false;
			check.notes.push(`database copy of ${name} differs from the server's (state vector)`);
		}
		if (sent) {
			const have = new Set(d.editKeys);
			let missing = 0;
			for (const k of sent.get(d.doc)?.keys() ?? []) if (!have.has(k)) missing++;
			if (missing) {
				check.lost += missing;
				check.consistent = false;
				check.notes.push(`database lacks ${missing} edits of ${name}`);
			}
		}
		if (features !== undefined && d.featureCount !== features) {
			check.consistent = false;
			check.notes.push(`database copy of ${name} has ${d.featureCount} features, not ${features}`);
		}
	}
	return twice;
}

function sameStateVector(a: string, b: string): boolean {
	const x = Y.decodeStateVector(fromB64(a));
	const y = Y.decodeStateVector(fromB64(b));
	if (x.size !== y.size) return false;
	for (const [k, v] of x) if (y.get(k) !== v) return false;
	return true;
}

// ---------------------------------------------------------------------------------------------
// Workload 3: join storm

interface StormResult {
	server: ServerKind;
	features: number;
	boardBytes: number;
	seedMs: number;
	joiners: number;
	/** Milliseconds from opening all sockets to each joiner's first full sync. */
	synced: Summary;
	syncedLightweight: Summary;
	syncedReal: Summary;
	server_: ServerMetrics;
	clients: { eldMaxMs: number; cpuShare: number; otherCores: number; workerEldMaxMs: number };
	check: Check;
}

async function storm(kind: ServerKind): Promise<StormResult> {
	return withServer(kind, 'storm', async (s) => {
		const names = exerciseDocs(s.srv.ready.exerciseId);
		const check: Check = { lost: 0, duplicateDeliveries: 0, consistent: true, notes: [], closes: [], permissionDenied: 0 };
		// The board: one client writes the features in transactions of 500, then stays connected (a live board).
		const seeder = new RawClient({ url: s.srv.url, doc: names.common, idx: -1, token: s.token('facilitator'), decodeUpdates: false, awareness: 'none', sink: s.sink });
		s.raws.set(-1, seeder);
		await seeder.connect();
		const rand = rng(3);
		const seedStart = performance.now();
		for (let b = 0; b < cfg.features; b += 500) {
			const batch = [];
			for (let i = b; i < Math.min(cfg.features, b + 500); i++) batch.push(makeFeature(i, rand, cfg.boardShape));
			seeder.writeBatch('features', batch);
			await sleep(5);
		}
		await seeder.roundTrip();
		const boardBytes = Y.encodeStateAsUpdate(seeder.local).byteLength;
		if (kind === 'drillboard') await s.srv.request('db.settle', { quietMs: 1000 });
		const seedMs = Math.round(performance.now() - seedStart);
		log(`${kind}/storm: board of ${cfg.features} features, ${(boardBytes / 1e6).toFixed(2)} MB, seeded in ${seedMs} ms`);
		await sleep(2000);

		s.plans = planClients([names.common], cfg.clients, cfg.realClients);
		await createUsers(s);
		await s.pool.markMetrics();
		await s.srv.mark();
		const parent = parentWindow();
		// Lean sockets: the joiners count the board's bytes as they arrive instead of assembling 277 MB.
		const join = await joinAll(s, { decodeUpdates: false, presence: false, lean: true });
		await sleep(500);
		const serverMetrics = await s.srv.metrics();
		const clientMetrics = parent(serverMetrics.cpuMs);
		const collected = await s.pool.collect();
		const raws = [...s.raws.values()].filter((c) => c.opts.idx >= 0);
		const rawSynced = raws.map((c) => c.syncedAt - join.started);
		const realSynced = join.providers.map((p) => p.syncedAt - join.started);
		log(`${kind}/storm: last of ${join.synced.length} joiners synced after ${Math.round(Math.max(...join.synced))} ms`);
		const opened = summarize(raws.map((c) => c.openedAt - join.started));
		log(`${kind}/storm: lightweight handshakes done p50 ${Math.round(opened.p50)} ms, max ${Math.round(opened.max)} ms`);

		// Every joiner got the whole board.
		const sizes = raws.map((c) => c.step2Bytes);
		const minSize = Math.min(...sizes);
		if (minSize < boardBytes * 0.9) {
			check.consistent = false;
			check.notes.push(`a lightweight joiner's first sync was ${minSize} bytes, the board is ${boardBytes}`);
		}
		for (const f of collected.finals) {
			if (f.featureCount !== cfg.features) {
				check.consistent = false;
				check.lost += cfg.features - f.featureCount;
				check.notes.push(`provider ${f.idx} has ${f.featureCount} features`);
			}
			check.closes.push(...f.closes);
		}
		const [v] = await s.pool.verify(s.srv.url, [{ idx: 30_000, doc: names.common, token: s.token('facilitator') }]);
		for (const f of collected.finals) {
			if (!sameStateVector(v.stateVector, f.stateVector)) {
				check.consistent = false;
				check.notes.push(`provider ${f.idx} state vector differs from the server's`);
			}
		}
		if (kind === 'drillboard') await dbCheck(s, [names.common], null, check, cfg.features);
		return {
			server: kind,
			features: cfg.features,
			boardBytes,
			seedMs,
			joiners: join.synced.length,
			synced: summarize(join.synced),
			syncedLightweight: summarize(rawSynced),
			syncedReal: summarize(realSynced),
			server_: serverMetrics,
			clients: { ...clientMetrics, workerEldMaxMs: Math.round(collected.eldMaxMs) },
			check
		};
	});
}

// ---------------------------------------------------------------------------------------------
// Report

type AnyResult = SteadyResult | StormResult | { server: ServerKind; error: string };
const results: Record<string, Partial<Record<ServerKind, AnyResult>>> = {};

async function runAll() {
	log(`config ${JSON.stringify(cfg)}`);
	for (const w of cfg.workloads) {
		results[w] = {};
		for (const kind of cfg.servers) {
			try {
				if (w === 'edits') results[w][kind] = await steady(kind, false);
				else if (w === 'presence') results[w][kind] = await steady(kind, true);
				else if (w === 'storm') results[w][kind] = await storm(kind);
				else throw new Error(`unknown workload ${w}`);
			} catch (err) {
				const error = err instanceof Error ? err.message : String(err);
				log(`${kind}/${w} FAILED: ${error}`);
				results[w][kind] = { server: kind, error };
			}
		}
	}
}

type Getter = (r: AnyResult) => number | string | null | undefined;
interface Row {
	workload: string;
	metric: string;
	get: Getter;
	/** Target for ours, given ours and the reference's value; null when none. */
	target?: { text: string; met: (ours: number, ref: number) => boolean };
	ratio?: boolean;
}

const steadyR = (r: AnyResult) => ('editLatency' in r ? r : null);
const stormR = (r: AnyResult) => ('synced' in r ? r : null);
const pct = (x: number | undefined) => (x === undefined ? undefined : Math.round(x * 1000) / 10);

const GC_METRIC = 'server GC pauses: scavenges n / sum / max, others n / sum / max (ms)';

/** Results stored before the GC tally was recorded have none. */
function gcCell(server: ServerMetrics | undefined): string | undefined {
	const gc = server?.gc;
	if (!gc) return undefined;
	return `${gc.minor.count} / ${gc.minor.totalMs} / ${gc.minor.maxMs}, ${gc.major.count} / ${gc.major.totalMs} / ${gc.major.maxMs}`;
}

const rows: Row[] = [
	...(['edits', 'presence'] as const).flatMap((w): Row[] => [
		{ workload: w, metric: 'edit latency p50 (ms)', get: (r) => steadyR(r)?.editLatency.p50, ratio: true },
		{
			workload: w,
			metric: 'edit latency p99 (ms)',
			get: (r) => steadyR(r)?.editLatency.p99,
			ratio: true,
			target: w === 'edits' ? { text: '≤ 1.5× ref', met: (o, r) => o <= 1.5 * r } : { text: '< 50', met: (o) => o < 50 }
		},
		{ workload: w, metric: 'edit latency max (ms)', get: (r) => steadyR(r)?.editLatency.max, ratio: true },
		{ workload: w, metric: 'edit latency p99 in the warm-up before (ms, not counted)', get: (r) => steadyR(r)?.warmup?.editLatency.p99 ?? '—' },
		...(w === 'presence'
			? [
					{ workload: w, metric: 'pointer latency p50 / p99 (ms)', get: (r: AnyResult) => { const p = steadyR(r)?.pointerLatency; return p ? `${p.p50} / ${p.p99}` : undefined; } },
					{ workload: w, metric: 'pointer latency max (ms)', get: (r: AnyResult) => steadyR(r)?.pointerLatency?.max, ratio: true }
				]
			: []),
		{
			workload: w,
			metric: 'server event-loop delay max (ms)',
			get: (r) => steadyR(r)?.server_.eldMaxMs,
			ratio: true,
			target: w === 'presence' ? { text: '< 50', met: (o) => o < 50 } : undefined
		},
		{ workload: w, metric: 'server stall max, own CPU part (ms)', get: (r) => steadyR(r)?.server_.busyStallMaxMs },
		{ workload: w, metric: GC_METRIC, get: (r) => gcCell(steadyR(r)?.server_) },
		{ workload: w, metric: 'server CPU (% of one core)', get: (r) => pct(steadyR(r)?.server_.cpuShare), ratio: true },
		{ workload: w, metric: 'server CPU per frame in or out (µs)', get: (r) => steadyR(r)?.messages.serverCpuUsPerFrame, ratio: true },
		{ workload: w, metric: 'frames to / from lightweight clients (/s)', get: (r) => { const m = steadyR(r)?.messages; return m ? `${m.toClientsPerSecond} / ${m.fromClientsPerSecond}` : undefined; } },
		{ workload: w, metric: 'server RSS peak (MB)', get: (r) => steadyR(r)?.server_.rssPeakMb, ratio: true },
		{ workload: w, metric: 'edits sent / s', get: (r) => steadyR(r)?.editsPerSecond },
		{ workload: w, metric: 'update-log rows / s', get: (r) => (r.server === 'drillboard' ? steadyR(r)?.persisted?.rowsPerSecond : '—') },
		{ workload: w, metric: 'lost / duplicate deliveries', get: (r) => { const c = steadyR(r)?.check; return c ? `${c.lost} / ${c.duplicateDeliveries}` : undefined; } },
		{ workload: w, metric: 'states equal (clients, server, DB)', get: (r) => { const c = steadyR(r)?.check; return c ? (c.consistent ? 'yes' : 'NO') : undefined; } },
		{ workload: w, metric: 'other processes on the machine (cores)', get: (r) => steadyR(r)?.clients.otherCores }
	]),
	{ workload: 'storm', metric: 'board size (MB)', get: (r) => { const s = stormR(r); return s ? Math.round(s.boardBytes / 1e4) / 100 : undefined; } },
	{
		workload: 'storm',
		metric: 'last joiner had the board (ms)',
		get: (r) => (stormR(r) ? Math.round(stormR(r)!.syncedLightweight.max) : undefined),
		ratio: true,
		target: { text: '< 1000', met: (o) => o < 1000 }
	},
	{ workload: 'storm', metric: 'median joiner had the board (ms)', get: (r) => (stormR(r) ? Math.round(stormR(r)!.syncedLightweight.p50) : undefined), ratio: true },
	{ workload: 'storm', metric: 'last real provider synced, after applying (ms)', get: (r) => (stormR(r) ? Math.round(stormR(r)!.syncedReal.max) : undefined), ratio: true },
	{ workload: 'storm', metric: 'server event-loop delay max (ms)', get: (r) => stormR(r)?.server_.eldMaxMs, ratio: true, target: { text: '≤ 100', met: (o) => o <= 100 } },
	{ workload: 'storm', metric: 'server stall max, own CPU part (ms)', get: (r) => stormR(r)?.server_.busyStallMaxMs },
	{ workload: 'storm', metric: GC_METRIC, get: (r) => gcCell(stormR(r)?.server_) },
	{ workload: 'storm', metric: 'server CPU (ms)', get: (r) => stormR(r)?.server_.cpuMs, ratio: true },
	{ workload: 'storm', metric: 'server RSS peak (MB)', get: (r) => stormR(r)?.server_.rssPeakMb, ratio: true },
	{ workload: 'storm', metric: 'states equal (clients, server, DB)', get: (r) => { const c = stormR(r)?.check; return c ? (c.consistent ? 'yes' : 'NO') : undefined; } },
	{ workload: 'storm', metric: 'other processes on the machine (cores)', get: (r) => stormR(r)?.clients.otherCores }
];

const WORKLOAD_TITLE: Record<string, string> = { edits: '1 edits', presence: '2 presence', storm: '3 join storm' };

function table(): string {
	const out = ['| Workload | Metric | Reference | Ours | Ours / ref | Target | Met |', '|---|---|---:|---:|---:|---|---|'];
	for (const row of rows) {
		const w = results[row.workload];
		if (!w) continue;
		const ref = w.reference;
		const ours = w.drillboard;
		const val = (r: AnyResult | undefined) => (!r ? '' : 'error' in r ? 'failed' : (row.get(r) ?? ''));
		const a = val(ref);
		const b = val(ours);
		const ratio = row.ratio && typeof a === 'number' && typeof b === 'number' && a > 0 ? `${(b / a).toFixed(2)}×` : '';
		const met = row.target && typeof b === 'number' ? (row.target.met(b, typeof a === 'number' ? a : NaN) ? 'yes' : '**no**') : '';
		out.push(`| ${WORKLOAD_TITLE[row.workload]} | ${row.metric} | ${a} | ${b} | ${ratio} | ${row.target?.text ?? ''} | ${met} |`);
	}
	return out.join('\n');
}

function stagesNote(s: StageSummary | null | undefined): string {
	if (!s?.toFirstSend.n) return '';
	const q = (m: Summary) => `${m.p50} / ${m.p90} / ${m.p99}`;
	return `${s.toFirstSend.n} relays, message → first send p50/p90/p99 ${q(s.toFirstSend)} ms, → last send ${q(s.toLastSend)} ms`;
}

function notes(): string {
	const lines: string[] = [];
	for (const [w, byServer] of Object.entries(results)) {
		for (const r of Object.values(byServer)) {
			if (!r) continue;
			if ('error' in r) {
				lines.push(`- ${WORKLOAD_TITLE[w]}, ${r.server}: failed: ${r.error.split('\n')[0]}`);
				continue;
			}
			const c = r.check;
			const extra = [
				c.notes.length ? c.notes.slice(0, 5).join('; ') : '',
				c.closes.length ? `socket closes ${[...new Set(c.closes)].join(', ')} (${c.closes.length})` : '',
				c.permissionDenied ? `${c.permissionDenied} permission-denied messages` : '',
				stagesNote(r.server_.stages),
				r.server_.stalls.length ? `server stalls > 50 ms at [s, ms]: ${JSON.stringify(r.server_.stalls.slice(0, 8))}${r.server_.stalls.length > 8 ? ' …' : ''}` : '',
				`client process: main-thread loop max ${r.clients.eldMaxMs} ms, provider worker ${r.clients.workerEldMaxMs} ms, ${pct(r.clients.cpuShare)} % of a core`,
				`other processes kept ${r.clients.otherCores} of ${os.cpus().length} cores busy`
			].filter(Boolean);
			lines.push(`- ${WORKLOAD_TITLE[w]}, ${r.server}: ${extra.join('; ')}`);
		}
	}
	return lines.join('\n');
}

interface Meta {
	date: string;
	node: string;
	cpus: number;
	cpuModel?: string;
	loadavg: number[];
	config: typeof cfg;
}

function writeOutputs() {
	mkdirSync(resultsDir, { recursive: true });
	const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
	const meta: Meta = {
		date: new Date().toISOString(),
		node: process.version,
		cpus: os.cpus().length,
		cpuModel: os.cpus()[0]?.model,
		loadavg: os.loadavg(),
		config: cfg
	};
	const name = `collab${quick ? '-quick' : ''}-${stamp}.json`;
	writeFileSync(`${resultsDir}/${name}`, JSON.stringify({ meta, results }, null, 1));
	log(`results written to bench/results/${name}`);
	report(meta, name, cfg.writeReadme);
}

/** `--render=bench/results/<file>.json`: the table and this README section again from a stored run. */
function render(path: string) {
	const stored = JSON.parse(readFileSync(path, 'utf8')) as { meta: Meta; results: typeof results };
	Object.assign(results, stored.results);
	for (const byServer of Object.values(results)) {
		for (const r of Object.values(byServer)) {
			// Runs stored before this figure existed: derive it from the stall list.
			if (r && 'server_' in r) r.server_.busyStallMaxMs = r.server_.stalls.reduce((m, [, late, cpu]) => Math.max(m, Math.min(late, cpu)), 0);
		}
	}
	report(stored.meta, path.split('/').pop() as string, !flag('no-readme'));
}

function report(meta: Meta, name: string, writeReadme: boolean) {
	const cfg = meta.config;
	const quick = cfg.quick;
	const md = `<!-- collab:results:start -->\nRun ${meta.date.slice(0, 16).replace('T', ' ')} UTC, Node ${meta.node}, ${meta.cpus} cores, ${quick ? 'quick mode' : 'full mode'}: ${cfg.clients} clients (${cfg.realClients} real providers), edits ${cfg.seconds} s, presence ${cfg.presenceSeconds} s, storm ${cfg.features} features (${cfg.boardShape})${cfg.oneDoc ? ', every client of workloads 1–2 on the common document' : ''}. Raw data: \`bench/results/${name}\`.\n\n${table()}\n\nPer-run notes:\n${notes()}\n<!-- collab:results:end -->`;
	console.log(`\n${table()}\n\n${notes()}\n`);
	if (!writeReadme) return;
	const readmePath = `${benchDir}README.md`;
	let readme = '';
	try {
		readme = readFileSync(readmePath, 'utf8');
	} catch {
		readme = '# Benchmarks\n\n## Collaboration (bench/collab.ts)\n\n';
	}
	const re = /<!-- collab:results:start -->[\s\S]*<!-- collab:results:end -->/;
	readme = re.test(readme) ? readme.replace(re, md) : `${readme.trimEnd()}\n\n${md}\n`;
	writeFileSync(readmePath, readme);
	log('bench/README.md updated');
}

const renderFrom = option('render');
if (renderFrom) {
	render(renderFrom);
	process.exit(0);
}
await runAll();
writeOutputs();
const failed = Object.values(results).some((w) => Object.values(w).some((r) => r && 'error' in r));
process.exit(failed ? 1 : 0);
