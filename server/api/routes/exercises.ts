import { allowedActions } from '../../../src/lib/domain/permissions';
import { accessExercise, addMember, createExercise, listAgencies, listExercisesFor, listMembers, transitionExercise } from '../../exercises';
import { json, memberAccess, readJson, requireSession, type Route } from '../http';

export const exerciseRoutes: Route[] = [
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
			const { access } = await memberAccess(ctx, req, id);
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
			const { access } = await memberAccess(ctx, req, id);
			return json({ member: await addMember(ctx.database.db, access, await readJson(req.request)) }, 201);
		}
	},
	{
		method: 'POST',
		pattern: /^exercises\/([^/]+)\/transition$/,
		handler: async (ctx, req, [id]) => {
			const { session, access } = await memberAccess(ctx, req, id);
			const status = await transitionExercise(ctx.database.db, session.user, access, await readJson(req.request));
			ctx.events.exerciseChanged(access.exercise.id);
			return json({ status });
		}
	}
];
