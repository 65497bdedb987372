import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { commandLog, exercises, injectAcks, injectDeliveries, monitoringViews } from '../../db/schema';
import { scenarioTimeAt } from '../../src/lib/domain/clock';
import { dueInjects } from '../../src/lib/domain/scenario/schedule';
import type { PublicInject } from '../../src/lib/domain/scenario/public';
import { clockOf } from '../clock';
import { conflict } from '../errors';
import { PlanCache, type PlannedScenario } from './plan-cache';

export type DeliveryRow = typeof injectDeliveries.$inferSelect;

/** A due inject counts as late when delivered more than this much wall time after it fell due. */
export const LATE_AFTER_MS = 30_000;

async function contingencyFacts(db: Db, exerciseId: string) {
	const [acks, reports, views] = await Promise.all([
		db.select({ injectId: injectAcks.injectId, agency: injectAcks.agencyCode }).from(injectAcks).where(eq(injectAcks.exerciseId, exerciseId)),
		db
			.selectDistinct({ agency: commandLog.fromAgency })
			.from(commandLog)
			.where(and(eq(commandLog.exerciseId, exerciseId), eq(commandLog.kind, 'report'))),
		db.selectDistinct({ pointId: monitoringViews.pointId, agency: monitoringViews.agencyCode }).from(monitoringViews).where(eq(monitoringViews.exerciseId, exerciseId))
	]);
	return {
		acknowledged: (injectId: string, agency: string) => acks.some((a) => a.injectId === injectId && a.agency === agency),
		reported: (agency: string) => reports.some((r) => r.agency === agency),
		viewedPoint: (pointId: string, agency: string) => views.some((v) => v.pointId === pointId && v.agency === agency)
	};
}

/** Stands in when no contingency fell due: dueInjects consults facts for contingencies only. */
const NO_CONTINGENCY_FACTS: Awaited<ReturnType<typeof contingencyFacts>> = {
	acknowledged: () => false,
	reported: () => false,
	viewedPoint: () => false
};

/**
 * Records every inject of a running exercise that has fallen due. The primary key (exercise, inject)
 * makes this exactly-once whatever the number of callers; only rows this call inserted are returned,
 * so only their inserter carries out the delivery. Injects that fell due while no server ran are
 * delivered now, in order, and marked late. The facts contingencies test (acknowledgements, reports,
 * views) are read only when a contingency is among the injects that fell due. `loaded`: the
 * exercise's plan as the caller (the scheduler, from its PlanCache) already has it.
 */
export async function recordDueInjects(db: Db, exerciseId: string, wallMs = Date.now(), loaded?: PlannedScenario | null): Promise<DeliveryRow[]> {
	const [ex] = await db.select().from(exercises).where(eq(exercises.id, exerciseId)).limit(1);
	if (!ex || (ex.status !== 'running' && ex.status !== 'paused')) return [];
	const planned = loaded === undefined ? await new PlanCache().get(db, exerciseId) : loaded;
	if (!planned) return [];
	const { scenario, plan } = planned;
	const clock = clockOf(ex);
	const nowMs = scenarioTimeAt(clock, wallMs);
	const settled = new Set(
		(await db.select({ id: injectDeliveries.injectId }).from(injectDeliveries).where(eq(injectDeliveries.exerciseId, exerciseId))).map((r) => r.id)
	);
	const fallen = plan.filter((p) => p.dueMs <= nowMs && !settled.has(p.injectId));
	if (!fallen.length) return [];
	const contingent = new Set(scenario.package.injects.filter((i) => i.contingency).map((i) => i.id));
	const facts = fallen.some((p) => contingent.has(p.injectId)) ? await contingencyFacts(db, exerciseId) : NO_CONTINGENCY_FACTS;
	const decisions = dueInjects(plan, scenario.package, settled, nowMs, facts);
	if (!decisions.length) return [];
	const source = new Map(plan.map((p) => [p.injectId, p.source]));
	const rows = decisions.map((d) => ({
		exerciseId,
		injectId: d.injectId,
		source: source.get(d.injectId) as string,
		action: d.action,
		dueMs: d.dueMs,
		scenarioMs: nowMs,
		deliveredAt: new Date(wallMs),
		late: (nowMs - d.dueMs) / clock.speed > LATE_AFTER_MS
	}));
	return db.insert(injectDeliveries).values(rows).onConflictDoNothing().returning();
}

/** Deliveries of an exercise in delivery order. */
export async function deliveriesOf(db: Db, exerciseId: string, ids?: string[]): Promise<DeliveryRow[]> {
	const cond = ids ? and(eq(injectDeliveries.exerciseId, exerciseId), inArray(injectDeliveries.injectId, ids)) : eq(injectDeliveries.exerciseId, exerciseId);
	const rows = await db.select().from(injectDeliveries).where(cond);
	return rows.sort((a, b) => a.deliveredAt.getTime() - b.deliveredAt.getTime() || a.dueMs - b.dueMs || a.injectId.localeCompare(b.injectId));
}

/**
 * Delivers one inject now, outside its schedule: a planned MSEL or pool inject ("inject now", a
 * random roll the facilitator kept) or an ad-hoc one authored live (`content`). 409 when already decided.
 */
export async function deliverNow(
	db: Db,
	exerciseId: string,
	injectId: string,
	source: 'msel' | 'random' | 'contingency' | 'adhoc',
	byUser: string,
	content: PublicInject | null = null,
	wallMs = Date.now()
): Promise<DeliveryRow> {
	const [ex] = await db.select().from(exercises).where(eq(exercises.id, exerciseId)).limit(1);
	const nowMs = scenarioTimeAt(clockOf(ex), wallMs);
	const rows = await db
		.insert(injectDeliveries)
		.values({ exerciseId, injectId, source, action: 'deliver', dueMs: nowMs, scenarioMs: nowMs, deliveredAt: new Date(wallMs), content, byUser })
		.onConflictDoNothing()
		.returning();
	if (!rows.length) throw conflict(`${injectId} has already been delivered or skipped.`);
	return rows[0];
}
