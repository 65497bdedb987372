import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { agencies, exerciseMembers, exercises, exerciseTransitions, users } from '../db/schema';
import { checkTransition, EXERCISE_STATUSES, type ExerciseStatus } from '../src/lib/domain/lifecycle';
import { can, type Action } from '../src/lib/domain/permissions';
import { canCreateExercise, EXERCISE_ROLES, type Membership } from '../src/lib/domain/roles';
import type { SessionUser } from './auth/sessions';
import { clockColumns, clockForStatus, clockOf } from './clock';
import { AppError, conflict, forbidden, notFound } from './errors';
import { parse, pgCode } from './users';

export const newExerciseSchema = z.object({
	title: z.string().trim().min(1, 'Required.').max(120, 'At most 120 characters.'),
	description: z.string().trim().max(2000, 'At most 2000 characters.').default('')
});

export const newMemberSchema = z
	.object({
		username: z.string().trim().min(1, 'Required.').max(40),
		role: z.enum(EXERCISE_ROLES, { message: `One of: ${EXERCISE_ROLES.join(', ')}.` }),
		agencyCode: z.string().trim().max(32).nullable().optional()
	})
	.strict();

export const transitionSchema = z.object({ status: z.enum(EXERCISE_STATUSES) });

export interface ExerciseAccess {
	exercise: typeof exercises.$inferSelect;
	memberships: Membership[];
	status: ExerciseStatus;
}

/**
 * Loads an exercise as seen by a user. Non-members get 404 so an exercise's existence is not revealed;
 * administrators may see every exercise but hold no exercise role by that alone.
 */
export async function accessExercise(db: Db, user: SessionUser, exerciseId: string): Promise<ExerciseAccess> {
	if (!z.uuid().safeParse(exerciseId).success) throw notFound('No such exercise.');
	const [exercise] = await db.select().from(exercises).where(eq(exercises.id, exerciseId)).limit(1);
	if (!exercise) throw notFound('No such exercise.');
	const memberships = await membershipsOf(db, exerciseId, user.id);
	if (!memberships.length) throw notFound('No such exercise.');
	return { exercise, memberships, status: exercise.status as ExerciseStatus };
}

export async function membershipsOf(db: Db, exerciseId: string, userId: string): Promise<Membership[]> {
	const rows = await db
		.select({ role: exerciseMembers.role, agencyCode: exerciseMembers.agencyCode })
		.from(exerciseMembers)
		.where(and(eq(exerciseMembers.exerciseId, exerciseId), eq(exerciseMembers.userId, userId)));
	return rows as Membership[];
}

/** Throws 403 unless the permission matrix allows the action. */
export function authorize(access: ExerciseAccess, action: Action, agency?: string | null): void {
	if (!can(access.memberships, action, { status: access.status, agency })) {
		throw forbidden('Your role in this exercise does not allow this now.');
	}
}

export async function createExercise(db: Db, user: SessionUser, input: unknown): Promise<string> {
	if (!canCreateExercise(user.systemRole)) throw forbidden('Only organisers may create exercises.');
	const data = parse(newExerciseSchema, input);
	const id = crypto.randomUUID();
	await db.transaction(async (tx) => {
		await tx.insert(exercises).values({ id, title: data.title, description: data.description, createdBy: user.id });
		await tx.insert(exerciseMembers).values({ exerciseId: id, userId: user.id, role: 'facilitator' });
	});
	return id;
}

/** Exercises the user is a member of, newest first, with the user's roles in each. */
export async function listExercisesFor(db: Db, userId: string) {
	const rows = await db
		.select({
			id: exercises.id,
			title: exercises.title,
			status: exercises.status,
			createdAt: exercises.createdAt,
			role: exerciseMembers.role,
			agencyCode: exerciseMembers.agencyCode
		})
		.from(exerciseMembers)
		.innerJoin(exercises, eq(exercises.id, exerciseMembers.exerciseId))
		.where(eq(exerciseMembers.userId, userId))
		.orderBy(desc(exercises.createdAt), asc(exerciseMembers.role));
	const byId = new Map<string, { id: string; title: string; status: string; createdAt: Date; roles: Membership[] }>();
	for (const r of rows) {
		const e = byId.get(r.id) ?? { id: r.id, title: r.title, status: r.status, createdAt: r.createdAt, roles: [] };
		e.roles.push({ role: r.role as Membership['role'], agencyCode: r.agencyCode });
		byId.set(r.id, e);
	}
	return [...byId.values()];
}

