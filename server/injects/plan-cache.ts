import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { exerciseScenarios } from '../../db/schema';
import { drawRandomInjects } from '../../src/lib/domain/scenario/random';
import { planInjects, type PlannedInject } from '../../src/lib/domain/scenario/schedule';
import type { ScenarioPackage } from '../../src/lib/domain/scenario/schema';
import { exerciseScenario } from '../scenarios';

/** The exercise's plan: MSEL, contingencies and its seeded random draw. */
export function exercisePlan(pkg: ScenarioPackage, seed: string, randomCount: number): PlannedInject[] {
	return planInjects(pkg, drawRandomInjects(pkg.randomPool, seed, randomCount));
}

export type ExerciseScenario = NonNullable<Awaited<ReturnType<typeof exerciseScenario>>>;

export interface PlannedScenario {
	scenario: ExerciseScenario;
	plan: PlannedInject[];
}

/**
 * Each exercise's assigned scenario package and its plan, kept while the assignment is unchanged.
 * The scheduler asks on every tick for every live exercise, and used to read the whole package (jsonb)
 * twice a tick and re-draw the plan each time. Each call still reads the assignment's small columns,
 * so a new assignment, made by this process or another, is seen on the next call.
 */
export class PlanCache {
	private readonly entries = new Map<string, PlannedScenario & { stamp: string }>();

	async get(db: Db, exerciseId: string): Promise<PlannedScenario | null> {
		const [head] = await db
			.select({ scenarioId: exerciseScenarios.scenarioId, seed: exerciseScenarios.seed, randomCount: exerciseScenarios.randomCount, unannounced: exerciseScenarios.unannounced, assignedAt: exerciseScenarios.assignedAt })
			.from(exerciseScenarios)
			.where(eq(exerciseScenarios.exerciseId, exerciseId))
			.limit(1);
		if (!head) {
			this.entries.delete(exerciseId);
			return null;
		}
		const stamp = JSON.stringify([head.scenarioId, head.seed, head.randomCount, head.unannounced, head.assignedAt.getTime()]);
		const hit = this.entries.get(exerciseId);
		if (hit?.stamp === stamp) return hit;
		const scenario = await exerciseScenario(db, exerciseId);
		if (!scenario) return null;
		const entry = { stamp, scenario, plan: exercisePlan(scenario.package, scenario.seed, scenario.randomCount) };
		this.entries.set(exerciseId, entry);
		return entry;
	}

	/** Drops exercises no longer watched, so the cache holds only live ones. */
	retain(exerciseIds: Iterable<string>): void {
		const keep = new Set(exerciseIds);
		for (const id of this.entries.keys()) if (!keep.has(id)) this.entries.delete(id);
	}
}
