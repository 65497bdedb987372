import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { sessions, users } from '../../db/schema';
import type { SystemRole } from '../../src/lib/domain/roles';

/** Sessions in the style of the Lucia guide: token `<id>.<secret>`, only SHA-256(secret) stored. */
export const SESSION_COOKIE = 'drillboard_session';
const HOUR = 3600_000;
/** A session unused this long expires. */
export const INACTIVITY_MS = 24 * HOUR;
/** Activity is written back at most this often, so reads stay cheap. */
const BUMP_MS = HOUR;

export interface SessionUser {
	id: string;
	username: string;
	displayName: string;
	agencyCode: string | null;
	systemRole: SystemRole;
	locale: string;
}

export interface ValidSession {
	sessionId: string;
	user: SessionUser;
}

function randomPart(): string {
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}

const hashSecret = (secret: string) => sha256(new TextEncoder().encode(secret));

export async function createSession(db: Db, userId: string): Promise<string> {
	const id = randomPart();
	const secret = randomPart();
	await db.insert(sessions).values({ id, userId, secretHash: hashSecret(secret) });
	return `${id}.${secret}`;
}

/** Returns the session and its user, or null when the token is unknown, wrong, expired or the user is inactive. */
export async function validateSessionToken(db: Db, token: string | null | undefined): Promise<ValidSession | null> {
	return (await validateSessionTokens(db, [token]))[0];
}

/**
 * `validateSessionToken` for several tokens with one read (and at most one delete and one update):
 * the collaboration server checks the upgrades of a join storm together. Results are in token order.
 */
export async function validateSessionTokens(db: Db, tokens: readonly (string | null | undefined)[]): Promise<(ValidSession | null)[]> {
	const parsed = tokens.map(parseToken);
	const ids = [...new Set(parsed.flatMap((p) => (p ? [p.id] : [])))];
	if (!ids.length) return parsed.map(() => null);
	const rows = await db.select({ s: sessions, u: users }).from(sessions).innerJoin(users, eq(users.id, sessions.userId)).where(inArray(sessions.id, ids));
	const byId = new Map(rows.map((r) => [r.s.id, r]));
	const now = Date.now();
	const expired = new Set<string>();
	const bumped = new Set<string>();
	const results = parsed.map((p): ValidSession | null => {
		const row = p && byId.get(p.id);
		// The secret is checked first: a wrong one must not expire someone else's session.
		if (!p || !row || !constantTimeEqual(hashSecret(p.secret), row.s.secretHash)) return null;
		const idle = now - row.s.lastVerifiedAt.getTime();
		if (idle >= INACTIVITY_MS || !row.u.active) {
			expired.add(p.id);
			return null;
		}
		if (idle >= BUMP_MS) bumped.add(p.id);
		const u = row.u;
		return {
			sessionId: p.id,
			user: { id: u.id, username: u.username, displayName: u.displayName, agencyCode: u.agencyCode, systemRole: u.systemRole as SystemRole, locale: u.locale }
		};
	});
	if (expired.size) await db.delete(sessions).where(inArray(sessions.id, [...expired]));
	if (bumped.size) await db.update(sessions).set({ lastVerifiedAt: new Date(now) }).where(inArray(sessions.id, [...bumped]));
	return results;
}

/** `<id>.<secret>`, or null for anything else. */
function parseToken(token: string | null | undefined): { id: string; secret: string } | null {
	if (!token || token.length > 200) return null;
	const parts = token.split('.');
	if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
	return { id: parts[0], secret: parts[1] };
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
	await db.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function invalidateUserSessions(db: Db, userId: string): Promise<void> {
	await db.delete(sessions).where(eq(sessions.userId, userId));
}

/** Reads the session token from a Cookie header. */
export function tokenFromCookieHeader(header: string | null | undefined): string | null {
	if (!header) return null;
	for (const part of header.split(';')) {
		const eqAt = part.indexOf('=');
		if (eqAt > 0 && part.slice(0, eqAt).trim() === SESSION_COOKIE) return decodeURIComponent(part.slice(eqAt + 1).trim());
	}
	return null;
}

/** Reads `Authorization: Bearer <token>`. */
export function tokenFromAuthorization(header: string | null | undefined): string | null {
	const m = header?.match(/^Bearer\s+(\S+)$/i);
	return m ? m[1] : null;
}

/** Cookie attributes; Secure everywhere except plain-HTTP localhost development. */
export function sessionCookieOptions(secure: boolean) {
	return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure, maxAge: INACTIVITY_MS / 1000 };
}
