import { endSession } from '../../auth/end-session';
import { login } from '../../users';
import { cookieHeader, json, readJson, requireSession, type Route } from '../http';

export const sessionRoutes: Route[] = [
	{
		method: 'POST',
		pattern: /^session$/,
		handler: async (ctx, req) => {
			const { token } = await login(ctx.database.db, ctx.limiters, await readJson(req.request), req.clientAddress);
			// Never keep a session that arrived with the sign-in (fixation): the new token replaces it.
			if (req.session) await endSession(ctx, req.session);
			return json({ token, tokenType: 'Bearer' }, 201, { 'set-cookie': cookieHeader(token, req.secureCookies) });
		}
	},
	{
		method: 'DELETE',
		pattern: /^session$/,
		handler: async (ctx, req) => {
			await endSession(ctx, requireSession(req));
			return new Response(null, { status: 204, headers: { 'set-cookie': cookieHeader('', req.secureCookies, 0) } });
		}
	},
	{
		method: 'GET',
		pattern: /^me$/,
		handler: async (_ctx, req) => json({ user: requireSession(req).user })
	}
];
