/**
 * Task cards in an agency document (`exercise/<id>/agency/<code>`), next to its map features:
 *
 *   tasks: Y.Map<Y.Map>   keyed by card id
 *     title, description   { zh, en }   (a card written by a person carries the same text in both)
 *     agency               the document's agency
 *     assignee             { id, name } | null
 *     priority             low | normal | high | urgent
 *     status               todo | in_progress | done | blocked;  blockedReason when blocked
 *     dueScenarioMs        number | null
 *     injectId             the inject that spawned it, or null
 *     featureId            a linked map feature, or null
 *     checklist            Y.Array<{ id, text: { zh, en }, done }>
 *     comments             Y.Array<{ id, by: { id, name }, at, text }>
 *     createdBy/At, updatedBy/At
 * Who may change cards is the document's write permission (the agency's players, the commander, the
 * facilitator); every change is attributed and timed by the server's update log.
 */
import * as Y from 'yjs';
import { checkTaskMove, TASK_PRIORITIES, TASK_STATUSES, type TaskPriority, type TaskStatus } from '../domain/tasks';
import type { Actor } from './features';

export const TASKS = 'tasks';
export const MAX_TASK_TEXT = 2000;

export interface LocalText {
	zh: string;
	en: string;
}
export interface ChecklistItem {
	id: string;
	text: LocalText;
	done: boolean;
}
export interface TaskComment {
	id: string;
	by: Actor;
	at: number;
	text: string;
}
export interface TaskCard {
	id: string;
	title: LocalText;
	description: LocalText;
	agency: string;
	assignee: Actor | null;
	priority: TaskPriority;
	status: TaskStatus;
	blockedReason: string | null;
	dueScenarioMs: number | null;
	injectId: string | null;
	featureId: string | null;
	checklist: ChecklistItem[];
	comments: TaskComment[];
	createdBy: Actor;
	createdAt: number;
	updatedBy: Actor;
	updatedAt: number;
}

export interface NewTask {
	title: LocalText;
	description?: LocalText;
	priority?: TaskPriority;
	assignee?: Actor | null;
	dueScenarioMs?: number | null;
	injectId?: string | null;
	featureId?: string | null;
	checklist?: LocalText[];
}

export const taskMap = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>(TASKS);

const shortId = (prefix: string) => {
	const b = new Uint8Array(8);
	crypto.getRandomValues(b);
	return prefix + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
};
const cut = (t: LocalText): LocalText => ({ zh: t.zh.slice(0, MAX_TASK_TEXT), en: t.en.slice(0, MAX_TASK_TEXT) });
const actorOf = (a: Actor): Actor => ({ id: a.id, name: a.name });

/** Adds a card; with an explicit id the add is idempotent (an inject's spawn written twice stays one card). */
export function addTask(doc: Y.Doc, input: NewTask, agency: string, actor: Actor, opts: { id?: string; now?: number; origin?: unknown } = {}): string {
	const id = opts.id ?? shortId('t');
	const map = taskMap(doc);
	if (map.has(id)) return id;
	if (!input.title.zh.trim() && !input.title.en.trim()) throw new Error('A task needs a title.');
	if (input.priority && !TASK_PRIORITIES.includes(input.priority)) throw new Error('Unknown priority.');
	const now = opts.now ?? Date.now();
	const checklist = new Y.Array<ChecklistItem>();
	checklist.push((input.checklist ?? []).map((text, i) => ({ id: `c${i + 1}`, text: cut(text), done: false })));
	doc.transact(() => {
		map.set(
			id,
			new Y.Map<unknown>([
				['title', cut(input.title)],
				['description', cut(input.description ?? { zh: '', en: '' })],
				['agency', agency],
				['assignee', input.assignee ? actorOf(input.assignee) : null],
				['priority', input.priority ?? 'normal'],
				['status', 'todo'],
				['blockedReason', null],
				['dueScenarioMs', input.dueScenarioMs ?? null],
				['injectId', input.injectId ?? null],
				['featureId', input.featureId ?? null],
				['checklist', checklist],
				['comments', new Y.Array<TaskComment>()],
				['createdBy', actorOf(actor)],
				['createdAt', now],
				['updatedBy', actorOf(actor)],
				['updatedAt', now]
			])
		);
	}, opts.origin);
	return id;
}

function touch(m: Y.Map<unknown>, actor: Actor, now: number) {
	m.set('updatedBy', actorOf(actor));
	m.set('updatedAt', now);
}

