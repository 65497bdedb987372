/**
 * The access sweep (issue 7, "Access"): every JSON API endpoint and every kind of collaboration document,
 * taken from the router's own table, against callers without a session, outside the exercise, or without
 * the role. A new endpoint that is not classified below fails the first test, so it cannot escape.
 * Brute-force sign-in throttling is covered in api.test.ts (session › throttles …) and auth.test.ts.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exerciseMembers, injectAcks } from '../../db/schema';
import { apiRoutes } from '../../server/api/router';
import { can, type Action } from '../../src/lib/domain/permissions';
import type { ExerciseStatus } from '../../src/lib/domain/lifecycle';
import type { Membership } from '../../src/lib/domain/roles';
import { agencyDocName, commonDocName, controlDocName, type BoardDoc } from '../../src/lib/board/docs';
import { minimalScenario } from '../fixtures/minimal-scenario';
import { apiClient } from './helpers/api';
import { cloneDemoExercise, rawClient, startCollab, userId, type Auth, type RunningCollab } from './helpers/collab';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

/** How one endpoint is protected. `params` fill the path's groups after the exercise id. */
type Rule =
	| { scope: 'public' }
	| { scope: 'user'; params?: (f: Fixture) => string[]; body?: unknown; denied?: { who: string; status: 403 | 404 } }
	| { scope: 'exercise'; params?: string[]; body?: unknown; permission?: { action: Action; status: ExerciseStatus; agency?: string } };

interface Fixture {
	/** Exercises of the demo's members, by status. */
	ex: Record<'briefing' | 'running' | 'ended', string>;
	/** An exercise of another organiser: the demo facilitator is not a member. */
	foreign: string;
	rectificationItem: string;
}

const order = { kind: 'order', to: { agencies: ['fire'], commander: false }, refs: { entries: [] }, body: { text: 'go' } };
const adhoc = { type: 'information', delivery: 'phone', from: { zh: '甲', en: 'A' }, to: { agencies: ['em'] }, message: { zh: '乙', en: 'B' } };

