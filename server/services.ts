import { BUILTIN_SCENARIOS } from '../db/scenarios';
import type { ClockCache } from './clock-cache';
import type { Collab } from './collab';
import type { AppContext } from './context';
import { syncBuiltinScenarios } from './scenarios';
import { startScheduler, type Scheduler, type SchedulerOptions } from './scheduler';

export interface ServicesOptions {
	/** Multi-process mode: run the schedule only while this process holds the leader lock (server/scale/leader.ts). */
	isLeader?: () => Promise<boolean>;
	schedulerIntervalMs?: number;
	log?: SchedulerOptions['log'];
}

/** What runs beside the HTTP server: the built-in scenario library and the exercise scheduler. */
export async function startServices(ctx: AppContext, collab: Collab, clocks: ClockCache, opts: ServicesOptions = {}): Promise<Scheduler> {
	await syncBuiltinScenarios(ctx.database.db, BUILTIN_SCENARIOS);
	return startScheduler(ctx, collab, { clocks, isLeader: opts.isLeader, intervalMs: opts.schedulerIntervalMs, log: opts.log });
}
