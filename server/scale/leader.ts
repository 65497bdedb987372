/**
 * Scheduler leadership among several processes: a session-level Postgres advisory lock held on a
 * dedicated connection for the life of the process. Processes without it retry every `retryMs`, so
 * when the holder dies (its connection closes and Postgres releases the lock) another takes over
 * within seconds. The scheduler's exactly-once guarantee does not depend on this (deliveries are
 * keyed in the database); leadership only keeps a single process doing the work.
 */
import postgres from 'postgres';

/** Arbitrary, fixed: `pg_try_advisory_lock(LOCK_CLASS, LOCK_ID)` ("drill", "sched"). */
const LOCK_CLASS = 0x6472696c;
const LOCK_ID = 0x73636864;

export interface LeaderOptions {
	url: string;
	retryMs?: number;
	log?: Pick<Console, 'info' | 'warn' | 'error'>;
	/** Called when this process gains or loses leadership. */
	onChange?: (leader: boolean) => void;
}

export interface Leadership {
	/** Whether this process holds the lock (re-checked on its connection when it believes it does). */
	isLeader(): Promise<boolean>;
	/** Releases the lock and closes the connection. */
	close(): Promise<void>;
}

export function startLeadership(opts: LeaderOptions): Leadership {
	const log = opts.log ?? console;
	const retryMs = opts.retryMs ?? 2000;
	let sql: postgres.Sql | null = null;
	let leader = false;
	let closed = false;
	let attempt: Promise<void> | null = null;

	const connection = () =>
		(sql ??= postgres(opts.url, { max: 1, idle_timeout: 0, max_lifetime: null, connect_timeout: 5, onnotice: () => {} }));

	function set(next: boolean) {
		if (next === leader) return;
		leader = next;
		log.info(next ? '[scale] this process is now the scheduler leader' : '[scale] this process is no longer the scheduler leader');
		opts.onChange?.(next);
	}

	/** The connection failed: the lock (if held) is gone with it; start over on a fresh connection. */
	function drop(e: unknown) {
		if (leader) log.warn('[scale] lost the scheduler lock connection:', e instanceof Error ? e.message : e);
		set(false);
		const old = sql;
		sql = null;
		void old?.end({ timeout: 1 }).catch(() => {});
	}

	async function check(): Promise<void> {
		if (closed) return;
		try {
			const db = connection();
			if (leader) {
				// Still our session? (a restarted Postgres would have dropped the lock with the session)
				const [row] = await db`select count(*)::int as n from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and classid::bigint = ${LOCK_CLASS} and objid::bigint = ${LOCK_ID} and objsubid = 2 and granted`;
				if (!row?.n) drop(new Error('advisory lock no longer held'));
			} else {
				const [row] = await db`select pg_try_advisory_lock(${LOCK_CLASS}, ${LOCK_ID}) as ok`;
				if (closed && row?.ok) return;
				set(Boolean(row?.ok));
			}
		} catch (e) {
			drop(e);
		}
	}

	const run = () => (attempt ??= check().finally(() => (attempt = null)));
	const timer = setInterval(() => void run(), retryMs);
	timer.unref();
	void run();

	return {
		async isLeader() {
			await run();
			return leader && !closed;
		},
		async close() {
			closed = true;
			clearInterval(timer);
			await attempt;
			set(false);
			await sql?.end({ timeout: 2 }).catch(() => {});
			sql = null;
		}
	};
}
