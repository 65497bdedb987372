/**
 * Failed-login throttling per account and per client address: a fixed number of failures within a
 * sliding window, after which attempts are refused until the oldest failure ages out.
 */
export interface RateLimitRule {
	max: number;
	windowMs: number;
}

export class FailureLimiter {
	private readonly failures = new Map<string, number[]>();

	constructor(private readonly rule: RateLimitRule) {}

	/** Seconds until another attempt is allowed, or 0 when it is allowed now. */
	retryAfter(key: string, now = Date.now()): number {
		const recent = this.prune(key, now);
		if (recent.length < this.rule.max) return 0;
		return Math.max(1, Math.ceil((recent[0] + this.rule.windowMs - now) / 1000));
	}

	recordFailure(key: string, now = Date.now()): void {
		const recent = this.prune(key, now);
		recent.push(now);
		this.failures.set(key, recent);
	}

	reset(key: string): void {
		this.failures.delete(key);
	}

	private prune(key: string, now: number): number[] {
		const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.rule.windowMs);
		if (list.length) this.failures.set(key, list);
		else this.failures.delete(key);
		return list;
	}
}

export interface LoginLimiters {
	account: FailureLimiter;
	address: FailureLimiter;
}

export function createLoginLimiters(): LoginLimiters {
	const windowMs = 15 * 60_000;
	return {
		account: new FailureLimiter({ max: Number(process.env.LOGIN_MAX_FAILURES_ACCOUNT ?? 5), windowMs }),
		address: new FailureLimiter({ max: Number(process.env.LOGIN_MAX_FAILURES_ADDRESS ?? 20), windowMs })
	};
}
