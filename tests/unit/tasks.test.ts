import { describe, expect, it } from 'vitest';
import { checkTaskMove, compareTasks, isOverdue, matchesTaskFilter, TASK_STATUSES, type TaskFacts } from '../../src/lib/domain/tasks';

const ALLOWED = new Set(['todo>in_progress', 'todo>blocked', 'in_progress>done', 'in_progress>blocked', 'in_progress>todo', 'blocked>in_progress', 'blocked>todo', 'done>in_progress']);
const card = (over: Partial<TaskFacts> = {}): TaskFacts => ({ status: 'todo', assigneeId: null, dueScenarioMs: null, injectId: null, priority: 'normal', ...over });

describe('task card moves', () => {
	for (const from of TASK_STATUSES) {
		for (const to of TASK_STATUSES) {
			const ok = ALLOWED.has(`${from}>${to}`);
			it(`${ok ? 'allows' : 'refuses'} ${from} → ${to}`, () => {
				expect(checkTaskMove(from, to, 'road flooded').ok).toBe(ok);
			});
		}
	}
	it('needs a reason to block', () => {
		expect(checkTaskMove('todo', 'blocked', '  ')).toEqual({ ok: false, reason: 'Say why the card is blocked.' });
		expect(checkTaskMove('todo', 'blocked')).toEqual({ ok: false, reason: 'Say why the card is blocked.' });
	});
});

describe('task views', () => {
	it('marks unfinished cards past their due scenario time as overdue', () => {
		expect(isOverdue(card({ dueScenarioMs: 1000 }), 1001)).toBe(true);
		expect(isOverdue(card({ dueScenarioMs: 1000 }), 1000)).toBe(false);
		expect(isOverdue(card({ dueScenarioMs: 1000, status: 'done' }), 5000)).toBe(false);
		expect(isOverdue(card(), 5000)).toBe(false);
	});

	it('filters overdue, blocked, unassigned and by inject together', () => {
		const cards = [
			card({ dueScenarioMs: 10, injectId: 'I-07' }),
			card({ status: 'blocked', assigneeId: 'u1', injectId: 'I-07' }),
			card({ assigneeId: 'u2', injectId: 'I-03' })
		];
		const pick = (f: Parameters<typeof matchesTaskFilter>[1]) => cards.map((c, i) => (matchesTaskFilter(c, f, 100) ? i : -1)).filter((i) => i >= 0);
		expect(pick({})).toEqual([0, 1, 2]);
		expect(pick({ overdue: true })).toEqual([0]);
		expect(pick({ blocked: true })).toEqual([1]);
		expect(pick({ unassigned: true })).toEqual([0]);
		expect(pick({ injectId: 'I-07' })).toEqual([0, 1]);
		expect(pick({ injectId: 'I-07', unassigned: true })).toEqual([0]);
	});

	it('orders overdue first, then priority, then due time', () => {
		const list = [
			card({ priority: 'low' }),
			card({ priority: 'urgent', dueScenarioMs: 500 }),
			card({ priority: 'urgent', dueScenarioMs: 200 }),
			card({ priority: 'low', dueScenarioMs: 50 })
		];
		const sorted = [...list].sort((a, b) => compareTasks(a, b, 100));
		expect(sorted).toEqual([list[3], list[2], list[1], list[0]]);
	});
});
