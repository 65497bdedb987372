/**
 * Role-based task cards (任务卡): the status rules and views, independent of where cards are stored
 * (they live in each agency's collaborative document).
 */
export const TASK_STATUSES = ['todo', 'in_progress', 'done', 'blocked'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

const NEXT: Record<TaskStatus, readonly TaskStatus[]> = {
	todo: ['in_progress', 'blocked'],
	in_progress: ['done', 'blocked', 'todo'],
	blocked: ['in_progress', 'todo'],
	done: ['in_progress']
};

export type TaskMove = { ok: true } | { ok: false; reason: string };

/** Whether a card may move from one column to another; blocking needs a reason. */
export function checkTaskMove(from: TaskStatus, to: TaskStatus, blockedReason?: string | null): TaskMove {
	if (from === to) return { ok: false, reason: `The card is already ${to}.` };
	if (!NEXT[from].includes(to)) return { ok: false, reason: `A ${from} card cannot move to ${to}.` };
	if (to === 'blocked' && !blockedReason?.trim()) return { ok: false, reason: 'Say why the card is blocked.' };
	return { ok: true };
}

export function nextTaskStatuses(from: TaskStatus): readonly TaskStatus[] {
	return NEXT[from];
}

export interface TaskFacts {
	status: TaskStatus;
	assigneeId: string | null;
	dueScenarioMs: number | null;
	injectId: string | null;
	priority: TaskPriority;
}

export function isOverdue(t: TaskFacts, scenarioMs: number): boolean {
	return t.status !== 'done' && t.dueScenarioMs != null && scenarioMs > t.dueScenarioMs;
}

export interface TaskFilter {
	overdue?: boolean;
	blocked?: boolean;
	unassigned?: boolean;
	injectId?: string | null;
}

/** The commander's all-agency view filters; all given filters must hold. */
export function matchesTaskFilter(t: TaskFacts, f: TaskFilter, scenarioMs: number): boolean {
	if (f.overdue && !isOverdue(t, scenarioMs)) return false;
	if (f.blocked && t.status !== 'blocked') return false;
	if (f.unassigned && t.assigneeId) return false;
	if (f.injectId && t.injectId !== f.injectId) return false;
	return true;
}

const PRIORITY_RANK: Record<TaskPriority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/** Column order: overdue first, then by priority, then by due time (cards without one last). */
export function compareTasks(a: TaskFacts, b: TaskFacts, scenarioMs: number): number {
	const od = Number(isOverdue(b, scenarioMs)) - Number(isOverdue(a, scenarioMs));
	if (od) return od;
	const pr = PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority];
	if (pr) return pr;
	return (a.dueScenarioMs ?? Infinity) - (b.dueScenarioMs ?? Infinity);
}
