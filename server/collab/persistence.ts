/**
 * The document store in Postgres: an append-only, attributed update log (`doc_updates`, seq gapless per
 * document) plus merged snapshots (`doc_snapshots`) that bound load time. Load = latest snapshot + tail.
 */
import { and, asc, desc, eq, gt, isNotNull, isNull, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Database, Db } from '../../db/client';
import type { InsertRows } from '../../db/insert-rows';
import { docSnapshots, docUpdates } from '../../db/schema';
import type { TaskFacts } from '../../src/lib/domain/review/facts';

export interface NewUpdate {
	userId: string | null;
	agencyCode: string | null;
	wallTime: Date;
	scenarioMs: number | null;
	update: Uint8Array;
}

/** A stored log row with its attribution (what replaying it into a task history needs). */
export interface LoggedUpdate {
	seq: number;
	update: Uint8Array;
	userId: string | null;
	scenarioMs: number | null;
}

export interface StoredDocument {
	/** The snapshot loading starts from (null: from the first update). */
	snapshot: { seq: number; state: Uint8Array; tasks: TaskFacts[] | null } | null;
	/** Every row after the snapshot, in seq order. */
	rows: LoggedUpdate[];
}

const rowColumns = { seq: docUpdates.seq, update: docUpdates.update, userId: docUpdates.userId, scenarioMs: docUpdates.scenarioMs };

/**
 * Reads what loading a document needs: the latest snapshot and every later row. `withHistory`
 * (agency documents): the latest snapshot that carries a task history, else none, so the loader can
 * continue (or start) the history over the rows after it. Documents logged before histories were
 * recorded are read from their first row once; the room's next snapshot then carries one.
 */
export async function readDocument(db: Db, name: string, withHistory = false): Promise<StoredDocument> {
	const [snapshot] = await db
		.select({ seq: docSnapshots.seq, state: docSnapshots.state, tasks: docSnapshots.tasks })
		.from(docSnapshots)
		.where(withHistory ? and(eq(docSnapshots.doc, name), isNotNull(docSnapshots.tasks)) : eq(docSnapshots.doc, name))
		.orderBy(desc(docSnapshots.seq))
		.limit(1);
	return { snapshot: snapshot ?? null, rows: await updatesAfter(db, name, snapshot?.seq ?? 0) };
}

/**
 * Applies the latest snapshot and every later update to `doc` in one transaction (one observer pass,
 * cheap). A row that fails to apply is reported and skipped so one bad row cannot lock a document.
 * Returns the seq of the last logged update (0 for a new document).
 */
export async function loadDocument(db: Db, name: string, doc: Y.Doc, onBadRow: (seq: number, e: unknown) => void): Promise<number> {
	const { snapshot, rows } = await readDocument(db, name);
	Y.transact(doc, () => {
		if (snapshot) Y.applyUpdate(doc, snapshot.state);
		for (const row of rows) applyLoggedRow(doc, row, onBadRow);
	});
	return rows.at(-1)?.seq ?? snapshot?.seq ?? 0;
}

/** Applies one stored row; a row Yjs cannot apply is reported, not thrown (it changed nothing). */
export function applyLoggedRow(doc: Y.Doc, row: Pick<LoggedUpdate, 'seq' | 'update'>, onBadRow: (seq: number, e: unknown) => void): void {
	try {
		Y.applyUpdate(doc, row.update);
	} catch (e) {
		onBadRow(row.seq, e);
	}
}

/**
 * Stores the merged state of a document as of `seq`, with the task history up to it for agency
 * documents. An existing snapshot at that seq wins, except that a history fills one that lacks it.
 */
export async function writeSnapshot(db: Db, name: string, seq: number, state: Uint8Array, tasks: TaskFacts[] | null = null): Promise<void> {
	const insert = db.insert(docSnapshots).values({ doc: name, seq, state, tasks });
	if (!tasks) await insert.onConflictDoNothing();
	else await insert.onConflictDoUpdate({ target: [docSnapshots.doc, docSnapshots.seq], set: { tasks }, setWhere: isNull(docSnapshots.tasks) });
}

/** Rows of a document's log after `seq`, in order (loading, and catch-up of a room others also write). */
export async function updatesAfter(db: Db, name: string, seq: number): Promise<LoggedUpdate[]> {
	return db
		.select(rowColumns)
		.from(docUpdates)
		.where(and(eq(docUpdates.doc, name), gt(docUpdates.seq, seq)))
		.orderBy(asc(docUpdates.seq));
}

