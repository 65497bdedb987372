import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TaskHistoryRecorder } from '../../src/lib/board/task-history';
import { addTask, moveTask, TASKS } from '../../src/lib/board/tasks';

const alice = { id: 'u-alice', name: 'Alice' };
const bob = { id: 'u-bob', name: 'Bob' };

/** A writer's doc whose updates are applied, one by one, to a replica the recorder follows. */
function setup(base: ConstructorParameters<typeof TaskHistoryRecorder>[2] = []) {
	const writer = new Y.Doc();
	const replica = new Y.Doc();
	const recorder = new TaskHistoryRecorder(replica, 'fire', base);
	const apply = (change: () => void, at: number, user: string | null) => {
		const updates: Uint8Array[] = [];
		const collect = (u: Uint8Array) => updates.push(u);
		writer.on('update', collect);
		change();
		writer.off('update', collect);
		for (const u of updates) Y.applyUpdate(replica, u);
		recorder.record(at, user);
	};
	return { writer, replica, recorder, apply };
}

describe('task history recorder', () => {
	it('attributes each new card and status change to the update that made it', () => {
		const { writer, recorder, apply } = setup();
		let id = '';
		apply(() => (id = addTask(writer, { title: { zh: '搜救', en: 'Rescue' }, injectId: 'I-03' }, 'fire', alice)), 1000, null);
		apply(() => moveTask(writer, id, 'in_progress', alice), 2000, alice.id);
		apply(() => writer.getMap(TASKS).get(id), 2500, bob.id); // nothing changed: nothing recorded
		apply(() => moveTask(writer, id, 'done', bob), 3000, bob.id);
		expect(recorder.history()).toEqual([
			{
				id,
				agency: 'fire',
				injectId: 'I-03',
				title: { zh: '搜救', en: 'Rescue' },
				createdMs: 1000,
				transitions: [
					{ status: 'in_progress', scenarioMs: 2000, userId: alice.id },
					{ status: 'done', scenarioMs: 3000, userId: bob.id }
				]
			}
		]);
	});

	it('records only the net change of one update and ignores malformed cards', () => {
		const { writer, recorder, apply } = setup();
		let id = '';
		apply(() => (id = addTask(writer, { title: { zh: 'a', en: 'a' } }, 'fire', alice)), 0, alice.id);
		apply(
			() =>
				writer.transact(() => {
					moveTask(writer, id, 'in_progress', alice);
					moveTask(writer, id, 'todo', alice);
				}),
			10,
			alice.id
		);
		apply(() => writer.getMap(TASKS).set('junk', new Y.Map([['status', 'nonsense']])), 20, bob.id);
		expect(recorder.history()).toMatchObject([{ id, transitions: [] }]);
	});

	it('continues a stored history and hands out copies', () => {
		const { writer, replica, apply } = setup();
		let id = '';
		apply(() => (id = addTask(writer, { title: { zh: 'a', en: 'a' } }, 'fire', alice)), 0, alice.id);
		const first = new TaskHistoryRecorder(replica, 'fire');
		apply(() => moveTask(writer, id, 'in_progress', alice), 5, alice.id);
		first.record(5, alice.id);
		const stored = first.history();
		first.stop();

		const later = new TaskHistoryRecorder(replica, 'fire', stored);
		stored[0].transitions.length = 0; // the recorder kept its own copy
		apply(() => moveTask(writer, id, 'done', bob), 9, bob.id);
		later.record(9, bob.id);
		expect(later.history()[0].transitions).toEqual([
			{ status: 'in_progress', scenarioMs: 5, userId: alice.id },
			{ status: 'done', scenarioMs: 9, userId: bob.id }
		]);
	});
});
