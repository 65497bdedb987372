import type { AppContext } from '../context';
import { invalidateSession, type ValidSession } from './sessions';

/** Signs one session out: its row goes, and the collaboration server closes the sockets it opened. */
export async function endSession(ctx: AppContext, session: ValidSession): Promise<void> {
	await invalidateSession(ctx.database.db, session.sessionId);
	ctx.events.sessionsEnded(session.user.id, session.sessionId);
}
