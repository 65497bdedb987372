import { parseScenarioTime } from '../clock';
import type { RandomDraw } from './random';
import type { ScenarioPackage } from './schema';

/** One inject planned for an exercise: from the MSEL, a random draw, or a contingency. */
export interface PlannedInject {
	injectId: string;
	source: 'msel' | 'random' | 'contingency';
	/** Scenario ms at which it falls due (a contingency's deadline). */
	dueMs: number;
	dependsOn: string[];
}

/** Facts a contingency condition is judged on, at its deadline. */
export interface ContingencyFacts {
	acknowledged(injectId: string, agency: string): boolean;
	reported(agency: string): boolean;
	viewedPoint(pointId: string, agency: string): boolean;
}

/** The exercise's plan: every MSEL inject (contingencies at their deadline) and the random draw. */
export function planInjects(pkg: ScenarioPackage, draw: readonly RandomDraw[]): PlannedInject[] {
	const byId = new Map(pkg.randomPool.map((r) => [r.id, r]));
	const plan: PlannedInject[] = pkg.injects.map((i) => ({
		injectId: i.id,
		source: i.contingency ? 'contingency' : 'msel',
		dueMs: parseScenarioTime(i.contingency ? i.contingency.deadline : i.at) ?? 0,
		dependsOn: i.dependsOn
	}));
	for (const d of draw) {
		const r = byId.get(d.injectId);
		if (r) plan.push({ injectId: r.id, source: 'random', dueMs: d.atMs, dependsOn: r.dependsOn });
	}
	return plan.sort((a, b) => a.dueMs - b.dueMs || a.injectId.localeCompare(b.injectId));
}

export type DueDecision = { injectId: string; dueMs: number; action: 'deliver' | 'skip' };

/**
 * What to do now with undelivered injects that have fallen due, in order: deliver, or (a contingency
 * whose condition no longer holds) skip. An inject waits while any inject it depends on is neither
 * delivered nor skipped. Decisions already taken (`settled`) are never repeated.
 */
export function dueInjects(
	plan: readonly PlannedInject[],
	pkg: ScenarioPackage,
	settled: ReadonlySet<string>,
	scenarioMs: number,
	facts: ContingencyFacts
): DueDecision[] {
	const decided = new Set(settled);
	const out: DueDecision[] = [];
	const conditions = new Map(pkg.injects.filter((i) => i.contingency).map((i) => [i.id, i.contingency!.condition]));
	for (const p of plan) {
		if (p.dueMs > scenarioMs || decided.has(p.injectId)) continue;
		if (!p.dependsOn.every((d) => decided.has(d))) continue;
		let action: DueDecision['action'] = 'deliver';
		const c = conditions.get(p.injectId);
		if (c) {
			const holds =
				c.type === 'not_acknowledged' ? !facts.acknowledged(c.inject, c.agency) : c.type === 'no_report' ? !facts.reported(c.agency) : !facts.viewedPoint(c.point, c.agency);
			action = holds ? 'deliver' : 'skip';
		}
		decided.add(p.injectId);
		out.push({ injectId: p.injectId, dueMs: p.dueMs, action });
	}
	return out;
}
