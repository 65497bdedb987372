/**
 * One shared document in memory: its Y.Doc, its connections, its log and its awareness.
 *
 * Invariant: the in-memory doc holds only committed log rows: every row up to `seenSeq`, plus the
 * later rows in `ahead`. Client updates are checked, appended to the log, and applied and relayed only
 * once their insert has returned, so every byte any client ever receives (relay or join state) is
 * already in Postgres. In multi-process mode rows other processes logged arrive on the bus (applied,
 * relayed, never stored again); a gap in their seqs, a bus outage or a reconnect is filled from the
 * database (`catchUp`). Each Yjs client id belongs to one user (ownership.ts): an update writing under
 * someone else's is refused like a write on a read-only connection.
 */
import * as Y from 'yjs';
import type { Database } from '../../db/client';
import type { BoardDoc } from '../../src/lib/board/docs';
import { mayWriteDoc, type ExerciseStatuses, type StatusReading } from './access';
import { AwarenessRelay } from './awareness';
import type { Connection } from './connection';
import type { ResolvedOptions } from './options';
import type { BusMessage } from './bus';
import { TaskHistoryRecorder } from '../../src/lib/board/task-history';
import { ClientOwners, type Owner } from './ownership';
import { applyLoggedRow, loadOwners, readDocument, updatesAfter, UpdateLog, writeSnapshot, type LoggedUpdate, type NewUpdate } from './persistence';
import { CLOSE, encodeSyncStep1, encodeSyncStep2, encodeUpdate, MalformedMessage, type ClientMessage } from './protocol';
import type { CollabCounters } from './stats';
import { updateEffect } from './updates';

export interface RoomDeps {
	database: Database;
	options: ResolvedOptions;
	counters: CollabCounters;
	statuses: ExerciseStatuses;
	/** The room can no longer persist; the registry forgets it so the next join reloads from the database. */
	evict(room: Room): void;
}

type Pending = NewUpdate & {
	/** The connection that sent it (null: written by the server). */
	origin: Connection | null;
	/** Settles when the update is committed or lost (server-authored changes wait on it). */
	done?: (error?: unknown) => void;
};

export class Room {
	readonly doc = new Y.Doc();
	readonly connections = new Set<Connection>();
	readonly awareness: AwarenessRelay;
	/** Connections, joins in progress and server transactions holding the room in memory. */
	refs = 0;
	ready: Promise<void> = Promise.resolve();
	unloadTimer: ReturnType<typeof setTimeout> | null = null;
	private log!: UpdateLog<Pending>;
	/** Every log row up to this seq is in `doc`. */
	private seenSeq = 0;
	/** Rows after `seenSeq` already in `doc` (multi-process mode: received out of order). */
	private readonly ahead = new Set<number>();
	/** Bus messages that arrived while the room was loading. */
	private early: BusMessage[] | null = [];
	private unsubscribe = () => {};
	private catchingUp: Promise<void> | null = null;
	private gapTimer: ReturnType<typeof setTimeout> | null = null;
	private sinceSnapshot = 0;
	private snapshotting: Promise<void> | null = null;
	private idleTimer: ReturnType<typeof setTimeout> | null = null;
	private unwatch = () => {};
	private failed = false;
	private destroyed = false;
	/** Encodings derived from the doc, reused by every joiner until the doc changes. */
	private cache: { state?: Uint8Array; stateVector?: Uint8Array; fullReply?: Uint8Array; currentReply?: Uint8Array } = {};
	/** The sender of a batch is not sent its own changes back. */
	private relaySkip: Connection | null = null;
	/** Yjs client id for server-authored changes while this room is loaded. */
	private readonly serverClientId = Math.floor(Math.random() * 0xffffffff);
	private serverQueue: Promise<void> = Promise.resolve();
	/** Agency documents: the task-card history, recorded as rows are applied and stored with snapshots. */
	private history: TaskHistoryRecorder | null = null;
	/** Who owns which Yjs client id; presence names a tab's id before it writes. */
	private readonly owners = new ClientOwners((id) => this.awareness.userOf(id));

	constructor(
		readonly name: string,
		readonly ref: BoardDoc,
		private readonly deps: RoomDeps
	) {
		this.awareness = new AwarenessRelay(this.doc, { changeMs: deps.options.awarenessChangeMs, renewalMs: deps.options.awarenessRenewalMs }, (m) =>
			this.broadcast(m, null)
		);
	}

