import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { exerciseMembers, exercises, rectificationItems } from '../../db/schema';
import { checkRectificationMove, closureByAgency, isRectificationOverdue, RECTIFICATION_STATUSES, type RectificationStatus } from '../../src/lib/domain/review/rectification';
import { canCreateExercise } from '../../src/lib/domain/roles';
import type { SessionUser } from '../auth/sessions';
import { AppError, conflict, forbidden, notFound } from '../errors';
import { parse } from '../users';

type Item = typeof rectificationItems.$inferSelect;
const today = () => new Date().toISOString().slice(0, 10);

/** Exercises in which the user reviews (facilitator, commander, evaluator): their items are visible. */
async function reviewedExercises(db: Db, userId: string): Promise<string[]> {
	const rows = await db
		.select({ id: exerciseMembers.exerciseId })
		.from(exerciseMembers)
		.where(and(eq(exerciseMembers.userId, userId), inArray(exerciseMembers.role, ['facilitator', 'commander', 'evaluator'])));
	return rows.map((r) => r.id);
}

export const rectificationFilterSchema = z.object({
	agency: z.string().max(32).optional(),
	status: z.enum(RECTIFICATION_STATUSES).optional(),
	exercise: z.string().max(64).optional()
});

/** All tracked items the user may see, across exercises, with overdue flags and closure by agency. */
export async function listRectifications(db: Db, user: SessionUser, filters: unknown) {
	const f = parse(rectificationFilterSchema, filters);
	const conds = [];
	if (!canCreateExercise(user.systemRole)) {
		const ids = await reviewedExercises(db, user.id);
		if (!ids.length) return { items: [], closure: [] };
		conds.push(inArray(rectificationItems.exerciseId, ids));
	}
	if (f.agency) conds.push(eq(rectificationItems.agencyCode, f.agency));
	if (f.status) conds.push(eq(rectificationItems.status, f.status));
	if (f.exercise) conds.push(eq(rectificationItems.exerciseId, f.exercise));
	const rows = await db
		.select({ item: rectificationItems, exerciseTitle: exercises.title })
		.from(rectificationItems)
		.innerJoin(exercises, eq(exercises.id, rectificationItems.exerciseId))
		.where(conds.length ? and(...conds) : undefined)
		.orderBy(asc(rectificationItems.dueDate));
	const items = rows.map((r) => ({ ...r.item, exerciseTitle: r.exerciseTitle, overdue: isRectificationOverdue(r.item as { status: RectificationStatus; dueDate: string }, today()) }));
	return { items, closure: closureByAgency(items.map((i) => ({ agency: i.agencyCode, status: i.status as RectificationStatus, dueDate: i.dueDate })), today()) };
}

export const rectificationPatchSchema = z
	.object({
		status: z.enum(RECTIFICATION_STATUSES).optional(),
		owner: z.string().max(120).nullable().optional(),
		dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date such as 2026-12-31.').optional(),
		verifiedBy: z.string().max(64).nullable().optional()
	})
	.strict();

/** Moves an item along open → in progress → done → verified; "verified" names a later exercise. */
export async function updateRectification(db: Db, user: SessionUser, id: string, input: unknown): Promise<Item> {
	const patch = parse(rectificationPatchSchema, input);
	return db.transaction(async (tx) => {
		const [item] = await tx.select().from(rectificationItems).where(eq(rectificationItems.id, id)).for('update');
		if (!item) throw notFound('No such rectification item.');
		const allowed = canCreateExercise(user.systemRole) || (await reviewedExercises(tx, user.id)).includes(item.exerciseId);
		if (!allowed) throw notFound('No such rectification item.');
		if (patch.status && patch.status !== item.status) {
			const check = checkRectificationMove(item.status as RectificationStatus, patch.status, patch.verifiedBy);
			if (!check.ok) throw conflict(check.reason);
			if (patch.status === 'verified') {
				const [later] = await tx
					.select({ id: exercises.id })
					.from(exercises)
					.where(and(eq(exercises.id, patch.verifiedBy as string), ne(exercises.id, item.exerciseId)))
					.limit(1);
				if (!later) throw new AppError(400, 'invalid_input', 'The request has invalid fields.', { verifiedBy: 'Name another, later exercise.' });
			}
		} else if (patch.verifiedBy !== undefined && item.status !== 'verified') {
			throw forbidden('Only verifying an item names the exercise that re-tested it.');
		}
		const [updated] = await tx
			.update(rectificationItems)
			.set({
				...(patch.status ? { status: patch.status } : {}),
				...(patch.owner !== undefined ? { owner: patch.owner } : {}),
				...(patch.dueDate ? { dueDate: patch.dueDate } : {}),
				...(patch.status === 'verified' ? { verifiedBy: patch.verifiedBy } : {}),
				updatedAt: new Date()
			})
			.where(eq(rectificationItems.id, id))
			.returning();
		return updated;
	});
}

/** Open items whose capability the next exercise's scenario tests again (shown at its setup). */
export async function openItemsFor(db: Db, capabilities: readonly string[]) {
	if (!capabilities.length) return [];
	return db
		.select()
		.from(rectificationItems)
		.where(and(inArray(rectificationItems.capability, [...capabilities]), inArray(rectificationItems.status, ['open', 'in_progress', 'done'])))
		.orderBy(asc(rectificationItems.dueDate));
}
