import type { AppContext } from '../context';
import { invalidateSession, SESSION_COOKIE, sessionCookieOptions, type ValidSession } from '../auth/sessions';
import { AppError, notFound, unauthorized } from '../errors';
import { accessExercise, addMember, authorize, createExercise, listAgencies, listExercisesFor, listMembers, transitionExercise } from '../exercises';
import { allowedActions } from '../../src/lib/domain/permissions';
import { entriesToCsv } from '../../src/lib/domain/commandlog/csv';
import { appendEntry, listEntries, verifyLog } from '../commandlog';
import { scenarioNow } from '../clock';
import { login } from '../users';

/**
 * The JSON API (`/api/v1/*`), written against the Fetch API so it runs inside SvelteKit and in tests
 * alike. Errors are `{ error: { code, message, details? } }`; internals are logged, never returned.
 */
export interface ApiRequest {
	request: Request;
	session: ValidSession | null;
	clientAddress: string;
	/** Whether the session cookie must be Secure (everything but plain-HTTP localhost). */
	secureCookies: boolean;
}

type Handler = (ctx: AppContext, req: ApiRequest, params: string[]) => Promise<Response>;
type Route = { method: string; pattern: RegExp; handler: Handler };

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
	new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });

export function errorResponse(e: AppError): Response {
	const body = { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } };
	return json(body, e.status, e.retryAfterSeconds ? { 'retry-after': String(e.retryAfterSeconds) } : {});
}

function cookieHeader(value: string, secure: boolean, maxAge?: number): string {
	const o = sessionCookieOptions(secure);
	const parts = [`${SESSION_COOKIE}=${value}`, `Path=${o.path}`, 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAge ?? o.maxAge}`];
	if (o.secure) parts.push('Secure');
	return parts.join('; ');
}

/** JSON bodies only: a cross-site form cannot send application/json without a CORS preflight. */
async function readJson(request: Request): Promise<unknown> {
	if (!request.headers.get('content-type')?.toLowerCase().startsWith('application/json')) {
		throw new AppError(415, 'unsupported_media_type', 'Send the body as application/json.');
	}
	const text = await request.text();
	if (text.length > 100_000) throw new AppError(413, 'too_large', 'The request body is too large.');
	try {
		return JSON.parse(text);
	} catch {
		throw new AppError(400, 'invalid_json', 'The body is not valid JSON.');
	}
}

function requireSession(req: ApiRequest): ValidSession {
	if (!req.session) throw unauthorized();
	return req.session;
}

const routes: Route[] = [
	{
		method: 'POST',
		pattern: /^session$/,
		handler: async (ctx, req) => {
			const { token } = await login(ctx.database.db, ctx.limiters, await readJson(req.request), req.clientAddress);
			return json({ token, tokenType: 'Bearer' }, 201, { 'set-cookie': cookieHeader(token, req.secureCookies) });
		}
	},
	{
		method: 'DELETE',
		pattern: /^session$/,
		handler: async (ctx, req) => {
			const s = requireSession(req);
			await invalidateSession(ctx.database.db, s.sessionId);
			return new Response(null, { status: 204, headers: { 'set-cookie': cookieHeader('', req.secureCookies, 0) } });
		}
	},
	{
		method: 'GET',
		pattern: /^me$/,
		handler: async (_ctx, req) => json({ user: requireSession(req).user })
	},
	{
		method: 'GET',
		pattern: /^agencies$/,
		handler: async (ctx, req) => {
			requireSession(req);
			return json({ agencies: await listAgencies(ctx.database.db) });
		}
	},
	{
		method: 'GET',
		pattern: /^exercises$/,
		handler: async (ctx, req) => json({ exercises: await listExercisesFor(ctx.database.db, requireSession(req).user.id) })
	},
	{
		method: 'POST',
		pattern: /^exercises$/,
		handler: async (ctx, req) => {
			const s = requireSession(req);
			const id = await createExercise(ctx.database.db, s.user, await readJson(req.request));
			const access = await accessExercise(ctx.database.db, s.user, id);
			return json({ exercise: access.exercise }, 201, { location: `/api/v1/exercises/${id}` });
		}
	},
	{
		method: 'GET',
		pattern: /^exercises\/([^/]+)$/,
		handler: async (ctx, req, [id]) => {
			const s = requireSession(req);
			const access = await accessExercise(ctx.database.db, s.user, id);
			return json({
				exercise: access.exercise,
				myRoles: access.memberships,
				allowedActions: allowedActions(access.memberships, { status: access.status }),
				members: await listMembers(ctx.database.db, id)
			});
		}
	},
	{
		method: 'POST',
		pattern: /^exercises\/([^/]+)\/members$/,
		handler: async (ctx, req, [id]) => {
			const s = requireSession(req);
			const access = await accessExercise(ctx.database.db, s.user, id);
			return json({ member: await addMember(ctx.database.db, access, await readJson(req.request)) }, 201);
		}
	},
	{
		method: 'GET',
		pattern: /^exercises\/([^/]+)\/log$/,
		handler: async (ctx, req, [id]) => {
			const s = requireSession(req);
			const access = await accessExercise(ctx.database.db, s.user, id);
			const query = Object.fromEntries(new URL(req.request.url).searchParams);
			const { format, ...filters } = query;
			const entries = await listEntries(ctx.database.db, access, filters);
			if (format === 'csv') {
				return new Response(entriesToCsv(entries), {
					headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="command-log-${id}.csv"` }
				});
			}
			return json({ entries });
		}
	},
	{
		method: 'POST',
		pattern: /^exercises\/([^/]+)\/log$/,
		handler: async (ctx, req, [id]) => {
			const s = requireSession(req);
			const access = await accessExercise(ctx.database.db, s.user, id);
			const scenarioMs = await scenarioNow(ctx.database.db, id);
			const entry = await appendEntry(ctx.database.db, s.user, access, await readJson(req.request), { scenarioMs });
			ctx.events.logAppended(entry);
			return json({ entry }, 201);
		}
	},
	{
		method: 'GET',
		pattern: /^exercises\/([^/]+)\/log\/verify$/,
		handler: async (ctx, req, [id]) => {
			const s = requireSession(req);
			const access = await accessExercise(ctx.database.db, s.user, id);
			authorize(access, 'log.read');
			return json(await verifyLog(ctx.database.db, id));
		}
	},
	{
		method: 'POST',
		pattern: /^exercises\/([^/]+)\/transition$/,
		handler: async (ctx, req, [id]) => {
			const s = requireSession(req);
			const access = await accessExercise(ctx.database.db, s.user, id);
			const status = await transitionExercise(ctx.database.db, s.user, access, await readJson(req.request));
			return json({ status });
		}
	}
];

/** Dispatches `path` (the part after /api/v1/). */
export async function handleApi(ctx: AppContext, req: ApiRequest, path: string): Promise<Response> {
	try {
		const matching = routes.map((r) => ({ r, m: r.pattern.exec(path) })).filter((x) => x.m);
		if (!matching.length) throw notFound('No such endpoint.');
		const hit = matching.find((x) => x.r.method === req.request.method);
		if (!hit) {
			const allow = matching.map((x) => x.r.method).join(', ');
			return json({ error: { code: 'method_not_allowed', message: `Use ${allow}.` } }, 405, { allow });
		}
		return await hit.r.handler(ctx, req, (hit.m as RegExpExecArray).slice(1).map(decodeURIComponent));
	} catch (e) {
		if (e instanceof AppError) return errorResponse(e);
		console.error('api error', req.request.method, path, e);
		return json({ error: { code: 'internal', message: 'Something went wrong on the server.' } }, 500);
	}
}