	async load(status: StatusReading | null): Promise<void> {
		const { database, options } = this.deps;
		const bus = options.bus;
		// Subscribe first: whatever is logged after the load's read arrives on the bus.
		if (bus) {
			this.unsubscribe = await bus.subscribe(this.name, (m) => this.fromBus(m));
			if (this.destroyed) {
				this.unsubscribe();
				throw new Error(`${this.name} was unloaded while loading`);
			}
			this.awareness.publish = (update) => bus.publish(this.name, { kind: 'awareness', update });
		}
		const agency = this.ref.kind === 'agency' ? this.ref.agency : null;
		// One query after the other: a load never needs a second pooled connection (see docs/architecture.md, postgres.js #1193).
		const { snapshot, rows } = await readDocument(database.db, this.name, agency !== null);
		this.owners.settle(await loadOwners(database.db, this.name));
		// Given up on (a load that took too long) and destroyed meanwhile: set nothing up.
		if (this.destroyed) throw new Error(`${this.name} was unloaded while loading`);
		if (snapshot) Y.applyUpdate(this.doc, snapshot.state);
		if (agency !== null) this.history = new TaskHistoryRecorder(this.doc, agency, snapshot?.tasks ?? []);
		this.applyRows(rows);
		const seq = rows.at(-1)?.seq ?? snapshot?.seq ?? 0;
		this.seenSeq = seq;
		this.sinceSnapshot = rows.length;
		this.log = new UpdateLog<Pending>(
			database,
			this.name,
			seq,
			{
				committed: (batch, missed) => this.committed(batch, missed),
				failed: (e, lost) => this.fail(e, lost),
				claimed: (owners, refused) => this.claimed(owners, refused)
			},
			bus ? { shared: true, seen: () => this.seenSeq } : { shared: false }
		);
		this.doc.on('update', this.relay);
		this.unwatch = this.deps.statuses.watch(this.ref.exerciseId, status);
		const early = this.early ?? [];
		this.early = null;
		for (const m of early) this.fromBus(m);
	}

	/** A message from another process: committed rows (apply and relay, never store) or presence. */
	private fromBus(message: BusMessage): void {
		if (this.destroyed || this.failed) return;
		if (this.early) {
			this.early.push(message);
			return;
		}
		if (message.kind === 'awareness') this.awareness.applyRemote(message.update);
		else this.applyLogged(message.updates);
	}

	/** Applies stored rows not yet in the doc (one transaction, one relay), then looks for gaps. */
	private applyLogged(rows: LoggedUpdate[]): void {
		const fresh = rows.filter((r) => r.seq > this.seenSeq && !this.ahead.has(r.seq));
		if (fresh.length) {
			this.applyRows(fresh);
			for (const r of fresh) this.markSeen(r.seq);
			this.sinceSnapshot += fresh.length;
			this.snapshotSoon();
		}
		if (this.ahead.size) this.gapSoon();
	}

	/**
	 * Applies stored rows and relays what they change. Without a task history: one transaction, one
	 * relay message. With one: a transaction per row, so each change is attributed to its row, and one
	 * relay message per row that changed something (never `Y.mergeUpdates`: super-linear in size).
	 */
	private applyRows(rows: readonly LoggedUpdate[]): void {
		const onBadRow = (seq: number, e: unknown) => this.deps.options.log.error(`[collab] ${this.name}: update ${seq} did not apply:`, e);
		const history = this.history;
		if (!history) {
			Y.transact(this.doc, () => {
				for (const r of rows) applyLoggedRow(this.doc, r, onBadRow);
			});
			return;
		}
		for (const r of rows) {
			applyLoggedRow(this.doc, r, onBadRow);
			history.record(r.scenarioMs ?? 0, r.userId);
		}
	}

	private markSeen(seq: number): void {
		if (seq <= this.seenSeq) return;
		this.ahead.add(seq);
		while (this.ahead.delete(this.seenSeq + 1)) this.seenSeq++;
	}

	/** A seq is missing: give the bus a moment (processes publish in their own order), then read the database. */
	private gapSoon(): void {
		if (this.gapTimer) return;
		this.gapTimer = setTimeout(() => {
			this.gapTimer = null;
			if (this.ahead.size) void this.catchUp();
		}, 200);
	}

