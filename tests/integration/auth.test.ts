import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions, users } from '../../db/schema';
import { createSession, INACTIVITY_MS, validateSessionToken, validateSessionTokens } from '../../server/auth/sessions';
import { SessionChecks } from '../../server/collab/admission';
import { AppError } from '../../server/errors';
import { createUser, findUserByUsername, resetPassword, setLocale, setUserActive } from '../../server/users';
import { apiClient } from './helpers/api';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

let database: TestDatabase;
const userId = async (username: string) => (await findUserByUsername(database.db, username))!.id;

beforeAll(async () => {
	database = await seededDatabase();
});
afterAll(() => database.dispose());

async function expectAppError(p: Promise<unknown>, status: number) {
	const e = await p.then(() => null, (err) => err);
	expect(e).toBeInstanceOf(AppError);
	expect((e as AppError).status).toBe(status);
	return e as AppError;
}

describe(`sessions on ${backend}`, () => {
	it('stores only a hash of the secret', async () => {
		const token = await createSession(database.db, await userId('em1'));
		const [id, secret] = token.split('.');
		const [row] = await database.db.select().from(sessions).where(eq(sessions.id, id));
		expect(row.secretHash).toHaveLength(32);
		expect(Buffer.from(row.secretHash).toString('utf8')).not.toContain(secret);
		expect((await validateSessionToken(database.db, token))?.user.username).toBe('em1');
	});

	it('rejects a token with the right id and a wrong secret', async () => {
		const token = await createSession(database.db, await userId('em1'));
		const [id, secret] = token.split('.');
		const forged = `${id}.${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}`;
		expect(await validateSessionToken(database.db, forged)).toBeNull();
		expect(await validateSessionToken(database.db, 'no-dot')).toBeNull();
		expect(await validateSessionToken(database.db, '')).toBeNull();
	});

	it('expires after inactivity and deletes the session', async () => {
		const token = await createSession(database.db, await userId('em1'));
		const id = token.split('.')[0];
		await database.db.update(sessions).set({ lastVerifiedAt: new Date(Date.now() - INACTIVITY_MS - 1000) }).where(eq(sessions.id, id));
		expect(await validateSessionToken(database.db, token)).toBeNull();
		expect(await database.db.select().from(sessions).where(eq(sessions.id, id))).toHaveLength(0);
	});

	it('extends an active session, at most hourly', async () => {
		const token = await createSession(database.db, await userId('em1'));
		const id = token.split('.')[0];
		const old = new Date(Date.now() - 2 * 3600_000);
		await database.db.update(sessions).set({ lastVerifiedAt: old }).where(eq(sessions.id, id));
		expect(await validateSessionToken(database.db, token)).not.toBeNull();
		const [row] = await database.db.select().from(sessions).where(eq(sessions.id, id));
		expect(row.lastVerifiedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
	});

	it('checks a batch of tokens with the same verdicts as one by one, in order', async () => {
		const session = async (username: string) => {
			const token = await createSession(database.db, await userId(username));
			return { token, id: token.split('.')[0] };
		};
		const [good, stale, old, forgedOf, inactive] = await Promise.all(['em1', 'fire1', 'fire2', 'police1', 'health1'].map(session));
		await database.db.update(sessions).set({ lastVerifiedAt: new Date(Date.now() - INACTIVITY_MS - 1000) }).where(eq(sessions.id, stale.id));
		await database.db.update(sessions).set({ lastVerifiedAt: new Date(Date.now() - 2 * 3600_000) }).where(eq(sessions.id, old.id));
		// A wrong secret for an expired session must not delete it.
		await database.db.update(sessions).set({ lastVerifiedAt: new Date(Date.now() - INACTIVITY_MS - 1000) }).where(eq(sessions.id, forgedOf.id));
		await database.db.update(users).set({ active: false }).where(eq(users.username, 'health1'));
		try {
			const forged = `${forgedOf.id}.${'x'.repeat(32)}`;
			const results = await validateSessionTokens(database.db, [good.token, null, stale.token, 'no-dot', old.token, forged, good.token, inactive.token, `unknown.${'y'.repeat(32)}`]);
			expect(results.map((r) => r?.user.username ?? null)).toEqual(['em1', null, null, null, 'fire2', null, 'em1', null, null]);
			const left = new Set((await database.db.select({ id: sessions.id }).from(sessions)).map((r) => r.id));
			expect([good.id, old.id, forgedOf.id].every((id) => left.has(id))).toBe(true);
			expect(left.has(stale.id) || left.has(inactive.id)).toBe(false);
			const [bumped] = await database.db.select().from(sessions).where(eq(sessions.id, old.id));
			expect(bumped.lastVerifiedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
		} finally {
			await database.db.update(users).set({ active: true }).where(eq(users.username, 'health1'));
		}
	});

	it('checks the sessions of upgrades arriving close together with one read (collab SessionChecks)', async () => {
		let reads = 0;
		const counting = new Proxy(database.db, {
			get(target, key, receiver) {
				if (key === 'select') reads++;
				return Reflect.get(target, key, receiver);
			}
		});
		const checks = new SessionChecks(counting, 1000, 4);
		const names = ['em1', 'fire1', 'police1'];
		const tokens = await Promise.all(names.map(async (n) => createSession(database.db, await userId(n))));
		// Asked over several turns of the event loop, within the window: one read.
		const spread: Promise<unknown>[] = [];
		for (const t of [tokens[0], 'no-dot', tokens[1], null]) {
			spread.push(checks.check(t));
			await new Promise((r) => setImmediate(r));
		}
		const seen = (await Promise.all(spread)) as ({ user: { username: string } } | null)[];
		expect(seen.map((s) => s?.user.username ?? null)).toEqual(['em1', null, 'fire1', null]);
		expect(reads).toBe(1);
		// A full batch (4) is read at once, without waiting out the window.
		const started = performance.now();
		const full = await Promise.all([...tokens, null].map((t) => checks.check(t)));
		expect(full.map((s) => s?.user.username ?? null)).toEqual([...names, null]);
		expect(performance.now() - started).toBeLessThan(500);
		expect(reads).toBe(2);
		// After its batch was read, a check is a new batch.
		expect((await checks.check(tokens[2]))?.user.username).toBe('police1');
		expect(reads).toBe(3);
	});
});

describe(`account administration on ${backend}`, () => {
	const admin = { id: '', systemRole: 'admin' as const };
	beforeAll(async () => {
		admin.id = await userId('admin');
	});

	it('creates accounts with validated fields and unique names (case-insensitive)', async () => {
		const id = await createUser(database.db, 'admin', { username: 'water1', displayName: '水利 黄河', password: 'long-enough', agencyCode: 'water' });
		const api = apiClient(database);
		expect(await api.signIn('water1', 'long-enough')).toBeTruthy();
		expect(id).toBeTruthy();
		await expectAppError(createUser(database.db, 'admin', { username: 'WATER1', displayName: 'x', password: 'long-enough' }), 409);
		const bad = await expectAppError(createUser(database.db, 'admin', { username: 'a b', displayName: '', password: 'short' }), 400);
		expect(Object.keys(bad.details ?? {}).sort()).toEqual(['displayName', 'password', 'username']);
		const agency = await expectAppError(createUser(database.db, 'admin', { username: 'x1', displayName: 'x', password: 'long-enough', agencyCode: 'army' }), 400);
		expect(agency.details).toHaveProperty('agencyCode');
		await expectAppError(createUser(database.db, 'organizer', { username: 'x2', displayName: 'x', password: 'long-enough' }), 403);
	});

	it('resets a password and ends the user’s sessions', async () => {
		const api = apiClient(database);
		const token = await api.signIn('police1');
		await resetPassword(database.db, 'admin', await userId('police1'), 'new-password-1');
		expect((await api.call('GET', 'me', { token })).status).toBe(401);
		expect((await api.call('POST', 'session', { body: { username: 'police1', password: 'drillboard' } })).status).toBe(401);
		expect(await api.signIn('police1', 'new-password-1')).toBeTruthy();
		await expectAppError(resetPassword(database.db, 'member', await userId('police1'), 'whatever-long'), 403);
	});

	it('deactivates a user: sessions end and sign-in fails with the generic message', async () => {
		const api = apiClient(database);
		const token = await api.signIn('health1');
		await setUserActive(database.db, admin, await userId('health1'), false);
		expect((await api.call('GET', 'me', { token })).status).toBe(401);
		const r = await api.call('POST', 'session', { body: { username: 'health1', password: 'drillboard' } });
		expect(r.json.error.code).toBe('invalid_credentials');
		await setUserActive(database.db, admin, await userId('health1'), true);
		expect(await api.signIn('health1')).toBeTruthy();
		await expectAppError(setUserActive(database.db, admin, admin.id, false), 409);
		await expectAppError(setUserActive(database.db, { id: 'x', systemRole: 'organizer' }, await userId('health1'), false), 403);
	});

	it('remembers the language per user and validates it', async () => {
		const id = await userId('fire2');
		await setLocale(database.db, id, 'en');
		const [row] = await database.db.select().from(users).where(eq(users.id, id));
		expect(row.locale).toBe('en');
		await expectAppError(setLocale(database.db, id, 'fr'), 400);
	});
});
