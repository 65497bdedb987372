import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { injectAcks, injectDeliveries } from '../../db/schema';
import { formatScenarioTime } from '../../src/lib/domain/clock';
import { can } from '../../src/lib/domain/permissions';
import { findInject, publicInject, type PublicInject } from '../../src/lib/domain/scenario/public';
import { playerAgencies } from '../../src/lib/domain/roles';
import type { SessionUser } from '../auth/sessions';
import { scenarioNow } from '../clock';
import { conflict, forbidden, notFound } from '../errors';
import { authorize, type ExerciseAccess } from '../exercises';
import { exerciseScenario } from '../scenarios';
import { parse } from '../users';
import { deliveriesOf, type DeliveryRow } from './delivery';
import { exercisePlan } from './plan-cache';

export interface DeliveredInject extends PublicInject {
	source: string;
	scenarioMs: number;
	deliveredAt: string;
	late: boolean;
}

async function scenarioOrNull(db: Db, exerciseId: string) {
	return (await exerciseScenario(db, exerciseId))?.package ?? null;
}

/** The delivered, player-visible form of a delivery row. */
export function deliveredInject(pkgInject: PublicInject, d: DeliveryRow): DeliveredInject {
	return { ...publicInject(pkgInject), source: d.source, scenarioMs: d.scenarioMs, deliveredAt: d.deliveredAt.toISOString(), late: d.late };
}

/**
 * Delivered injects the person may read: players see those addressed to their agencies, everyone
 * else in the exercise (commander, facilitator, evaluators, observers) sees all delivered injects.
 */
export async function inbox(db: Db, access: ExerciseAccess): Promise<DeliveredInject[]> {
	authorize(access, 'exercise.view');
	const pkg = await scenarioOrNull(db, access.exercise.id);
	const rows = (await deliveriesOf(db, access.exercise.id)).filter((d) => d.action === 'deliver');
	const onlyPlayer = access.memberships.every((m) => m.role === 'player');
	const mine = new Set(playerAgencies(access.memberships));
	const out: DeliveredInject[] = [];
	for (const d of rows) {
		const source = (d.content as PublicInject | null) ?? (pkg ? findInject(pkg, d.injectId) : undefined);
		if (!source) continue;
		if (onlyPlayer && !source.to.agencies.some((a) => mine.has(a))) continue;
		out.push(deliveredInject(source, d));
	}
	return out;
}

const ackSchema = z.object({ asAgency: z.string().max(32).optional() }).strict();

/** A player acknowledges (签收) a delivered inject for their agency; once per agency. */
export async function acknowledgeInject(db: Db, user: SessionUser, access: ExerciseAccess, injectId: string, input: unknown) {
	const { asAgency } = parse(ackSchema, input ?? {});
	const [d] = await db
		.select()
		.from(injectDeliveries)
		.where(and(eq(injectDeliveries.exerciseId, access.exercise.id), eq(injectDeliveries.injectId, injectId)))
		.limit(1);
	const pkg = await scenarioOrNull(db, access.exercise.id);
	const target = d?.action === 'deliver' ? ((d.content as PublicInject | null) ?? (pkg ? findInject(pkg, injectId) : undefined)) : undefined;
	if (!target) throw notFound('No such delivered inject.');
	const candidates = playerAgencies(access.memberships).filter((a) => target.to.agencies.includes(a) && (!asAgency || a === asAgency));
	const agency = candidates[0];
	if (!agency || !can(access.memberships, 'log.ack', { status: access.status, agency })) {
		throw forbidden('Only players of an agency this inject was sent to may acknowledge it.');
	}
	const scenarioMs = (await scenarioNow(db, access.exercise.id)) ?? 0;
	const inserted = await db
		.insert(injectAcks)
		.values({ exerciseId: access.exercise.id, injectId, agencyCode: agency, userId: user.id, scenarioMs })
		.onConflictDoNothing()
		.returning();
	if (!inserted.length) throw conflict(`Your agency has already acknowledged ${injectId}.`);
	const ack = inserted[0];
	return { injectId, agency, userId: user.id, at: ack.at.toISOString(), scenarioMs, latencyMs: ack.at.getTime() - d.deliveredAt.getTime() };
}
export type InjectAck = Awaited<ReturnType<typeof acknowledgeInject>>;

export async function acksOf(db: Db, exerciseId: string) {
	return db.select().from(injectAcks).where(eq(injectAcks.exerciseId, exerciseId));
}

/** The facilitator's MSEL timeline: every planned inject with its state and the acknowledgements so far. */
export async function injectTimeline(db: Db, access: ExerciseAccess) {
	authorize(access, 'msel.manage');
	const scenario = await exerciseScenario(db, access.exercise.id);
	if (!scenario) return { scenarioId: null, now: null, injects: [] };
	const now = (await scenarioNow(db, access.exercise.id)) ?? 0;
	const plan = exercisePlan(scenario.package, scenario.seed, scenario.randomCount);
	const deliveries = new Map((await deliveriesOf(db, access.exercise.id)).map((d) => [d.injectId, d]));
	const acks = await acksOf(db, access.exercise.id);
	const row = <P extends { injectId: string; source: string; dueMs: number }>(p: P, d: DeliveryRow | undefined) => ({
		...p,
		at: formatScenarioTime(p.dueMs),
		state: d ? (d.action === 'skip' ? 'skipped' : 'delivered') : p.dueMs <= now ? 'due' : 'upcoming',
		inject: (d?.content as PublicInject | null) ?? findInject(scenario.package, p.injectId),
		delivery: d ? { scenarioMs: d.scenarioMs, deliveredAt: d.deliveredAt.toISOString(), late: d.late } : null,
		acks: acks.filter((a) => a.injectId === p.injectId).map((a) => ({ agency: a.agencyCode, at: a.at.toISOString(), scenarioMs: a.scenarioMs }))
	});
	const planned = plan.map((p) => row(p, deliveries.get(p.injectId)));
	// Delivered outside the plan: ad-hoc injects and pool injects the facilitator rolled and kept.
	const inPlan = new Set(plan.map((p) => p.injectId));
	const unplanned = [...deliveries.values()].filter((d) => !inPlan.has(d.injectId)).map((d) => row({ injectId: d.injectId, source: d.source, dueMs: d.dueMs }, d));
	return { scenarioId: scenario.scenarioId, now, seed: scenario.seed, unannounced: scenario.unannounced, injects: [...planned, ...unplanned] };
}

