/**
 * Time-travel replay: the exercise as it was at scenario time T — every board layer, the task cards,
 * the delivered injects, acknowledgements and the command-chain log.
 *
 * Board documents are rebuilt from a **checkpoint** (a merged state stored in `doc_snapshots`) at or
 * before T plus the tail of the attributed update log. Checkpoints are the collab server's own
 * snapshots, completed here so that no two are more than CHECKPOINT_EVERY updates apart: one pass
 * over the log applies each run of updates to one Y.Doc in one transaction and stores
 * `encodeStateAsUpdate` (merging many small updates with Y.mergeUpdates is super-linear; see
 * ../shared/docs/stack-notes). A seek then reads one checkpoint and at most CHECKPOINT_EVERY − 1 rows
 * per document, whatever T is.
 *
 * What counts as "at T": the log is replayed in its own order (seq). An update's replay time is the
 * highest scenario time stamped on it or any earlier update of its document, so a backward clock
 * jump never reorders history, and unstamped updates (no clock yet) belong to the moment before them.
 * Log entries, deliveries and acknowledgements with scenario time ≤ T come from their tables.
 */
import { and, asc, desc, eq, gt, lte, max, sql, type Column } from 'drizzle-orm';
import type { FeatureCollection, Geometry } from 'geojson';
import * as Y from 'yjs';
import type { Db } from '../../db/client';
import { commandLog, docSnapshots, docUpdates, injectAcks } from '../../db/schema';
import { agencyDocName, commonDocName } from '../../src/lib/board/docs';
import { docToFeatureCollection, type BoardFeatureProperties } from '../../src/lib/board/geojson';
import { listTasks, type TaskCard } from '../../src/lib/board/tasks';
import type { LogEntry } from '../../src/lib/domain/commandlog/entry';
import { findInject, type PublicInject } from '../../src/lib/domain/scenario/public';
import { scenarioNow } from '../clock';
import { rowToEntry } from '../commandlog';
import { authorize, listAgencies, type ExerciseAccess } from '../exercises';
import { deliveriesOf } from '../injects/delivery';
import { deliveredInject, type DeliveredInject } from '../injects/service';
import { exerciseScenario } from '../scenarios';
import { parse } from '../users';
import { z } from 'zod';

export const CHECKPOINT_EVERY = 500;
const READ_CHUNK = 2000;
let checkpointEvery = CHECKPOINT_EVERY;

/** Tests and benchmarks: a different checkpoint spacing (clears cached indexes). */
export function setCheckpointInterval(every: number): void {
	checkpointEvery = Math.max(1, Math.floor(every));
	clearReplayCache();
}

/** Per document: replay time of every row (seq order) and the seqs that have a stored checkpoint. */
export interface DocIndex {
	doc: string;
	lastSeq: number;
	seqs: Int32Array;
	/** Replay time (running maximum of scenario time) of each row, ascending. */
	times: Float64Array;
	/** Seqs with a stored merged state, ascending; 0 stands for the empty document. */
	checkpoints: number[];
}

/** Running maximum of the stamped scenario times; an unstamped row takes the time before it. */
export function replayTimes(stamps: readonly (number | null)[]): Float64Array {
	const out = new Float64Array(stamps.length);
	let high = 0;
	stamps.forEach((s, i) => {
		if (s != null && s > high) high = s;
		out[i] = high;
	});
	return out;
}

