import { describe, expect, it } from 'vitest';
import { allowedTransitions, checkTransition, EXERCISE_STATUSES, isExerciseStatus, isLive } from '../../src/lib/domain/lifecycle';

const ALLOWED = new Set(['draft>briefing', 'briefing>running', 'running>paused', 'paused>running', 'running>ended', 'paused>ended', 'ended>reviewed']);

describe('exercise lifecycle', () => {
	for (const from of EXERCISE_STATUSES) {
		for (const to of EXERCISE_STATUSES) {
			const ok = ALLOWED.has(`${from}>${to}`);
			it(`${ok ? 'allows' : 'refuses'} ${from} → ${to}`, () => {
				const r = checkTransition(from, to);
				expect(r.ok).toBe(ok);
				if (!r.ok) expect(r.reason).toMatch(new RegExp(from === to ? `already ${to}` : `from ${from} to ${to}`));
			});
		}
	}

	it('names the allowed next states in the refusal', () => {
		const r = checkTransition('draft', 'ended');
		expect(r.ok).toBe(false);
		expect(!r.ok && r.reason).toContain('allowed next: briefing');
		const done = checkTransition('reviewed', 'running');
		expect(!done.ok && done.reason).toContain('no further transition');
	});

	it('lists transitions and recognises statuses', () => {
		expect(allowedTransitions('running')).toEqual(['paused', 'ended']);
		expect(isExerciseStatus('paused')).toBe(true);
		expect(isExerciseStatus('archived')).toBe(false);
		expect(EXERCISE_STATUSES.filter(isLive)).toEqual(['briefing', 'running', 'paused']);
	});
});
