import { asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { users } from '../db/schema';
import { SYSTEM_ROLES, type SystemRole } from '../src/lib/domain/roles';
import { LOCALES } from '../src/lib/i18n/locales';
import { burnPasswordCheck, hashPassword, verifyPassword } from './auth/password';
import type { LoginLimiters } from './auth/rate-limit';
import { createSession, invalidateUserSessions } from './auth/sessions';
import { AppError, conflict, forbidden, invalid, notFound } from './errors';

export const usernameSchema = z
	.string()
	.trim()
	.min(2, 'At least 2 characters.')
	.max(40, 'At most 40 characters.')
	.regex(/^[a-zA-Z0-9_.-]+$/, 'Letters, digits, dot, dash and underscore only.');
export const passwordSchema = z.string().min(8, 'At least 8 characters.').max(200, 'At most 200 characters.');

export const loginSchema = z.object({
	username: z.string().trim().min(1, 'Required.').max(40, 'At most 40 characters.'),
	password: z.string().min(1, 'Required.').max(200, 'At most 200 characters.')
});

export const newUserSchema = z.object({
	username: usernameSchema,
	displayName: z.string().trim().min(1, 'Required.').max(80, 'At most 80 characters.'),
	password: passwordSchema,
	agencyCode: z.string().trim().max(32).nullable().optional(),
	systemRole: z.enum(SYSTEM_ROLES).default('member')
});
export type NewUser = z.input<typeof newUserSchema>;

export function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
	const r = schema.safeParse(input);
	if (!r.success) throw invalid(r.error.issues);
	return r.data;
}

const GENERIC_LOGIN_FAILURE = 'Wrong username or password.';

/** Checks credentials with throttling per account and per address; returns a new session token. */
export async function login(
	db: Db,
	limiters: LoginLimiters,
	input: unknown,
	clientAddress: string
): Promise<{ token: string; userId: string; locale: string }> {
	const { username, password } = parse(loginSchema, input);
	const accountKey = username.toLowerCase();
	const wait = Math.max(limiters.account.retryAfter(accountKey), limiters.address.retryAfter(clientAddress));
	if (wait > 0) {
		throw new AppError(429, 'too_many_attempts', `Too many failed sign-in attempts. Try again in ${wait} s.`, undefined, wait);
	}
	const [user] = await db.select().from(users).where(eq(sql`lower(${users.username})`, accountKey)).limit(1);
	const ok = user ? await verifyPassword(user.passwordHash, password) : (await burnPasswordCheck(password), false);
	if (!user || !ok || !user.active) {
		limiters.account.recordFailure(accountKey);
		limiters.address.recordFailure(clientAddress);
		throw new AppError(401, 'invalid_credentials', GENERIC_LOGIN_FAILURE);
	}
	limiters.account.reset(accountKey);
	return { token: await createSession(db, user.id), userId: user.id, locale: user.locale };
}

export async function createUser(db: Db, actorRole: SystemRole, input: NewUser): Promise<string> {
	requireAdmin(actorRole);
	const data = parse(newUserSchema, input);
	const id = crypto.randomUUID();
	const passwordHash = await hashPassword(data.password);
	try {
		await db.insert(users).values({
			id,
			username: data.username,
			displayName: data.displayName,
			passwordHash,
			agencyCode: data.agencyCode || null,
			systemRole: data.systemRole
		});
	} catch (e) {
		throw translateUserWriteError(e);
	}
	return id;
}

/** Maps unique/foreign-key violations to client errors; anything else stays internal. */
function translateUserWriteError(e: unknown): unknown {
	const code = pgCode(e);
	if (code === '23505') return conflict('That username is taken.');
	if (code === '23503') return new AppError(400, 'invalid_input', 'The request has invalid fields.', { agencyCode: 'Unknown agency.' });
	return e;
}

/** The SQLSTATE of a driver error, looking through drizzle's wrapper. */
export function pgCode(e: unknown): string | undefined {
	for (let cur: unknown = e; cur && typeof cur === 'object'; cur = (cur as { cause?: unknown }).cause) {
		const code = (cur as { code?: unknown }).code;
		if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
	}
	return undefined;
}

export async function listUsers(db: Db, actorRole: SystemRole) {
	requireAdmin(actorRole);
	return db
		.select({
			id: users.id,
			username: users.username,
			displayName: users.displayName,
			agencyCode: users.agencyCode,
			systemRole: users.systemRole,
			active: users.active
		})
		.from(users)
		.orderBy(asc(users.username));
}

export async function findUserByUsername(db: Db, username: string) {
	const [u] = await db.select().from(users).where(eq(sql`lower(${users.username})`, username.trim().toLowerCase())).limit(1);
	return u ?? null;
}

function requireAdmin(role: SystemRole) {
	if (role !== 'admin') throw forbidden('Only administrators may manage accounts.');
}

export async function resetPassword(db: Db, actorRole: SystemRole, userId: string, password: unknown): Promise<void> {
	requireAdmin(actorRole);
	const pw = parse(z.object({ password: passwordSchema }), { password }).password;
	const passwordHash = await hashPassword(pw);
	await db.transaction(async (tx) => {
		const r = await tx.update(users).set({ passwordHash }).where(eq(users.id, userId)).returning({ id: users.id });
		if (!r.length) throw notFound('No such user.');
		await invalidateUserSessions(tx, userId);
	});
}

export async function setUserActive(db: Db, actor: { id: string; systemRole: SystemRole }, userId: string, active: boolean) {
	requireAdmin(actor.systemRole);
	if (actor.id === userId && !active) throw conflict('You cannot deactivate your own account.');
	await db.transaction(async (tx) => {
		const r = await tx.update(users).set({ active }).where(eq(users.id, userId)).returning({ id: users.id });
		if (!r.length) throw notFound('No such user.');
		if (!active) await invalidateUserSessions(tx, userId);
	});
}

export async function setLocale(db: Db, userId: string, locale: unknown): Promise<void> {
	const l = parse(z.object({ locale: z.enum(LOCALES) }), { locale }).locale;
	await db.update(users).set({ locale: l }).where(eq(users.id, userId));
}

