import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { exercises } from '../db/schema';
import { jumpClock, MAX_SPEED, MIN_SPEED, parseScenarioTime, setClockSpeed, type ClockState } from '../src/lib/domain/clock';
import { clockColumns, clockOf } from './clock';
import { authorize, type ExerciseAccess } from './exercises';
import { parse } from './users';

export const clockActionSchema = z.discriminatedUnion('action', [
	z.object({ action: z.literal('speed'), speed: z.number().min(MIN_SPEED).max(MAX_SPEED) }).strict(),
	z.object({ action: z.literal('jump'), to: z.string().refine((s) => parseScenarioTime(s) !== null, 'A scenario time such as T+00:45.') }).strict()
]);

/** Speed changes and jumps (start, pause and resume are lifecycle transitions). Returns the new clock. */
export async function controlClock(db: Db, access: ExerciseAccess, input: unknown, wallMs = Date.now()): Promise<ClockState> {
	authorize(access, 'clock.control');
	const a = parse(clockActionSchema, input);
	return db.transaction(async (tx) => {
		const [row] = await tx.select().from(exercises).where(eq(exercises.id, access.exercise.id)).for('update');
		const c = clockOf(row);
		const next = a.action === 'speed' ? setClockSpeed(c, wallMs, a.speed) : jumpClock(c, wallMs, parseScenarioTime(a.to) as number);
		await tx.update(exercises).set(clockColumns(next)).where(eq(exercises.id, access.exercise.id));
		return next;
	});
}
