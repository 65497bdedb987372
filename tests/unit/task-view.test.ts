import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addTask, listTasks, moveTask } from '../../src/lib/board/tasks';
import { addChecklistItem, sameText, updateTask } from '../../src/lib/tasks/edit';
import { adjacentMove, cardOverdue, columnsOf, injectsOf, parseDue, visibleTasks } from '../../src/lib/tasks/view';

const me = { id: 'u1', name: 'fire1' };
const min = 60_000;

function board() {
	const doc = new Y.Doc();
	const a = addTask(doc, { title: sameText('A'), priority: 'low', dueScenarioMs: 10 * min }, 'fire', me, { now: 1 });
	const b = addTask(doc, { title: sameText('B'), priority: 'urgent', injectId: 'I-02' }, 'fire', me, { now: 2 });
	const c = addTask(doc, { title: sameText('C'), assignee: me, dueScenarioMs: 60 * min }, 'fire', me, { now: 3 });
	return { doc, a, b, c };
}

describe('task board views', () => {
	it('orders columns overdue first, then priority, then due time', () => {
		const { doc, a, b, c } = board();
		const cols = columnsOf(listTasks(doc), 20 * min);
		expect(cols.todo.map((t) => t.id)).toEqual([a, b, c]);
		expect(columnsOf(listTasks(doc), 0).todo.map((t) => t.id)).toEqual([b, c, a]);
		expect(cardOverdue(listTasks(doc).find((t) => t.id === a)!, 20 * min)).toBe(true);
	});

	it('filters by agency, overdue, blocked, unassigned and inject', () => {
		const { doc, a, b, c } = board();
		moveTask(doc, b, 'blocked', me, { reason: '缺车' });
		const all = listTasks(doc);
		const ids = (v: Parameters<typeof visibleTasks>[1]) => visibleTasks(all, v, 20 * min).map((t) => t.id).sort();
		expect(ids({ overdue: true })).toEqual([a]);
		expect(ids({ blocked: true })).toEqual([b]);
		expect(ids({ unassigned: true })).toEqual([a, b].sort());
		expect(ids({ injectId: 'I-02' })).toEqual([b]);
		expect(ids({ agency: 'police' })).toEqual([]);
		expect(ids({})).toEqual([a, b, c].sort());
		expect(injectsOf(all)).toEqual(['I-02']);
	});

	it('moves by keyboard only to columns the task rules allow', () => {
		expect(adjacentMove('todo', 1)).toBe('in_progress');
		expect(adjacentMove('todo', -1)).toBeNull();
		expect(adjacentMove('in_progress', 1)).toBe('done');
		expect(adjacentMove('in_progress', -1)).toBe('todo');
		expect(adjacentMove('done', 1)).toBeNull();
		expect(adjacentMove('done', -1)).toBe('in_progress');
		expect(adjacentMove('blocked', -1)).toBe('in_progress');
	});

	it('reads due times as typed', () => {
		expect(parseDue('T+01:30')).toBe(90 * min);
		expect(parseDue('0:45')).toBe(45 * min);
		expect(parseDue('t + 2:05')).toBe(125 * min);
		expect(parseDue('90')).toBeNull();
		expect(parseDue('T+1:75')).toBeNull();
	});
});

describe('card edits', () => {
	it('changes fields with attribution and skips unchanged ones', () => {
		const { doc, a } = board();
		const other = { id: 'u2', name: 'commander' };
		expect(updateTask(doc, a, { priority: 'high', dueScenarioMs: 5 * min, featureId: 'f1' }, other, { now: 99 })).toBe(true);
		const t = listTasks(doc).find((x) => x.id === a)!;
		expect(t).toMatchObject({ priority: 'high', dueScenarioMs: 5 * min, featureId: 'f1', updatedBy: other, updatedAt: 99 });
		expect(updateTask(doc, a, { priority: 'high' }, me)).toBe(false);
		expect(() => updateTask(doc, a, { title: sameText(' ') }, me)).toThrow();
		expect(() => updateTask(doc, 'nope', { priority: 'low' }, me)).toThrow();
	});

	it('appends checklist items with fresh ids', () => {
		const doc = new Y.Doc();
		const id = addTask(doc, { title: sameText('X'), checklist: [sameText('one'), sameText('two')] }, 'fire', me);
		expect(addChecklistItem(doc, id, sameText('three'), me)).toBe('c3');
		expect(listTasks(doc)[0].checklist.map((c) => [c.id, c.text.zh, c.done])).toEqual([
			['c1', 'one', false],
			['c2', 'two', false],
			['c3', 'three', false]
		]);
		expect(() => addChecklistItem(doc, id, sameText(''), me)).toThrow();
	});
});
