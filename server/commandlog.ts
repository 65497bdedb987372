import { and, asc, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { agencies, commandLog, exercises } from '../db/schema';
import { GENESIS_HASH, sealEntry, verifyChain, type ChainVerdict } from '../src/lib/domain/commandlog/chain';
import { ENTRY_KINDS, REPORT_STAGES, type EntryContent, type EntryDraft, type LogEntry } from '../src/lib/domain/commandlog/entry';
import { checkDraft } from '../src/lib/domain/commandlog/rules';
import type { ExerciseStatus } from '../src/lib/domain/lifecycle';
import type { SessionUser } from './auth/sessions';
import { AppError } from './errors';
import { authorize, type ExerciseAccess } from './exercises';
import { parse } from './users';

/** Longest free text in one entry field; longer is refused with 413, not silently cut. */
export const MAX_TEXT = 4000;

const text = z.string().trim();
const count = z.number().int().min(0).max(1_000_000).nullable().optional();
const seqRef = z.number().int().positive();

export const draftSchema = z
	.object({
		kind: z.enum(ENTRY_KINDS),
		asAgency: z.string().max(32).nullable().optional(),
		to: z.object({ agencies: z.array(z.string().max(32)).max(20).default([]), commander: z.boolean().default(false) }).default({ agencies: [], commander: false }),
		refs: z
			.object({
				entries: z.array(seqRef).max(20).default([]),
				inject: z.string().max(64).nullable().optional(),
				feature: z.string().max(64).nullable().optional()
			})
			.default({ entries: [] }),
		body: z.object({
			text: text.min(1, 'Required.'),
			stage: z.enum(REPORT_STAGES).optional(),
			completed: z.boolean().optional(),
			corrects: seqRef.nullable().optional(),
			report: z
				.object({
					time: text.optional(),
					place: text.optional(),
					nature: text.optional(),
					scale: text.optional(),
					casualties: z.object({ dead: count, injured: count, missing: count, trapped: count }).optional(),
					hazmat: text.optional(),
					trend: text.optional(),
					measures: text.optional(),
					requests: text.optional(),
					reportingUnit: text.optional(),
					reportingPerson: text.optional()
				})
				.strict()
				.optional()
		})
	})
	.strict();

/** Every string in the draft stays under MAX_TEXT; the first offender is named. */
function rejectOversized(value: unknown, path: string): void {
	if (typeof value === 'string' && value.length > MAX_TEXT) {
		throw new AppError(413, 'too_large', `Text is longer than ${MAX_TEXT} characters.`, { [path]: `At most ${MAX_TEXT} characters.` });
	}
	if (value && typeof value === 'object') {
		for (const [k, v] of Object.entries(value)) rejectOversized(v, path ? `${path}.${k}` : k);
	}
}

type Row = typeof commandLog.$inferSelect;

/** Rebuilds the hashed entry from a stored row; every column feeds the hash check. */
export function rowToEntry(row: Row): LogEntry {
	const stored = row.entry as EntryContent;
	return {
		...stored,
		exerciseId: row.exerciseId,
		seq: row.seq,
		kind: row.kind as LogEntry['kind'],
		at: row.at.toISOString(),
		from: { ...stored.from, userId: row.fromUser, agency: row.fromAgency },
		prevHash: row.prevHash,
		hash: row.hash
	};
}

export interface AppendOptions {
	/** Scenario time of the exercise clock, when one runs. */
	scenarioMs?: number | null;
	now?: Date;
}

/**
 * Appends one entry. The exercise row is locked for the transaction, so concurrent appends queue up
 * and the sequence stays gapless and unforked; chain rules are checked against the locked state.
 */
export async function appendEntry(db: Db, user: SessionUser, access: ExerciseAccess, input: unknown, opts: AppendOptions = {}): Promise<LogEntry> {
	rejectOversized(input, '');
	const draft = parse(draftSchema, input) as EntryDraft;
	const exerciseId = access.exercise.id;
	return db.transaction(async (tx) => {
		const [locked] = await tx.select({ status: exercises.status }).from(exercises).where(eq(exercises.id, exerciseId)).for('update');
		const [last] = await tx.select().from(commandLog).where(eq(commandLog.exerciseId, exerciseId)).orderBy(desc(commandLog.seq)).limit(1);
		const wanted = [...draft.refs.entries, ...(draft.body.corrects ? [draft.body.corrects] : [])];
		const referenced = wanted.length
			? await tx.select().from(commandLog).where(and(eq(commandLog.exerciseId, exerciseId), inArray(commandLog.seq, wanted)))
			: [];
		const acks = wanted.length
			? await tx
					.select({ ref: sql<number>`(${commandLog.entry}->'refs'->'entries'->>0)::int`, agency: commandLog.fromAgency })
					.from(commandLog)
					.where(
						and(
							eq(commandLog.exerciseId, exerciseId),
							eq(commandLog.kind, 'ack'),
							inArray(sql`(${commandLog.entry}->'refs'->'entries'->>0)::int`, wanted)
						)
					)
			: [];
		const known = new Set((await tx.select({ code: agencies.code }).from(agencies)).map((a) => a.code));
		const bySeq = new Map(referenced.map((r) => [r.seq, rowToEntry(r)]));
		const check = checkDraft({ userId: user.id, name: user.displayName, memberships: access.memberships }, draft, {
			status: locked.status as ExerciseStatus,
			agencies: known,
			entry: (seq) => bySeq.get(seq),
			acknowledged: (seq, party) => acks.some((a) => a.ref === seq && a.agency === party)
		});
		if (!check.ok) throw new AppError(403, 'chain_rule', check.rule);
		const entry = sealEntry({
			exerciseId,
			seq: (last?.seq ?? 0) + 1,
			kind: draft.kind,
			at: (opts.now ?? new Date()).toISOString(),
			scenarioMs: opts.scenarioMs ?? null,
			from: check.from,
			to: check.to,
			refs: { entries: draft.refs.entries, inject: draft.refs.inject ?? null, feature: draft.refs.feature ?? null },
			body: draft.body,
			...(check.missing ? { missing: check.missing } : {}),
			prevHash: last?.hash ?? GENESIS_HASH
		});
		const { hash, prevHash, ...content } = entry;
		await tx.insert(commandLog).values({
			exerciseId,
			seq: entry.seq,
			kind: entry.kind,
			fromUser: user.id,
			fromAgency: entry.from.agency,
			at: new Date(entry.at),
			entry: { ...content, prevHash },
			prevHash,
			hash
		});
		return entry;
	});
}

export const listFilterSchema = z.object({
	agency: z.string().max(32).optional(),
	kind: z.enum(ENTRY_KINDS).optional(),
	inject: z.string().max(64).optional(),
	after: z.coerce.number().int().min(0).optional(),
	limit: z.coerce.number().int().min(1).max(5000).default(1000)
});

/** Entries in sequence order, optionally filtered by the sending or receiving agency, kind or inject. */
export async function listEntries(db: Db, access: ExerciseAccess, filters: unknown): Promise<LogEntry[]> {
	authorize(access, 'log.read');
	const f = parse(listFilterSchema, filters);
	const conds = [eq(commandLog.exerciseId, access.exercise.id)];
	if (f.kind) conds.push(eq(commandLog.kind, f.kind));
	if (f.after !== undefined) conds.push(gt(commandLog.seq, f.after));
	if (f.agency) conds.push(sql`(${commandLog.fromAgency} = ${f.agency} or ${commandLog.entry}->'to'->'agencies' @> ${JSON.stringify([f.agency])}::jsonb)`);
	if (f.inject) conds.push(sql`${commandLog.entry}->'refs'->>'inject' = ${f.inject}`);
	const rows = await db.select().from(commandLog).where(and(...conds)).orderBy(asc(commandLog.seq)).limit(f.limit);
	return rows.map(rowToEntry);
}

/** Re-walks the whole chain of an exercise. */
export async function verifyLog(db: Db, exerciseId: string): Promise<ChainVerdict> {
	const rows = await db.select().from(commandLog).where(eq(commandLog.exerciseId, exerciseId)).orderBy(asc(commandLog.seq));
	return verifyChain(rows.map(rowToEntry));
}

/** Entries after a sequence number, for mirroring what a crash left out of the control document. */
export async function listEntriesSince(db: Db, exerciseId: string, afterSeq: number): Promise<LogEntry[]> {
	const rows = await db
		.select()
		.from(commandLog)
		.where(and(eq(commandLog.exerciseId, exerciseId), gt(commandLog.seq, afterSeq)))
		.orderBy(asc(commandLog.seq));
	return rows.map(rowToEntry);
}
