import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addTask, assignTask, commentOnTask, listTasks, moveTask, taskMap, toggleChecklistItem } from '../../src/lib/board/tasks';

const fire1 = { id: 'u-fire1', name: '消防 刘强' };
const title = { zh: '冷却邻近储罐', en: 'Cool the neighbouring tanks' };

describe('task cards in an agency document', () => {
	it('adds, moves, assigns, checks and comments, attributing each change', () => {
		const doc = new Y.Doc();
		const id = addTask(doc, { title, priority: 'urgent', checklist: [{ zh: '出水枪', en: 'Deploy hoses' }], dueScenarioMs: 600_000, injectId: 'I-07' }, 'fire', fire1, { now: 1 });
		moveTask(doc, id, 'in_progress', fire1, { now: 2 });
		assignTask(doc, id, { id: 'u-fire2', name: '陈杰' }, fire1, { now: 3 });
		toggleChecklistItem(doc, id, 'c1', fire1, { now: 4 });
		commentOnTask(doc, id, '  已出两支水枪 ', fire1, { now: 5 });
		const [card] = listTasks(doc);
		expect(card).toMatchObject({
			id,
			title,
			agency: 'fire',
			status: 'in_progress',
			priority: 'urgent',
			assignee: { id: 'u-fire2', name: '陈杰' },
			dueScenarioMs: 600_000,
			injectId: 'I-07',
			checklist: [{ id: 'c1', text: { zh: '出水枪', en: 'Deploy hoses' }, done: true }],
			updatedAt: 5,
			createdAt: 1
		});
		expect(card.comments.map((c) => c.text)).toEqual(['已出两支水枪']);
	});

	it('follows the task rules: blocking needs a reason, done cannot go back to todo', () => {
		const doc = new Y.Doc();
		const id = addTask(doc, { title }, 'fire', fire1);
		expect(() => moveTask(doc, id, 'blocked', fire1)).toThrow('Say why the card is blocked.');
		moveTask(doc, id, 'blocked', fire1, { reason: '道路积水' });
		expect(listTasks(doc)[0]).toMatchObject({ status: 'blocked', blockedReason: '道路积水' });
		moveTask(doc, id, 'in_progress', fire1);
		expect(listTasks(doc)[0].blockedReason).toBeNull();
		moveTask(doc, id, 'done', fire1);
		expect(() => moveTask(doc, id, 'todo', fire1)).toThrow('A done card cannot move to todo.');
	});

	it('adds a spawned card once however often the spawn is written', () => {
		const doc = new Y.Doc();
		addTask(doc, { title }, 'fire', fire1, { id: 'I-07:T-cool' });
		addTask(doc, { title: { zh: '别的', en: 'Other' } }, 'fire', fire1, { id: 'I-07:T-cool' });
		expect(listTasks(doc).map((t) => t.title)).toEqual([title]);
	});

	it('syncs concurrent edits of two players and ignores malformed cards', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		const id = addTask(a, { title }, 'fire', fire1);
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
		moveTask(a, id, 'in_progress', fire1);
		commentOnTask(b, id, 'b says hi', { id: 'u-fire2', name: '陈杰' });
		Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
		expect(listTasks(a)).toEqual(listTasks(b));
		expect(listTasks(a)[0]).toMatchObject({ status: 'in_progress', comments: [{ text: 'b says hi' }] });
		taskMap(a).set('junk', new Y.Map<unknown>([['status', 'exploded']]));
		expect(listTasks(a)).toHaveLength(1);
	});
});
