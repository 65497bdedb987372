import { describe, expect, it } from 'vitest';
import { YieldingQueue } from '../../server/collab/admission';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('YieldingQueue (collab admissions)', () => {
	it('runs at most `concurrency` tasks at a time and all of them in the end', async () => {
		const queue = new YieldingQueue(3);
		let running = 0;
		let most = 0;
		const results = await Promise.all(
			Array.from({ length: 20 }, (_, i) =>
				queue.run(async () => {
					most = Math.max(most, ++running);
					await tick();
					running--;
					return i;
				})
			)
		);
		expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
		expect(most).toBe(3);
	});

	it('lets the event loop run between tasks, even when tasks finish without waiting', async () => {
		const queue = new YieldingQueue(1);
		const order: string[] = [];
		const done = Promise.all([1, 2, 3].map((n) => queue.run(async () => void order.push(`task ${n}`))));
		setImmediate(() => order.push('i/o'));
		await done;
		expect(order).toEqual(['task 1', 'i/o', 'task 2', 'task 3']);
	});

	it('goes on after a task fails, passing the failure to its caller', async () => {
		const queue = new YieldingQueue(1);
		const failed = queue.run(() => Promise.reject(new Error('query failed')));
		const next = queue.run(async () => 'next');
		await expect(failed).rejects.toThrow('query failed');
		await expect(next).resolves.toBe('next');
	});
});
