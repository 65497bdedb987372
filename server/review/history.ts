import { desc, eq } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Db } from '../../db/client';
import { docUpdates } from '../../db/schema';
import { agencyDocName } from '../../src/lib/board/docs';
import { readTask, TASKS } from '../../src/lib/board/tasks';
import { readUpdateRows } from './replay';
import type { ReviewFacts } from '../../src/lib/domain/review/facts';

type TaskFacts = ReviewFacts['tasks'][number];

/** Cached histories by document and last seq: after the end the log no longer grows, so a review is replayed once. */
const cache = new Map<string, { lastSeq: number; tasks: TaskFacts[] }>();

/**
 * Task-card history from the attributed update log: replays each agency document update by update and
 * records, for every card, when it appeared and each status change with the user whose update made
 * it (null for the server) and the scenario time of that update.
 * Results are cached per document until its log grows (after the end it does not), so the review,
 * its saves and exports replay a document once.
 */
export async function taskHistory(db: Db, exerciseId: string, agencies: readonly string[]): Promise<TaskFacts[]> {
	const out: TaskFacts[] = [];
	for (const agency of agencies) {
		const name = agencyDocName(exerciseId, agency);
		const [head] = await db.select({ seq: docUpdates.seq }).from(docUpdates).where(eq(docUpdates.doc, name)).orderBy(desc(docUpdates.seq)).limit(1);
		const lastSeq = head?.seq ?? 0;
		const hit = cache.get(name);
		if (hit && hit.lastSeq === lastSeq) {
			out.push(...hit.tasks.map((t) => ({ ...t, transitions: t.transitions.map((x) => ({ ...x })) })));
			continue;
		}
		const log = await readUpdateRows(db, name, 0, lastSeq);
		const doc = new Y.Doc();
		const tasks = doc.getMap<Y.Map<unknown>>(TASKS);
		const byId = new Map<string, TaskFacts>();
		const mine: TaskFacts[] = [];
		let touched = new Set<string>();
		tasks.observeDeep((events) => {
			for (const e of events) {
				if (e.target === tasks) for (const key of (e as Y.YMapEvent<unknown>).keysChanged) touched.add(key);
				else touched.add(String(e.path[0]));
			}
		});
		for (let i = 0; i < log.updates.length; i++) {
			touched = new Set();
			try {
				Y.applyUpdate(doc, log.updates[i]);
			} catch {
				continue; // a row the collab server could not apply either; it changed nothing
			}
			const at = log.scenarioMs[i] ?? 0;
			for (const id of touched) {
				const card = readTask(id, tasks.get(id));
				if (!card) continue;
				let facts = byId.get(id);
				if (!facts) {
					facts = { id, agency, injectId: card.injectId, title: card.title, createdMs: at, transitions: [] };
					byId.set(id, facts);
					mine.push(facts);
				}
				const last = facts.transitions.at(-1)?.status ?? 'todo';
				if (card.status !== last) facts.transitions.push({ status: card.status, scenarioMs: at, userId: log.userIds[i] });
			}
		}
		doc.destroy();
		cache.set(name, { lastSeq, tasks: mine });
		while (cache.size > 256) cache.delete(cache.keys().next().value as string);
		out.push(...mine.map((t) => ({ ...t, transitions: t.transitions.map((x) => ({ ...x })) })));
	}
	return out;
}
