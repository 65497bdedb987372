import { describe, expect, it } from 'vitest';
import { FailureLimiter } from '../../server/auth/rate-limit';

describe('failed-login limiter', () => {
	it('refuses after max failures within the window and says how long to wait', () => {
		const l = new FailureLimiter({ max: 3, windowMs: 60_000 });
		const t0 = 1_000_000;
		for (let i = 0; i < 3; i++) {
			expect(l.retryAfter('a', t0 + i)).toBe(0);
			l.recordFailure('a', t0 + i);
		}
		expect(l.retryAfter('a', t0 + 10)).toBe(60);
		expect(l.retryAfter('b', t0 + 10)).toBe(0);
		// The oldest failure ages out, one more attempt is allowed.
		expect(l.retryAfter('a', t0 + 60_000)).toBe(0);
	});

	it('forgets an account after a success', () => {
		const l = new FailureLimiter({ max: 1, windowMs: 60_000 });
		l.recordFailure('a');
		expect(l.retryAfter('a')).toBeGreaterThan(0);
		l.reset('a');
		expect(l.retryAfter('a')).toBe(0);
	});
});
