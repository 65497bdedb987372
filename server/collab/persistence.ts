/**
 * The document store in Postgres: an append-only, attributed update log (`doc_updates`, seq gapless per
 * document) plus merged snapshots (`doc_snapshots`) that bound load time. Load = latest snapshot + tail.
 */
import { and, asc, desc, eq, gt } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Db } from '../../db/client';
import { docSnapshots, docUpdates } from '../../db/schema';

export interface NewUpdate {
	userId: string | null;
	agencyCode: string | null;
	wallTime: Date;
	scenarioMs: number | null;
	update: Uint8Array;
}

export interface Loaded {
	/** Seq of the last logged update (0 for a new document). */
	seq: number;
	/** Log rows applied on top of the snapshot. */
	tail: number;
}

/**
 * Applies the latest snapshot and every later update to `doc` in one transaction (one observer pass,
 * cheap). A row that fails to apply is reported and skipped so one bad row cannot lock a document.
 */
export async function loadDocument(db: Db, name: string, doc: Y.Doc, onBadRow: (seq: number, e: unknown) => void): Promise<Loaded> {
	const [snapshot] = await db
		.select({ seq: docSnapshots.seq, state: docSnapshots.state })
		.from(docSnapshots)
		.where(eq(docSnapshots.doc, name))
		.orderBy(desc(docSnapshots.seq))
		.limit(1);
	const from = snapshot?.seq ?? 0;
	const rows = await db
		.select({ seq: docUpdates.seq, update: docUpdates.update })
		.from(docUpdates)
		.where(and(eq(docUpdates.doc, name), gt(docUpdates.seq, from)))
		.orderBy(asc(docUpdates.seq));
	Y.transact(doc, () => {
		if (snapshot) Y.applyUpdate(doc, snapshot.state);
		for (const row of rows) {
			try {
				Y.applyUpdate(doc, row.update);
			} catch (e) {
				onBadRow(row.seq, e);
			}
		}
	});
	return { seq: rows.length ? rows[rows.length - 1].seq : from, tail: rows.length };
}

/** Stores the merged state of a document as of `seq`; an existing snapshot at that seq wins. */
export async function writeSnapshot(db: Db, name: string, seq: number, state: Uint8Array): Promise<void> {
	await db.insert(docSnapshots).values({ doc: name, seq, state }).onConflictDoNothing();
}

export interface LogHandlers<E> {
	/** Called in order, once per committed batch, right after its insert returned. */
	committed(batch: (E & { seq: number })[]): void;
	/** The insert failed: these entries (the batch and everything queued after it) are not stored. */
	failed(error: unknown, lost: (E & { seq: number })[]): void;
}

/**
 * Group commit for one document's log. The first update is inserted at once; updates that arrive while
 * an insert is in flight wait and go together in the next multi-row insert. Seqs are assigned on
 * append, so a room must be the only writer of its document (one process per document for now); after
 * a failure the log accepts nothing more and the room is rebuilt from the database.
 */
export class UpdateLog<E extends NewUpdate> {
	private queue: (E & { seq: number })[] = [];
	private draining: Promise<void> | null = null;
	private broken = false;

	constructor(
		private readonly db: Db,
		readonly doc: string,
		private lastSeq: number,
		private readonly handlers: LogHandlers<E>,
		private readonly limits = { rows: 500, bytes: 8 * 1024 * 1024 }
	) {}

	append(entry: E): void {
		if (this.broken) return;
		this.queue.push({ ...entry, seq: ++this.lastSeq });
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
			try {
				await this.db.insert(docUpdates).values(
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
			} catch (e) {
				this.fail(e, batch);
				return;
			}
			this.handlers.committed(batch);
		}
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
