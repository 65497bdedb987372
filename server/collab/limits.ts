/** Per-connection message rate: a token bucket, so short bursts (joining, a quick drag) pass. */
export class TokenBucket {
	private tokens: number;
	private last: number;

	constructor(
		private readonly perSecond: number,
		private readonly burst: number,
		now = performance.now()
	) {
		this.tokens = burst;
		this.last = now;
	}

	/** Takes one token; false when the bucket is empty. */
	take(now = performance.now()): boolean {
		this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
		this.last = now;
		if (this.tokens < 1) return false;
		this.tokens -= 1;
		return true;
	}
}
