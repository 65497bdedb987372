import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './helpers/api';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';
import { DEMO_EXERCISE_TITLE } from '../../db/seed';

let database: TestDatabase;
let api: ReturnType<typeof apiClient>;
let demoId: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
	database = await seededDatabase();
	api = apiClient(database);
	for (const u of ['facilitator', 'commander', 'fire1', 'police1', 'observer', 'outsider', 'admin']) tokens[u] = await api.signIn(u);
	const list = await api.call('GET', 'exercises', { token: tokens.facilitator });
	demoId = list.json.exercises.find((e: { title: string }) => e.title === DEMO_EXERCISE_TITLE).id;
});
afterAll(() => database.dispose());

describe(`JSON API on ${backend}`, () => {
	describe('session', () => {
		it('returns a token and a HttpOnly SameSite=Lax session cookie', async () => {
			const r = await api.call('POST', 'session', { body: { username: 'em1', password: 'drillboard' } });
			expect(r.status).toBe(201);
			expect(r.json.token).toMatch(/^[a-z2-7]+\.[a-z2-7]+$/);
			const cookie = r.headers.get('set-cookie') ?? '';
			expect(cookie).toContain(`drillboard_session=${r.json.token}`);
			expect(cookie).toMatch(/HttpOnly/);
			expect(cookie).toMatch(/SameSite=Lax/);
			// The cookie works as well as the bearer token.
			const me = await api.call('GET', 'me', { cookie: `drillboard_session=${r.json.token}` });
			expect(me.json.user.username).toBe('em1');
		});

		it('gives one generic message for an unknown user and a wrong password', async () => {
			const a = await api.call('POST', 'session', { body: { username: 'nobody', password: 'drillboard' }, address: '10.9.0.1' });
			const b = await api.call('POST', 'session', { body: { username: 'fire2', password: 'wrong' }, address: '10.9.0.2' });
			expect(a.status).toBe(401);
			expect(b.status).toBe(401);
			expect(a.json).toEqual(b.json);
			expect(a.json.error.code).toBe('invalid_credentials');
		});

		it('throttles failed logins per account with 429 and Retry-After', async () => {
			for (let i = 0; i < 5; i++) {
				const r = await api.call('POST', 'session', { body: { username: 'health1', password: 'bad' }, address: `10.1.0.${i}` });
				expect(r.status).toBe(401);
			}
			const r = await api.call('POST', 'session', { body: { username: 'health1', password: 'drillboard' }, address: '10.1.0.99' });
			expect(r.status).toBe(429);
			expect(r.json.error.message).toMatch(/Too many failed sign-in attempts/);
			expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
		});

		it('throttles failed logins per client address across accounts', async () => {
			for (let i = 0; i < 20; i++) {
				await api.call('POST', 'session', { body: { username: `ghost${i}`, password: 'bad' }, address: '10.2.0.1' });
			}
			const r = await api.call('POST', 'session', { body: { username: 'commander', password: 'drillboard' }, address: '10.2.0.1' });
			expect(r.status).toBe(429);
			const other = await api.call('POST', 'session', { body: { username: 'commander', password: 'drillboard' }, address: '10.2.0.2' });
			expect(other.status).toBe(201);
		});

		it('signs out: the token stops working', async () => {
			const token = await api.signIn('fire2');
			expect((await api.call('DELETE', 'session', { token })).status).toBe(204);
			expect((await api.call('GET', 'me', { token })).status).toBe(401);
		});
	});

	describe('bad input', () => {
		it('names the wrong field with 400', async () => {
			const r = await api.call('POST', 'session', { body: { username: 'x' } });
			expect(r.status).toBe(400);
			expect(r.json.error.details).toHaveProperty('password');
		});
		it('rejects malformed JSON and non-JSON bodies', async () => {
			const bad = await api.call('POST', 'exercises', { rawBody: '{"title":', token: tokens.facilitator });
			expect(bad.status).toBe(400);
			expect(bad.json.error.code).toBe('invalid_json');
			const form = await api.call('POST', 'exercises', { rawBody: 'title=x', contentType: 'application/x-www-form-urlencoded', token: tokens.facilitator });
			expect(form.status).toBe(415);
		});
		it('answers unknown endpoints with 404 and wrong methods with 405', async () => {
			expect((await api.call('GET', 'nothing-here', { token: tokens.facilitator })).status).toBe(404);
			const r = await api.call('PUT', 'exercises', { token: tokens.facilitator });
			expect(r.status).toBe(405);
			expect(r.headers.get('allow')).toBe('GET, POST');
		});
		it('requires a session', async () => {
			const r = await api.call('GET', 'exercises');
			expect(r.status).toBe(401);
			expect(r.json.error.code).toBe('unauthorized');
			expect((await api.call('GET', 'exercises', { token: 'abc.def' })).status).toBe(401);
		});
	});

	describe('exercises', () => {
		it('lists the demo exercise with my roles', async () => {
			const r = await api.call('GET', 'exercises', { token: tokens.fire1 });
			expect(r.status).toBe(200);
			expect(r.json.exercises).toHaveLength(1);
			expect(r.json.exercises[0].roles).toEqual([{ role: 'player', agencyCode: 'fire' }]);
			expect((await api.call('GET', 'exercises', { token: tokens.outsider })).json.exercises).toEqual([]);
		});

		it('hides an exercise from non-members with 404', async () => {
			const r = await api.call('GET', `exercises/${demoId}`, { token: tokens.outsider });
			expect(r.status).toBe(404);
			const missing = await api.call('GET', `exercises/${crypto.randomUUID()}`, { token: tokens.outsider });
			expect(missing.json).toEqual(r.json);
			expect((await api.call('GET', 'exercises/not-a-uuid', { token: tokens.fire1 })).status).toBe(404);
		});

		it('shows a member the exercise, members and allowed actions', async () => {
			const r = await api.call('GET', `exercises/${demoId}`, { token: tokens.observer });
			expect(r.status).toBe(200);
			expect(r.json.exercise.title).toBe('Demo');
			expect(r.json.myRoles).toEqual([{ role: 'observer', agencyCode: null }]);
			expect(r.json.allowedActions).toEqual(['exercise.view', 'board.read', 'log.read']);
			expect(r.json.members.map((m: { username: string }) => m.username)).toContain('fire1');
		});

		it('lets an organiser create an exercise and become its facilitator', async () => {
			const r = await api.call('POST', 'exercises', { body: { title: '  青龙水库溃坝推演 ' }, token: tokens.facilitator });
			expect(r.status).toBe(201);
			expect(r.json.exercise).toMatchObject({ title: '青龙水库溃坝推演', status: 'draft' });
			expect(r.headers.get('location')).toBe(`/api/v1/exercises/${r.json.exercise.id}`);
			const detail = await api.call('GET', `exercises/${r.json.exercise.id}`, { token: tokens.facilitator });
			expect(detail.json.myRoles).toEqual([{ role: 'facilitator', agencyCode: null }]);
		});

		it('refuses exercise creation to ordinary members and empty titles', async () => {
			expect((await api.call('POST', 'exercises', { body: { title: 'x' }, token: tokens.fire1 })).status).toBe(403);
			const r = await api.call('POST', 'exercises', { body: { title: '   ' }, token: tokens.facilitator });
			expect(r.status).toBe(400);
			expect(r.json.error.details).toHaveProperty('title');
		});
	});

	describe('members', () => {
		let exId: string;
		beforeAll(async () => {
			exId = (await api.call('POST', 'exercises', { body: { title: 'Members test' }, token: tokens.facilitator })).json.exercise.id;
		});

		it('adds a player for their own agency by default and another role to the same person', async () => {
			const r = await api.call('POST', `exercises/${exId}/members`, { body: { username: 'police1', role: 'player' }, token: tokens.facilitator });
			expect(r.status).toBe(201);
			expect(r.json.member).toMatchObject({ username: 'police1', role: 'player', agencyCode: 'police' });
			const ev = await api.call('POST', `exercises/${exId}/members`, { body: { username: 'police1', role: 'evaluator' }, token: tokens.facilitator });
			expect(ev.status).toBe(201);
			const seen = await api.call('GET', `exercises/${exId}`, { token: tokens.police1 });
			expect(seen.json.myRoles).toHaveLength(2);
		});

		it('answers a duplicate role with 409', async () => {
			await api.call('POST', `exercises/${exId}/members`, { body: { username: 'fire1', role: 'observer' }, token: tokens.facilitator });
			const again = await api.call('POST', `exercises/${exId}/members`, { body: { username: 'fire1', role: 'observer' }, token: tokens.facilitator });
			expect(again.status).toBe(409);
		});

		it('validates role, user and agency', async () => {
			const role = await api.call('POST', `exercises/${exId}/members`, { body: { username: 'fire1', role: 'king' }, token: tokens.facilitator });
			expect(role.status).toBe(400);
			expect(role.json.error.details).toHaveProperty('role');
			const user = await api.call('POST', `exercises/${exId}/members`, { body: { username: 'nobody', role: 'observer' }, token: tokens.facilitator });
			expect(user.json.error.details).toHaveProperty('username');
			const noAgency = await api.call('POST', `exercises/${exId}/members`, { body: { username: 'evaluator', role: 'player' }, token: tokens.facilitator });
			expect(noAgency.json.error.details).toHaveProperty('agencyCode');
			const badAgency = await api.call('POST', `exercises/${exId}/members`, { body: { username: 'fire2', role: 'player', agencyCode: 'army' }, token: tokens.facilitator });
			expect(badAgency.json.error.details).toHaveProperty('agencyCode');
		});

		it('lets only the facilitator manage members', async () => {
			const r = await api.call('POST', `exercises/${demoId}/members`, { body: { username: 'outsider', role: 'observer' }, token: tokens.observer });
			expect(r.status).toBe(403);
			const nonMember = await api.call('POST', `exercises/${demoId}/members`, { body: { username: 'outsider', role: 'observer' }, token: tokens.outsider });
			expect(nonMember.status).toBe(404);
		});
	});

	describe('lifecycle', () => {
		it('walks the allowed transitions and refuses the others with 409 and a reason', async () => {
			const id = (await api.call('POST', 'exercises', { body: { title: 'Lifecycle' }, token: tokens.facilitator })).json.exercise.id;
			const move = (status: string, token = tokens.facilitator) => api.call('POST', `exercises/${id}/transition`, { body: { status }, token });
			const skip = await move('running');
			expect(skip.status).toBe(409);
			expect(skip.json.error.message).toContain('allowed next: briefing');
			for (const s of ['briefing', 'running', 'paused', 'running', 'ended', 'reviewed']) {
				const r = await move(s);
				expect(r.status, s).toBe(200);
				expect(r.json.status).toBe(s);
			}
			expect((await move('running')).status).toBe(409);
		});

		it('refuses a transition to anyone but the facilitator', async () => {
			const r = await api.call('POST', `exercises/${demoId}/transition`, { body: { status: 'running' }, token: tokens.commander });
			expect(r.status).toBe(403);
		});

		it('lets exactly one of two concurrent transitions win', async () => {
			const id = (await api.call('POST', 'exercises', { body: { title: 'Race' }, token: tokens.facilitator })).json.exercise.id;
			const results = await Promise.all(
				[0, 1].map(() => api.call('POST', `exercises/${id}/transition`, { body: { status: 'briefing' }, token: tokens.facilitator }))
			);
			expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
		});
	});
});
