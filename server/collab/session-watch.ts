/**
 * Ends the sockets of sessions that ended. An upgrade checks the session once; after that the
 * socket lives on its own, so signing out, a password reset or a deactivation would otherwise leave
 * an open board reading and writing until its next reconnect. In this process the `sessionsEnded`
 * event closes them at once; a sweep every `intervalMs` catches what ended elsewhere (another
 * process, an expired or deleted row) with one query for all open sessions.
 */
import { inArray } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { sessions } from '../../db/schema';
import { CLOSE } from './protocol';

export interface SessionHolder {
	readonly principal: { userId: string; sessionId: string };
	close(code: number, reason: string): void;
}

const REASON = 'session ended';

export class SessionWatch {
	private readonly timer: ReturnType<typeof setInterval>;
	private sweeping = false;

	constructor(
		private readonly db: Db,
		private readonly open: () => Iterable<SessionHolder>,
		intervalMs: number,
		private readonly onError: (e: unknown) => void
	) {
		this.timer = setInterval(() => void this.sweep(), intervalMs);
		this.timer.unref();
	}

	/** Closes the sockets of one session, or of all of a user's sessions (sessionId null). */
	ended(userId: string, sessionId: string | null): void {
		for (const c of this.open()) {
			if (c.principal.userId === userId && (sessionId === null || c.principal.sessionId === sessionId)) c.close(CLOSE.unauthenticated, REASON);
		}
	}

	async sweep(): Promise<void> {
		if (this.sweeping) return;
		const ids = [...new Set([...this.open()].map((c) => c.principal.sessionId))];
		if (!ids.length) return;
		this.sweeping = true;
		try {
			const asked = new Set(ids);
			const alive = new Set((await this.db.select({ id: sessions.id }).from(sessions).where(inArray(sessions.id, ids))).map((r) => r.id));
			// Only sessions the query was asked about: a socket admitted while it ran is not in `ids`.
			for (const c of this.open()) if (asked.has(c.principal.sessionId) && !alive.has(c.principal.sessionId)) c.close(CLOSE.unauthenticated, REASON);
		} catch (e) {
			this.onError(e); // the database away: nothing is closed on a guess; the next sweep retries
		} finally {
			this.sweeping = false;
		}
	}

	stop(): void {
		clearInterval(this.timer);
	}
}