/** Number of rows whose replay time is ≤ at (times ascending). */
export function rowsUpTo(times: Float64Array, at: number): number {
	let lo = 0;
	let hi = times.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (times[mid] <= at) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** The latest checkpoint at or before seq (checkpoints ascending, starting with 0). */
export function checkpointAtOrBefore(checkpoints: readonly number[], seq: number): number {
	let lo = 0;
	let hi = checkpoints.length - 1;
	while (lo < hi) {
		const mid = (lo + hi + 1) >> 1;
		if (checkpoints[mid] <= seq) lo = mid;
		else hi = mid - 1;
	}
	return checkpoints[lo] <= seq ? checkpoints[lo] : 0;
}

/** Seqs at which new checkpoints are needed so that no gap (from a checkpoint to the next or to the end) reaches `every`. */
export function missingCheckpoints(existing: readonly number[], lastSeq: number, every = CHECKPOINT_EVERY): number[] {
	const sorted = [...new Set([0, ...existing.filter((s) => s <= lastSeq)])].sort((a, b) => a - b);
	const out: number[] = [];
	for (let i = 0; i < sorted.length; i++) {
		const end = i + 1 < sorted.length ? sorted[i + 1] : lastSeq + 1;
		for (let s = sorted[i] + every; s < end; s += every) out.push(s);
	}
	return out;
}

function applyAll(doc: Y.Doc, updates: Iterable<Uint8Array>): void {
	Y.transact(doc, () => {
		for (const u of updates) {
			try {
				Y.applyUpdate(doc, u);
			} catch {
				// A row the collab server could not apply either (it never changed a document).
			}
		}
	});
}

// ------------------------------------------------------------------------------------------ bytes

/**
 * A bytea column read as base64 text and decoded in Node: on PGlite this is about five times faster
 * than its bytea parsing (PostgreSQL's base64 has line breaks, which Buffer ignores).
 */
export const base64Of = (column: Column) => sql<string>`encode(${column}, 'base64')`;
export const fromBase64 = (text: string): Uint8Array => Buffer.from(text, 'base64');

export interface UpdateRows {
	seqs: number[];
	userIds: (string | null)[];
	scenarioMs: (number | null)[];
	updates: Uint8Array[];
}

/**
 * A document's log rows in (afterSeq, toSeq], in seq order, read as one aggregated row: PGlite spends
 * most of a large read on per-row work, so one concatenated blob plus the lengths is about twice as
 * fast as row by row.
 */
export async function readUpdateRows(db: Db, doc: string, afterSeq: number, toSeq = 2 ** 31 - 1): Promise<UpdateRows> {
	const by = sql`order by ${docUpdates.seq}`;
	const [agg] = await db
		.select({
			seqs: sql<string | null>`string_agg(${docUpdates.seq}::text, ',' ${by})`,
			users: sql<string | null>`string_agg(coalesce(${docUpdates.userId}, ''), ',' ${by})`,
			ms: sql<string | null>`string_agg(coalesce(${docUpdates.scenarioMs}::text, ''), ',' ${by})`,
			lengths: sql<string | null>`string_agg(length(${docUpdates.update})::text, ',' ${by})`,
			blob: sql<string | null>`encode(string_agg(${docUpdates.update}, ''::bytea ${by}), 'base64')`
		})
		.from(docUpdates)
		.where(and(eq(docUpdates.doc, doc), gt(docUpdates.seq, afterSeq), lte(docUpdates.seq, toSeq)));
	if (!agg?.seqs || agg.blob === null || agg.lengths === null || agg.users === null || agg.ms === null) return { seqs: [], userIds: [], scenarioMs: [], updates: [] };
	const all = fromBase64(agg.blob);
	let offset = 0;
	return {
		seqs: agg.seqs.split(',').map(Number),
		userIds: agg.users.split(',').map((u) => u || null),
		scenarioMs: agg.ms.split(',').map((m) => (m === '' ? null : Number(m))),
		updates: agg.lengths.split(',').map((l) => {
			const part = all.subarray(offset, offset + Number(l));
			offset += Number(l);
			return part;
		})
	};
}

// ------------------------------------------------------------------------------------------ memory

/**
 * Bytes of recently replayed documents kept in memory (checkpoint states and update rows; reading
 * bytea rows is a large part of a seek), LRU by document and bounded by REPLAY_CACHE_MB (default 128),
 * plus a cursor per document: the Y.Doc of the last seek, which a later seek a little further on
 * (playback) only rolls forward.
 */
interface DocMemory {
	states: Map<number, Uint8Array>;
	rows: Map<number, Uint8Array>;
	bytes: number;
	cursor: { seq: number; doc: Y.Doc } | null;
}
const memoryLimit = () => Number(process.env.REPLAY_CACHE_MB ?? 128) * 1024 * 1024;
const memory = new Map<string, DocMemory>();
let memoryBytes = 0;

function memoryOf(doc: string): DocMemory {
	let m = memory.get(doc);
	if (m) memory.delete(doc);
	else m = { states: new Map(), rows: new Map(), bytes: 0, cursor: null };
	memory.set(doc, m); // most recently used last
	return m;
}

function remember(doc: string, m: DocMemory, kind: 'states' | 'rows', seq: number, data: Uint8Array): void {
	if (m[kind].has(seq)) return;
	m[kind].set(seq, data);
	m.bytes += data.byteLength;
	memoryBytes += data.byteLength;
	for (const [name, other] of memory) {
		if (memoryBytes <= memoryLimit()) break;
		if (name === doc) continue;
		forget(name, other);
	}
}

function forget(name: string, m: DocMemory): void {
	memoryBytes -= m.bytes;
	m.cursor?.doc.destroy();
	memory.delete(name);
}

/** Drops the in-memory bytes and cursors (benchmarks: a seek as after a restart). */
export function clearReplayMemory(): void {
	for (const [name, m] of [...memory]) forget(name, m);
}

async function readState(db: Db, doc: string, seq: number): Promise<Uint8Array | null> {
	if (!seq) return null;
	const m = memoryOf(doc);
	const hit = m.states.get(seq);
	if (hit) return hit;
	const [row] = await db
		.select({ state: base64Of(docSnapshots.state) })
		.from(docSnapshots)
		.where(and(eq(docSnapshots.doc, doc), eq(docSnapshots.seq, seq)))
		.limit(1);
	if (!row) return null;
	const state = fromBase64(row.state);
	remember(doc, m, 'states', seq, state);
	return state;
}

async function readUpdates(db: Db, doc: string, afterSeq: number, toSeq: number): Promise<Uint8Array[]> {
	if (toSeq <= afterSeq) return [];
	const m = memoryOf(doc);
	const cached: Uint8Array[] = [];
	for (let s = afterSeq + 1; s <= toSeq; s++) {
		const u = m.rows.get(s);
		if (!u) break;
		cached.push(u);
	}
	if (cached.length === toSeq - afterSeq) return cached;
	const rows = await readUpdateRows(db, doc, afterSeq, toSeq);
	rows.seqs.forEach((seq, i) => remember(doc, m, 'rows', seq, rows.updates[i]));
	return rows.updates;
}

/**
 * Stores the missing checkpoints of a document: walks from each existing checkpoint forward through
 * the log in chunks, one transaction per chunk, and writes the merged state at every needed seq.
 */
async function fillCheckpoints(db: Db, doc: string, existing: number[], lastSeq: number): Promise<number[]> {
	const have = [...new Set([0, ...existing])].sort((x, y) => x - y);
	const wanted = missingCheckpoints(have, lastSeq, checkpointEvery);
	if (!wanted.length) return have;
	let ydoc: Y.Doc | null = null;
	let at = -1;
	for (const target of wanted) {
		// Start from the stored checkpoint before the target when it is ahead of the walk so far.
		const base = checkpointAtOrBefore(have, target);
		if (!ydoc || base > at) {
			ydoc?.destroy();
			ydoc = new Y.Doc();
			const state = await readState(db, doc, base);
			if (state) applyAll(ydoc, [state]);
			at = base;
		}
		while (at < target) {
			const upTo = Math.min(target, at + READ_CHUNK);
			applyAll(ydoc, await readUpdates(db, doc, at, upTo));
			at = upTo;
		}
		const state = Y.encodeStateAsUpdate(ydoc);
		await db.insert(docSnapshots).values({ doc, seq: target, state }).onConflictDoNothing();
		remember(doc, memoryOf(doc), 'states', target, state);
	}
	ydoc?.destroy();
	return [...new Set([...have, ...wanted])].sort((x, y) => x - y);
}

const indexes = new Map<string, DocIndex>();
const MAX_INDEXES = 256;

const building = new Map<string, Promise<DocIndex>>();

/** Builds (or reuses) the replay index of a document whose log ends at `lastSeq`; concurrent callers share one build. */
export async function docIndex(db: Db, doc: string, lastSeq: number): Promise<DocIndex> {
	const cached = indexes.get(doc);
	if (cached && cached.lastSeq === lastSeq) {
		indexes.delete(doc);
		indexes.set(doc, cached); // most recently used last
		return cached;
	}
	const key = `${doc}@${lastSeq}`;
	const pending = building.get(key);
	if (pending) return pending;
	const build = buildIndex(db, doc, lastSeq).finally(() => building.delete(key));
	building.set(key, build);
	return build;
}

async function buildIndex(db: Db, doc: string, lastSeq: number): Promise<DocIndex> {
	const rows = await db
		.select({ seq: docUpdates.seq, scenarioMs: docUpdates.scenarioMs })
		.from(docUpdates)
		.where(and(eq(docUpdates.doc, doc), lte(docUpdates.seq, lastSeq)))
		.orderBy(asc(docUpdates.seq));
	const snaps = await db
		.select({ seq: docSnapshots.seq })
		.from(docSnapshots)
		.where(and(eq(docSnapshots.doc, doc), lte(docSnapshots.seq, lastSeq)))
		.orderBy(asc(docSnapshots.seq));
	const checkpoints = await fillCheckpoints(
		db,
		doc,
		snaps.map((s) => s.seq),
		lastSeq
	);
	const index: DocIndex = {
		doc,
		lastSeq,
		seqs: Int32Array.from(rows, (r) => r.seq),
		times: replayTimes(rows.map((r) => r.scenarioMs)),
		checkpoints
	};
	indexes.set(doc, index);
	while (indexes.size > MAX_INDEXES) indexes.delete(indexes.keys().next().value as string);
	return index;
}

/** Forgets cached indexes (tests, benchmarks). */
export function clearReplayCache(): void {
	indexes.clear();
	logs.clear();
	clearReplayMemory();
}

/** Last seq of each document (0 for none): one index lookup per document. */
async function heads(db: Db, docs: string[]): Promise<Map<string, number>> {
	const rows = await Promise.all(
		docs.map((doc) =>
			db
				.select({ seq: docUpdates.seq })
				.from(docUpdates)
				.where(eq(docUpdates.doc, doc))
				.orderBy(desc(docUpdates.seq))
				.limit(1)
		)
	);
	return new Map(docs.map((doc, i) => [doc, rows[i][0]?.seq ?? 0]));
}

const locks = new Map<string, Promise<unknown>>();

/** Runs `fn` alone for one document (seeks share its cursor). */
function exclusive<T>(doc: string, fn: () => Promise<T>): Promise<T> {
	const run = (locks.get(doc) ?? Promise.resolve()).then(fn, fn);
	const tail = run.catch(() => {});
	locks.set(doc, tail);
	void tail.then(() => {
		if (locks.get(doc) === tail) locks.delete(doc);
	});
	return run;
}

/** Which rows a seek to `at` needs: the cut (last row at or before `at`) and the checkpoint before it. */
export function seekPlan(index: DocIndex, at: number): { cut: number; from: number } {
	const n = rowsUpTo(index.times, at);
	const cut = n ? index.seqs[n - 1] : 0;
	return { cut, from: checkpointAtOrBefore(index.checkpoints, cut) };
}

/**
 * Reads a document as it was at scenario time `at`: rolls the document's cursor forward when the
 * target is a little ahead of it (playback), else rebuilds from the checkpoint at or before the target
 * plus the log tail. `read` runs synchronously on the document, which stays owned by the cursor.
 */
export async function withDocAt<T>(db: Db, index: DocIndex, at: number, read: (doc: Y.Doc) => T): Promise<T> {
	return exclusive(index.doc, async () => {
		const { cut, from } = seekPlan(index, at);
		const m = memoryOf(index.doc);
		const cur = m.cursor;
		if (cur && cur.seq <= cut && cut - cur.seq <= Math.max(cut - from, checkpointEvery)) {
			applyAll(cur.doc, await readUpdates(db, index.doc, cur.seq, cut));
			cur.seq = cut;
			return read(cur.doc);
		}
		const [state, tail] = await Promise.all([readState(db, index.doc, from), readUpdates(db, index.doc, from, cut)]);
		const doc = new Y.Doc();
		applyAll(doc, state ? [state, ...tail] : tail);
		const now = memoryOf(index.doc);
		now.cursor?.doc.destroy();
		now.cursor = { seq: cut, doc };
		return read(doc);
	});
}

/** A fresh copy of a document at scenario time `at` (the caller owns and destroys it). */
export async function docAt(db: Db, index: DocIndex, at: number): Promise<Y.Doc> {
	const { cut, from } = seekPlan(index, at);
	const [state, tail] = await Promise.all([readState(db, index.doc, from), readUpdates(db, index.doc, from, cut)]);
	const doc = new Y.Doc();
	applyAll(doc, state ? [state, ...tail] : tail);
	return doc;
}

/** The naive rebuild, for comparison: every update from the start up to `at`, no checkpoints. */
export async function docAtNaive(db: Db, doc: string, at: number): Promise<Y.Doc> {
	const rows = await readUpdateRows(db, doc, 0);
	const n = rowsUpTo(replayTimes(rows.scenarioMs), at);
	const ydoc = new Y.Doc();
	applyAll(ydoc, rows.updates.slice(0, n));
	return ydoc;
}

// ------------------------------------------------------------------------------------------ the frame

interface CachedLog {
	head: number;
	entries: LogEntry[];
}
const logs = new Map<string, CachedLog>();

/** The whole command-chain log of an exercise, cached until its head moves. */
async function exerciseLog(db: Db, exerciseId: string): Promise<LogEntry[]> {
	const [{ head }] = await db.select({ head: max(commandLog.seq) }).from(commandLog).where(eq(commandLog.exerciseId, exerciseId));
	const cached = logs.get(exerciseId);
	if (cached && cached.head === (head ?? 0)) return cached.entries;
	const rows = await db.select().from(commandLog).where(eq(commandLog.exerciseId, exerciseId)).orderBy(asc(commandLog.seq));
	const entries = rows.map(rowToEntry);
	logs.set(exerciseId, { head: head ?? 0, entries });
	while (logs.size > 16) logs.delete(logs.keys().next().value as string);
	return entries;
}

export interface ReplayLayer {
	key: string;
	agency: string | null;
	geojson: FeatureCollection<Geometry, BoardFeatureProperties>;
}

export interface ReplayFrame {
	atMs: number;
	/** The replayable span: 0 … the exercise's scenario time at the end (or the latest stamp, if later). */
	endMs: number;
	layers: ReplayLayer[];
	tasks: TaskCard[];
	injects: DeliveredInject[];
	acks: { injectId: string; agency: string; scenarioMs: number }[];
	/** The latest `logLimit` entries at T (all, when the limit is 0), and how many there are in all. */
	log: LogEntry[];
	logTotal: number;
}

export const replayQuerySchema = z.object({
	at: z.coerce.number().int().min(0).max(1e12),
	log: z.coerce.number().int().min(0).max(100_000).default(200)
});

/** The board documents of an exercise: common first, then one per agency. */
export async function replayDocs(db: Db, exerciseId: string): Promise<{ key: string; agency: string | null; doc: string }[]> {
	const agencies = await listAgencies(db);
	return [{ key: 'common', agency: null, doc: commonDocName(exerciseId) }, ...agencies.map((a) => ({ key: a.code, agency: a.code, doc: agencyDocName(exerciseId, a.code) }))];
}

/**
 * The documents of an exercise with their replay indexes (built, with any missing checkpoints, on
 * first use) and the replayable span: 0 … max(clock at the end, latest stamp on a board update or a
 * log entry).
 */
export async function replayIndexes(db: Db, exerciseId: string) {
	const docs = await replayDocs(db, exerciseId);
	const last = await heads(
		db,
		docs.map((d) => d.doc)
	);
	const indexed: { key: string; agency: string | null; doc: string; index: DocIndex | null }[] = [];
	for (const d of docs) {
		const lastSeq = last.get(d.doc) ?? 0;
		indexed.push({ ...d, index: lastSeq ? await docIndex(db, d.doc, lastSeq) : null });
	}
	const log = await exerciseLog(db, exerciseId);
	let endMs = (await scenarioNow(db, exerciseId)) ?? 0;
	for (const d of indexed) if (d.index?.times.length) endMs = Math.max(endMs, d.index.times[d.index.times.length - 1]);
	for (const e of log) if (e.scenarioMs != null && e.scenarioMs > endMs) endMs = e.scenarioMs;
	return { docs: indexed, log, endMs };
}

export async function replayEnd(db: Db, exerciseId: string): Promise<number> {
	return (await replayIndexes(db, exerciseId)).endMs;
}

const warming = new Set<string>();

/**
 * Builds an ended exercise's replay indexes (and missing checkpoints) in the background, once per
 * process, so that opening the replay after reading the review does not wait for it.
 */
export function warmReplay(db: Db, exerciseId: string): void {
	if (warming.has(exerciseId)) return;
	warming.add(exerciseId);
	void replayIndexes(db, exerciseId).catch(() => warming.delete(exerciseId));
}

/** The exercise at scenario time `at` (review.read: after the end, never for players). */
export async function replayAt(db: Db, access: ExerciseAccess, query: unknown): Promise<ReplayFrame> {
	authorize(access, 'review.read');
	const q = parse(replayQuerySchema, query);
	return replayFrame(db, access.exercise.id, q.at, q.log);
}

/** Where a seek's time goes (ms), for the benchmark. */
export interface ReplayTimings {
	indexes: number;
	tables: number;
	rebuild: number;
	read: number;
	rows: number;
}

export async function replayFrame(db: Db, exerciseId: string, at: number, logLimit = 200, timings?: ReplayTimings): Promise<ReplayFrame> {
	let t = performance.now();
	const lap = (key: Exclude<keyof ReplayTimings, 'rows'>) => {
		const now = performance.now();
		if (timings) timings[key] += now - t;
		t = now;
	};
	const [{ docs, log, endMs }, scenario, deliveries, acks] = await Promise.all([
		replayIndexes(db, exerciseId).then((r) => (lap('indexes'), r)),
		exerciseScenario(db, exerciseId),
		deliveriesOf(db, exerciseId),
		db.select().from(injectAcks).where(eq(injectAcks.exerciseId, exerciseId))
	]);
	lap('tables');
	const layers: ReplayLayer[] = [];
	const tasks: TaskCard[] = [];
	const read = (d: (typeof docs)[number], ydoc: Y.Doc) => ({ geojson: docToFeatureCollection(ydoc, d.key), tasks: d.agency ? listTasks(ydoc) : [] });
	const built = await Promise.all(docs.map((d) => (d.index ? withDocAt(db, d.index, at, (y) => read(d, y)) : Promise.resolve(read(d, new Y.Doc())))));
	if (timings) for (const d of docs) if (d.index) timings.rows += seekPlan(d.index, at).cut - seekPlan(d.index, at).from;
	lap('rebuild');
	docs.forEach((d, i) => {
		layers.push({ key: d.key, agency: d.agency, geojson: built[i].geojson });
		tasks.push(...built[i].tasks);
	});
	lap('read');
	const pkg = scenario?.package ?? null;
	const injects: DeliveredInject[] = [];
	for (const row of deliveries) {
		if (row.action !== 'deliver' || row.scenarioMs > at) continue;
		const source = (row.content as PublicInject | null) ?? (pkg ? findInject(pkg, row.injectId) : undefined);
		if (source) injects.push(deliveredInject(source, row));
	}
	injects.sort((a, b) => a.scenarioMs - b.scenarioMs || a.id.localeCompare(b.id));
	const visibleLog = log.filter((e) => (e.scenarioMs ?? 0) <= at);
	return {
		atMs: at,
		endMs,
		layers,
		tasks: tasks.sort((a, b) => a.agency.localeCompare(b.agency) || a.createdAt - b.createdAt || a.id.localeCompare(b.id)),
		injects,
		acks: acks
			.filter((a) => a.scenarioMs <= at)
			.map((a) => ({ injectId: a.injectId, agency: a.agencyCode, scenarioMs: a.scenarioMs }))
			.sort((a, b) => a.scenarioMs - b.scenarioMs || a.injectId.localeCompare(b.injectId) || a.agency.localeCompare(b.agency)),
		log: logLimit ? visibleLog.slice(-logLimit) : visibleLog,
		logTotal: visibleLog.length
	};
}
