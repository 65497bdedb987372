/** Small statistics used by the review; pure and exact on the data given. */

export function median(values: readonly number[]): number | null {
	if (!values.length) return null;
	const s = [...values].sort((a, b) => a - b);
	const mid = s.length >> 1;
	return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export interface Survival {
	/** Duration until the event, or until observation stopped. */
	durationMs: number;
	/** True when the event (completion) happened; false when censored (still open at the end). */
	event: boolean;
}

/**
 * Kaplan–Meier median time to event. Unfinished tasks are censored, not counted as zero or as done:
 * they leave the risk set without lowering the survival curve. Null when the curve never reaches ½
 * (fewer than half the tasks were finished within the observed time).
 */
export function kaplanMeierMedian(samples: readonly Survival[]): number | null {
	const sorted = [...samples].sort((a, b) => a.durationMs - b.durationMs || Number(b.event) - Number(a.event));
	let atRisk = sorted.length;
	let survival = 1;
	let i = 0;
	while (i < sorted.length) {
		const t = sorted[i].durationMs;
		let events = 0;
		let leaving = 0;
		while (i < sorted.length && sorted[i].durationMs === t) {
			if (sorted[i].event) events++;
			leaving++;
			i++;
		}
		if (events) {
			survival *= 1 - events / atRisk;
			if (survival <= 0.5) return t;
		}
		atRisk -= leaving;
	}
	return null;
}

export const minutes = (ms: number) => Math.round(ms / 6_000) / 10;
