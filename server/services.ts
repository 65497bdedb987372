import { BUILTIN_SCENARIOS } from '../db/scenarios';
import type { ClockCache } from './clock-cache';
import type { Collab } from './collab';
import type { AppContext } from './context';
import { syncBuiltinScenarios } from './scenarios';
import { startScheduler, type Scheduler } from './scheduler';

/** What runs beside the HTTP server: the built-in scenario library and the exercise scheduler. */
export async function startServices(ctx: AppContext, collab: Collab, clocks: ClockCache): Promise<Scheduler> {
	await syncBuiltinScenarios(ctx.database.db, BUILTIN_SCENARIOS);
	return startScheduler(ctx, collab, { clocks });
}
