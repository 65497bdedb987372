import type { Db } from '../db/client';
import { can } from '../src/lib/domain/permissions';
import { canCreateExercise, hasRole } from '../src/lib/domain/roles';
import { scenarioHiddenFrom } from '../src/lib/domain/scenario/public';
import type { SessionUser } from './auth/sessions';
import type { ExerciseAccess } from './exercises';
import { openItemsFor } from './review/rectification';
import { exerciseScenario, listScenarios } from './scenarios';

/**
 * What the exercise overview shows about its scenario, per person:
 * - unannounced (不打招呼) and not yet started: nobody but the facilitator learns the scenario
 *   (the same rule as GET /api/v1/exercises/:id/scenario);
 * - the facilitator also sees the seed, the random draw and the open rectification items whose
 *   capability the scenario tests again ("the next exercise's setup shows the open items");
 * - while the scenario may still be changed (exercise.edit), organisers get the library to pick from.
 */
export async function scenarioSetup(db: Db, user: SessionUser, access: ExerciseAccess) {
	const s = await exerciseScenario(db, access.exercise.id);
	const facilitator = hasRole(access.memberships, 'facilitator');
	let scenario = null;
	if (s && scenarioHiddenFrom(s.unannounced, access.status, access.memberships)) scenario = { hidden: true as const };
	else if (s) {
		const p = s.package;
		scenario = {
			hidden: false as const,
			id: s.scenarioId,
			title: p.meta.title,
			hazard: p.meta.hazard,
			unannounced: s.unannounced,
			...(facilitator
				? {
						seed: s.seed,
						randomCount: s.randomCount,
						poolSize: p.randomPool.length,
						injects: p.injects.length,
						agencies: p.agencies,
						capabilities: [...new Set(p.meta.objectives.map((o) => o.capability))]
					}
				: {})
		};
	}
	const mayAssign = can(access.memberships, 'exercise.edit', { status: access.status }) && canCreateExercise(user.systemRole);
	const library = mayAssign ? await listScenarios(db, user) : null;
	const capabilities = facilitator && s ? [...new Set(s.package.meta.objectives.map((o) => o.capability))] : [];
	const openItems = (await openItemsFor(db, capabilities)).map((i) => ({
		id: i.id,
		problem: i.problem as { zh: string; en: string },
		action: i.action as { zh: string; en: string },
		capability: i.capability,
		agencyCode: i.agencyCode,
		owner: i.owner,
		dueDate: i.dueDate,
		status: i.status,
		exerciseId: i.exerciseId
	}));
	return {
		scenario,
		library: library?.map((l) => ({ id: l.id, hazard: l.hazard, titleZh: l.titleZh, titleEn: l.titleEn, builtin: l.builtin })) ?? null,
		openItems
	};
}