const RULES: Record<string, Rule> = {
	'POST ^session$': { scope: 'public' },
	'DELETE ^session$': { scope: 'user' },
	'GET ^me$': { scope: 'user' },
	'GET ^agencies$': { scope: 'user' },
	'GET ^exercises$': { scope: 'user' },
	'POST ^exercises$': { scope: 'user', body: { title: 'x' }, denied: { who: 'fire1', status: 403 } },
	'GET ^exercises\\/([^/]+)$': { scope: 'exercise' },
	'POST ^exercises\\/([^/]+)\\/members$': { scope: 'exercise', body: { username: 'outsider', role: 'observer' }, permission: { action: 'members.manage', status: 'running' } },
	'POST ^exercises\\/([^/]+)\\/transition$': { scope: 'exercise', body: { status: 'paused' }, permission: { action: 'lifecycle.transition', status: 'running' } },
	'GET ^exercises\\/([^/]+)\\/log$': { scope: 'exercise' },
	'POST ^exercises\\/([^/]+)\\/log$': { scope: 'exercise', body: order, permission: { action: 'log.order', status: 'running' } },
	'GET ^exercises\\/([^/]+)\\/log\\/verify$': { scope: 'exercise' },
	'GET ^scenarios$': { scope: 'user', denied: { who: 'fire1', status: 403 } },
	'POST ^scenarios$': { scope: 'user', body: { ...minimalScenario(), id: 'sweep-copy' }, denied: { who: 'fire1', status: 403 } },
	'GET ^scenarios\\/([^/]+)$': { scope: 'user', params: () => ['mini-flood'], denied: { who: 'fire1', status: 403 } },
	'PUT ^exercises\\/([^/]+)\\/scenario$': { scope: 'exercise', body: { scenarioId: 'mini-flood' }, permission: { action: 'exercise.edit', status: 'briefing' } },
	'GET ^exercises\\/([^/]+)\\/scenario$': { scope: 'exercise' },
	'GET ^exercises\\/([^/]+)\\/injects$': { scope: 'exercise', permission: { action: 'msel.manage', status: 'running' } },
	'GET ^exercises\\/([^/]+)\\/inbox$': { scope: 'exercise' },
	'POST ^exercises\\/([^/]+)\\/injects\\/([^/]+)\\/ack$': { scope: 'exercise', params: ['I-01'], permission: { action: 'log.ack', status: 'running', agency: 'em' } },
	'POST ^exercises\\/([^/]+)\\/injects\\/([^/]+)\\/deliver$': { scope: 'exercise', params: ['I-02'], permission: { action: 'inject.deliver', status: 'running' } },
	'POST ^exercises\\/([^/]+)\\/injects\\/adhoc$': { scope: 'exercise', body: adhoc, permission: { action: 'inject.deliver', status: 'running' } },
	'POST ^exercises\\/([^/]+)\\/injects\\/roll$': { scope: 'exercise', permission: { action: 'inject.deliver', status: 'running' } },
	// Every member may open a monitoring point (board.read), so only outsiders are refused.
	'POST ^exercises\\/([^/]+)\\/monitoring\\/([^/]+)\\/open$': { scope: 'exercise', params: ['CAM-1'] },
	'GET ^exercises\\/([^/]+)\\/monitoring\\/([^/]+)$': { scope: 'exercise', params: ['CAM-1'] },
	'POST ^exercises\\/([^/]+)\\/clock$': { scope: 'exercise', body: { action: 'speed', speed: 4 }, permission: { action: 'clock.control', status: 'running' } },
	'GET ^exercises\\/([^/]+)\\/observations$': { scope: 'exercise', permission: { action: 'observation.read', status: 'running' } },
	'POST ^exercises\\/([^/]+)\\/observations$': { scope: 'exercise', body: { kind: 'note', text: 'x' }, permission: { action: 'observation.write', status: 'running' } },
	'GET ^exercises\\/([^/]+)\\/ratings$': { scope: 'exercise', permission: { action: 'observation.read', status: 'running' } },
	'PUT ^exercises\\/([^/]+)\\/ratings$': {
		scope: 'exercise',
		body: { objectiveId: 'O1', targetId: 'O1.1', agency: 'em', rating: 'M' },
		permission: { action: 'observation.write', status: 'running' }
	},
	'PUT ^exercises\\/([^/]+)\\/self-assessments$': {
		scope: 'exercise',
		body: { objectiveId: 'O1', text: 'x', asAgency: 'em' },
		permission: { action: 'selfassessment.write', status: 'ended', agency: 'em' }
	},
	'GET ^exercises\\/([^/]+)\\/review$': { scope: 'exercise', permission: { action: 'review.read', status: 'ended' } },
	'POST ^exercises\\/([^/]+)\\/review$': { scope: 'exercise', body: { summary: 'x', rectifications: [] }, permission: { action: 'review.edit', status: 'ended' } },
	'GET ^exercises\\/([^/]+)\\/review\\/export$': { scope: 'exercise', permission: { action: 'review.read', status: 'ended' } },
	'GET ^exercises\\/([^/]+)\\/replay$': { scope: 'exercise', permission: { action: 'review.read', status: 'ended' } },
	'GET ^rectifications$': { scope: 'user' },
	'PATCH ^rectifications\\/(.+)$': { scope: 'user', params: (f) => [f.rectificationItem], body: { owner: 'x' }, denied: { who: 'outsider', status: 404 } },
	'GET ^exercises\\/([^/]+)\\/tasks$': { scope: 'exercise' }
};

/** The demo's members and their roles there (cloned exercises copy them). */
const MEMBERS: Record<string, Membership[]> = {
	facilitator: [{ role: 'facilitator', agencyCode: null }],
	commander: [{ role: 'commander', agencyCode: null }],
	em1: [{ role: 'player', agencyCode: 'em' }],
	fire1: [{ role: 'player', agencyCode: 'fire' }],
	police1: [{ role: 'player', agencyCode: 'police' }],
	health1: [{ role: 'player', agencyCode: 'health' }],
	evaluator: [{ role: 'evaluator', agencyCode: null }],
	observer: [{ role: 'observer', agencyCode: null }]
};
const USERS = [...Object.keys(MEMBERS), 'outsider', 'admin'];