export async function listMembers(db: Db, exerciseId: string) {
	return db
		.select({
			userId: users.id,
			username: users.username,
			displayName: users.displayName,
			role: exerciseMembers.role,
			agencyCode: exerciseMembers.agencyCode
		})
		.from(exerciseMembers)
		.innerJoin(users, eq(users.id, exerciseMembers.userId))
		.where(eq(exerciseMembers.exerciseId, exerciseId))
		.orderBy(asc(exerciseMembers.role), asc(users.username));
}

/** Adds a role to a person in the exercise. Players act for an agency (their own unless given). */
export async function addMember(db: Db, access: ExerciseAccess, input: unknown) {
	authorize(access, 'members.manage');
	const data = parse(newMemberSchema, input);
	return db.transaction(async (tx) => {
		const [person] = await tx.select().from(users).where(eq(sql`lower(${users.username})`, data.username.toLowerCase())).limit(1);
		if (!person || !person.active) {
			throw new AppError(400, 'invalid_input', 'The request has invalid fields.', { username: 'No active user with that name.' });
		}
		let agencyCode: string | null = null;
		if (data.role === 'player') {
			agencyCode = data.agencyCode || person.agencyCode;
			if (!agencyCode) {
				throw new AppError(400, 'invalid_input', 'The request has invalid fields.', { agencyCode: 'A player needs an agency.' });
			}
			const [agency] = await tx.select().from(agencies).where(eq(agencies.code, agencyCode)).limit(1);
			if (!agency) throw new AppError(400, 'invalid_input', 'The request has invalid fields.', { agencyCode: 'Unknown agency.' });
		}
		try {
			await tx.insert(exerciseMembers).values({ exerciseId: access.exercise.id, userId: person.id, role: data.role, agencyCode });
		} catch (e) {
			if (pgCode(e) === '23505') throw conflict(`${person.username} already holds the role ${data.role}.`);
			throw e;
		}
		return { userId: person.id, username: person.username, role: data.role, agencyCode };
	});
}

/** Moves the exercise along its lifecycle; concurrent transitions cannot both succeed. */
export async function transitionExercise(db: Db, user: SessionUser, access: ExerciseAccess, input: unknown): Promise<ExerciseStatus> {
	authorize(access, 'lifecycle.transition');
	const { status: to } = parse(transitionSchema, input);
	return db.transaction(async (tx) => {
		const [current] = await tx.select().from(exercises).where(eq(exercises.id, access.exercise.id)).for('update');
		const from = current.status as ExerciseStatus;
		const check = checkTransition(from, to);
		if (!check.ok) throw conflict(check.reason);
		const now = Date.now();
		const clock = clockForStatus(clockOf(current), to, now);
		await tx
			.update(exercises)
			.set({ status: to, updatedAt: new Date(now), ...clockColumns(clock) })
			.where(eq(exercises.id, access.exercise.id));
		await tx.insert(exerciseTransitions).values({ exerciseId: access.exercise.id, fromStatus: from, toStatus: to, byUser: user.id });
		return to;
	});
}

export async function listAgencies(db: Db) {
	return db.select().from(agencies).orderBy(asc(agencies.sortOrder));
}

/** Changes an exercise's title and description (facilitators, before it runs). */
export async function updateExercise(db: Db, access: ExerciseAccess, input: unknown): Promise<void> {
	authorize(access, 'exercise.edit');
	const data = parse(newExerciseSchema, input);
	await db
		.update(exercises)
		.set({ title: data.title, description: data.description, updatedAt: new Date() })
		.where(eq(exercises.id, access.exercise.id));
}
