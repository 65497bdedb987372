import type { Db } from '../../db/client';
import { tokenFromAuthorization, tokenFromCookieHeader, validateSessionToken, type ValidSession } from './sessions';

/** The session behind a request: `Authorization: Bearer` first, then the session cookie. */
export function sessionFromHeaders(db: Db, headers: { authorization?: string | null; cookie?: string | null }): Promise<ValidSession | null> {
	const token = tokenFromAuthorization(headers.authorization) ?? tokenFromCookieHeader(headers.cookie);
	return validateSessionToken(db, token);
}
