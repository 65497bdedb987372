/**
 * Follows the task cards of one agency document update by update and records each card's history:
 * when it appeared and every status change, attributed to the update that made it. The collaboration
 * server runs one per loaded agency room (the history is stored with the room's snapshots), and the
 * review continues it over whatever the log holds after the last such snapshot.
 *
 * Usage: apply one update per Yjs transaction, then call `record` with that update's attribution.
 */
import * as Y from 'yjs';
import type { TaskFacts } from '../domain/review/facts';
import { readTask, TASKS } from './tasks';

const copy = (t: TaskFacts): TaskFacts => ({ ...t, transitions: t.transitions.map((x) => ({ ...x })) });

export class TaskHistoryRecorder {
	private readonly tasks: Y.Map<unknown>;
	private readonly byId = new Map<string, TaskFacts>();
	private readonly inOrder: TaskFacts[] = [];
	/** Cards changed by the transactions since the last `record`. */
	private touched = new Set<string>();
	private readonly observer = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
		for (const e of events) {
			if (e.target === this.tasks) for (const key of (e as Y.YMapEvent<unknown>).keysChanged) this.touched.add(key);
			else this.touched.add(String(e.path[0]));
		}
	};

	/** `base`: the history up to the doc's current state (empty for a doc replayed from its first update). */
	constructor(
		doc: Y.Doc,
		private readonly agency: string,
		base: readonly TaskFacts[] = []
	) {
		for (const t of base) this.add(copy(t));
		this.tasks = doc.getMap(TASKS);
		this.tasks.observeDeep(this.observer);
	}

	/** Attributes what the last applied update changed: new cards and status changes. */
	record(scenarioMs: number, userId: string | null): void {
		if (!this.touched.size) return;
		for (const id of this.touched) {
			const card = readTask(id, this.tasks.get(id));
			if (!card) continue;
			let facts = this.byId.get(id);
			if (!facts) {
				facts = { id, agency: this.agency, injectId: card.injectId, title: card.title, createdMs: scenarioMs, transitions: [] };
				this.add(facts);
			}
			const last = facts.transitions.at(-1)?.status ?? 'todo';
			if (card.status !== last) facts.transitions.push({ status: card.status, scenarioMs, userId });
		}
		this.touched = new Set();
	}

	/** The history so far (a copy: callers may keep or change it). */
	history(): TaskFacts[] {
		return this.inOrder.map(copy);
	}

	stop(): void {
		this.tasks.unobserveDeep(this.observer);
	}

	private add(facts: TaskFacts): void {
		this.byId.set(facts.id, facts);
		this.inOrder.push(facts);
	}
}
