import type { Db } from '../db/client';
import { monitoringViews } from '../db/schema';
import { viewPoint, type PointOverride, type PointView } from '../src/lib/domain/scenario/monitoring';
import { scenarioHiddenFrom } from '../src/lib/domain/scenario/public';
import type { MonitoringPoint } from '../src/lib/domain/scenario/schema';
import { playerAgencies } from '../src/lib/domain/roles';
import type { SessionUser } from './auth/sessions';
import { scenarioNow } from './clock';
import { notFound } from './errors';
import { authorize, type ExerciseAccess } from './exercises';
import { deliveriesOf } from './injects/delivery';
import { exerciseScenario } from './scenarios';

/** The latest override of a point from the injects delivered so far (a later inject wins). */
async function overrideOf(db: Db, exerciseId: string, pointId: string, pkgInjects: { id: string; monitoringEffects: { point: string; value?: number; fault?: PointView['fault'] }[] }[]): Promise<PointOverride | undefined> {
	let latest: PointOverride | undefined;
	for (const d of await deliveriesOf(db, exerciseId)) {
		if (d.action !== 'deliver') continue;
		const effect = pkgInjects.find((i) => i.id === d.injectId)?.monitoringEffects.find((m) => m.point === pointId);
		if (effect) latest = { ...(latest ?? {}), ...(effect.value !== undefined ? { value: effect.value } : {}), ...(effect.fault !== undefined ? { fault: effect.fault } : {}), scenarioMs: d.scenarioMs };
	}
	return latest;
}

/**
 * Opens a monitoring point's live view (视频监控/传感器) and records who looked when: the review's
 * "time from an inject to viewing the relevant point" comes from these rows. `record: false` is the
 * refresh of a view already open on the board (`GET …/monitoring/:pointId`), which is not a new look.
 */
export async function openPoint(
	db: Db,
	user: SessionUser,
	access: ExerciseAccess,
	pointId: string,
	{ record = true }: { record?: boolean } = {}
): Promise<{ point: Omit<MonitoringPoint, 'readings'>; view: PointView; scenarioMs: number }> {
	authorize(access, 'board.read');
	const scenario = await exerciseScenario(db, access.exercise.id);
	const point = scenario?.package.monitoringPoints.find((p) => p.id === pointId);
	// An unannounced scenario's points do not exist for players until the start.
	if (!scenario || !point || scenarioHiddenFrom(scenario.unannounced, access.status, access.memberships)) throw notFound('No such monitoring point.');
	const scenarioMs = (await scenarioNow(db, access.exercise.id)) ?? 0;
	const override = await overrideOf(db, access.exercise.id, pointId, [...scenario.package.injects, ...scenario.package.randomPool]);
	if (record) await db.insert(monitoringViews).values({ exerciseId: access.exercise.id, pointId, userId: user.id, agencyCode: playerAgencies(access.memberships)[0] ?? null, scenarioMs });
	const { readings: _future, ...info } = point;
	return { point: info, view: viewPoint(point, scenarioMs, override), scenarioMs };
}
