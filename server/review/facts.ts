import { and, asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { exerciseTransitions, monitoringViews, observations, ratings } from '../../db/schema';
import { findInject, type PublicInject } from '../../src/lib/domain/scenario/public';
import type { ReviewFacts } from '../../src/lib/domain/review/facts';
import type { ExerciseRole } from '../../src/lib/domain/roles';
import { scenarioNow } from '../clock';
import { listEntriesSince } from '../commandlog';
import { listAgencies, listMembers, type ExerciseAccess } from '../exercises';
import { deliveriesOf } from '../injects/delivery';
import { acksOf } from '../injects/service';
import { exerciseScenario } from '../scenarios';
import { taskHistory } from './history';

/** Gathers every fact the review is computed from (the review itself is pure: src/lib/domain/review). */
export async function gatherFacts(db: Db, access: ExerciseAccess): Promise<ReviewFacts> {
	const id = access.exercise.id;
	const [scenario, agencyRows, members, deliveries, acks, log, views, obs, rates, ended] = await Promise.all([
		exerciseScenario(db, id),
		listAgencies(db),
		listMembers(db, id),
		deliveriesOf(db, id),
		acksOf(db, id),
		listEntriesSince(db, id, 0),
		db.select().from(monitoringViews).where(eq(monitoringViews.exerciseId, id)).orderBy(asc(monitoringViews.scenarioMs)),
		db.select().from(observations).where(eq(observations.exerciseId, id)).orderBy(asc(observations.scenarioMs)),
		db.select().from(ratings).where(eq(ratings.exerciseId, id)),
		db
			.select({ at: exerciseTransitions.at })
			.from(exerciseTransitions)
			.where(and(eq(exerciseTransitions.exerciseId, id), eq(exerciseTransitions.toStatus, 'ended')))
			.orderBy(desc(exerciseTransitions.at))
			.limit(1)
	]);
	const pkg = scenario?.package ?? null;
	const agencyCodes = pkg?.agencies ?? agencyRows.map((a) => a.code);
	return {
		exercise: { id, title: access.exercise.title, status: access.status, endedAt: ended[0]?.at.toISOString() ?? null },
		scenario: pkg,
		agencies: agencyRows.map((a) => ({ code: a.code, name: { zh: a.nameZh, en: a.nameEn } })),
		participants: members.map((m) => ({ userId: m.userId, name: m.displayName, role: m.role as ExerciseRole, agency: m.agencyCode })),
		deliveries: deliveries
			.filter((d) => d.action === 'deliver')
			.flatMap((d) => {
				const i: PublicInject | undefined = (d.content as PublicInject | null) ?? (pkg ? findInject(pkg, d.injectId) : undefined);
				return i ? [{ injectId: d.injectId, source: d.source, scenarioMs: d.scenarioMs, late: d.late, targets: i.to.agencies, message: i.message }] : [];
			}),
		acks: acks.map((a) => ({ injectId: a.injectId, agency: a.agencyCode, scenarioMs: a.scenarioMs })),
		log,
		tasks: await taskHistory(db, id, agencyCodes),
		monitoringViews: views.map((v) => ({ pointId: v.pointId, agency: v.agencyCode, scenarioMs: v.scenarioMs })),
		observations: obs.map((o) => ({
			id: o.id,
			scenarioMs: o.scenarioMs,
			agency: o.agencyCode,
			injectId: o.injectId,
			capability: o.capability,
			kind: o.kind as 'strength' | 'improvement' | 'note',
			text: o.text
		})),
		ratings: rates.map((r) => ({ objectiveId: r.objectiveId, targetId: r.targetId, agency: r.agencyCode || null, rating: r.rating as 'P' | 'S' | 'M' | 'U' })),
		endScenarioMs: (await scenarioNow(db, id)) ?? 0
	};
}
