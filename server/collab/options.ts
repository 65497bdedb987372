import type { DocBus } from './bus';

/** Tunables of the collaboration server; the defaults suit one process serving a city's exercise. */
export interface CollabOptions {
	/** Largest accepted frame; `ws` closes a connection that sends more with 1009. */
	maxMessageBytes?: number;
	/** Per-connection message rate (token bucket); exceeding it closes with 4008. */
	messagesPerSecond?: number;
	messageBurst?: number;
	/** Write a merged snapshot after this many logged updates. */
	snapshotEvery?: number;
	/** …and when a room has been quiet this long, or unloads, with at least `snapshotMinTail` updates not in one. */
	snapshotIdleMs?: number;
	snapshotMinTail?: number;
	/** Keep a room in memory this long after its last client left (a page reload rejoins cheaply). */
	unloadDelayMs?: number;
	/** How often exercise statuses are re-read (ending an exercise stops writes within this). */
	statusRefreshMs?: number;
	/** How long an exercise's status and members read for admissions are reused (status changes made through this process drop them at once). */
	admissionCacheMs?: number;
	/** How often open sockets' sessions are checked (sessions ended in this process close their sockets at once). */
	sessionSweepMs?: number;
	/** Awareness relay windows: after a real change, and for bare renewals. */
	awarenessChangeMs?: number;
	awarenessRenewalMs?: number;
	/** Ping interval; a connection that missed a whole interval's pong is dropped. */
	pingIntervalMs?: number;
	/** Scenario (exercise clock) time recorded with each update; null until there is a clock. */
	scenarioTime?: (exerciseId: string) => number | null;
	/** Browser origins allowed besides the request's own host (e.g. the public ORIGIN behind a proxy). */
	allowedOrigins?: string[];
	log?: Pick<Console, 'info' | 'warn' | 'error'>;
	/**
	 * Multi-process mode: the relay to the other processes serving the same documents (see
	 * server/scale). Seqs are then allocated in the database and rooms catch up from it. Null: alone.
	 */
	bus?: DocBus | null;
	/** Multi-process mode: how often rooms read other processes' changes from the database while the bus is down. */
	busDownPollMs?: number;
	/**
	 * How long an upgrade waits for its admission queries and the document load before it is answered
	 * 1011 (the client retries). A guard against a database query that never settles (postgres.js 3.4.9
	 * can hang a query when a connection closes during its start-up, porsager/postgres#1193).
	 */
	loadTimeoutMs?: number;
}

export type ResolvedOptions = Required<CollabOptions>;

export function resolveOptions(o: CollabOptions = {}): ResolvedOptions {
	return {
		maxMessageBytes: o.maxMessageBytes ?? 2 * 1024 * 1024,
		messagesPerSecond: o.messagesPerSecond ?? 100,
		messageBurst: o.messageBurst ?? 200,
		snapshotEvery: o.snapshotEvery ?? 500,
		snapshotIdleMs: o.snapshotIdleMs ?? 30_000,
		snapshotMinTail: o.snapshotMinTail ?? 20,
		unloadDelayMs: o.unloadDelayMs ?? 5_000,
		statusRefreshMs: o.statusRefreshMs ?? 1_000,
		admissionCacheMs: o.admissionCacheMs ?? 1_000,
		sessionSweepMs: o.sessionSweepMs ?? 10_000,
		awarenessChangeMs: o.awarenessChangeMs ?? 100,
		awarenessRenewalMs: o.awarenessRenewalMs ?? 5_000,
		pingIntervalMs: o.pingIntervalMs ?? 30_000,
		scenarioTime: o.scenarioTime ?? (() => null),
		allowedOrigins: o.allowedOrigins ?? [],
		log: o.log ?? console,
		bus: o.bus ?? null,
		busDownPollMs: o.busDownPollMs ?? 1000,
		loadTimeoutMs: o.loadTimeoutMs ?? 10_000
	};
}

/** Rejects when `promise` has not settled within `ms` (the promise itself carries on). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	return Promise.race([
		promise,
		new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
		})
	]).finally(() => clearTimeout(timer));
}
