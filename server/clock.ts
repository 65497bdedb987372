import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { exercises } from '../db/schema';
import { pauseClock, scenarioTimeAt, startClock, type ClockState } from '../src/lib/domain/clock';
import type { ExerciseStatus } from '../src/lib/domain/lifecycle';

type ExerciseRow = typeof exercises.$inferSelect;

/** The clock stored on an exercise row. */
export function clockOf(row: Pick<ExerciseRow, 'clockRunning' | 'clockSpeed' | 'clockAnchorWall' | 'clockAnchorMs'>): ClockState {
	return { running: row.clockRunning, speed: row.clockSpeed, anchorWallMs: row.clockAnchorWall.getTime(), anchorScenarioMs: row.clockAnchorMs };
}

export function clockColumns(c: ClockState) {
	return { clockRunning: c.running, clockSpeed: c.speed, clockAnchorWall: new Date(c.anchorWallMs), clockAnchorMs: c.anchorScenarioMs };
}

/** The clock follows the lifecycle: it runs exactly while the exercise is running. */
export function clockForStatus(c: ClockState, status: ExerciseStatus, wallMs: number): ClockState {
	if (status === 'running') return c.running ? c : startClock(c, wallMs);
	return c.running ? pauseClock(c, wallMs) : c;
}

/** Current scenario time of an exercise, or null when it does not exist. */
export async function scenarioNow(db: Db, exerciseId: string, wallMs = Date.now()): Promise<number | null> {
	const [row] = await db
		.select({ clockRunning: exercises.clockRunning, clockSpeed: exercises.clockSpeed, clockAnchorWall: exercises.clockAnchorWall, clockAnchorMs: exercises.clockAnchorMs })
		.from(exercises)
		.where(eq(exercises.id, exerciseId))
		.limit(1);
	return row ? scenarioTimeAt(clockOf(row), wallMs) : null;
}
