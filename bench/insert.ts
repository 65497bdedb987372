/**
 * Microbenchmark: what one doc_updates commit costs the process, per way of issuing the insert.
 * Variants run in interleaved rounds (rotating order) so machine noise hits them alike; ratios are
 * against `drizzle` (the query builder, UpdateLog's former path) in the same run.
 *
 *   node --import tsx bench/insert.ts [--rounds=30] [--per-round=100] [--rows=1]
 *   DATABASE_URL=postgres://… node --import tsx bench/insert.ts     # PostgreSQL instead of PGlite
 *
 * On PostgreSQL the database must be one the benchmark may write doc_updates rows to (it deletes its
 * own rows at the end); wall time there is mostly the server's commit, CPU time is what the event
 * loop pays.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { eq, like, sql } from 'drizzle-orm';
import { openDatabase, type Db } from '../db/client';
import { insertSql } from '../db/insert-rows';
import { docUpdates } from '../db/schema';

const arg = (name: string, def: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
const ROUNDS = arg('rounds', 30);
const PER_ROUND = arg('per-round', 100);
const ROWS = arg('rows', 1);
const url = process.env.DATABASE_URL;

const u = docUpdates;
const COLUMNS = [u.doc, u.seq, u.userId, u.agencyCode, u.wallTime, u.scenarioMs, u.update];

/** Nearest-rank p50 and p99, unrounded (the figures here are fractions of a millisecond). */
function summarize(samples: number[]): { p50: number; p99: number } {
	const a = Float64Array.from(samples).sort();
	const at = (p: number) => a[Math.min(a.length - 1, Math.max(0, Math.ceil((p / 100) * a.length) - 1))];
	return { p50: at(50), p99: at(99) };
}

type Row = {
	doc: string;
	seq: number;
	userId: string;
	agencyCode: string;
	wallTime: Date;
	scenarioMs: number;
	update: Uint8Array;
};
const values = (r: Row) => [r.doc, r.seq, r.userId, r.agencyCode, r.wallTime.toISOString(), r.scenarioMs, r.update];

interface Variant {
	name: string;
	/** Commits the rows together. */
	insert(rows: Row[]): Promise<unknown>;
}

function drizzleVariants(db: Db): Variant[] {
	const ph = (name: keyof Row) => sql.placeholder(name);
	const prepared = db
		.insert(u)
		.values({ doc: ph('doc'), seq: ph('seq'), userId: ph('userId'), agencyCode: ph('agencyCode'), wallTime: ph('wallTime'), scenarioMs: ph('scenarioMs'), update: ph('update') })
		.prepare('bench_insert_update');
	return [
		{ name: 'drizzle', insert: (rows) => db.insert(u).values(rows) },
		// One row per execution: only comparable with --rows=1.
		...(ROWS === 1 ? [{ name: 'drizzle .prepare()', insert: (rows: Row[]) => prepared.execute(rows[0]) }] : [])
	];
}

function rowsFor(doc: string, next: () => number): Row[] {
	return Array.from({ length: ROWS }, () => ({
		doc,
		seq: next(),
		userId: 'u_bench_0123456789',
		agencyCode: 'fire',
		wallTime: new Date(),
		scenarioMs: 123_456,
		update: randomBytes(100)
	}));
}

async function main(): Promise<void> {
	const dataDir = url ? undefined : mkdtempSync(join(tmpdir(), 'drillboard-insert-bench-'));
	const database = await openDatabase({ url, dataDir });
	const { db } = database;
	const insertRows = database.insertRows(u, COLUMNS);
	const text = insertSql(u, COLUMNS, ROWS);
	const variants: Variant[] = [
		...drizzleVariants(db),
		...(url
			? []
			: [
					{
						// PGlite's query(): parse, describe, bind, describe, execute, sync on every call.
						name: 'pglite query()',
						insert: (rows: Row[]) => ((db as unknown as { $client: PGlite }).$client).query(text, rows.flatMap(values))
					}
				]),
		{ name: 'database.insertRows', insert: (rows) => insertRows(rows.map(values)) },
		...(insertRows.now
			? [
					{
						// What UpdateLog uses on idle PGlite: the same statement, run before returning.
						name: 'database.insertRows.now',
						insert: async (rows: Row[]) => {
							if (!insertRows.now?.(rows.map(values))) await insertRows(rows.map(values));
						}
					}
				]
			: [])
	];
	const run = `bench-insert/${process.pid}-${Date.now()}`;
	const seqs = variants.map(() => 0);
	const wall = variants.map(() => [] as number[]);
	const cpu = variants.map(() => [] as number[]);
	const roundMedians = variants.map(() => [] as number[]);
	const once = async (i: number, keep: boolean) => {
		const rows = rowsFor(`${run}/${i}`, () => ++seqs[i]);
		const c0 = process.cpuUsage();
		const t0 = performance.now();
		await variants[i].insert(rows);
		const ms = performance.now() - t0;
		const c = process.cpuUsage(c0);
		if (keep) cpu[i].push((c.user + c.system) / 1000);
		return ms;
	};
	// Warm-up: JIT, plan caches, prepared statements.
	for (let i = 0; i < variants.length; i++) for (let k = 0; k < 50; k++) await once(i, false);
	for (let round = 0; round < ROUNDS; round++) {
		for (let j = 0; j < variants.length; j++) {
			const i = (round + j) % variants.length;
			const mine: number[] = [];
			for (let k = 0; k < PER_ROUND; k++) mine.push(await once(i, true));
			wall[i].push(...mine);
			roundMedians[i].push(summarize(mine).p50);
		}
	}
	// Every variant stored what it was given.
	for (let i = 0; i < variants.length; i++) {
		const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(u).where(eq(u.doc, `${run}/${i}`));
		if (n !== seqs[i]) throw new Error(`${variants[i].name}: ${n} rows stored, ${seqs[i]} inserted`);
	}

	const w0 = summarize(wall[0]);
	const c0 = summarize(cpu[0]);
	const f = (x: number, width: number, digits = 3) => x.toFixed(digits).padStart(width);
	console.log(`${url ? 'PostgreSQL' : 'PGlite (temp folder)'}: ${ROUNDS} rounds × ${PER_ROUND} commits of ${ROWS} row(s) per variant, ms`);
	console.log('variant'.padEnd(32), 'wall p50', '   p99', '  ×p50', '  ×p99', ' ×round', '| cpu p50', '   p99', '  ×p50', '  ×p99');
	variants.forEach((v, i) => {
		const w = summarize(wall[i]);
		const c = summarize(cpu[i]);
		const perRound = summarize(roundMedians[i].map((m, r) => m / roundMedians[0][r])).p50;
		const cols = [f(w.p50, 8), f(w.p99, 7), f(w.p50 / w0.p50, 6, 2), f(w.p99 / w0.p99, 6, 2), f(perRound, 7, 2)];
		console.log(v.name.padEnd(32), ...cols, '|', f(c.p50, 8), f(c.p99, 7), f(c.p50 / c0.p50, 6, 2), f(c.p99 / c0.p99, 6, 2));
	});
	console.log('× = ratio to drizzle in this run; ×round = median over rounds of the per-round wall p50 ratio');

	if (url) await db.delete(u).where(like(u.doc, `${run}/%`));
	await database.close();
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

await main();
