/**
 * PGlite memory experiment (issue 7): where does a PGlite server's RSS go under a soak-like load?
 *
 *   node --expose-gc --import tsx bench/pglite-memory.ts           # 180 s, PGlite as db/client.ts opens it
 *   node --expose-gc --import tsx bench/pglite-memory.ts --seconds=120 --rate=300 --variant=sb16
 *   node --expose-gc --import tsx bench/pglite-memory.ts --variants=default,sb16 --rounds=2 --gc-before-sample
 * Options: --seconds (180), --rate (updates a second, 200), --sample (s, 5), --snapshot-every (500),
 * --no-snapshots, --no-scheduler, --no-api, --gc-before-sample, --variant / --variants, --rounds.
 *
 * Opens PGlite on a fresh temporary folder with the real migrations (db/migrations), seeds the few rows
 * the soak's tables need, then runs, in this one process and on one event loop:
 * - `doc_updates` inserts of 100–300-byte updates (random bytes standing in for Yjs updates) over five documents
 *   at `--rate` a second (the soak's board edits, accelerated), single-row inserts as UpdateLog makes them;
 * - a merged snapshot (`doc_snapshots`, the whole document state) every `--snapshot-every` updates of
 *   a document, as server/collab/room.ts does;
 * - what the scheduler reads five times a second (the watched exercises, the exercise's scenario package
 *   as jsonb, its deliveries) and an inject delivery every 6 s;
 * - the API clients: a command-log append transaction (lock the exercise, read the last entry, insert)
 *   and an inbox read (deliveries) twice a second each.
 * Every `--sample` seconds: process RSS, V8 heapUsed / external / arrayBuffers, PGlite's WebAssembly
 * memory (its size, and the resident part of its mapping from /proc/self/smaps), the backend's memory
 * contexts (pg_backend_memory_contexts), shared buffers in use (pg_buffercache) and the table sizes.
 * Variants: `default` (no options, as db/client.ts opens PGlite), or PGlite options / postgresql.conf settings, see
 * VARIANTS below. Writes bench/results/pglite-memory-<variant>-<time>.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { pg_buffercache } from '@electric-sql/pglite/contrib/pg_buffercache';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { desc, eq, inArray } from 'drizzle-orm';
import * as schema from '../db/schema';
import { wasmResident } from './lib/memory';

const MB = 1024 * 1024;
const args = Object.fromEntries(
	process.argv
		.slice(2)
		.filter((a) => a.startsWith('--'))
		.map((a) => {
			const [k, v] = a.slice(2).split('=');
			return [k, v ?? '1'];
		})
);
const seconds = Number(args.seconds ?? 180);
const rate = Number(args.rate ?? 200);
const sampleSeconds = Number(args.sample ?? 5);
const snapshotEvery = Number(args['snapshot-every'] ?? 500);
const variant = String(args.variant ?? 'default');
const noSnapshots = args['no-snapshots'] === '1';
const noScheduler = args['no-scheduler'] === '1';
const noApi = args['no-api'] === '1';
/** A full GC before each sample (needs --expose-gc): heapUsed is then the live heap, a leak shows as a rising floor. */
const gcBeforeSample = args['gc-before-sample'] === '1';

/** PGlite create options per variant (the experiment's own `extensions` are added to each). */
const VARIANTS: Record<string, () => PGliteOptions> = {
	/** As db/client.ts opens PGlite: no options. */
	default: () => ({}),
	sb16: () => ({ postgresqlconf: ['shared_buffers = 16MB'] }),
	sb32: () => ({ postgresqlconf: ['shared_buffers = 32MB'] }),
	sb16small: () => ({ postgresqlconf: ['shared_buffers = 16MB', 'work_mem = 2MB', 'temp_buffers = 2MB', 'maintenance_work_mem = 16MB', 'wal_buffers = 1MB'] }),
	/** Starts the WebAssembly memory where the default settings leave it after start-up (≈ 189 MB), so it never grows. */
	init192: () => ({ initialMemory: 192 * MB })
};

function rssMb(): number {
	const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
	return Math.round(kb / 102.4) / 10;
}

const mb = (n: number) => Math.round((n / MB) * 10) / 10;

