/**
 * Sockets of ended sessions (server/collab/session-watch.ts): an upgrade checks the session once, so
 * signing out, a password reset or a deactivation must also close the board sockets already open —
 * at once in this process, within the sweep when the session ended elsewhere.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { invalidateSession, validateSessionToken } from '../../server/auth/sessions';
import { CLOSE } from '../../server/collab';
import { SessionWatch } from '../../server/collab/session-watch';
import { agencyDocName, commonDocName } from '../../src/lib/board/docs';
import { apiClient } from './helpers/api';
import { cloneDemoExercise, rawClient, startCollab, userId, type RawClient, type RunningCollab } from './helpers/collab';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

const SWEEP_MS = 150;
const ENDED = { code: CLOSE.unauthenticated, reason: 'session ended' };

let database: TestDatabase;
let server: RunningCollab;
let api: ReturnType<typeof apiClient>;
let exercise: string;
const raws: RawClient[] = [];

beforeAll(async () => {
	database = await seededDatabase();
	server = await startCollab(database, { sessionSweepMs: SWEEP_MS });
	api = apiClient(database, server.events);
	exercise = await cloneDemoExercise(database.db, 'running');
});
afterEach(() => {
	for (const r of raws.splice(0)) r.ws.terminate();
});
afterAll(async () => {
	await server.stop();
	await database.dispose();
});

async function open(token: string, doc = commonDocName(exercise)): Promise<RawClient> {
	const r = rawClient(server.url, doc, { token });
	raws.push(r);
	await r.opened;
	return r;
}
const stillOpen = (r: RawClient) => r.ws.readyState === WebSocket.OPEN;

describe(`sockets of ended sessions on ${backend}`, () => {
	it('signing out closes the sockets of that session at once, and only those', async () => {
		const [a, b] = [await api.signIn('fire1'), await api.signIn('fire1')];
		const police = await api.signIn('police1');
		const [a1, a2, b1, p1] = [await open(a), await open(a, agencyDocName(exercise, 'fire')), await open(b), await open(police)];
		expect((await api.call('DELETE', 'session', { token: a })).status).toBe(204);
		// Well before the sweep could have found it: the sign-out itself told the server.
		expect(await Promise.race([a1.closed, new Promise((r) => setTimeout(() => r('late'), SWEEP_MS / 2))])).toEqual(ENDED);
		expect(await a2.closed).toEqual(ENDED);
		await new Promise((r) => setTimeout(r, SWEEP_MS * 3));
		expect([stillOpen(b1), stillOpen(p1)]).toEqual([true, true]);
	});

	it('a sign-in that replaces a carried session closes that session’s sockets', async () => {
		const old = await api.signIn('fire2');
		const s = await open(old);
		const r = await api.call('POST', 'session', { body: { username: 'fire2', password: 'drillboard' }, token: old });
		expect(r.status).toBe(201);
		expect(await s.closed).toEqual(ENDED);
		expect(await validateSessionToken(database.db, old)).toBeNull();
		expect(stillOpen(await open(r.json.token))).toBe(true);
	});

	it('ending all of a user’s sessions (password reset, deactivation) closes all of that user’s sockets', async () => {
		const tokens = [await api.signIn('police1'), await api.signIn('police1')];
		const sockets = await Promise.all(tokens.map((t) => open(t)));
		const other = await open(await api.signIn('fire1'));
		server.events.sessionsEnded(await userId(database.db, 'police1'), null);
		for (const s of sockets) expect(await s.closed).toEqual(ENDED);
		expect(stillOpen(other)).toBe(true);
	});

	it('a session ended elsewhere (another process, a deleted row) closes its sockets within the sweep', async () => {
		const token = await api.signIn('fire1');
		const s = await open(token);
		const session = await validateSessionToken(database.db, token);
		await invalidateSession(database.db, session?.sessionId as string); // no event: as if another process did it
		const started = Date.now();
		expect(await s.closed).toEqual(ENDED);
		expect(Date.now() - started).toBeLessThan(SWEEP_MS * 10);
		// …and the next upgrade with it is refused as usual.
		const again = rawClient(server.url, commonDocName(exercise), { token });
		raws.push(again);
		expect((await again.closed).code).toBe(CLOSE.unauthenticated);
	});

	it('a sweep leaves alone a socket admitted while its query ran', async () => {
		const holder = (sessionId: string) => ({ principal: { userId: 'u', sessionId }, closed: [] as number[], close(code: number) { this.closed.push(code); } });
		const [live, late] = await Promise.all(['fire1', 'police1'].map(async (n) => (await validateSessionToken(database.db, await api.signIn(n)))!.sessionId));
		const ended = holder('no-such-session');
		const first = [holder(live), ended];
		const admittedMeanwhile = holder(late);
		// The sweep lists the open sockets before its query and again after it: the second time there is one more.
		let calls = 0;
		const watch = new SessionWatch(database.db, () => (calls++ === 0 ? first : [...first, admittedMeanwhile]), 60_000, (e) => { throw e; });
		try {
			await watch.sweep();
		} finally {
			watch.stop();
		}
		expect(calls).toBe(2);
		expect(ended.closed).toEqual([CLOSE.unauthenticated]);
		expect([first[0].closed, admittedMeanwhile.closed]).toEqual([[], []]);
	});
});
