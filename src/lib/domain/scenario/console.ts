/**
 * The facilitator console's view of a running exercise, from what the server planned (the MSEL
 * timeline) and what the shared documents show live (delivered injects, acknowledgements, the log
 * mirror, task cards). Pure, so the console and its tests compute the same thing.
 */
import type { LogEntry } from '../commandlog/entry';
import type { TaskStatus } from '../tasks';
import type { PublicInject } from './public';
import type { MselInject, RandomInject } from './schema';

export type InjectState = 'delivered' | 'skipped' | 'due' | 'upcoming';

/** One timeline row as the server sends it (`injectTimeline`), reduced to what the console needs. */
export interface PlannedRow {
	injectId: string;
	source: string;
	dueMs: number;
	state: InjectState;
	targets: string[];
	delivery: { scenarioMs: number; deliveredAt: string; late: boolean } | null;
}

/** One MSEL timeline row on the console (the facilitator sees the whole inject, notes included). */
export interface ConsoleRow {
	injectId: string;
	source: string;
	dueMs: number;
	at: string;
	state: InjectState;
	inject: MselInject | RandomInject | PublicInject | null;
	delivery: { scenarioMs: number; deliveredAt: string; late: boolean } | null;
}

export interface DeliveredView {
	id: string;
	source: string;
	scenarioMs: number;
	deliveredAt: string;
	late: boolean;
	to: { agencies: string[] };
}

export interface AckView {
	injectId: string;
	agency: string;
	at: string;
	scenarioMs: number;
}

/** Task cards as the console reads them from the agency documents. */
export interface TaskView {
	id: string;
	agency: string;
	status: TaskStatus;
	injectId: string | null;
	dueScenarioMs: number | null;
	/** Whether someone (not the scenario) has changed the card. */
	touched: boolean;
}

/** `T+HH:MM:SS`, always with seconds (a ticking clock must not change width). */
export function clockText(ms: number): string {
	const total = Math.floor(Math.max(0, ms) / 1000);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `T+${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}

/**
 * The row's state now: delivered as soon as the control document shows it; a planned inject whose
 * time has come is due (the scheduler delivers it within a second, or it waits on a dependency).
 */
export function liveState(row: Pick<PlannedRow, 'injectId' | 'state' | 'dueMs'>, delivered: ReadonlySet<string>, nowMs: number): InjectState {
	if (row.state === 'delivered' || delivered.has(row.injectId)) return 'delivered';
	if (row.state === 'skipped') return 'skipped';
	return row.dueMs <= nowMs ? 'due' : 'upcoming';
}

export interface AgencyProgress {
	agency: string;
	delivered: boolean;
	/** Scenario ms from delivery to acknowledgement, or null. */
	ackAfterMs: number | null;
	acked: boolean;
	/** The agency sent a log entry about the inject or worked a task card it spawned. */
	actedOn: boolean;
}

/** Per target agency of one inject: delivered, acknowledged (签收), acted on. */
export function injectProgress(
	injectId: string,
	targets: readonly string[],
	delivered: Pick<DeliveredView, 'scenarioMs'> | null,
	acks: readonly AckView[],
	log: readonly Pick<LogEntry, 'from' | 'refs'>[],
	tasks: readonly TaskView[]
): AgencyProgress[] {
	return targets.map((agency) => {
		const ack = acks.find((a) => a.injectId === injectId && a.agency === agency) ?? null;
		const logged = log.some((e) => e.from.agency === agency && e.refs.inject === injectId);
		const worked = tasks.some((t) => t.agency === agency && t.injectId === injectId && (t.touched || t.status !== 'todo'));
		return {
			agency,
			delivered: !!delivered,
			acked: !!ack,
			ackAfterMs: ack && delivered ? Math.max(0, ack.scenarioMs - delivered.scenarioMs) : null,
			actedOn: !!delivered && (logged || worked)
		};
	});
}

export interface TaskSummary {
	total: number;
	todo: number;
	in_progress: number;
	done: number;
	blocked: number;
	overdue: number;
}

/** Task progress of one agency; overdue = past its due time and not done. */
export function summarizeTasks(tasks: readonly Pick<TaskView, 'status' | 'dueScenarioMs'>[], nowMs: number): TaskSummary {
	const s: TaskSummary = { total: tasks.length, todo: 0, in_progress: 0, done: 0, blocked: 0, overdue: 0 };
	for (const t of tasks) {
		s[t.status]++;
		if (t.status !== 'done' && t.dueScenarioMs !== null && t.dueScenarioMs < nowMs) s.overdue++;
	}
	return s;
}

export type FeedItem =
	| { kind: 'inject'; key: string; at: string; scenarioMs: number; injectId: string; agencies: string[]; source: string; late: boolean }
	| { kind: 'ack'; key: string; at: string; scenarioMs: number; injectId: string; agency: string }
	| { kind: 'log'; key: string; at: string; scenarioMs: number; entry: LogEntry };

/** Everything players did and everything they were sent, newest first. */
export function buildFeed(injects: readonly DeliveredView[], acks: readonly AckView[], log: readonly LogEntry[], limit = 200): FeedItem[] {
	const items: FeedItem[] = [
		...injects.map((i): FeedItem => ({ kind: 'inject', key: `i:${i.id}`, at: i.deliveredAt, scenarioMs: i.scenarioMs, injectId: i.id, agencies: i.to.agencies, source: i.source, late: i.late })),
		...acks.map((a): FeedItem => ({ kind: 'ack', key: `a:${a.injectId}|${a.agency}`, at: a.at, scenarioMs: a.scenarioMs, injectId: a.injectId, agency: a.agency })),
		...log.map((e): FeedItem => ({ kind: 'log', key: `l:${e.seq}`, at: e.at, scenarioMs: e.scenarioMs ?? 0, entry: e }))
	];
	return items.sort((a, b) => b.at.localeCompare(a.at) || b.key.localeCompare(a.key)).slice(0, limit);
}

/** Counts for the timeline's header. */
export function countStates(states: readonly InjectState[]): Record<InjectState, number> {
	const c: Record<InjectState, number> = { delivered: 0, skipped: 0, due: 0, upcoming: 0 };
	for (const s of states) c[s]++;
	return c;
}
