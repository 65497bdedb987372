import type { Db } from '../../db/client';
import { tokenFromAuthorization, tokenFromCookieHeader, validateSessionToken, type ValidSession } from './sessions';

type AuthHeaders = { authorization?: string | null; cookie?: string | null };

/** The session token a request carries: `Authorization: Bearer` first, then the session cookie. */
export function tokenFromHeaders(headers: AuthHeaders): string | null {
	return tokenFromAuthorization(headers.authorization) ?? tokenFromCookieHeader(headers.cookie);
}

/** The session behind a request. */
export function sessionFromHeaders(db: Db, headers: AuthHeaders): Promise<ValidSession | null> {
	return validateSessionToken(db, tokenFromHeaders(headers));
}
