import { describe, expect, it } from 'vitest';
import { kaplanMeierMedian, median, minutes } from '../../src/lib/domain/review/stats';

describe('review statistics', () => {
	it('takes medians of odd and even samples', () => {
		expect(median([])).toBeNull();
		expect(median([5, 1, 3])).toBe(3);
		expect(median([4, 1, 3, 2])).toBe(2.5);
	});

	it('computes the Kaplan–Meier median with censoring', () => {
		// All finished: the plain median of event times (the first time S ≤ ½).
		expect(kaplanMeierMedian([10, 20, 30, 40].map((d) => ({ durationMs: d, event: true })))).toBe(20);
		// Censored at 15 leaves the risk set: S(10)=3/4, S(20)=3/4·2/3=1/2 → 20.
		expect(kaplanMeierMedian([{ durationMs: 10, event: true }, { durationMs: 15, event: false }, { durationMs: 20, event: true }, { durationMs: 30, event: true }])).toBe(20);
		// Unfinished tasks are not zero: counting them as done at 0 would give 0; censoring gives null (not reached).
		expect(kaplanMeierMedian([{ durationMs: 50, event: true }, { durationMs: 60, event: false }, { durationMs: 60, event: false }])).toBeNull();
		expect(kaplanMeierMedian([])).toBeNull();
	});

	it('rounds minutes to one decimal', () => {
		expect(minutes(14 * 60_000 + 3_000)).toBe(14.1);
	});
});
