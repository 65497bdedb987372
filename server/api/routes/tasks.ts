import { listExerciseTasks } from '../../tasks';
import { json, memberAccess, type Route } from '../http';

/** Task cards for integrations (read only; cards are written through the agency documents). */
export const taskRoutes: Route[] = [
	{
		method: 'GET',
		pattern: /^exercises\/([^/]+)\/tasks$/,
		handler: async (ctx, req, [id]) => {
			const { access } = await memberAccess(ctx, req, id);
			const filters = Object.fromEntries(new URL(req.request.url).searchParams);
			return json(await listExerciseTasks(ctx.database.db, access, filters));
		}
	}
];
