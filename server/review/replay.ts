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
import { and, asc, desc, eq, gt, lte, max } from 'drizzle-orm';
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

async function readState(db: Db, doc: string, seq: number): Promise<Uint8Array | null> {
	if (!seq) return null;
	const [row] = await db
		.select({ state: docSnapshots.state })
		.from(docSnapshots)
		.where(and(eq(docSnapshots.doc, doc), eq(docSnapshots.seq, seq)))
		.limit(1);
	return row?.state ?? null;
}

async function readUpdates(db: Db, doc: string, afterSeq: number, toSeq: number): Promise<Uint8Array[]> {
	if (toSeq <= afterSeq) return [];
	const rows = await db
		.select({ update: docUpdates.update })
		.from(docUpdates)
		.where(and(eq(docUpdates.doc, doc), gt(docUpdates.seq, afterSeq), lte(docUpdates.seq, toSeq)))
		.orderBy(asc(docUpdates.seq));
	return rows.map((r) => r.update);
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
		await db.insert(docSnapshots).values({ doc, seq: target, state: Y.encodeStateAsUpdate(ydoc) }).onConflictDoNothing();
	}
	ydoc?.destroy();
	return [...new Set([...have, ...wanted])].sort((x, y) => x - y);
}

const indexes = new Map<string, DocIndex>();
const MAX_INDEXES = 256;

/** Builds (or reuses) the replay index of a document whose log ends at `lastSeq`. */
export async function docIndex(db: Db, doc: string, lastSeq: number): Promise<DocIndex> {
	const cached = indexes.get(doc);
	if (cached && cached.lastSeq === lastSeq) {
		indexes.delete(doc);
		indexes.set(doc, cached); // most recently used last
		return cached;
	}
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

/** A document at scenario time `at`: checkpoint + tail. */
export async function docAt(db: Db, index: DocIndex, at: number): Promise<Y.Doc> {
	const n = rowsUpTo(index.times, at);
	const cut = n ? index.seqs[n - 1] : 0;
	const from = checkpointAtOrBefore(index.checkpoints, cut);
	const [state, tail] = await Promise.all([readState(db, index.doc, from), readUpdates(db, index.doc, from, cut)]);
	const doc = new Y.Doc();
	applyAll(doc, state ? [state, ...tail] : tail);
	return doc;
}

/** The naive rebuild, for comparison: every update from the start up to `at`, no checkpoints. */
export async function docAtNaive(db: Db, doc: string, at: number): Promise<Y.Doc> {
	const rows = await db.select({ scenarioMs: docUpdates.scenarioMs, update: docUpdates.update }).from(docUpdates).where(eq(docUpdates.doc, doc)).orderBy(asc(docUpdates.seq));
	const times = replayTimes(rows.map((r) => r.scenarioMs));
	const n = rowsUpTo(times, at);
	const ydoc = new Y.Doc();
	applyAll(
		ydoc,
		rows.slice(0, n).map((r) => r.update)
	);
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

/** The exercise at scenario time `at` (review.read: after the end, never for players). */
export async function replayAt(db: Db, access: ExerciseAccess, query: unknown): Promise<ReplayFrame> {
	authorize(access, 'review.read');
	const q = parse(replayQuerySchema, query);
	return replayFrame(db, access.exercise.id, q.at, q.log);
}

export async function replayFrame(db: Db, exerciseId: string, at: number, logLimit = 200): Promise<ReplayFrame> {
	const [{ docs, log, endMs }, scenario, deliveries, acks] = await Promise.all([
		replayIndexes(db, exerciseId),
		exerciseScenario(db, exerciseId),
		deliveriesOf(db, exerciseId),
		db.select().from(injectAcks).where(eq(injectAcks.exerciseId, exerciseId))
	]);
	const layers: ReplayLayer[] = [];
	const tasks: TaskCard[] = [];
	const built = await Promise.all(docs.map((d) => (d.index ? docAt(db, d.index, at) : Promise.resolve(new Y.Doc()))));
	docs.forEach((d, i) => {
		const ydoc = built[i];
		layers.push({ key: d.key, agency: d.agency, geojson: docToFeatureCollection(ydoc, d.key) });
		if (d.agency) tasks.push(...listTasks(ydoc));
		ydoc.destroy();
	});
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
