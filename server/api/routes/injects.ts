import { z } from 'zod';
import { findInject } from '../../../src/lib/domain/scenario/public';
import { bilingual, DELIVERY_METHODS, INJECT_TYPES, TARGET_ROLES } from '../../../src/lib/domain/scenario/schema';
import { controlClock } from '../../clock-control';
import { AppError, notFound } from '../../errors';
import { authorize } from '../../exercises';
import { deliverNow, deliveriesOf } from '../../injects/delivery';
import { acknowledgeInject, inbox, injectTimeline } from '../../injects/service';
import { exerciseScenario } from '../../scenarios';
import { openPoint } from '../../monitoring';
import { parse } from '../../users';
import { json, memberAccess, readJson, readOptionalJson, type Route } from '../http';

const adhocSchema = z
	.object({
		type: z.enum(INJECT_TYPES),
		delivery: z.enum(DELIVERY_METHODS),
		from: bilingual,
		to: z.object({ agencies: z.array(z.string().max(32)).min(1).max(20), roles: z.array(z.enum(TARGET_ROLES)).default(['commander', 'player']) }).strict(),
		message: bilingual
	})
	.strict();

export const injectRoutes: Route[] = [
	{
		method: 'GET',
		pattern: /^exercises\/([^/]+)\/injects$/,
		handler: async (ctx, req, [id]) => {
			const { access } = await memberAccess(ctx, req, id);
			return json(await injectTimeline(ctx.database.db, access));
		}
	},
	{
		method: 'GET',
		pattern: /^exercises\/([^/]+)\/inbox$/,
		handler: async (ctx, req, [id]) => {
			const { access } = await memberAccess(ctx, req, id);
			return json({ injects: await inbox(ctx.database.db, access) });
		}
	},
	{
		method: 'POST',
		pattern: /^exercises\/([^/]+)\/injects\/([^/]+)\/ack$/,
		handler: async (ctx, req, [id, injectId]) => {
			const { session, access } = await memberAccess(ctx, req, id);
			const ack = await acknowledgeInject(ctx.database.db, session.user, access, injectId, await readOptionalJson(req.request));
			ctx.events.injectAcknowledged(id, ack);
			return json({ ack }, 201);
		}
	},
	{
		method: 'POST',
		pattern: /^exercises\/([^/]+)\/injects\/([^/]+)\/deliver$/,
		handler: async (ctx, req, [id, injectId]) => {
			const { session, access } = await memberAccess(ctx, req, id);
			authorize(access, 'inject.deliver');
			const scenario = await exerciseScenario(ctx.database.db, id);
			const inject = scenario && findInject(scenario.package, injectId);
			if (!scenario || !inject) throw notFound('No such inject in this exercise’s scenario.');
			const source = scenario.package.injects.some((i) => i.id === injectId) ? 'msel' : 'random';
			const row = await deliverNow(ctx.database.db, id, injectId, source, session.user.id);
			ctx.events.injectsDelivered(id, [row]);
			return json({ delivery: row }, 201);
		}
	},
	{
		method: 'POST',
		pattern: /^exercises\/([^/]+)\/injects\/adhoc$/,
		handler: async (ctx, req, [id]) => {
			const { session, access } = await memberAccess(ctx, req, id);
			authorize(access, 'inject.deliver');
			const body = parse(adhocSchema, await readJson(req.request));
			const n = (await deliveriesOf(ctx.database.db, id)).filter((d) => d.source === 'adhoc').length + 1;
			const injectId = `ADHOC-${String(n).padStart(2, '0')}`;
			const row = await deliverNow(ctx.database.db, id, injectId, 'adhoc', session.user.id, { id: injectId, ...body });
			ctx.events.injectsDelivered(id, [row]);
			return json({ delivery: row }, 201);
		}
	},
	{
		method: 'POST',
		pattern: /^exercises\/([^/]+)\/injects\/roll$/,
		handler: async (ctx, req, [id]) => {
			const { access } = await memberAccess(ctx, req, id);
			authorize(access, 'inject.deliver');
			const scenario = await exerciseScenario(ctx.database.db, id);
			const decided = new Set((await deliveriesOf(ctx.database.db, id)).map((d) => d.injectId));
			const open = scenario?.package.randomPool.filter((r) => !decided.has(r.id)) ?? [];
			if (!open.length) throw new AppError(409, 'conflict', 'The random pool has no undelivered injects left.');
			const pick = open[crypto.getRandomValues(new Uint32Array(1))[0] % open.length];
			// A preview: nothing is delivered until the facilitator confirms with …/deliver (or vetoes).
			return json({ preview: pick });
		}
	},
	{
		method: 'POST',
		pattern: /^exercises\/([^/]+)\/monitoring\/([^/]+)\/open$/,
		handler: async (ctx, req, [id, pointId]) => {
			const { session, access } = await memberAccess(ctx, req, id);
			return json(await openPoint(ctx.database.db, session.user, access, pointId));
		}
	},
	{
		// Refreshes a live view that is already open (the board polls this): same answer, not recorded.
		method: 'GET',
		pattern: /^exercises\/([^/]+)\/monitoring\/([^/]+)$/,
		handler: async (ctx, req, [id, pointId]) => {
			const { session, access } = await memberAccess(ctx, req, id);
			return json(await openPoint(ctx.database.db, session.user, access, pointId, { record: false }));
		}
	},
	{
		method: 'POST',
		pattern: /^exercises\/([^/]+)\/clock$/,
		handler: async (ctx, req, [id]) => {
			const { access } = await memberAccess(ctx, req, id);
			const c = await controlClock(ctx.database.db, access, await readJson(req.request));
			return json({ clock: c });
		}
	}
];
