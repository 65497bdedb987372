/**
 * Edits of an existing task card beyond the accessors in $lib/board/tasks (which cover create, move,
 * assign, checklist toggle and comments): the card's fields and new checklist items. Same document
 * shape, same attribution (updatedBy/At), each change one transaction.
 */
import * as Y from 'yjs';
import { MAX_TASK_TEXT, taskMap, type ChecklistItem, type LocalText } from '../board/tasks';
import type { Actor } from '../board/features';
import { TASK_PRIORITIES, type TaskPriority } from '../domain/tasks';

export interface TaskPatch {
	title?: LocalText;
	description?: LocalText;
	priority?: TaskPriority;
	dueScenarioMs?: number | null;
	featureId?: string | null;
	injectId?: string | null;
}

const cut = (t: LocalText): LocalText => ({ zh: t.zh.slice(0, MAX_TASK_TEXT), en: t.en.slice(0, MAX_TASK_TEXT) });

/** One text typed by a person is the card's text in both languages (as addTask expects). */
export const sameText = (text: string): LocalText => ({ zh: text.trim(), en: text.trim() });

/** Changes the given fields of a card; fields equal to the stored value are not rewritten. */
export function updateTask(doc: Y.Doc, id: string, patch: TaskPatch, actor: Actor, opts: { now?: number; origin?: unknown } = {}): boolean {
	const m = taskMap(doc).get(id);
	if (!m) throw new Error('No such task.');
	if (patch.title && !patch.title.zh.trim() && !patch.title.en.trim()) throw new Error('A task needs a title.');
	if (patch.priority && !TASK_PRIORITIES.includes(patch.priority)) throw new Error('Unknown priority.');
	if (patch.dueScenarioMs != null && !(Number.isFinite(patch.dueScenarioMs) && patch.dueScenarioMs >= 0)) throw new Error('Bad due time.');
	const next: [string, unknown][] = [];
	const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
	for (const [k, v] of Object.entries(patch)) {
		if (v === undefined) continue;
		const value = k === 'title' || k === 'description' ? cut(v as LocalText) : v;
		if (!same(m.get(k), value)) next.push([k, value]);
	}
	if (!next.length) return false;
	doc.transact(() => {
		for (const [k, v] of next) m.set(k, v);
		m.set('updatedBy', { id: actor.id, name: actor.name });
		m.set('updatedAt', opts.now ?? Date.now());
	}, opts.origin);
	return true;
}

/** Appends a checklist item (ids continue `c1`, `c2`… after the highest present). */
export function addChecklistItem(doc: Y.Doc, id: string, text: LocalText, actor: Actor, opts: { now?: number; origin?: unknown } = {}): string {
	const m = taskMap(doc).get(id);
	const list = m?.get('checklist');
	if (!m || !(list instanceof Y.Array)) throw new Error('No such task.');
	if (!text.zh.trim() && !text.en.trim()) throw new Error('A checklist item needs text.');
	const used = (list.toArray() as ChecklistItem[]).map((i) => Number(/^c(\d+)$/.exec(i.id)?.[1] ?? 0));
	const itemId = `c${Math.max(0, ...used) + 1}`;
	doc.transact(() => {
		list.push([{ id: itemId, text: cut(text), done: false }]);
		m.set('updatedBy', { id: actor.id, name: actor.name });
		m.set('updatedAt', opts.now ?? Date.now());
	}, opts.origin);
	return itemId;
}
