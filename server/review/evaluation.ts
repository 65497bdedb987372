import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { observations, ratings, selfAssessments } from '../../db/schema';
import { playerAgencies } from '../../src/lib/domain/roles';
import type { SessionUser } from '../auth/sessions';
import { scenarioNow } from '../clock';
import { forbidden } from '../errors';
import { authorize, type ExerciseAccess } from '../exercises';
import { parse } from '../users';

const code = z.string().max(64);

export const observationSchema = z
	.object({
		kind: z.enum(['strength', 'improvement', 'note']),
		text: z.string().trim().min(1, 'Required.').max(4000, 'At most 4000 characters.'),
		agency: code.nullable().optional(),
		injectId: code.nullable().optional(),
		capability: z.string().max(120).nullable().optional()
	})
	.strict();

/** An evaluator's quick observation, stamped with the exercise clock. */
export async function addObservation(db: Db, user: SessionUser, access: ExerciseAccess, input: unknown) {
	authorize(access, 'observation.write');
	const o = parse(observationSchema, input);
	const row = {
		id: crypto.randomUUID(),
		exerciseId: access.exercise.id,
		evaluatorId: user.id,
		scenarioMs: (await scenarioNow(db, access.exercise.id)) ?? 0,
		kind: o.kind,
		text: o.text,
		agencyCode: o.agency ?? null,
		injectId: o.injectId ?? null,
		capability: o.capability ?? null
	};
	await db.insert(observations).values(row);
	return row;
}

/** Evaluator material: evaluators and the facilitator only, never players. */
export async function listObservations(db: Db, access: ExerciseAccess) {
	authorize(access, 'observation.read');
	return db.select().from(observations).where(eq(observations.exerciseId, access.exercise.id)).orderBy(asc(observations.scenarioMs));
}

export const ratingSchema = z
	.object({
		objectiveId: code,
		targetId: code,
		agency: code.nullable().optional(),
		rating: z.enum(['P', 'S', 'M', 'U']),
		note: z.string().max(4000).default('')
	})
	.strict();

/** P/S/M/U for one target (overall, or for one agency); the last rating stands. */
export async function rate(db: Db, user: SessionUser, access: ExerciseAccess, input: unknown) {
	authorize(access, 'observation.write');
	const r = parse(ratingSchema, input);
	const row = { exerciseId: access.exercise.id, objectiveId: r.objectiveId, targetId: r.targetId, agencyCode: r.agency ?? '', rating: r.rating, note: r.note, evaluatorId: user.id, updatedAt: new Date() };
	await db
		.insert(ratings)
		.values(row)
		.onConflictDoUpdate({ target: [ratings.exerciseId, ratings.objectiveId, ratings.targetId, ratings.agencyCode], set: { rating: row.rating, note: row.note, evaluatorId: user.id, updatedAt: row.updatedAt } });
	return row;
}

export async function listRatings(db: Db, access: ExerciseAccess) {
	authorize(access, 'observation.read');
	return db.select().from(ratings).where(eq(ratings.exerciseId, access.exercise.id));
}

export const selfAssessmentSchema = z
	.object({ objectiveId: code, text: z.string().trim().min(1, 'Required.').max(4000, 'At most 4000 characters.'), asAgency: code.optional() })
	.strict();

/** A player's self-assessment for their agency, after the end (hot wash). */
export async function saveSelfAssessment(db: Db, user: SessionUser, access: ExerciseAccess, input: unknown) {
	const a = parse(selfAssessmentSchema, input);
	const agency = a.asAgency ?? playerAgencies(access.memberships)[0];
	if (!agency || !playerAgencies(access.memberships).includes(agency)) throw forbidden('Only the agency’s players write its self-assessment.');
	authorize(access, 'selfassessment.write', agency);
	const row = { exerciseId: access.exercise.id, agencyCode: agency, objectiveId: a.objectiveId, text: a.text, userId: user.id, updatedAt: new Date() };
	await db
		.insert(selfAssessments)
		.values(row)
		.onConflictDoUpdate({ target: [selfAssessments.exerciseId, selfAssessments.agencyCode, selfAssessments.objectiveId], set: { text: row.text, userId: user.id, updatedAt: row.updatedAt } });
	return row;
}

export async function listSelfAssessments(db: Db, exerciseId: string, agency?: string) {
	const cond = agency ? and(eq(selfAssessments.exerciseId, exerciseId), eq(selfAssessments.agencyCode, agency)) : eq(selfAssessments.exerciseId, exerciseId);
	return db.select().from(selfAssessments).where(cond);
}
