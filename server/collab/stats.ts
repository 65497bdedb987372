/** Counters exposed by the collab handle (for tests, logs and later a metrics endpoint). */
export interface CollabCounters {
	/** Upgrades answered with 4401/4403. */
	refusedUpgrades: number;
	/** Changing updates dropped because the connection may not write (closed with 4003). */
	refusedWrites: number;
	/** Of those, updates writing under a Yjs client id another user or the server owns (ownership.ts). */
	foreignClientIds: number;
	/** Connections closed for undecodable or disallowed frames (4400). */
	malformed: number;
	/** Connections closed for exceeding the message rate (4008). */
	rateLimited: number;
	/** Connections closed for a frame above the size limit (1009). */
	tooBig: number;
	updatesLogged: number;
	snapshotsWritten: number;
}

export interface CollabStats extends CollabCounters {
	rooms: number;
	connections: number;
	/** Bytes written to sockets but not yet taken by the kernel (slow readers make this grow). */
	queuedBytes: number;
	/** Multi-process mode: whether the relay to the other processes is up (null: single process). */
	busConnected: boolean | null;
}

export const newCounters = (): CollabCounters => ({
	refusedUpgrades: 0,
	refusedWrites: 0,
	foreignClientIds: 0,
	malformed: 0,
	rateLimited: 0,
	tooBig: 0,
	updatesLogged: 0,
	snapshotsWritten: 0
});