export interface LogHandlers<E> {
	/**
	 * Called in order, once per committed batch, right after its insert returned. With shared
	 * sequencing `missed` holds the rows other processes logged between `seen()` and the batch.
	 */
	committed(batch: (E & { seq: number })[], missed: LoggedUpdate[]): void;
	/** The insert failed: these entries (the batch and everything queued after it) are not stored. */
	failed(error: unknown, lost: (E & { seq: number })[]): void;
}

/**
 * How seqs are chosen. `local`: on append, from the last seq this process knows (it is the only
 * writer). `shared` (several processes write the same document): inside the insert transaction, under
 * a per-document transaction-scoped advisory lock, after the highest stored seq; the rows after
 * `seen()` are read back in the same transaction so the caller can fill its gap before applying.
 */
export type Sequencing = { shared: false } | { shared: true; seen: () => number };

/**
 * Group commit for one document's log. The first update is inserted at once; updates that arrive while
 * an insert is in flight wait and go together in the next multi-row insert. After a failure the log
 * accepts nothing more and the room is rebuilt from the database.
 */
export class UpdateLog<E extends NewUpdate> {
	private queue: (E & { seq: number })[] = [];
	private draining: Promise<void> | null = null;
	private broken = false;
	private readonly insertRows: InsertRows;

	constructor(
		private readonly database: Database,
		readonly doc: string,
		private lastSeq: number,
		private readonly handlers: LogHandlers<E>,
		private readonly sequencing: Sequencing = { shared: false },
		private readonly limits = { rows: 500, bytes: 8 * 1024 * 1024 }
	) {
		const u = docUpdates;
		this.insertRows = database.insertRows(u, [u.doc, u.seq, u.userId, u.agencyCode, u.wallTime, u.scenarioMs, u.update]);
	}

	append(entry: E): void {
		if (this.broken) return;
		// Shared: a placeholder, the real seq is allocated in the insert transaction.
		this.queue.push({ ...entry, seq: this.sequencing.shared ? 0 : ++this.lastSeq });
		this.kick();
	}

	/** Resolves once everything appended so far is committed or has failed. */
	async flushed(): Promise<void> {
		while (this.draining) await this.draining;
	}

	/** Starts draining unless already draining; also picks up entries that arrived as a drain ended. */
	private kick(): void {
		if (this.draining || this.broken || !this.queue.length) return;
		this.draining = this.drain()
			.catch((e) => this.fail(e, []))
			.finally(() => {
				this.draining = null;
				this.kick();
			});
	}

	private fail(error: unknown, lost: (E & { seq: number })[]): void {
		this.broken = true;
		this.handlers.failed(error, lost.concat(this.queue.splice(0)));
	}

	/** Inserts batch after batch; a throw from `committed` also breaks the log (the room then reloads). */
	private async drain(): Promise<void> {
		while (this.queue.length && !this.broken) {
			const batch = this.takeBatch();
			let missed: LoggedUpdate[] = [];
			try {
				if (this.sequencing.shared) missed = await this.insertShared(batch, this.sequencing.seen());
				else await this.insertRows(batch.map((u) => [this.doc, u.seq, u.userId, u.agencyCode, u.wallTime.toISOString(), u.scenarioMs, u.update]));
			} catch (e) {
				this.fail(e, batch);
				return;
			}
			this.handlers.committed(batch, missed);
		}
	}

	/** The shared path's insert: through drizzle, on the transaction's connection (insertRows cannot join it). */
	private async insertInTransaction(db: Db, batch: (E & { seq: number })[]): Promise<void> {
		await db.insert(docUpdates).values(
			batch.map((u) => ({
				doc: this.doc,
				seq: u.seq,
				userId: u.userId,
				agencyCode: u.agencyCode,
				wallTime: u.wallTime,
				scenarioMs: u.scenarioMs,
				update: u.update
			}))
		);
	}

	/**
	 * Writers of one document queue on the advisory lock, so each sees the previous one's rows and
	 * seqs stay gapless; commit order is seq order, so a reader never sees seq n+1 without n.
	 */
	private insertShared(batch: (E & { seq: number })[], seen: number): Promise<LoggedUpdate[]> {
		return this.database.db.transaction(async (tx) => {
			await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${this.doc}, 0))`);
			const missed = await updatesAfter(tx as unknown as Db, this.doc, seen);
			let next = missed.length ? missed[missed.length - 1].seq : seen;
			for (const u of batch) u.seq = ++next;
			await this.insertInTransaction(tx as unknown as Db, batch);
			return missed;
		});
	}

	private takeBatch(): (E & { seq: number })[] {
		let n = 0;
		let bytes = 0;
		while (n < this.queue.length && n < this.limits.rows && (n === 0 || bytes + this.queue[n].update.length <= this.limits.bytes)) {
			bytes += this.queue[n].update.length;
			n++;
		}
		return this.queue.splice(0, n);
	}
}
