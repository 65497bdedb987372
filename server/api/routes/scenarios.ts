import { hasRole } from '../../../src/lib/domain/roles';
import { scenarioHiddenFrom } from '../../../src/lib/domain/scenario/public';
import { authorize } from '../../exercises';
import { assignScenario, exerciseScenario, getScenario, importScenario, listScenarios, MAX_PACKAGE_BYTES } from '../../scenarios';
import { json, memberAccess, readJson, requireSession, type Route } from '../http';

export const scenarioRoutes: Route[] = [
	{
		method: 'GET',
		pattern: /^scenarios$/,
		handler: async (ctx, req) => json({ scenarios: await listScenarios(ctx.database.db, requireSession(req).user) })
	},
	{
		method: 'POST',
		pattern: /^scenarios$/,
		handler: async (ctx, req) => {
			const s = requireSession(req);
			const replace = new URL(req.request.url).searchParams.get('replace') === 'true';
			const pkg = await importScenario(ctx.database.db, s.user, await readJson(req.request, MAX_PACKAGE_BYTES), replace);
			return json({ scenario: { id: pkg.id, hazard: pkg.meta.hazard, title: pkg.meta.title } }, 201, { location: `/api/v1/scenarios/${pkg.id}` });
		}
	},
	{
		method: 'GET',
		pattern: /^scenarios\/([^/]+)$/,
		handler: async (ctx, req, [id]) => {
			const pkg = await getScenario(ctx.database.db, requireSession(req).user, id);
			const download = new URL(req.request.url).searchParams.has('download');
			return json(pkg, 200, download ? { 'content-disposition': `attachment; filename="${id}.json"` } : {});
		}
	},
	{
		method: 'PUT',
		pattern: /^exercises\/([^/]+)\/scenario$/,
		handler: async (ctx, req, [id]) => {
			const { access } = await memberAccess(ctx, req, id);
			const a = await assignScenario(ctx.database.db, access, await readJson(req.request));
			return json({ scenarioId: a.scenarioId, unannounced: a.unannounced, randomCount: a.randomCount });
		}
	},
	{
		method: 'GET',
		pattern: /^exercises\/([^/]+)\/scenario$/,
		handler: async (ctx, req, [id]) => {
			const { access } = await memberAccess(ctx, req, id);
			authorize(access, 'exercise.view');
			const s = await exerciseScenario(ctx.database.db, id);
			if (!s) return json({ scenario: null });
			if (scenarioHiddenFrom(s.unannounced, access.status, access.memberships)) return json({ scenario: { hidden: true } });
			const facilitator = hasRole(access.memberships, 'facilitator');
			const p = s.package;
			return json({
				scenario: {
					id: s.scenarioId,
					title: p.meta.title,
					hazard: p.meta.hazard,
					unannounced: s.unannounced,
					reporting: p.reporting,
					map: { center: p.map.center, zoom: p.map.zoom },
					monitoringPoints: p.monitoringPoints.map((m) => ({ id: m.id, kind: m.kind, name: m.name, position: m.position, unit: m.unit, thresholds: m.thresholds })),
					...(facilitator ? { seed: s.seed, randomCount: s.randomCount } : {})
				}
			});
		}
	}
];
