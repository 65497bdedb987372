import type { AppContext } from '../context';
import { AppError, forbidden, notFound } from '../errors';
import { apiUnavailable, errorResponse, json, type ApiRequest, type Route } from './http';
import { exerciseRoutes } from './routes/exercises';
import { injectRoutes } from './routes/injects';
import { logRoutes } from './routes/log';
import { reviewRoutes } from './routes/review';
import { scenarioRoutes } from './routes/scenarios';
import { sessionRoutes } from './routes/session';
import { taskRoutes } from './routes/tasks';

export type { ApiRequest } from './http';

/**
 * The JSON API (`/api/v1/*`), written against the Fetch API so it runs inside SvelteKit and in tests
 * alike. Errors are `{ error: { code, message, details? } }`; internals are logged, never returned.
 */
const routes: Route[] = [...sessionRoutes, ...exerciseRoutes, ...logRoutes, ...scenarioRoutes, ...injectRoutes, ...reviewRoutes, ...taskRoutes];

/** Every endpoint, for tests that must cover each one (the access sweep). */
export const apiRoutes = (): readonly Route[] => routes;

function decodeParam(p: string): string {
	try {
		return decodeURIComponent(p);
	} catch {
		throw notFound('No such endpoint.');
	}
}

/**
 * CSRF defence for writes, also for endpoints that read no body: a body must be JSON (a cross-site form
 * cannot send that without a CORS preflight), and a cookie-borne session must come from our own origin
 * (a bearer token cannot be attached by a foreign page).
 */
function refuseCrossSite(request: Request): void {
	const type = request.headers.get('content-type');
	if (type && !type.toLowerCase().startsWith('application/json')) throw new AppError(415, 'unsupported_media_type', 'Send the body as application/json.');
	const origin = request.headers.get('origin');
	if (origin && !request.headers.get('authorization') && origin !== new URL(request.url).origin) throw forbidden('Cross-site requests are not accepted.');
}

/** Dispatches `path` (the part after /api/v1/, without the query). */
export async function handleApi(ctx: AppContext, req: ApiRequest, path: string): Promise<Response> {
	try {
		const matching = routes.map((r) => ({ r, m: r.pattern.exec(path) })).filter((x) => x.m);
		if (!matching.length) throw notFound('No such endpoint.');
		const hit = matching.find((x) => x.r.method === req.request.method);
		if (!hit) {
			const allow = [...new Set(matching.map((x) => x.r.method))].join(', ');
			return json({ error: { code: 'method_not_allowed', message: `Use ${allow}.` } }, 405, { allow });
		}
		if (hit.r.method !== 'GET') refuseCrossSite(req.request);
		return await hit.r.handler(ctx, req, (hit.m as RegExpExecArray).slice(1).map(decodeParam));
	} catch (e) {
		if (e instanceof AppError) return errorResponse(e);
		const unavailable = apiUnavailable(e);
		if (unavailable) {
			console.warn('api: database unreachable', req.request.method, path, e instanceof Error ? e.message : e);
			return unavailable;
		}
		console.error('api error', req.request.method, path, e);
		return json({ error: { code: 'internal', message: 'Something went wrong on the server.' } }, 500);
	}
}