/** Moves a card between columns by the task rules; throws with the reason when the move is not allowed. */
export function moveTask(doc: Y.Doc, id: string, to: TaskStatus, actor: Actor, opts: { reason?: string; now?: number; origin?: unknown } = {}): void {
	const m = taskMap(doc).get(id);
	if (!m) throw new Error('No such task.');
	const from = m.get('status') as TaskStatus;
	const check = checkTaskMove(from, to, opts.reason);
	if (!check.ok) throw new Error(check.reason);
	doc.transact(() => {
		m.set('status', to);
		m.set('blockedReason', to === 'blocked' ? (opts.reason ?? '').trim().slice(0, MAX_TASK_TEXT) : null);
		touch(m, actor, opts.now ?? Date.now());
	}, opts.origin);
}

export function assignTask(doc: Y.Doc, id: string, assignee: Actor | null, actor: Actor, opts: { now?: number; origin?: unknown } = {}): void {
	const m = taskMap(doc).get(id);
	if (!m) throw new Error('No such task.');
	doc.transact(() => {
		m.set('assignee', assignee ? actorOf(assignee) : null);
		touch(m, actor, opts.now ?? Date.now());
	}, opts.origin);
}

export function toggleChecklistItem(doc: Y.Doc, id: string, itemId: string, actor: Actor, opts: { now?: number; origin?: unknown } = {}): void {
	const m = taskMap(doc).get(id);
	const list = m?.get('checklist');
	if (!m || !(list instanceof Y.Array)) throw new Error('No such task.');
	const items = list.toArray() as ChecklistItem[];
	const at = items.findIndex((i) => i.id === itemId);
	if (at < 0) throw new Error('No such checklist item.');
	doc.transact(() => {
		list.delete(at, 1);
		list.insert(at, [{ ...items[at], done: !items[at].done }]);
		touch(m, actor, opts.now ?? Date.now());
	}, opts.origin);
}

export function commentOnTask(doc: Y.Doc, id: string, text: string, actor: Actor, opts: { now?: number; origin?: unknown } = {}): void {
	const m = taskMap(doc).get(id);
	const list = m?.get('comments');
	if (!m || !(list instanceof Y.Array)) throw new Error('No such task.');
	const body = text.trim().slice(0, MAX_TASK_TEXT);
	if (!body) throw new Error('A comment needs text.');
	const now = opts.now ?? Date.now();
	doc.transact(() => {
		list.push([{ id: shortId('m'), by: actorOf(actor), at: now, text: body }]);
		touch(m, actor, now);
	}, opts.origin);
}

const isText = (v: unknown): v is LocalText => !!v && typeof v === 'object' && typeof (v as LocalText).zh === 'string' && typeof (v as LocalText).en === 'string';
const isActor = (v: unknown): v is Actor => !!v && typeof v === 'object' && typeof (v as Actor).id === 'string' && typeof (v as Actor).name === 'string';
const numOrNull = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strOrNull = (v: unknown) => (typeof v === 'string' ? v : null);

/** Reads one card; null when malformed (a bad write from one client never breaks another's view). */
export function readTask(id: string, m: unknown): TaskCard | null {
	if (!(m instanceof Y.Map)) return null;
	const status = m.get('status');
	const priority = m.get('priority');
	const title = m.get('title');
	const createdBy = m.get('createdBy');
	if (!TASK_STATUSES.includes(status as TaskStatus) || !TASK_PRIORITIES.includes(priority as TaskPriority) || !isText(title) || !isActor(createdBy)) return null;
	const list = <T>(v: unknown): T[] => (v instanceof Y.Array ? (v.toArray() as T[]) : []);
	const assignee = m.get('assignee');
	const updatedBy = m.get('updatedBy');
	const description = m.get('description');
	return {
		id,
		title,
		description: isText(description) ? description : { zh: '', en: '' },
		agency: String(m.get('agency') ?? ''),
		assignee: isActor(assignee) ? assignee : null,
		priority: priority as TaskPriority,
		status: status as TaskStatus,
		blockedReason: strOrNull(m.get('blockedReason')),
		dueScenarioMs: numOrNull(m.get('dueScenarioMs')),
		injectId: strOrNull(m.get('injectId')),
		featureId: strOrNull(m.get('featureId')),
		checklist: list<ChecklistItem>(m.get('checklist')),
		comments: list<TaskComment>(m.get('comments')),
		createdBy,
		createdAt: numOrNull(m.get('createdAt')) ?? 0,
		updatedBy: isActor(updatedBy) ? updatedBy : createdBy,
		updatedAt: numOrNull(m.get('updatedAt')) ?? 0
	};
}

export function listTasks(doc: Y.Doc): TaskCard[] {
	const out: TaskCard[] = [];
	taskMap(doc).forEach((m, id) => {
		const t = readTask(id, m);
		if (t) out.push(t);
	});
	return out;
}
