import { and, desc, eq, max } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { rectificationItems, reviews } from '../../db/schema';
import { generateReview, type Review } from '../../src/lib/domain/review/generate';
import { RECTIFICATION_STATUSES } from '../../src/lib/domain/review/rectification';
import type { SessionUser } from '../auth/sessions';
import { authorize, type ExerciseAccess } from '../exercises';
import { parse } from '../users';
import { gatherFacts } from './facts';

const bi = z.object({ zh: z.string().trim().max(4000), en: z.string().trim().max(4000) }).strict();

export const rectificationDraftSchema = z
	.object({
		id: z.string().max(64),
		findingId: z.string().max(64).nullable().optional(),
		problem: bi,
		cause: bi,
		action: bi,
		capability: z.string().max(120).nullable().optional(),
		element: z.enum(['planning', 'organisation', 'equipment', 'training', 'exercise']),
		agency: z.string().max(32).nullable().optional(),
		owner: z.string().max(120).nullable().optional(),
		dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date such as 2026-12-31.'),
		status: z.enum(RECTIFICATION_STATUSES).default('open'),
		/** The reviewers' decision on a proposed item. */
		decision: z.enum(['accepted', 'rejected', 'proposed']).default('proposed')
	})
	.strict();

export const saveReviewSchema = z
	.object({ summary: z.string().max(20_000).default(''), rectifications: z.array(rectificationDraftSchema).max(500) })
	.strict();

export interface SavedReview {
	version: number;
	generated: Review;
	summary: string;
	rectifications: z.output<typeof rectificationDraftSchema>[];
	savedAt: string;
	savedBy: string;
}

/** The review computed now from the facts, with the latest saved version (if any). */
export async function currentReview(db: Db, access: ExerciseAccess): Promise<{ generated: Review; saved: SavedReview | null }> {
	authorize(access, 'review.read');
	const generated = generateReview(await gatherFacts(db, access), new Date().toISOString().slice(0, 10));
	const [row] = await db.select().from(reviews).where(eq(reviews.exerciseId, access.exercise.id)).orderBy(desc(reviews.version)).limit(1);
	return { generated, saved: row ? (row.content as SavedReview) : null };
}

/**
 * Saves a new version of the review (the versions are kept). Accepted rectification items enter
 * tracking; rejecting an item that was accepted before withdraws it while it is still open.
 */
export async function saveReview(db: Db, user: SessionUser, access: ExerciseAccess, input: unknown): Promise<SavedReview> {
	authorize(access, 'review.edit');
	const data = parse(saveReviewSchema, input);
	const generated = generateReview(await gatherFacts(db, access), new Date().toISOString().slice(0, 10));
	const exerciseId = access.exercise.id;
	return db.transaction(async (tx) => {
		const [{ v }] = await tx.select({ v: max(reviews.version) }).from(reviews).where(eq(reviews.exerciseId, exerciseId));
		const saved: SavedReview = { version: (v ?? 0) + 1, generated, summary: data.summary, rectifications: data.rectifications, savedAt: new Date().toISOString(), savedBy: user.id };
		await tx.insert(reviews).values({ exerciseId, version: saved.version, content: saved, createdBy: user.id });
		for (const r of data.rectifications) {
			const id = `${exerciseId}:${r.id}`;
			if (r.decision === 'accepted') {
				const values = {
					findingId: r.findingId ?? null,
					problem: r.problem,
					cause: r.cause,
					action: r.action,
					capability: r.capability ?? null,
					element: r.element,
					agencyCode: r.agency ?? null,
					owner: r.owner ?? null,
					dueDate: r.dueDate,
					updatedAt: new Date()
				};
				await tx.insert(rectificationItems).values({ id, exerciseId, status: 'open', ...values }).onConflictDoUpdate({ target: rectificationItems.id, set: values });
			} else if (r.decision === 'rejected') {
				await tx.delete(rectificationItems).where(and(eq(rectificationItems.id, id), eq(rectificationItems.status, 'open')));
			}
		}
		return saved;
	});
}

export async function reviewVersions(db: Db, access: ExerciseAccess) {
	authorize(access, 'review.read');
	return db
		.select({ version: reviews.version, createdAt: reviews.createdAt, createdBy: reviews.createdBy })
		.from(reviews)
		.where(eq(reviews.exerciseId, access.exercise.id))
		.orderBy(desc(reviews.version));
}
