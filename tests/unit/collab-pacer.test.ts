import { describe, expect, it } from 'vitest';
import { SendPacer, type PacedOutput } from '../../server/collab/pacer';

/** A connection's queue as the pacer sees it, recording which turn wrote each message. */
class FakeOutput implements PacedOutput {
	readonly written: { size: number; turn: number }[] = [];
	constructor(
		private readonly clock: { turn: number },
		private readonly queue: number[]
	) {}
	get hasQueued() {
		return this.queue.length > 0;
	}
	get nextSize() {
		return this.queue[0] ?? null;
	}
	add(size: number) {
		this.queue.push(size);
	}
	writeNext() {
		this.written.push({ size: this.queue.shift()!, turn: this.clock.turn });
	}
}

/** Counts turns of the event loop (one setImmediate each) until `done` holds. */
async function turnsUntil(clock: { turn: number }, done: () => boolean): Promise<void> {
	while (!done()) {
		await new Promise((r) => setImmediate(r));
		clock.turn++;
	}
}

describe('SendPacer (paced sync replies)', () => {
	it('writes at most the budget a turn, always at least one message, in the order outputs queued', async () => {
		const clock = { turn: 0 };
		const pacer = new SendPacer(10, 25);
		const outputs = [new FakeOutput(clock, [10, 10]), new FakeOutput(clock, [30]), new FakeOutput(clock, [10])];
		for (const o of outputs) pacer.schedule(o);
		await turnsUntil(clock, () => outputs.every((o) => !o.hasQueued));

		// Turn 0: 10 + 10 (the next 30 would pass 25); turn 1: the 30 alone (over the budget, but a
		// turn's first message always goes), after which the last 10 would pass it; turn 2: that 10.
		expect(outputs.map((o) => o.written.map((w) => w.turn))).toEqual([[0, 0], [1], [2]]);
	});

	it('writes nothing in the turn that queued it, and lets other callbacks run between its turns', async () => {
		const clock = { turn: 0 };
		const pacer = new SendPacer(10, 10);
		const a = new FakeOutput(clock, [10, 10, 10]);
		pacer.schedule(a);
		const seen = [a.written.length];
		// Another callback of each turn (as socket I/O would be) sees the queue go down one message a turn.
		await turnsUntil(clock, () => {
			seen.push(a.written.length);
			return !a.hasQueued;
		});
		expect(seen).toEqual([0, 0, 1, 2, 3]);
	});

	it('queues an output once however often it is scheduled, and keeps a partly written one at the head', async () => {
		const clock = { turn: 0 };
		const pacer = new SendPacer(10, 15);
		const a = new FakeOutput(clock, [10]);
		const b = new FakeOutput(clock, [10]);
		pacer.schedule(a);
		a.add(10);
		pacer.schedule(a);
		pacer.schedule(b);
		await turnsUntil(clock, () => !a.hasQueued && !b.hasQueued);
		expect(a.written.map((w) => w.turn)).toEqual([0, 1]);
		expect(b.written.map((w) => w.turn)).toEqual([2]);
	});
});