let database: TestDatabase;
let api: ReturnType<typeof apiClient>;
const t: Record<string, string> = {};
let f: Fixture;

const call = (method: string, path: string, who: string | null, body?: unknown) => api.call(method, path, { body, token: who ? t[who] : undefined });

/** The concrete path of a route: its groups filled in order. */
function pathOf(pattern: RegExp, params: string[]): string {
	let i = 0;
	const path = pattern.source
		.replace(/^\^|\$$/g, '')
		.replace(/\(\[\^\/\]\+\)|\(\.\+\)/g, () => encodeURIComponent(params[i++] ?? 'missing'))
		.replace(/\\\//g, '/');
	expect(i, `${pattern} has as many groups as parameters`).toBe(params.length);
	return path;
}

const routes = apiRoutes().map((r) => ({ ...r, key: `${r.method} ${r.pattern.source}` }));

function paramsFor(rule: Rule, exerciseId: string): string[] {
	if (rule.scope === 'exercise') return [exerciseId, ...(rule.params ?? [])];
	if (rule.scope === 'user' && rule.params) return rule.params(f);
	return [];
}

async function exercise(owner: string, status: 'briefing' | 'running' | 'ended'): Promise<string> {
	const id = await cloneDemoExercise(database.db, 'briefing');
	if (owner !== 'facilitator') {
		await call('POST', `exercises/${id}/members`, 'facilitator', { username: owner, role: 'facilitator' });
	}
	expect((await call('PUT', `exercises/${id}/scenario`, owner, { scenarioId: 'mini-flood', seed: 's' })).status).toBe(200);
	if (status === 'briefing') return id;
	expect((await call('POST', `exercises/${id}/transition`, owner, { status: 'running' })).status).toBe(200);
	expect((await call('POST', `exercises/${id}/injects/I-01/deliver`, owner)).status).toBe(201);
	if (status === 'ended') expect((await call('POST', `exercises/${id}/transition`, owner, { status: 'ended' })).status).toBe(200);
	return id;
}

/** Everything the refused calls could have changed, read by the facilitator. */
async function stateOf(id: string) {
	const read = async (path: string) => (await call('GET', `exercises/${id}/${path}`, 'facilitator')).json;
	const ex = (await call('GET', `exercises/${id}`, 'facilitator')).json;
	return {
		status: ex.exercise.status,
		members: ex.members.map((m: { username: string; role: string }) => `${m.username}:${m.role}`).sort(),
		log: (await read('log')).entries.length,
		observations: (await read('observations')).observations.length,
		ratings: (await read('ratings')).ratings.length,
		delivered: (await read('inbox')).injects.map((i: { id: string }) => i.id),
		acks: (await database.db.select().from(injectAcks).where(eq(injectAcks.exerciseId, id))).length,
		scenario: (await read('scenario')).scenario?.id ?? null
	};
}

beforeAll(async () => {
	database = await seededDatabase();
	api = apiClient(database);
	for (const u of USERS) t[u] = await api.signIn(u);
	expect((await call('POST', 'scenarios', 'facilitator', minimalScenario())).status).toBe(201);
	const ex = { briefing: await exercise('facilitator', 'briefing'), running: await exercise('facilitator', 'running'), ended: await exercise('facilitator', 'ended') };
	const foreign = await exercise('commander', 'running');
	await call('POST', `exercises/${foreign}/members`, 'commander', { username: 'outsider', role: 'player', agencyCode: 'em' });
	// Leave the foreign exercise to its own organiser: the demo facilitator is no member of it.
	const facilitator = await userId(database.db, 'facilitator');
	await database.db.delete(exerciseMembers).where(and(eq(exerciseMembers.exerciseId, foreign), eq(exerciseMembers.userId, facilitator)));
	// One tracked rectification item of the ended exercise.
	const item = {
		id: 'R-sweep',
		problem: { zh: '问题', en: 'Problem' },
		cause: { zh: '原因', en: 'Cause' },
		action: { zh: '措施', en: 'Action' },
		element: 'training',
		agency: 'em',
		dueDate: '2027-01-15',
		decision: 'accepted'
	};
	expect((await call('POST', `exercises/${ex.ended}/review`, 'facilitator', { summary: 's', rectifications: [item] })).status).toBe(201);
	const items = (await call('GET', `rectifications?exercise=${ex.ended}`, 'facilitator')).json.items;
	f = { ex, foreign, rectificationItem: items[0].id };
}, 120_000);
afterAll(() => database.dispose());

describe(`access sweep of the JSON API on ${backend}`, () => {
	it('classifies every endpoint of the router', () => {
		const unclassified = routes.filter((r) => !RULES[r.key]).map((r) => r.key);
		expect(unclassified, 'add these endpoints to RULES in access-sweep.test.ts').toEqual([]);
		const stale = Object.keys(RULES).filter((k) => !routes.some((r) => r.key === k));
		expect(stale, 'rules for endpoints the router no longer has').toEqual([]);
		expect(routes.length).toBeGreaterThan(30);
	});

	it('answers 401 with the bare error envelope to every endpoint but sign-in, without or with a dead session', async () => {
		const dead = await api.signIn('fire2');
		expect((await api.call('DELETE', 'session', { token: dead })).status).toBe(204);
		const callers = [{}, { token: 'abcdefgh.ijklmnop' }, { token: dead }, { cookie: `drillboard_session=${dead}` }, { cookie: 'drillboard_session=' }];
		for (const r of routes) {
			const rule = RULES[r.key];
			if (rule.scope === 'public') continue;
			const path = pathOf(r.pattern, paramsFor(rule, f.ex.running));
			for (const who of callers) {
				const res = await api.call(r.method, path, { ...who, body: 'body' in rule ? rule.body : undefined });
				expect(res.status, `${r.method} ${path} ${JSON.stringify(who)}`).toBe(401);
				expect(res.json).toEqual({ error: { code: 'unauthorized', message: 'Sign in first.' } });
				expect(res.headers.get('set-cookie')).toBeNull();
			}
		}
	});

	it("answers a non-member exactly as for an exercise that does not exist, for every exercise-scoped endpoint", async () => {
		const missing = crypto.randomUUID();
		// The demo facilitator against another organiser's exercise, an administrator (member of none),
		// and a player of that other exercise against the demo members' exercises.
		const probes = [
			{ who: 'facilitator', id: f.foreign },
			{ who: 'admin', id: f.foreign },
			{ who: 'outsider', id: f.ex.running },
			{ who: 'outsider', id: f.ex.ended },
			{ who: 'admin', id: f.ex.briefing }
		];
		const before = await Promise.all(Object.values(f.ex).map(stateOf));
		let swept = 0;
		for (const r of routes) {
			const rule = RULES[r.key];
			if (rule.scope !== 'exercise') continue;
			const body = 'body' in rule ? rule.body : undefined;
			const none = await call(r.method, pathOf(r.pattern, paramsFor(rule, missing)), 'outsider', body);
			expect(none.status, `${r.key} for a missing exercise`).toBe(404);
			expect(none.json).toEqual({ error: { code: 'not_found', message: 'No such exercise.' } });
			for (const p of probes) {
				const res = await call(r.method, pathOf(r.pattern, paramsFor(rule, p.id)), p.who, body);
				expect(res.status, `${r.key} as ${p.who}`).toBe(404);
				expect(res.json).toEqual(none.json);
				swept++;
			}
		}
		expect(swept).toBeGreaterThan(100);
		expect(await Promise.all(Object.values(f.ex).map(stateOf))).toEqual(before);
	});

	it('answers 403 to every member whose role lacks the permission, by the permission matrix, and changes nothing', async () => {
		const ids = Object.values(f.ex);
		const before = await Promise.all(ids.map(stateOf));
		let refused = 0;
		for (const r of routes) {
			const rule = RULES[r.key];
			if (rule.scope !== 'exercise' || !rule.permission) continue;
			const { action, status, agency } = rule.permission;
			const id = f.ex[status as keyof Fixture['ex']];
			const lacking = Object.keys(MEMBERS).filter((u) => !can(MEMBERS[u], action, { status, agency }));
			const allowed = Object.keys(MEMBERS).filter((u) => !lacking.includes(u));
			expect(allowed.length, `${action} in ${status} is allowed to someone, so the refusal is about the role`).toBeGreaterThan(0);
			for (const who of lacking) {
				const res = await call(r.method, pathOf(r.pattern, paramsFor(rule, id)), who, rule.body);
				expect(res.status, `${r.key} as ${who} (${action})`).toBe(403);
				// A broken chain rule names itself; everything else is the plain `forbidden`.
				expect(['forbidden', 'chain_rule']).toContain(res.json.error.code);
				refused++;
			}
		}
		expect(refused).toBeGreaterThan(60);
		expect(await Promise.all(ids.map(stateOf))).toEqual(before);
	});

	it('refuses the account-level endpoints to accounts without the system role or the relation', async () => {
		for (const r of routes) {
			const rule = RULES[r.key];
			if (rule.scope !== 'user' || !rule.denied) continue;
			const res = await call(r.method, pathOf(r.pattern, paramsFor(rule, '')), rule.denied.who, rule.body);
			expect(res.status, `${r.key} as ${rule.denied.who}`).toBe(rule.denied.status);
			expect(Object.keys(res.json.error).sort()).toEqual(['code', 'message']);
		}
		const rect = (await call('GET', `rectifications?exercise=${f.ex.ended}`, 'facilitator')).json.items[0];
		expect(rect.owner).not.toBe('x');
		expect((await call('GET', 'exercises', 'outsider')).json.exercises.map((e: { id: string }) => e.id)).toEqual([f.foreign]);
	});
});

describe(`CSRF on the JSON API on ${backend}`, () => {
	it('refuses form and text bodies to every writing endpoint, and cookie writes from a foreign origin', async () => {
		const cookie = `drillboard_session=${t.facilitator}`;
		const before = await Promise.all(Object.values(f.ex).map(stateOf));
		for (const r of routes.filter((x) => x.method !== 'GET')) {
			const rule = RULES[r.key];
			const path = pathOf(r.pattern, paramsFor(rule, f.ex.running));
			const bodies = [
				{ contentType: 'text/plain', rawBody: JSON.stringify('body' in rule ? (rule.body ?? {}) : {}) },
				{ contentType: 'application/x-www-form-urlencoded', rawBody: 'status=ended&title=x' },
				{ contentType: 'multipart/form-data; boundary=x', rawBody: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n' }
			];
			for (const b of bodies) {
				const res = await api.call(r.method, path, { ...b, cookie });
				expect(res.status, `${r.key} with ${b.contentType}`).toBe(415);
				expect(res.json.error.code).toBe('unsupported_media_type');
			}
			// JSON with the cookie from a foreign page (a same-site sibling could send it) is refused too …
			const foreign = await api.call(r.method, path, { cookie, origin: 'http://evil.example', body: 'body' in rule ? rule.body : undefined });
			expect(foreign.status, `${r.key} from a foreign origin`).toBe(403);
			expect(foreign.json.error).toEqual({ code: 'forbidden', message: 'Cross-site requests are not accepted.' });
		}
		expect(await Promise.all(Object.values(f.ex).map(stateOf))).toEqual(before);
		// … while our own origin and bearer tokens (which no foreign page holds) are fine.
		const own = await api.call('POST', `exercises/${f.ex.running}/observations`, { cookie: `drillboard_session=${t.evaluator}`, origin: 'http://localhost', body: { kind: 'note', text: 'own origin' } });
		expect(own.status).toBe(201);
		const bearer = await api.call('POST', `exercises/${f.ex.running}/observations`, { token: t.evaluator, origin: 'http://evil.example', body: { kind: 'note', text: 'bearer' } });
		expect(bearer.status).toBe(201);
	});
});

describe(`session fixation and sign-out on ${backend}`, () => {
	it('never adopts a session that arrives with the sign-in, and signing in again ends it', async () => {
		const planted = await api.signIn('fire2');
		const res = await api.call('POST', 'session', { body: { username: 'fire2', password: 'drillboard' }, cookie: `drillboard_session=${planted}` });
		expect(res.status).toBe(201);
		expect(res.json.token).not.toBe(planted);
		expect(res.headers.get('set-cookie')).toContain(`drillboard_session=${res.json.token};`);
		expect((await api.call('GET', 'me', { token: planted })).status).toBe(401);
		expect((await api.call('GET', 'me', { token: res.json.token })).json.user.username).toBe('fire2');
		// A made-up cookie value is never turned into a session either.
		const made = await api.call('POST', 'session', { body: { username: 'fire2', password: 'drillboard' }, cookie: 'drillboard_session=aaaaaaaa.bbbbbbbb' });
		expect(made.json.token).not.toBe('aaaaaaaa.bbbbbbbb');
		expect((await api.call('GET', 'me', { cookie: 'drillboard_session=aaaaaaaa.bbbbbbbb' })).status).toBe(401);
	});

	it('ends the session on the server at sign-out: the same token then gets 401 everywhere', async () => {
		const token = await api.signIn('fire2');
		expect((await api.call('DELETE', 'session', { cookie: `drillboard_session=${token}` })).status).toBe(204);
		expect((await api.call('GET', 'me', { token })).status).toBe(401);
		expect((await api.call('GET', `exercises/${f.ex.running}`, { cookie: `drillboard_session=${token}` })).status).toBe(401);
	});
});

/** Every kind of board document (the Record makes `npm run check` fail when docs.ts gains a kind). */
const DOC_KINDS: Record<BoardDoc['kind'], (exerciseId: string) => string> = {
	common: commonDocName,
	control: controlDocName,
	agency: (id) => agencyDocName(id, 'fire')
};

describe(`access sweep of the collaboration documents on ${backend}`, () => {
	let server: RunningCollab;
	beforeAll(async () => {
		server = await startCollab(database);
	});
	afterAll(() => server.stop());

	async function attempt(room: string, auth: Auth | null) {
		const c = rawClient(server.url, room, auth);
		const closed = await c.closed;
		return { ...closed, received: c.received.length };
	}

	for (const [kind, name] of Object.entries(DOC_KINDS)) {
		it(`refuses exercise/<id>/${kind} without a session (4401), to non-members and across exercises (4403)`, async () => {
			const own = name(f.ex.running);
			const other = name(f.foreign);
			for (const auth of [null, { token: 'abcdefgh.ijklmnop' }, { cookie: 'aaaaaaaa.bbbbbbbb' }]) {
				expect(await attempt(own, auth)).toEqual({ code: 4401, reason: 'sign in first', received: 0 });
			}
			// A member of the exercise, asking for the other organiser's document of the same kind.
			expect(await attempt(other, { token: t.facilitator })).toEqual({ code: 4403, reason: 'no access to this document', received: 0 });
			expect(await attempt(own, { token: t.admin })).toEqual({ code: 4403, reason: 'no access to this document', received: 0 });
			expect(await attempt(own, { token: t.outsider })).toEqual({ code: 4403, reason: 'no access to this document', received: 0 });
			// The member's own cookie, from a foreign page.
			expect(await attempt(own, { cookie: t.fire1, origin: 'http://evil.example' })).toEqual({ code: 4403, reason: 'origin not allowed', received: 0 });
			// The same member is let in (so the refusals above are about access, not a broken name).
			const ok = rawClient(server.url, own, { token: t.fire1 });
			await ok.opened;
			ok.ws.close();
			await ok.closed;
		});
	}
});
