/** Task board views (pure): columns, the commander's filters, keyboard moves. */
import type { TaskCard } from '../board/tasks';
import { compareTasks, isOverdue, matchesTaskFilter, nextTaskStatuses, TASK_STATUSES, type TaskFacts, type TaskFilter, type TaskStatus } from '../domain/tasks';

/** The facts the task rules look at, from a stored card. */
export const factsOf = (t: TaskCard): TaskFacts => ({
	status: t.status,
	assigneeId: t.assignee?.id ?? null,
	dueScenarioMs: t.dueScenarioMs,
	injectId: t.injectId,
	priority: t.priority
});

export const cardOverdue = (t: TaskCard, scenarioMs: number) => isOverdue(factsOf(t), scenarioMs);

/** Board order of two cards: the task rules' order, then oldest first, then by id (stable). */
export const compareCards = (a: TaskCard, b: TaskCard, scenarioMs: number) =>
	compareTasks(factsOf(a), factsOf(b), scenarioMs) || a.createdAt - b.createdAt || a.id.localeCompare(b.id);

/** Columns left to right. */
export const COLUMNS: readonly TaskStatus[] = ['todo', 'in_progress', 'done', 'blocked'];

export interface TaskView extends TaskFilter {
	/** One agency's board, or every agency (null). */
	agency?: string | null;
}

export function visibleTasks(tasks: readonly TaskCard[], view: TaskView, scenarioMs: number): TaskCard[] {
	return tasks.filter((t) => (!view.agency || t.agency === view.agency) && matchesTaskFilter(factsOf(t), view, scenarioMs));
}

/** Cards per column, each column in the board's order (overdue, priority, due, then oldest first). */
export function columnsOf(tasks: readonly TaskCard[], scenarioMs: number): Record<TaskStatus, TaskCard[]> {
	const out = Object.fromEntries(TASK_STATUSES.map((s) => [s, [] as TaskCard[]])) as Record<TaskStatus, TaskCard[]>;
	for (const t of tasks) out[t.status].push(t);
	for (const s of TASK_STATUSES) out[s].sort((a, b) => compareCards(a, b, scenarioMs));
	return out;
}

/**
 * The allowed column next to the card's in a direction (keyboard Shift+←/→): the nearest column that
 * way the task rules allow moving to, or null.
 */
export function adjacentMove(from: TaskStatus, dir: -1 | 1): TaskStatus | null {
	const allowed = nextTaskStatuses(from);
	for (let i = COLUMNS.indexOf(from) + dir; i >= 0 && i < COLUMNS.length; i += dir) {
		if (allowed.includes(COLUMNS[i])) return COLUMNS[i];
	}
	return null;
}

/** Injects that spawned cards, for the "by inject" filter. */
export function injectsOf(tasks: readonly TaskCard[]): string[] {
	return [...new Set(tasks.map((t) => t.injectId).filter((x): x is string => !!x))].sort();
}

export const checklistProgress = (t: TaskCard) => ({ done: t.checklist.filter((c) => c.done).length, total: t.checklist.length });

/** A due time as typed: `T+01:30`, `01:30` or `1:30` (scenario time), else null. */
export function parseDue(text: string): number | null {
	const t = text.trim();
	const m = /^(?:T\s*\+\s*)?(\d{1,3}):([0-5]\d)$/i.exec(t);
	if (!m) return null;
	return (Number(m[1]) * 60 + Number(m[2])) * 60_000;
}