	/**
	 * Multi-process mode: applies whatever other processes logged after `seenSeq` (after a gap, while
	 * the bus is down, after it reconnects). Resolves when done; errors are logged and retried later.
	 */
	catchUp(): Promise<void> {
		if (this.destroyed || this.failed || this.early || !this.deps.options.bus) return Promise.resolve();
		return (this.catchingUp ??= updatesAfter(this.deps.database.db, this.name, this.seenSeq)
			.then(
				(rows) => this.applyLogged(rows),
				(e) => this.deps.options.log.error(`[collab] ${this.name}: catching up from the database failed:`, e)
			)
			.finally(() => (this.catchingUp = null)));
	}

	/** The highest seq of the log this room holds entirely (for tests and diagnostics). */
	get seq(): number {
		return this.seenSeq;
	}

	mayWrite(conn: Connection): boolean {
		return mayWriteDoc(conn.principal, this.ref, this.deps.statuses.status(this.ref.exerciseId));
	}

	/** A new connection: ask writers for what they have that we lack, and show who is here. */
	join(conn: Connection): void {
		this.connections.add(conn);
		// Read-only connections are not asked, so a stock client never re-offers a refused change.
		if (this.mayWrite(conn)) conn.send(encodeSyncStep1((this.cache.stateVector ??= Y.encodeStateVector(this.doc))));
		const states = this.awareness.statesMessage();
		if (states) conn.send(states);
	}

	leave(conn: Connection): void {
		this.connections.delete(conn);
		this.awareness.release(conn);
	}

	/** Handles one decoded client message; throws MalformedMessage for content that does not decode. */
	receive(conn: Connection, message: ClientMessage): void {
		switch (message.type) {
			case 'sync-step1':
				conn.send(this.syncReply(message.stateVector));
				return;
			case 'sync-step2':
			case 'update':
				this.receiveUpdate(conn, message.update);
				return;
			case 'awareness':
				this.awareness.apply(conn, message.update);
				return;
			case 'query-awareness': {
				const states = this.awareness.statesMessage();
				if (states) conn.send(states);
				return;
			}
		}
	}

	private receiveUpdate(conn: Connection, update: Uint8Array): void {
		const { changes, authors } = updateEffect(this.doc, update);
		if (!this.mayWrite(conn)) {
			// A read-only client replaying nothing new (e.g. an empty SyncStep2) is not an offence.
			if (changes) conn.refuseWrite(this.ref.kind === 'control' ? 'the control document is written by the server only' : 'read-only for you now');
			return;
		}
		if (!changes || this.failed) return;
		const { principal } = conn;
		const verdict = this.owners.admit(principal.userId, authors);
		if ('foreign' in verdict) {
			this.refuseForeign(conn, verdict.foreign);
			return;
		}
		this.log.append({
			userId: principal.userId,
			agencyCode: principal.agency,
			wallTime: new Date(),
			scenarioMs: this.deps.options.scenarioTime(this.ref.exerciseId),
			update: update.slice(), // the frame's buffer may be shared; the log keeps its own copy
			claims: verdict.claims,
			origin: conn
		});
	}

	private refuseForeign(conn: Connection, clientId: number | undefined): void {
		this.deps.counters.foreignClientIds++;
		// Multi-process: a client coming from a process this one lags behind re-offers others' stored
		// changes, which look new here; catching up lets its retry pass.
		void this.catchUp();
		conn.refuseWrite(clientId === undefined ? 'a client id of this change belongs to someone else' : `client id ${clientId} belongs to someone else`);
	}

	/**
	 * A batch's claims were settled in the database: remember its owners, and refuse the senders of
	 * the entries it did not store (claims another process's client settled first).
	 */
	private claimed(owners: ReadonlyMap<number, Owner>, refused: Pending[]): void {
		this.owners.settle(owners, refused.flatMap((u) => u.claims ?? []));
		const told = new Set<Connection>();
		for (const u of refused) {
			u.done?.(this.serverIdTaken());
			if (!u.origin || told.has(u.origin)) continue;
			told.add(u.origin);
			this.refuseForeign(u.origin, u.claims?.find((id) => owners.has(id) && owners.get(id) !== u.userId));
		}
	}

