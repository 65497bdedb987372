import { error } from '@sveltejs/kit';
import { appContext } from '$server/context';
import { clockOf } from '$server/clock';
import { accessExercise, listAgencies, listMembers } from '$server/exercises';
import { injectTimeline } from '$server/injects/service';
import { exerciseScenario } from '$server/scenarios';
import { allowedTransitions } from '$lib/domain/lifecycle';
import { allowedActions } from '$lib/domain/permissions';
import { hasRole } from '$lib/domain/roles';
import type { ConsoleRow, InjectState } from '$lib/domain/scenario/console';
import { orError } from '$lib/server/form-errors';
import { requireSession } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

/**
 * The facilitator console (导调台). Non-members get 404, members without the facilitator role 403.
 * Everything the console changes goes through the JSON API (server/api/routes), so there are no
 * form actions here; live state comes from the control and agency documents.
 */
export const load: PageServerLoad = async ({ locals, url, params }) => {
	const { user } = requireSession(locals, url);
	const db = (await appContext()).database.db;
	const access = await orError(accessExercise(db, user, params.id));
	if (!hasRole(access.memberships, 'facilitator')) error(403, { message: 'Only the facilitator uses the console.', code: 'forbidden' });
	const allowed = allowedActions(access.memberships, { status: access.status });
	const [agencies, members, scenario] = await Promise.all([listAgencies(db), listMembers(db, access.exercise.id), exerciseScenario(db, access.exercise.id)]);
	// msel.manage ends with the exercise: afterwards the review takes over and the timeline is closed.
	const timeline = allowed.includes('msel.manage') ? await orError(injectTimeline(db, access)) : null;
	const pkg = scenario?.package ?? null;
	const rows: ConsoleRow[] = (timeline?.injects ?? []).map((r) => ({
		injectId: r.injectId,
		source: r.source,
		dueMs: r.dueMs,
		at: r.at,
		state: r.state as InjectState,
		inject: (r.inject ?? null) as ConsoleRow['inject'],
		delivery: 'delivery' in r ? (r.delivery as ConsoleRow['delivery']) : null
	}));
	const { id, title } = access.exercise;
	return {
		exercise: { id, title, status: access.status },
		allowed,
		nextStatuses: [...allowedTransitions(access.status)],
		clock: { status: access.status, ...clockOf(access.exercise) },
		/** Server wall time when the page was made, to correct a client clock that is off. */
		serverNow: Date.now(),
		me: { id: user.id },
		agencies: agencies.map(({ code, nameZh, nameEn, color }) => ({ code, nameZh, nameEn, color })),
		players: members.filter((m) => m.role === 'player').map((m) => ({ agencyCode: m.agencyCode, displayName: m.displayName })),
		scenario: pkg
			? {
					id: scenario!.scenarioId,
					title: pkg.meta.title,
					hazard: pkg.meta.hazard,
					unannounced: scenario!.unannounced,
					seed: scenario!.seed,
					randomCount: scenario!.randomCount,
					agencies: pkg.agencies,
					objectives: pkg.meta.objectives.map((o) => ({ id: o.id, title: o.title })),
					poolSize: pkg.randomPool.length,
					ackMinutes: pkg.reporting.ackMinutes,
					center: pkg.map.center,
					zoom: pkg.map.zoom
				}
			: null,
		rows
	};
};
