/**
 * The access sweep of the pages and form actions (issue 7, "Access"), against the production build. Pages
 * and actions are found on the file system, so a new route is swept without touching this file: signed
 * out → sign-in page; outside the exercise → 404; the wrong role → 403 as the permission matrix says; a
 * cross-origin form POST to any action → SvelteKit's 403, with nothing changed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { can, type Action } from '../../src/lib/domain/permissions';
import type { ExerciseStatus } from '../../src/lib/domain/lifecycle';
import type { Membership } from '../../src/lib/domain/roles';
import { PASSWORD } from './helpers';

const ROUTES_DIR = 'src/routes';
const EVIL = 'http://evil.example';

interface PageRoute {
	/** The route id, e.g. `/exercises/[id]/board`. */
	id: string;
	/** Rendered in the browser only (`ssr = false`): the HTML is a bare shell, the data request decides. */
	csrOnly: boolean;
	/** Names of its form actions (`default` for the default action). */
	actions: string[];
}

function pageRoutes(dir = ROUTES_DIR): PageRoute[] {
	const out: PageRoute[] = [];
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) out.push(...pageRoutes(path));
		else if (entry.name === '+page.server.ts') {
			const rel = relative(ROUTES_DIR, dir).split(sep).filter((s) => s && !/^\(.*\)$/.test(s));
			const universal = join(dir, '+page.ts');
			const csrOnly = existsSync(universal) && /export const ssr = false/.test(readFileSync(universal, 'utf8'));
			out.push({ id: `/${rel.join('/')}`, csrOnly, actions: actionsOf(readFileSync(path, 'utf8')) });
		}
	}
	return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** The keys of `export const actions = { … }` (top-level keys are indented by one tab). */
function actionsOf(source: string): string[] {
	const at = source.indexOf('export const actions');
	if (at < 0) return [];
	const body = source.slice(at, source.indexOf('\n};', at));
	return [...body.matchAll(/^\t([A-Za-z_]\w*)\s*:/gm)].map((m) => m[1]);
}

const ROUTES = pageRoutes();
const EXERCISE_ROUTES = ROUTES.filter((r) => r.id.startsWith('/exercises/[id]'));

/** Pages anyone may request; signing out and the language switch are POST-only and redirect home. */
const PUBLIC: Record<string, { status: number; location?: string }> = {
	'/login': { status: 200 },
	'/logout': { status: 303, location: '/' },
	'/locale': { status: 303, location: '/' }
};

/** The demo members used by the sweep and their roles in the sweep's exercises. */
const MEMBERS: Record<string, Membership[]> = {
	facilitator: [{ role: 'facilitator', agencyCode: null }],
	commander: [{ role: 'commander', agencyCode: null }],
	fire1: [{ role: 'player', agencyCode: 'fire' }],
	evaluator: [{ role: 'evaluator', agencyCode: null }],
	observer: [{ role: 'observer', agencyCode: null }]
};
const SYSTEM: Record<string, 'admin' | 'organizer' | 'member'> = { facilitator: 'organizer', commander: 'organizer', fire1: 'member', evaluator: 'member', observer: 'member', admin: 'admin', health1: 'member' };

const may = (action: Action) => (who: string, status: ExerciseStatus) => can(MEMBERS[who] ?? [], action, { status });
/** Who may open a role-restricted exercise page (as its load function decides); the rest get 403. */
const EXERCISE_PAGE_RULES: Record<string, (who: string, status: ExerciseStatus) => boolean> = {
	'/exercises/[id]/console': (who) => MEMBERS[who]?.some((m) => m.role === 'facilitator') ?? false,
	'/exercises/[id]/evaluate': may('observation.read'),
	'/exercises/[id]/review': may('review.read'),
	'/exercises/[id]/review/print': may('review.read'),
	'/exercises/[id]/replay': may('review.read'),
	'/exercises/[id]/hotwash': (who, status) =>
		may('review.read')(who, status) || may('selfassessment.write')(who, status) || (status === 'ended' && (MEMBERS[who]?.some((m) => m.role === 'player') ?? false))
};
/** Account-level pages limited by the system role; every other page is open to every signed-in user. */
const SYSTEM_PAGE_RULES: Record<string, (who: string) => boolean> = {
	'/admin': () => true, // redirects to /admin/users, which checks
	'/admin/users': (who) => SYSTEM[who] === 'admin',
	'/exercises/new': (who) => SYSTEM[who] !== 'member',
	'/scenarios': (who) => SYSTEM[who] !== 'member',
	'/scenarios/[id]': (who) => SYSTEM[who] !== 'member',
	'/scenarios/[id]/edit': (who) => SYSTEM[who] !== 'member'
};

let baseURL: string;
const sessions: Record<string, APIRequestContext> = {};
const ex: Partial<Record<'briefing' | 'ended', string>> = {};
let scenarioId: string;

