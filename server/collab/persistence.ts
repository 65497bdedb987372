/**
 * The document store in Postgres: an append-only, attributed update log (`doc_updates`, seq gapless per
 * document) plus merged snapshots (`doc_snapshots`) that bound load time. Load = latest snapshot + tail.
 * Client-id owners (`doc_clients`, see ownership.ts) are stored no later than the update rows that
 * claim them: just before them when this process is the only writer, in their transaction otherwise.
 */
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Database, Db } from '../../db/client';
import type { InsertRows, Row } from '../../db/insert-rows';
import { docClients, docSnapshots, docUpdates } from '../../db/schema';
import type { TaskFacts } from '../../src/lib/domain/review/facts';
import { admitBatch, type Claiming, type Owner } from './ownership';

export interface NewUpdate extends Claiming {
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

/** Every client-id owner recorded for a document. */
export async function loadOwners(db: Db, name: string): Promise<Map<number, Owner>> {
	const rows = await db.select({ clientId: docClients.clientId, userId: docClients.userId }).from(docClients).where(eq(docClients.doc, name));
	return new Map(rows.map((r) => [r.clientId, r.userId]));
}

async function ownersOf(db: Db, name: string, ids: number[]): Promise<Map<number, Owner>> {
	const rows = await db
		.select({ clientId: docClients.clientId, userId: docClients.userId })
		.from(docClients)
		.where(and(eq(docClients.doc, name), inArray(docClients.clientId, ids)));
	return new Map(rows.map((r) => [r.clientId, r.userId]));
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
	/**
	 * Called for a batch that claimed client ids, right after it committed and before `committed`:
	 * the owners the database now holds for them, and the entries not stored because they write under
	 * someone else's id, or come from an origin that did (see `admitBatch`; dropped from the queue too).
	 */
	claimed?(owners: ReadonlyMap<number, Owner>, refused: E[]): void;
}

interface Stored<E> {
	kept: (E & { seq: number })[];
	refused: (E & { seq: number })[];
	missed: LoggedUpdate[];
	/** Null when the batch claimed nothing. */
	owners: Map<number, Owner> | null;
}

/**
 * How seqs are chosen. `local`: when stored, from the last seq this process knows (it is the only
 * writer). `shared` (several processes write the same document): inside the insert transaction, under
 * a per-document transaction-scoped advisory lock, after the highest stored seq; the rows after
 * `seen()` are read back in the same transaction so the caller can fill its gap before applying.
 */
export type Sequencing = { shared: false } | { shared: true; seen: () => number };

/**
 * Group commit for one document's log. The first update is inserted at once (on idle PGlite before
 * `append` returns); updates that arrive while an insert is in flight wait and go together in the next
 * multi-row insert. After a failure the log accepts nothing more and the room is rebuilt from the
 * database.
 */
export class UpdateLog<E extends NewUpdate> {
	private queue: (E & { seq: number })[] = [];
	private draining: Promise<void> | null = null;
	/** `storeNow` is running (a handler appending meanwhile leaves the entry to its loop). */
	private storingNow = false;
	private broken = false;
	private readonly insertRows: InsertRows;
	private readonly insertClaims: InsertRows;
	/** Single writer: the client ids this log has stored claims for. */
	private readonly storedClaims = new Map<number, Owner>();

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
		this.insertClaims = database.insertRows(docClients, [docClients.doc, docClients.clientId, docClients.userId]);
	}

	append(entry: E): void {
		if (this.broken) return;
		// The seq is given when it is stored, after any rows read back or entries refused there.
		this.queue.push({ ...entry, seq: 0 });
		this.kick();
	}

	/** Resolves once everything appended so far is committed or has failed. */
	async flushed(): Promise<void> {
		while (this.draining) await this.draining;
	}

