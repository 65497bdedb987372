import type { ExerciseStatus } from '../lifecycle';
import { hasRole, type Membership } from '../roles';
import type { MselInject, RandomInject, ScenarioPackage } from './schema';

/**
 * Unannounced (不打招呼): until the exercise starts, nobody but the facilitator learns anything of the
 * scenario — its title, its map, its monitoring points.
 */
export function scenarioHiddenFrom(unannounced: boolean, status: ExerciseStatus, memberships: readonly Membership[]): boolean {
	return unannounced && (status === 'draft' || status === 'briefing') && !hasRole(memberships, 'facilitator');
}

/**
 * What a player may see of a delivered inject: the message as received. Expected actions, objectives,
 * evaluator notes, map/monitoring effects and dependencies stay with the facilitator and evaluators.
 */
export interface PublicInject {
	id: string;
	type: MselInject['type'];
	delivery: MselInject['delivery'];
	from: MselInject['from'];
	to: MselInject['to'];
	message: MselInject['message'];
	image?: string;
}

export function findInject(pkg: ScenarioPackage, injectId: string): MselInject | RandomInject | undefined {
	return pkg.injects.find((i) => i.id === injectId) ?? pkg.randomPool.find((i) => i.id === injectId);
}

export function publicInject(i: MselInject | RandomInject | PublicInject): PublicInject {
	return { id: i.id, type: i.type, delivery: i.delivery, from: i.from, to: i.to, message: i.message, ...(i.image ? { image: i.image } : {}) };
}