async function main(variant: string) {
	const dir = mkdtempSync(join(tmpdir(), 'drillboard-pgmem-'));
	const opts = VARIANTS[variant]?.();
	if (!opts) throw new Error(`unknown variant ${variant}; one of ${Object.keys(VARIANTS).join(', ')}`);
	// As in the soak: the folder is created, migrated and seeded by another opener (here an earlier
	// instance in this process, whose initdb instance and memory are then collected), and the measured
	// instance opens an existing database, as the server does.
	{
		const first = await PGlite.create(dir, { extensions: { pg_buffercache } });
		await migrate(drizzle(first, { schema }), { migrationsFolder: resolve('db/migrations') });
		await first.exec('create extension if not exists pg_buffercache');
		await first.close();
		for (let i = 0; i < 3; i++) {
			(globalThis as { gc?: () => void }).gc?.();
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	const client = await PGlite.create(dir, { ...opts, extensions: { ...opts.extensions, pg_buffercache } });
	const db = drizzle(client, { schema });
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	const mod = (client as any).mod;
	const wasmBytes = (): number => (mod.wasmMemory as WebAssembly.Memory).buffer.byteLength;
	const settings = (await client.query<{ name: string; setting: string; unit: string | null }>(
		`select name, setting, unit from pg_settings where name in ('shared_buffers','work_mem','temp_buffers','wal_buffers','maintenance_work_mem','max_connections','effective_cache_size','huge_pages','dynamic_shared_memory_type')`
	)).rows;

	// The rows the soak's tables reference.
	await client.exec(`
		insert into agencies (code, name_zh, name_en, color) values ('em','应急','EM','#111'),('fire','消防','Fire','#222'),('police','公安','Police','#333'),('health','卫健','Health','#444');
		insert into users (id, username, display_name, password_hash, agency_code) values ('u1','em1','EM 1','x','em'),('u2','fire1','Fire 1','x','fire');
		insert into exercises (id, title, status, created_by, clock_running, clock_speed) values ('ex1','Soak','running','u1',true,10);`);
	const injects = Array.from({ length: 205 }, (_, i) => ({
		id: `S-${String(i + 1).padStart(3, '0')}`,
		at: `T+${String(Math.floor((i + 1) / 60)).padStart(2, '0')}:${String((i + 1) % 60).padStart(2, '0')}`,
		type: 'information',
		delivery: 'phone',
		from: { zh: '市民', en: 'A resident' },
		to: { agencies: [['em', 'fire', 'police', 'health'][i % 4]] },
		message: { zh: `第 ${i + 1} 条`, en: `Message ${i + 1}` },
		objective: 'O1'
	}));
	const pkg = { format: 'drillboard-scenario', version: 1, id: 'soak', meta: { title: { zh: '持续负载', en: 'Soak' } }, agencies: ['em', 'fire', 'police', 'health'], injects };
	await db.insert(schema.exerciseScenarios).values({ exerciseId: 'ex1', scenarioId: 'soak', package: pkg, seed: 'soak' });

	// Documents: only their seq and merged size are kept (a Y.Doc per document would put this harness's
	// own heap growth into the figures); updates and snapshots are random bytes of the sizes the soak's
	// board edits and merged states have: an update of 100–300 bytes, and a merged state about as large
	// as the updates it merges (an earlier version of this harness with real Y.Docs, a Y.Map entry per
	// edit with distinct keys: 1.50 MB of state after ≈ 7 400 edits of ≈ 210 bytes each).
	const docs = ['ex1/common', 'ex1/em', 'ex1/fire', 'ex1/police', 'ex1/health'].map((name) => ({ name, seq: 0, since: 0, stateBytes: 0 }));
	const rand = (() => {
		let s = 7;
		return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
	})();
	const counts = { updates: 0, snapshots: 0, snapshotBytes: 0, logEntries: 0, inboxReads: 0, schedulerPasses: 0, deliveries: 0, maxResultRows: 0 };
	const ms = { insert: [] as number[], select: [] as number[] };

	// Work queue: one operation at a time (PGlite is single-connection anyway), timers enqueue.
	let chain: Promise<unknown> = Promise.resolve();
	let pending = 0;
	const enqueue = (fn: () => Promise<unknown>) => {
		if (pending > 2000) return; // behind: drop rather than pile up JS memory
		pending++;
		chain = chain.then(fn).catch((e) => console.error(e)).finally(() => pending--);
	};

	async function insertUpdate() {
		const d = docs[Math.floor(rand() * docs.length)];
		const update = randomBytes(100 + Math.floor(rand() * 200));
		d.stateBytes += update.length;
		const t0 = performance.now();
		await db.insert(schema.docUpdates).values({ doc: d.name, seq: ++d.seq, userId: 'u1', agencyCode: 'em', wallTime: new Date(), scenarioMs: counts.updates * 100, update });
		if (counts.updates % 10 === 0) ms.insert.push(performance.now() - t0);
		counts.updates++;
		if (!noSnapshots && ++d.since >= snapshotEvery) {
			d.since = 0;
			const state = randomBytes(d.stateBytes);
			await db.insert(schema.docSnapshots).values({ doc: d.name, seq: d.seq, state }).onConflictDoNothing();
			counts.snapshots++;
			counts.snapshotBytes = state.length;
		}
	}

	async function schedulerPass() {
		const t0 = performance.now();
		const rows = await db.select().from(schema.exercises).where(inArray(schema.exercises.status, ['briefing', 'running', 'paused']));
		for (const row of rows) {
			await db.select().from(schema.exerciseScenarios).where(eq(schema.exerciseScenarios.exerciseId, row.id));
			const del = await db.select().from(schema.injectDeliveries).where(eq(schema.injectDeliveries.exerciseId, row.id));
			counts.maxResultRows = Math.max(counts.maxResultRows, del.length);
		}
		ms.select.push(performance.now() - t0);
		counts.schedulerPasses++;
	}

	async function deliver() {
		const id = injects[counts.deliveries % injects.length].id;
		await db
			.insert(schema.injectDeliveries)
			.values({ exerciseId: 'ex1', injectId: `${id}-${counts.deliveries}`, source: 'msel', action: 'deliver', dueMs: counts.deliveries * 60_000, scenarioMs: counts.deliveries * 60_000 })
			.onConflictDoNothing();
		counts.deliveries++;
	}

	async function appendLog() {
		await db.transaction(async (tx) => {
			await tx.select({ status: schema.exercises.status }).from(schema.exercises).where(eq(schema.exercises.id, 'ex1')).for('update');
			const [last] = await tx.select().from(schema.commandLog).where(eq(schema.commandLog.exerciseId, 'ex1')).orderBy(desc(schema.commandLog.seq)).limit(1);
			await tx.select({ code: schema.agencies.code }).from(schema.agencies);
			const seq = (last?.seq ?? 0) + 1;
			const entry = { exerciseId: 'ex1', seq, kind: 'coordination', at: new Date().toISOString(), from: { user: 'u1', agency: 'em' }, to: { agencies: ['fire'] }, body: { text: `soak em1 ${seq}` }, refs: { entries: [], inject: null, feature: null } };
			await tx.insert(schema.commandLog).values({ exerciseId: 'ex1', seq, kind: 'coordination', fromUser: 'u1', fromAgency: 'em', at: new Date(), entry, prevHash: 'p'.repeat(64), hash: 'h'.repeat(64) });
		});
		counts.logEntries++;
	}

	async function inboxRead() {
		await db.select().from(schema.exerciseScenarios).where(eq(schema.exerciseScenarios.exerciseId, 'ex1'));
		await db.select().from(schema.injectDeliveries).where(eq(schema.injectDeliveries.exerciseId, 'ex1'));
		counts.inboxReads++;
	}

	type Sample = Record<string, number>;
	const samples: Sample[] = [];
	const t0 = performance.now();
	async function sample() {
		if (gcBeforeSample) (globalThis as { gc?: () => void }).gc?.();
		const m = process.memoryUsage();
		const wasm = wasmResident();
		const ctx = (await client.query<{ total: string; used: string }>(`select sum(total_bytes)::bigint as total, sum(used_bytes)::bigint as used from pg_backend_memory_contexts`)).rows[0];
		const buf = (await client.query<{ used: string; dirty: string }>(`select count(*) filter (where relfilenode is not null) as used, count(*) filter (where isdirty) as dirty from pg_buffercache`)).rows[0];
		const size = (await client.query<{ upd: string; snap: string; log: string }>(
			`select pg_total_relation_size('doc_updates') as upd, pg_total_relation_size('doc_snapshots') as snap, pg_total_relation_size('command_log') as log`
		)).rows[0];
		const s: Sample = {
			t: Math.round((performance.now() - t0) / 1000),
			rssMb: rssMb(),
			heapUsedMb: mb(m.heapUsed),
			externalMb: mb(m.external),
			arrayBuffersMb: mb(m.arrayBuffers),
			wasmMb: mb(wasmBytes()),
			wasmRssMb: wasm.rssMb,
			wasmMemories: wasm.count,
			jitCodeMb: wasm.execAnonRssMb,
			otherAnonMb: wasm.otherAnonRssMb,
			pgContextsMb: mb(Number(ctx.total)),
			pgContextsUsedMb: mb(Number(ctx.used)),
			buffersUsedMb: mb(Number(buf.used) * 8192),
			docUpdatesMb: mb(Number(size.upd)),
			snapshotsMb: mb(Number(size.snap)),
			updates: counts.updates,
			snapshots: counts.snapshots,
			pending
		};
		samples.push(s);
		console.log(JSON.stringify(s));
	}

	console.log(`variant ${variant}: ${JSON.stringify(opts)}; settings ${settings.map((s) => `${s.name}=${s.setting}${s.unit ? ` ×${s.unit}` : ''}`).join(' ')}`);
	await sample();
	const timers: ReturnType<typeof setInterval>[] = [];
	// Updates in ticks of 10 ms (setInterval cannot go below 1 ms reliably).
	let owed = 0;
	let last = performance.now();
	timers.push(
		setInterval(() => {
			const now = performance.now();
			owed += ((now - last) / 1000) * rate;
			last = now;
			for (; owed >= 1; owed--) enqueue(insertUpdate);
		}, 10)
	);
	if (!noScheduler) timers.push(setInterval(() => enqueue(schedulerPass), 200));
	if (!noScheduler) timers.push(setInterval(() => enqueue(deliver), 6000));
	if (!noApi) timers.push(setInterval(() => enqueue(appendLog), 500));
	if (!noApi) timers.push(setInterval(() => enqueue(inboxRead), 500));
	timers.push(setInterval(() => enqueue(sample), sampleSeconds * 1000));
	await new Promise((r) => setTimeout(r, seconds * 1000));
	for (const t of timers) clearInterval(t);
	await chain;
	await sample();

	const q = (xs: number[], p: number) => {
		const a = [...xs].sort((x, y) => x - y);
		return Math.round(a[Math.min(a.length - 1, Math.floor(p * a.length))] * 100) / 100;
	};
	// Closed loop, the same work on every variant: back-to-back inserts, scheduler passes, and each
	// document's whole log read in order (as a room load or the review does; larger than a small pool).
	const closed = async (n: number, fn: () => Promise<unknown>) => {
		const t = performance.now();
		for (let i = 0; i < n; i++) await fn();
		return Math.round(((performance.now() - t) / n) * 1000) / 1000;
	};
	const burstInsertMs = await closed(3000, insertUpdate);
	const burstSchedulerMs = await closed(300, schedulerPass);
	const fullReadMs = await closed(2, async () => {
		for (const d of docs) await db.select({ seq: schema.docUpdates.seq, update: schema.docUpdates.update }).from(schema.docUpdates).where(eq(schema.docUpdates.doc, d.name)).orderBy(schema.docUpdates.seq);
	});
	const speed = {
		burstInsertMs,
		burstSchedulerMs,
		fullReadMs,
		insertP50: q(ms.insert, 0.5),
		insertP99: q(ms.insert, 0.99),
		insertMean: Math.round((ms.insert.reduce((a, b) => a + b, 0) / ms.insert.length) * 100) / 100,
		schedulerP50: q(ms.select, 0.5),
		schedulerP99: q(ms.select, 0.99),
		schedulerMean: Math.round((ms.select.reduce((a, b) => a + b, 0) / Math.max(1, ms.select.length)) * 100) / 100
	};
	console.log(JSON.stringify({ variant, counts, speed }));
	await client.close();
	rmSync(dir, { recursive: true, force: true });
	mkdirSync('bench/results', { recursive: true });
	const file = `bench/results/pglite-memory-${variant}-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.json`;
	writeFileSync(file, JSON.stringify({ variant, options: opts, settings, seconds, rate, snapshotEvery, noSnapshots, noScheduler, noApi, counts, speed, samples }, null, 2));
	console.log(`wrote ${file}`);
	return { variant, speed, last: samples.at(-1)! };
}

// --variants=default,sb16 --rounds=2: each variant in turn (A B A B), then the speed ratios to the first.
const list = String(args.variants ?? variant).split(',');
const rounds = Number(args.rounds ?? 1);
const results: Awaited<ReturnType<typeof main>>[] = [];
for (let r = 0; r < rounds; r++) for (const v of list) results.push(await main(v));
if (list.length > 1) {
	const keys = Object.keys(results[0].speed) as (keyof (typeof results)[0]['speed'])[];
	const mean = (v: string, k: (typeof keys)[number]) => {
		const xs = results.filter((x) => x.variant === v).map((x) => x.speed[k]);
		return xs.reduce((a, b) => a + b, 0) / xs.length;
	};
	for (const v of list.slice(1)) console.log(`${v} / ${list[0]}: ${keys.map((k) => `${k} ${(mean(v, k) / mean(list[0], k)).toFixed(2)}`).join(', ')}`);
	for (const x of results) console.log(`${x.variant}: ${JSON.stringify(x.speed)} rss ${x.last.rssMb} wasm ${x.last.wasmMb} (resident ${x.last.wasmRssMb})`);
}
