import type { LogEntry } from '../commandlog/entry';
import type { ExerciseRole } from '../roles';
import type { ScenarioPackage } from '../scenario/schema';
import type { TaskStatus } from '../tasks';

/**
 * Everything the after-action review is computed from, gathered by a server loader. All times are
 * scenario milliseconds: the exercise clock stops while paused, so every duration below excludes
 * pauses the same way.
 */
export interface Bilingual {
	zh: string;
	en: string;
}

/** One task card's history: when it appeared and every status change, each with who made it. */
export interface TaskFacts {
	id: string;
	agency: string;
	injectId: string | null;
	title: Bilingual;
	createdMs: number;
	/** Status changes in time order, each with who made it (null: the server). */
	transitions: { status: TaskStatus; scenarioMs: number; userId: string | null }[];
}

export interface ReviewFacts {
	exercise: { id: string; title: string; status: string; endedAt: string | null };
	scenario: Pick<ScenarioPackage, 'id' | 'meta' | 'reporting' | 'agencies' | 'monitoringPoints' | 'injects' | 'randomPool'> | null;
	/** Names of every agency that may appear, by code. */
	agencies: { code: string; name: Bilingual }[];
	participants: { userId: string; name: string; role: ExerciseRole; agency: string | null }[];
	deliveries: { injectId: string; source: string; scenarioMs: number; late: boolean; targets: string[]; message: Bilingual }[];
	acks: { injectId: string; agency: string; scenarioMs: number }[];
	log: LogEntry[];
	tasks: TaskFacts[];
	monitoringViews: { pointId: string; agency: string | null; scenarioMs: number }[];
	observations: {
		id: string;
		scenarioMs: number;
		agency: string | null;
		injectId: string | null;
		capability: string | null;
		kind: 'strength' | 'improvement' | 'note';
		text: string;
	}[];
	ratings: { objectiveId: string; targetId: string; agency: string | null; rating: 'P' | 'S' | 'M' | 'U' }[];
	/** Scenario time at the end (or now, for a review taken while running): unfinished work is censored here. */
	endScenarioMs: number;
}
