import { addObservation, listObservations, listRatings, listSelfAssessments, rate, saveSelfAssessment } from '../../review/evaluation';
import { listRectifications, updateRectification } from '../../review/rectification';
import { exportReview } from '../../review/export';
import { replayAt } from '../../review/replay';
import { currentReview, reviewVersions, saveReview } from '../../review/reviews';
import { json, memberAccess, readJson, requireSession, type Route } from '../http';

export const reviewRoutes: Route[] = [
	{
		method: 'GET',
		pattern: /^exercises\/([^/]+)\/observations$/,
		handler: async (ctx, req, [id]) => {
			const { access } = await memberAccess(ctx, req, id);
			return json({ observations: await listObservations(ctx.database.db, access) });
		}
	},
	{
		method: 'POST',
		pattern: /^exercises\/([^/]+)\/observations$/,
		handler: async (ctx, req, [id]) => {
			const { session, access } = await memberAccess(ctx, req, id);
			return json({ observation: await addObservation(ctx.database.db, session.user, access, await readJson(req.request)) }, 201);
		}
	},
	{
		method: 'GET',
		pattern: /^exercises\/([^/]+)\/ratings$/,
		handler: async (ctx, req, [id]) => {
			const { access } = await memberAccess(ctx, req, id);
			return json({ ratings: await listRatings(ctx.database.db, access) });
		}
	},
	{
		method: 'PUT',
		pattern: /^exercises\/([^/]+)\/ratings$/,
		handler: async (ctx, req, [id]) => {
			const { session, access } = await memberAccess(ctx, req, id);
			return json({ rating: await rate(ctx.database.db, session.user, access, await readJson(req.request)) });
		}
	},
	{
		method: 'PUT',
		pattern: /^exercises\/([^/]+)\/self-assessments$/,
		handler: async (ctx, req, [id]) => {
			const { session, access } = await memberAccess(ctx, req, id);
			return json({ selfAssessment: await saveSelfAssessment(ctx.database.db, session.user, access, await readJson(req.request)) });
		}
	},
	{
		method: 'GET',
		pattern: /^exercises\/([^/]+)\/review$/,
		handler: async (ctx, req, [id]) => {
			const { access } = await memberAccess(ctx, req, id);
			const review = await currentReview(ctx.database.db, access);
			return json({ ...review, selfAssessments: await listSelfAssessments(ctx.database.db, id), versions: await reviewVersions(ctx.database.db, access) });
		}
	},
	{
		method: 'POST',
		pattern: /^exercises\/([^/]+)\/review$/,
		handler: async (ctx, req, [id]) => {
			const { session, access } = await memberAccess(ctx, req, id);
			return json({ review: await saveReview(ctx.database.db, session.user, access, await readJson(req.request, 2_000_000)) }, 201);
		}
	},
	{
		method: 'GET',
		pattern: /^exercises\/([^/]+)\/review\/export$/,
		handler: async (ctx, req, [id]) => {
			const { access } = await memberAccess(ctx, req, id);
			const { body, headers } = await exportReview(ctx.database.db, access, Object.fromEntries(new URL(req.request.url).searchParams));
			return new Response(body, { status: 200, headers });
		}
	},
	{
		method: 'GET',
		pattern: /^exercises\/([^/]+)\/replay$/,
		handler: async (ctx, req, [id]) => {
			const { access } = await memberAccess(ctx, req, id);
			return json(await replayAt(ctx.database.db, access, Object.fromEntries(new URL(req.request.url).searchParams)));
		}
	},
	{
		method: 'GET',
		pattern: /^rectifications$/,
		handler: async (ctx, req) => {
			const s = requireSession(req);
			return json(await listRectifications(ctx.database.db, s.user, Object.fromEntries(new URL(req.request.url).searchParams)));
		}
	},
	{
		method: 'PATCH',
		pattern: /^rectifications\/(.+)$/,
		handler: async (ctx, req, [itemId]) => {
			const s = requireSession(req);
			return json({ item: await updateRectification(ctx.database.db, s.user, itemId, await readJson(req.request)) });
		}
	}
];
