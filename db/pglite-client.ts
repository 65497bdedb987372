/**
 * PGlite that knows when nobody is using it. Each of its queries, execs, describes and transactions
 * passes through `_runExclusiveTransaction`, and `runExclusive` through `_runExclusiveQuery`; counting
 * the calls inside them (running or waiting for the lock) tells when the backend is idle. Then a
 * hot-path insert may run synchronously instead of queueing through both async locks
 * (db/insert-rows-pglite.ts): nothing else can start while synchronous code runs.
 */
import { PGlite } from '@electric-sql/pglite';

export class TrackedPGlite extends PGlite {
	private holders = 0;

	static async open(dataDir: string): Promise<TrackedPGlite> {
		const client = new TrackedPGlite(dataDir);
		await client.waitReady;
		return client;
	}

	/** Ready, not closed, and no operation holds or awaits either lock. */
	get idle(): boolean {
		return this.holders === 0 && this.ready && !this.closed;
	}

	override _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T> {
		return this.counted(() => super._runExclusiveTransaction(fn));
	}

	override _runExclusiveQuery<T>(fn: () => Promise<T>): Promise<T> {
		return this.counted(() => super._runExclusiveQuery(fn));
	}

	private async counted<T>(locked: () => Promise<T>): Promise<T> {
		this.holders++;
		try {
			return await locked();
		} finally {
			this.holders--;
		}
	}
}
