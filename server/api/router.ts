import type { AppContext } from '../context';
import { AppError, notFound } from '../errors';
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

function decodeParam(p: string): string {
	try {
		return decodeURIComponent(p);
	} catch {
		throw notFound('No such endpoint.');
	}
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
