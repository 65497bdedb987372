import { appContext } from '$server/context';
import { listEntries } from '$server/commandlog';
import { accessExercise, listAgencies } from '$server/exercises';
import { exerciseScenario } from '$server/scenarios';
import { allowedActions } from '$lib/domain/permissions';
import { partiesOf, reportingLimits } from '$lib/log/view';
import { orError } from '$lib/server/form-errors';
import { requireSession } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

/**
 * The command-chain log page: the entries so far (the control document's live mirror takes over in the
 * browser), who I speak for, what I may send now and the exercise's reporting limits. Sending goes to
 * the JSON API, which checks the chain rules.
 */
export const load: PageServerLoad = async ({ locals, url, params }) => {
	const { user } = requireSession(locals, url);
	const db = (await appContext()).database.db;
	const access = await orError(accessExercise(db, user, params.id));
	const [entries, agencies, scenario] = await Promise.all([
		orError(listEntries(db, access, { limit: 5000 })),
		listAgencies(db),
		exerciseScenario(db, access.exercise.id)
	]);
	const { id, title } = access.exercise;
	return {
		exercise: { id, title, status: access.status },
		agencies: agencies.map(({ code, nameZh, nameEn, color }) => ({ code, nameZh, nameEn, color })),
		entries,
		me: { id: user.id, name: user.displayName },
		memberships: access.memberships,
		parties: partiesOf(access.memberships),
		allowed: allowedActions(access.memberships, { status: access.status }),
		limits: reportingLimits(scenario?.package.reporting)
	};
};
