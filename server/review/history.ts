import { and, desc, eq, isNotNull, lte } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Db } from '../../db/client';
import { docSnapshots, docUpdates } from '../../db/schema';
import { agencyDocName } from '../../src/lib/board/docs';
import { TaskHistoryRecorder } from '../../src/lib/board/task-history';
import type { TaskFacts } from '../../src/lib/domain/review/facts';
import { applyLoggedRow } from '../collab/persistence';
import { base64Of, fromBase64, readUpdateRows } from './replay';

/** Cached histories by document and last seq: after the end the log no longer grows, so a review is replayed once. */
const cache = new Map<string, { lastSeq: number; tasks: TaskFacts[] }>();

/** Forgets the cached histories (tests and benchmarks: a review as after a restart). */
export function clearTaskHistoryCache(): void {
	cache.clear();
}

const copies = (tasks: readonly TaskFacts[]) => tasks.map((t) => ({ ...t, transitions: t.transitions.map((x) => ({ ...x })) }));

/**
 * Task-card history of each agency document: when each card appeared and each status change, with
 * the user whose update made it (null for the server) and the scenario time of that update.
 *
 * The collaboration server records this history as it applies each update and stores it with its
 * snapshots, so usually only the rows after the last such snapshot (none, once the exercise has ended
 * and the rooms unloaded) are replayed here; a document without one is replayed from its first row.
 * Results are cached per document until its log grows.
 */
export async function taskHistory(db: Db, exerciseId: string, agencies: readonly string[]): Promise<TaskFacts[]> {
	const out: TaskFacts[] = [];
	for (const agency of agencies) {
		const name = agencyDocName(exerciseId, agency);
		const [head] = await db.select({ seq: docUpdates.seq }).from(docUpdates).where(eq(docUpdates.doc, name)).orderBy(desc(docUpdates.seq)).limit(1);
		const lastSeq = head?.seq ?? 0;
		let hit = cache.get(name);
		if (!hit || hit.lastSeq !== lastSeq) {
			hit = { lastSeq, tasks: await historyOf(db, name, agency, lastSeq) };
			cache.set(name, hit);
			while (cache.size > 256) cache.delete(cache.keys().next().value as string);
		}
		out.push(...copies(hit.tasks));
	}
	return out;
}

/** The recorded history at the latest snapshot that has one, continued over the log rows after it. */
async function historyOf(db: Db, name: string, agency: string, lastSeq: number): Promise<TaskFacts[]> {
	const [recorded] = await db
		.select({ seq: docSnapshots.seq, tasks: docSnapshots.tasks })
		.from(docSnapshots)
		.where(and(eq(docSnapshots.doc, name), isNotNull(docSnapshots.tasks), lte(docSnapshots.seq, lastSeq)))
		.orderBy(desc(docSnapshots.seq))
		.limit(1);
	if (recorded?.tasks && recorded.seq === lastSeq) return recorded.tasks;
	const doc = new Y.Doc();
	try {
		if (recorded) {
			const [snapshot] = await db
				.select({ state: base64Of(docSnapshots.state) })
				.from(docSnapshots)
				.where(and(eq(docSnapshots.doc, name), eq(docSnapshots.seq, recorded.seq)));
			Y.applyUpdate(doc, fromBase64(snapshot.state));
		}
		const recorder = new TaskHistoryRecorder(doc, agency, recorded?.tasks ?? []);
		const log = await readUpdateRows(db, name, recorded?.seq ?? 0, lastSeq);
		for (let i = 0; i < log.updates.length; i++) {
			// A row Yjs cannot apply is skipped here as it was by the collaboration server.
			applyLoggedRow(doc, { seq: log.seqs[i], update: log.updates[i] }, () => {});
			recorder.record(log.scenarioMs[i] ?? 0, log.userIds[i]);
		}
		return recorder.history();
	} finally {
		doc.destroy();
	}
}
