/**
 * Task cards for integrations: read each agency's collaborative document from the database (latest
 * snapshot + the update log after it, exactly what a joining client would receive) and list its cards.
 * Reads go to the database rather than to a live room, so this works in any process; what a room has
 * relayed is already committed (updates are stored before they are applied).
 */
import * as Y from 'yjs';
import { z } from 'zod';
import type { Db } from '../db/client';
import { agencyDocName } from '../src/lib/board/docs';
import { listTasks, type TaskCard } from '../src/lib/board/tasks';
import { TASK_STATUSES } from '../src/lib/domain/tasks';
import { cardOverdue, compareCards } from '../src/lib/tasks/view';
import { scenarioNow } from './clock';
import { loadDocument } from './collab/persistence';
import { AppError } from './errors';
import { authorize, listAgencies, type ExerciseAccess } from './exercises';
import { parse } from './users';

export const taskFilterSchema = z
	.object({
		agency: z.string().trim().max(32).optional(),
		status: z.enum(TASK_STATUSES).optional(),
		inject: z.string().trim().max(64).optional()
	});

export interface TaskListing {
	/** Scenario time the `overdue` flags were computed at (null when the exercise has no clock row). */
	scenarioMs: number | null;
	tasks: (TaskCard & { overdue: boolean })[];
}

/** The cards of one agency document as stored now. */
export async function loadAgencyTasks(db: Db, exerciseId: string, agency: string): Promise<TaskCard[]> {
	const doc = new Y.Doc();
	try {
		await loadDocument(db, agencyDocName(exerciseId, agency), doc, (seq, e) => console.error(`[tasks] skipped a bad update ${seq} of ${agency}:`, e));
		return listTasks(doc);
	} finally {
		doc.destroy();
	}
}

/**
 * Cards of one agency (`agency`) or of every agency, optionally by status or spawning inject; agencies
 * in their configured order, then the board's column order (overdue, priority, due time).
 * Every member may read task cards (`board.read`), as on the board.
 */
export async function listExerciseTasks(db: Db, access: ExerciseAccess, filters: unknown): Promise<TaskListing> {
	authorize(access, 'board.read');
	const f = parse(taskFilterSchema, filters);
	const codes = (await listAgencies(db)).map((a) => a.code);
	if (f.agency && !codes.includes(f.agency)) {
		throw new AppError(400, 'invalid_input', 'The request has invalid fields.', { agency: 'Unknown agency.' });
	}
	const wanted = f.agency ? [f.agency] : codes;
	const now = await scenarioNow(db, access.exercise.id);
	const ms = now ?? 0;
	const tasks: TaskListing['tasks'] = [];
	for (const code of wanted) {
		const cards = (await loadAgencyTasks(db, access.exercise.id, code))
			.filter((t) => (!f.status || t.status === f.status) && (!f.inject || t.injectId === f.inject))
			.sort((a, b) => compareCards(a, b, ms));
		for (const t of cards) tasks.push({ ...t, overdue: cardOverdue(t, ms) });
	}
	return { scenarioMs: now, tasks };
}