	/** The SyncStep2 answering a state vector; the common cases (new client, up-to-date client) are cached. */
	private syncReply(stateVector: Uint8Array): Uint8Array {
		let theirs: Map<number, number>;
		try {
			theirs = Y.decodeStateVector(stateVector);
		} catch {
			throw new MalformedMessage('bad state vector');
		}
		if (theirs.size === 0) return (this.cache.fullReply ??= encodeSyncStep2(this.encodedState()));
		if (this.coveredBy(theirs)) {
			this.cache.stateVector ??= Y.encodeStateVector(this.doc);
			// Nothing they lack but deletions: the reply is the same for everyone this up to date.
			return (this.cache.currentReply ??= encodeSyncStep2(Y.encodeStateAsUpdate(this.doc, this.cache.stateVector)));
		}
		return encodeSyncStep2(Y.encodeStateAsUpdate(this.doc, stateVector));
	}

	private coveredBy(theirs: Map<number, number>): boolean {
		for (const client of this.doc.store.clients.keys()) {
			if ((theirs.get(client) ?? 0) < Y.getState(this.doc.store, client)) return false;
		}
		return true;
	}

	private encodedState(): Uint8Array {
		return (this.cache.state ??= Y.encodeStateAsUpdate(this.doc));
	}

	/**
	 * A batch is in Postgres: relay and apply it, and settle its waiters. `missed`: rows other
	 * processes logged just before it (multi-process mode), applied first.
	 */
	private committed(batch: (Pending & { seq: number })[], missed: LoggedUpdate[]): void {
		this.deps.counters.updatesLogged += batch.length;
		const gap = missed.filter((r) => r.seq > this.seenSeq && !this.ahead.has(r.seq));
		const rows: LoggedUpdate[] = batch.map((u) => ({ seq: u.seq, update: u.update, userId: u.userId, scenarioMs: u.scenarioMs }));
		if (rows.length === 1 && !gap.length && !this.hasPending()) this.relayThenApply(rows[0], batch[0].origin);
		else this.applyAndRelay([...gap, ...rows], batch);
		for (const r of gap) this.markSeen(r.seq);
		for (const u of batch) this.markSeen(u.seq);
		this.deps.options.bus?.publish(this.name, { kind: 'updates', updates: rows });
		for (const u of batch) u.done?.();
		this.sinceSnapshot += batch.length + gap.length;
		this.snapshotSoon();
	}

	/**
	 * The usual case, one row: its bytes as logged go out first and the doc applies them after, so an
	 * edit's relay waits for no Yjs work (≈ 0.2 ms of each edit's latency, bench/README.md). Receivers
	 * end up the same: the row holds what the doc's update event would relay, plus at most parts they
	 * already have. Only while the doc holds nothing pending: rows relayed by `applyAndRelay` leave out
	 * pending parts, and a later row completing them must be relayed by the doc's event, which has them.
	 */
	private relayThenApply(row: LoggedUpdate, origin: Connection | null): void {
		this.broadcast(encodeUpdate(row.update), origin);
		this.cache = {};
		// Without an update listener Yjs does not encode the transaction's update at all.
		this.doc.off('update', this.relay);
		try {
			this.applyRows([row]);
		} finally {
			this.doc.on('update', this.relay);
		}
	}

	/** Applies rows in one transaction where possible, so the doc's update event relays them as one message. */
	private applyAndRelay(rows: LoggedUpdate[], batch: Pending[]): void {
		const origins = new Set(batch.map((u) => u.origin));
		// The sender is not sent its own changes back, unless the message also carries others' rows.
		this.relaySkip = origins.size === 1 && rows.length === batch.length ? [...origins][0] : null;
		try {
			this.applyRows(rows);
		} finally {
			this.relaySkip = null;
		}
	}

	private hasPending(): boolean {
		return this.doc.store.pendingStructs !== null || this.doc.store.pendingDs !== null;
	}

	/** The doc's update listener: every change it applies goes to the room (but see relayThenApply). */
	private readonly relay = (update: Uint8Array): void => {
		this.cache = {};
		this.broadcast(encodeUpdate(update), this.relaySkip);
	};

	private broadcast(message: Uint8Array, skip: Connection | null): void {
		for (const conn of this.connections) if (conn !== skip) conn.send(message);
	}

	/** Persistence failed: the doc may now lag what clients sent, so drop everyone and start over. */
	private fail(error: unknown, lost: Pending[]): void {
		this.failed = true;
		this.deps.options.log.error(`[collab] ${this.name}: could not store ${lost.length} update(s); closing the room:`, error);
		for (const u of lost) u.done?.(error);
		this.deps.evict(this);
		for (const conn of this.connections) conn.close(CLOSE.internalError, 'storage failed, reconnect');
	}

