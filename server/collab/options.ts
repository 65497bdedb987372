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
		awarenessChangeMs: o.awarenessChangeMs ?? 100,
		awarenessRenewalMs: o.awarenessRenewalMs ?? 5_000,
		pingIntervalMs: o.pingIntervalMs ?? 30_000,
		scenarioTime: o.scenarioTime ?? (() => null),
		allowedOrigins: o.allowedOrigins ?? [],
		log: o.log ?? console
	};
}
