import { asc, eq } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Db } from '../../db/client';
import { docUpdates } from '../../db/schema';
import { agencyDocName } from '../../src/lib/board/docs';
import { readTask, TASKS } from '../../src/lib/board/tasks';
import type { ReviewFacts } from '../../src/lib/domain/review/facts';

type TaskFacts = ReviewFacts['tasks'][number];

/**
 * Task-card history from the attributed update log: replays each agency document update by update and
 * records, for every card, when it appeared and each status change with the user whose update made
 * it (null for the server) and the scenario time of that update.
 */
export async function taskHistory(db: Db, exerciseId: string, agencies: readonly string[]): Promise<TaskFacts[]> {
	const out: TaskFacts[] = [];
	for (const agency of agencies) {
		const rows = await db
			.select({ seq: docUpdates.seq, userId: docUpdates.userId, scenarioMs: docUpdates.scenarioMs, update: docUpdates.update })
			.from(docUpdates)
			.where(eq(docUpdates.doc, agencyDocName(exerciseId, agency)))
			.orderBy(asc(docUpdates.seq));
		const doc = new Y.Doc();
		const tasks = doc.getMap<Y.Map<unknown>>(TASKS);
		const byId = new Map<string, TaskFacts>();
		let touched = new Set<string>();
		tasks.observeDeep((events) => {
			for (const e of events) {
				if (e.target === tasks) for (const key of (e as Y.YMapEvent<unknown>).keysChanged) touched.add(key);
				else touched.add(String(e.path[0]));
			}
		});
		for (const row of rows) {
			touched = new Set();
			try {
				Y.applyUpdate(doc, row.update);
			} catch {
				continue; // a row the collab server could not apply either; it changed nothing
			}
			const at = row.scenarioMs ?? 0;
			for (const id of touched) {
				const card = readTask(id, tasks.get(id));
				if (!card) continue;
				let facts = byId.get(id);
				if (!facts) {
					facts = { id, agency, injectId: card.injectId, title: card.title, createdMs: at, transitions: [] };
					byId.set(id, facts);
					out.push(facts);
				}
				const last = facts.transitions.at(-1)?.status ?? 'todo';
				if (card.status !== last) facts.transitions.push({ status: card.status, scenarioMs: at, userId: row.userId });
			}
		}
	}
	return out;
}