	/** Starts draining unless already draining; also picks up entries that arrived as a drain ended. */
	private kick(): void {
		if (this.draining || this.storingNow || this.broken || !this.queue.length) return;
		if (this.storeNow()) return;
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

	/**
	 * Stores and reports batches before returning while the driver can insert synchronously (PGlite
	 * while idle), so an edit's frame, commit and relay share one call stack. Only for this process's
	 * own seqs and for batches that claim no client id (claims go through `storeAlone`); a busy database
	 * or such a batch is left to `drain`. Returns whether the queue was emptied.
	 */
	private storeNow(): boolean {
		const now = this.insertRows.now;
		if (!now || this.sequencing.shared) return false;
		this.storingNow = true;
		try {
			while (this.queue.length && !this.broken) {
				const batch = this.queue.slice(0, this.batchLength());
				if (batch.some((u) => u.claims?.length)) return false;
				let stored: boolean;
				try {
					stored = now(batch.map((u, i) => this.row(u, this.lastSeq + 1 + i)));
				} catch (e) {
					this.fail(e, this.queue.splice(0, batch.length));
					return true;
				}
				if (!stored) return false;
				this.queue.splice(0, batch.length);
				for (const u of batch) u.seq = ++this.lastSeq;
				try {
					this.handlers.committed(batch, []);
				} catch (e) {
					this.fail(e, []);
				}
			}
			return true;
		} finally {
			this.storingNow = false;
		}
	}

	/** Inserts batch after batch; a throw from a handler also breaks the log (the room then reloads). */
	private async drain(): Promise<void> {
		while (this.queue.length && !this.broken) {
			const batch = this.takeBatch();
			let stored: Stored<E>;
			try {
				stored = await this.store(batch);
			} catch (e) {
				this.fail(e, batch);
				return;
			}
			if (stored.owners) this.handlers.claimed?.(stored.owners, stored.refused.concat(this.dropQueued(stored.refused)));
			// A batch refused whole stores nothing; what it read back also comes on the bus.
			if (stored.kept.length) this.handlers.committed(stored.kept, stored.missed);
		}
	}

	/** Takes the queued entries of the origins just refused out of the queue. */
	private dropQueued(refused: (E & { seq: number })[]): (E & { seq: number })[] {
		if (!refused.length) return [];
		const origins = new Set(refused.map((u) => u.origin));
		const dropped = this.queue.filter((u) => origins.has(u.origin));
		this.queue = this.queue.filter((u) => !origins.has(u.origin));
		return dropped;
	}

	/** Stores a batch and numbers the rows it keeps. */
	private store(batch: (E & { seq: number })[]): Promise<Stored<E>> {
		const claims = [...new Set(batch.flatMap((u) => u.claims ?? []))];
		return this.sequencing.shared ? this.storeShared(batch, claims, this.sequencing.seen()) : this.storeAlone(batch, claims);
	}

	/**
	 * This process is the document's only writer, so the room's owners in memory are complete and
	 * refused foreign ids before they were queued: claims need no read and no transaction. They are
	 * stored before the rows, so a stored row never lacks its claim (a claim whose rows were then lost
	 * only keeps the id for its claimant, who re-sends them).
	 */
	private async storeAlone(batch: (E & { seq: number })[], claims: number[]): Promise<Stored<E>> {
		// A claim the room has not yet seen settled is asked for again by the sender's next update.
		const { kept, refused, claimed } = admitBatch(batch, this.storedClaims);
		for (const u of kept) u.seq = ++this.lastSeq;
		if (claimed.size) await this.insertClaims([...claimed].map(([clientId, userId]) => [this.doc, clientId, userId]));
		for (const [id, owner] of claimed) this.storedClaims.set(id, owner);
		if (kept.length) await this.insertRows(kept.map((u) => this.row(u, u.seq)));
		const owners = new Map(claims.map((id) => [id, this.storedClaims.get(id) ?? null]));
		return { kept, refused, missed: [], owners: claims.length ? owners : null };
	}

	/**
	 * Several processes write the document: one transaction. Writers of one document queue on the
	 * advisory lock, so each sees the previous one's rows and claims and seqs stay gapless; commit order
	 * is seq order, so a reader never sees seq n+1 without n.
	 */
	private storeShared(batch: (E & { seq: number })[], claims: number[], seen: number): Promise<Stored<E>> {
		return this.database.db.transaction(async (tx) => {
			const db = tx as unknown as Db;
			await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${this.doc}, 0))`);
			const missed = await updatesAfter(db, this.doc, seen);
			const owners = claims.length ? await ownersOf(db, this.doc, claims) : new Map<number, Owner>();
			const { kept, refused, claimed } = admitBatch(batch, owners);
			let next = missed.length ? missed[missed.length - 1].seq : seen;
			for (const u of kept) u.seq = ++next;
			// No ON CONFLICT: claims of one document are serialized by the lock, so a conflict would
			// mean a broken assumption, and must fail rather than share an id.
			if (claimed.size) await db.insert(docClients).values([...claimed].map(([clientId, userId]) => ({ doc: this.doc, clientId, userId })));
			if (kept.length) await this.insertInTransaction(db, kept);
			return { kept, refused, missed, owners: claims.length ? new Map([...owners, ...claimed]) : null };
		});
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

	private row(u: E, seq: number): Row {
		return [this.doc, seq, u.userId, u.agencyCode, u.wallTime.toISOString(), u.scenarioMs, u.update];
	}

	private takeBatch(): (E & { seq: number })[] {
		return this.queue.splice(0, this.batchLength());
	}

	/** How many queued entries the next batch takes: up to the row and byte limits, at least one. */
	private batchLength(): number {
		let n = 0;
		let bytes = 0;
		while (n < this.queue.length && n < this.limits.rows && (n === 0 || bytes + this.queue[n].update.length <= this.limits.bytes)) {
			bytes += this.queue[n].update.length;
			n++;
		}
		return n;
	}
}