	private snapshotSoon(): void {
		const { snapshotEvery, snapshotIdleMs, snapshotMinTail } = this.deps.options;
		if (this.idleTimer) clearTimeout(this.idleTimer);
		this.idleTimer = null;
		if (this.sinceSnapshot >= snapshotEvery) void this.snapshot();
		else if (this.sinceSnapshot >= snapshotMinTail) this.idleTimer = setTimeout(() => void this.snapshot(), snapshotIdleMs);
	}

	/** Writes the merged state as of the last committed seq (encodeStateAsUpdate, never mergeUpdates). */
	private snapshot(): Promise<void> {
		if (this.snapshotting || this.failed || this.sinceSnapshot === 0) return this.snapshotting ?? Promise.resolve();
		// Rows in `ahead` may be in the state too: re-applying them on load is harmless (Yjs is idempotent).
		const seq = this.seenSeq;
		const count = this.sinceSnapshot;
		this.sinceSnapshot = 0;
		this.snapshotting = writeSnapshot(this.deps.database.db, this.name, seq, this.encodedState(), this.history?.history() ?? null)
			.then(
				() => void this.deps.counters.snapshotsWritten++,
				(e) => {
					this.sinceSnapshot += count;
					this.deps.options.log.error(`[collab] ${this.name}: snapshot at ${seq} failed:`, e);
				}
			)
			.finally(() => (this.snapshotting = null));
		return this.snapshotting;
	}

	/**
	 * Applies a change written by the server (user null) through the same log. `fn` edits a copy of
	 * the doc, so the live doc keeps holding only committed state; calls are serialized so the server's
	 * client id never authors two changes from the same starting clock.
	 */
	transact(fn: (doc: Y.Doc) => void, scenarioMs?: number): Promise<void> {
		const run = this.serverQueue.then(() => this.transactNow(fn, scenarioMs));
		this.serverQueue = run.catch(() => {});
		return run;
	}

	private transactNow(fn: (doc: Y.Doc) => void, scenarioMs?: number): Promise<void> {
		if (this.failed || this.destroyed) return Promise.reject(new Error(`${this.name} is not available`));
		const copy = new Y.Doc();
		Y.applyUpdate(copy, this.encodedState());
		// Only now: a copy whose own id appears in the state it loads would pick a new id.
		copy.clientID = this.serverClientId;
		let change: Uint8Array | null = null;
		copy.on('update', (u: Uint8Array) => (change = u));
		try {
			copy.transact(() => fn(copy));
		} finally {
			copy.destroy();
		}
		if (!change) return Promise.resolve();
		const update: Uint8Array = change;
		const verdict = this.owners.admit(null, [this.serverClientId]);
		if ('foreign' in verdict) return Promise.reject(this.serverIdTaken());
		return new Promise((resolve, reject) =>
			this.log.append({
				userId: null,
				agencyCode: null,
				wallTime: new Date(),
				scenarioMs: scenarioMs ?? this.deps.options.scenarioTime(this.ref.exerciseId),
				update,
				claims: verdict.claims,
				origin: null,
				done: (e) => (e ? reject(e) : resolve())
			})
		);
	}

	/** A user claimed the server's random client id first (a clash, or presence announcing it). */
	private serverIdTaken(): Error {
		return new Error(`${this.name}: the server's client id ${this.serverClientId} belongs to someone else`);
	}

	/** Before unloading or shutting down: finish server changes and inserts, snapshot if worthwhile. */
	async quiesce(): Promise<void> {
		await this.serverQueue;
		await this.log?.flushed();
		await this.snapshotting;
		if (this.sinceSnapshot >= this.deps.options.snapshotMinTail) await this.snapshot();
	}

	destroy(): void {
		if (this.destroyed) return;
		this.destroyed = true;
		if (this.idleTimer) clearTimeout(this.idleTimer);
		if (this.unloadTimer) clearTimeout(this.unloadTimer);
		if (this.gapTimer) clearTimeout(this.gapTimer);
		this.unsubscribe();
		this.unwatch();
		this.awareness.destroy();
		this.history?.stop();
		this.doc.destroy();
	}
}
