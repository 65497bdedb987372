import { scenarioTimeAt, type ClockState } from '../src/lib/domain/clock';

/**
 * The clocks of live exercises, refreshed by the scheduler every tick, so the collaboration server can
 * stamp each board update with scenario time without a query per message (at most one tick stale
 * around a pause or a jump).
 */
export class ClockCache {
	private readonly clocks = new Map<string, ClockState>();

	set(exerciseId: string, clock: ClockState): void {
		this.clocks.set(exerciseId, clock);
	}

	readonly scenarioTime = (exerciseId: string): number | null => {
		const c = this.clocks.get(exerciseId);
		return c ? scenarioTimeAt(c, Date.now()) : null;
	};
}