function pathFor(route: string, exerciseId: string): string {
	const path = route.replace('/exercises/[id]', `/exercises/${exerciseId}`).replace('/scenarios/[id]', `/scenarios/${scenarioId}`);
	expect(path, `a value for every parameter of ${route} (extend pathFor)`).not.toMatch(/\[/);
	return path;
}

/**
 * What the page's server load answers: its data request (`__data.json`) carries the status of the
 * first failing load, or a redirect; for server-rendered pages the HTML response must agree.
 */
async function pageStatus(ctx: APIRequestContext, route: PageRoute, path: string): Promise<number> {
	const res = await ctx.get(`${path.replace(/\/$/, '')}/__data.json`);
	const body = (await res.json()) as { type: string; nodes?: ({ type: string; status?: number } | null)[] };
	let status = res.status();
	if (body.type === 'redirect') status = 303;
	else if (body.type === 'data') status = body.nodes?.find((n) => n?.type === 'error')?.status ?? 200;
	const html = await ctx.get(path);
	if (route.csrOnly) expect(html.status(), `${path}: the shell`).toBe(200);
	else expect(html.status(), `${path} as HTML`).toBe(status);
	return status;
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ playwright }, info) => {
	baseURL = info.project.use.baseURL as string;
	for (const who of [...Object.keys(MEMBERS), 'admin', 'health1']) {
		const ctx = await playwright.request.newContext({ baseURL, maxRedirects: 0 });
		expect((await ctx.post('/api/v1/session', { data: { username: who, password: PASSWORD } })).status()).toBe(201);
		sessions[who] = ctx;
	}
	const fac = sessions.facilitator;
	scenarioId = (await (await fac.get('/api/v1/scenarios')).json()).scenarios[0].id;
	for (const status of ['briefing', 'ended'] as const) {
		const id = (await (await fac.post('/api/v1/exercises', { data: { title: `Access sweep ${status}` } })).json()).exercise.id as string;
		for (const [username, [m]] of Object.entries(MEMBERS)) {
			if (m.role !== 'facilitator') expect((await fac.post(`/api/v1/exercises/${id}/members`, { data: { username, role: m.role } })).status()).toBe(201);
		}
		for (const to of status === 'briefing' ? ['briefing'] : ['briefing', 'running', 'ended']) {
			expect((await fac.post(`/api/v1/exercises/${id}/transition`, { data: { status: to } })).status()).toBe(200);
		}
		ex[status] = id;
	}
});
test.afterAll(async () => {
	for (const ctx of Object.values(sessions)) await ctx.dispose();
});

test('finds the pages and their form actions on the file system', () => {
	expect(ROUTES.length).toBeGreaterThan(20);
	expect(EXERCISE_ROUTES.length).toBeGreaterThan(9);
	expect(ROUTES.find((r) => r.id === '/admin/users')?.actions).toEqual(['create', 'resetPassword', 'setActive']);
	for (const id of [...Object.keys(EXERCISE_PAGE_RULES), ...Object.keys(SYSTEM_PAGE_RULES), ...Object.keys(PUBLIC)]) {
		expect(ROUTES.map((r) => r.id), `rule for a page that no longer exists`).toContain(id);
	}
});

test('signed out, every page and every form action sends the visitor to the sign-in page', async ({ playwright }) => {
	const anon = await playwright.request.newContext({ baseURL, maxRedirects: 0 });
	for (const r of ROUTES) {
		const path = pathFor(r.id, ex.briefing as string);
		const res = await anon.get(path);
		const expected = PUBLIC[r.id];
		if (expected) {
			expect(res.status(), path).toBe(expected.status);
			if (expected.location) expect(res.headers().location).toBe(expected.location);
			continue;
		}
		expect(res.status(), path).toBe(303);
		expect(res.headers().location, path).toMatch(/^\/login(\?next=|$)/);
		for (const action of r.actions) {
			const post = await anon.post(action === 'default' ? path : `${path}?/${action}`, { form: { title: 'x' }, headers: { origin: baseURL, accept: 'text/html' } });
			expect(post.status(), `POST ${path} ?/${action}`).toBe(303);
			expect(post.headers().location).toMatch(/^\/login/);
		}
	}
	await anon.dispose();
});

test('outside the exercise every exercise page is 404, for a member of another exercise and for an administrator', async () => {
	// health1 plays in the demo exercise only: a real member's session, of another exercise. (Making
	// the demo's outsider a member would change what other specs rely on.)
	const own = (await (await sessions.health1.get('/api/v1/exercises')).json()).exercises[0].id as string;
	for (const r of EXERCISE_ROUTES) {
		for (const id of [ex.briefing as string, ex.ended as string]) {
			for (const who of ['health1', 'admin']) {
				expect(await pageStatus(sessions[who], r, pathFor(r.id, id)), `${r.id} as ${who}`).toBe(404);
				expect(await (await sessions[who].get(pathFor(r.id, id))).text()).not.toContain('Access sweep');
			}
		}
		expect(await pageStatus(sessions.health1, r, pathFor(r.id, own)), `${r.id} of health1's own exercise`).not.toBe(404);
	}
});

