import { entriesToCsv } from '../../../src/lib/domain/commandlog/csv';
import { scenarioNow } from '../../clock';
import { appendEntry, listEntries, verifyLog } from '../../commandlog';
import { authorize } from '../../exercises';
import { json, memberAccess, readJson, type Route } from '../http';

export const logRoutes: Route[] = [
	{
		method: 'GET',
		pattern: /^exercises\/([^/]+)\/log$/,
		handler: async (ctx, req, [id]) => {
			const { access } = await memberAccess(ctx, req, id);
			const { format, ...filters } = Object.fromEntries(new URL(req.request.url).searchParams);
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
			const { session, access } = await memberAccess(ctx, req, id);
			const scenarioMs = await scenarioNow(ctx.database.db, id);
			const entry = await appendEntry(ctx.database.db, session.user, access, await readJson(req.request), { scenarioMs });
			ctx.events.logAppended(entry);
			return json({ entry }, 201);
		}
	},
	{
		method: 'GET',
		pattern: /^exercises\/([^/]+)\/log\/verify$/,
		handler: async (ctx, req, [id]) => {
			const { access } = await memberAccess(ctx, req, id);
			authorize(access, 'log.read');
			return json(await verifyLog(ctx.database.db, id));
		}
	}
];