test('each page answers each role as the permission matrix says (200, or 403 for the wrong role)', async () => {
	let refused = 0;
	for (const r of ROUTES.filter((x) => !PUBLIC[x.id])) {
		for (const status of ['briefing', 'ended'] as const) {
			const id = ex[status] as string;
			for (const who of Object.keys(sessions)) {
				const exercisePage = r.id.startsWith('/exercises/[id]');
				if (exercisePage && !MEMBERS[who]) continue; // non-members: previous test
				const allowed = exercisePage ? (EXERCISE_PAGE_RULES[r.id]?.(who, status) ?? true) : (SYSTEM_PAGE_RULES[r.id]?.(who) ?? true);
				const got = await pageStatus(sessions[who], r, pathFor(r.id, id));
				if (allowed) expect([200, 303], `${r.id} (${status}) as ${who}`).toContain(got);
				else {
					expect(got, `${r.id} (${status}) as ${who}`).toBe(403);
					refused++;
				}
			}
			if (!r.id.startsWith('/exercises/[id]')) break; // account pages do not depend on the exercise
		}
	}
	expect(refused).toBeGreaterThan(25);
});

test('a cross-origin form POST to every action is refused with 403 and changes nothing', async () => {
	const fac = sessions.facilitator;
	const exercise = async () => (await (await fac.get(`/api/v1/exercises/${ex.briefing}`)).json()).exercise;
	const before = await exercise();
	const me = async (who: string) => (await sessions[who].get('/api/v1/me')).status();
	const fields = { title: 'CSRF', description: 'CSRF', status: 'running', username: 'csrf', password: 'csrf-password-1', displayName: 'CSRF', systemRole: 'admin', locale: 'en', role: 'observer' };
	let tried = 0;
	for (const r of ROUTES) {
		const who = r.id.startsWith('/admin') ? 'admin' : 'facilitator';
		const path = pathFor(r.id, ex.briefing as string);
		for (const action of r.actions) {
			const url = action === 'default' ? path : `${path}?/${action}`;
			const variants = [
				{ form: fields },
				{ multipart: fields },
				{ data: 'title=CSRF', headers: { 'content-type': 'text/plain' } }
			];
			for (const v of variants) {
				const res = await sessions[who].post(url, { ...v, headers: { ...('headers' in v ? v.headers : {}), origin: EVIL } });
				expect(res.status(), `${url} as ${who}`).toBe(403);
				expect(await res.text()).toContain('Cross-site');
				expect(res.headers()['set-cookie']).toBeUndefined();
				tried++;
			}
		}
	}
	expect(tried).toBeGreaterThan(40);
	// Nothing happened: the exercise is as it was, nobody was signed out, no account was created.
	expect(await exercise()).toEqual(before);
	for (const who of Object.keys(sessions)) expect(await me(who)).toBe(200);
	expect((await (await sessions.admin.get('/api/v1/me')).json()).user.locale).not.toBe('en');
	expect((await sessions.admin.post('/api/v1/session', { data: { username: 'csrf', password: 'csrf-password-1' } })).status()).toBe(401);
	// The same POST from our own origin goes through (so the refusals above were the origin check).
	const ok = await fac.post(`/exercises/${ex.briefing}?/edit`, { form: { title: 'Edited here', description: '' }, headers: { origin: baseURL } });
	expect(ok.status()).toBeLessThan(400);
	expect((await exercise()).title).toBe('Edited here');
});

test('the sign-in form never adopts a session it arrives with, and sign-out ends it on the server', async ({ playwright }) => {
	const planted = (await (await sessions.fire1.post('/api/v1/session', { data: { username: 'fire1', password: PASSWORD } })).json()).token as string;
	const victim = await playwright.request.newContext({ baseURL, maxRedirects: 0, extraHTTPHeaders: { cookie: `drillboard_session=${planted}` } });
	const res = await victim.post('/login', { form: { username: 'fire1', password: PASSWORD, next: '' }, headers: { origin: baseURL, accept: 'text/html' } });
	expect(res.status()).toBe(303);
	const issued = /drillboard_session=([^;]+)/.exec(res.headers()['set-cookie'] ?? '')?.[1];
	expect(issued).toBeTruthy();
	expect(issued).not.toBe(planted);
	const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
	expect((await victim.get('/api/v1/me', bearer(planted))).status()).toBe(401);
	expect((await victim.get('/api/v1/me', bearer(issued as string))).status()).toBe(200);
	// Signing out through the form kills the token on the server, not just the cookie.
	const out = await victim.post('/logout', { form: {}, headers: { origin: baseURL, accept: 'text/html', cookie: `drillboard_session=${issued}` } });
	expect(out.status()).toBe(303);
	expect((await victim.get('/api/v1/me', bearer(issued as string))).status()).toBe(401);
	await victim.dispose();
});
