import type { ExerciseStatus } from './lifecycle';
import type { ExerciseRole, Membership } from './roles';

/**
 * The permission matrix: which exercise role may do what, in which lifecycle state.
 * Every server entry point (HTTP, form action, WebSocket message) asks `can`.
 */
export const ACTIONS = [
	'exercise.view',
	'exercise.edit',
	'members.manage',
	'lifecycle.transition',
	'board.read',
	'board.write.common',
	'board.write.agency',
	'msel.manage',
	'inject.deliver',
	'clock.control',
	'log.read',
	'log.order',
	'log.report',
	'log.request',
	'log.ack',
	'observation.read',
	'observation.write',
	'review.read',
	'review.edit',
	'selfassessment.write'
] as const;
export type Action = (typeof ACTIONS)[number];

type StatusSet = readonly ExerciseStatus[];
const ALL: StatusSet = ['draft', 'briefing', 'running', 'paused', 'ended', 'reviewed'];
const LIVE: StatusSet = ['briefing', 'running', 'paused'];
const PREP_AND_LIVE: StatusSet = ['draft', 'briefing', 'running', 'paused'];
const AFTER: StatusSet = ['ended', 'reviewed'];
const RUNNING: StatusSet = ['running', 'paused'];

/** Per action: role → states in which that role may act. A missing role may never act. */
type Rule = Partial<Record<ExerciseRole, StatusSet>>;
const MATRIX: Record<Action, Rule> = {
	'exercise.view': { facilitator: ALL, commander: ALL, player: ALL, evaluator: ALL, observer: ALL },
	'exercise.edit': { facilitator: ['draft', 'briefing'] },
	'members.manage': { facilitator: PREP_AND_LIVE },
	'lifecycle.transition': { facilitator: ALL },
	'board.read': { facilitator: ALL, commander: ALL, player: ALL, evaluator: ALL, observer: ALL },
	'board.write.common': { facilitator: PREP_AND_LIVE, commander: PREP_AND_LIVE, player: LIVE },
	'board.write.agency': { facilitator: PREP_AND_LIVE, commander: PREP_AND_LIVE, player: LIVE },
	'msel.manage': { facilitator: PREP_AND_LIVE },
	'inject.deliver': { facilitator: RUNNING },
	'clock.control': { facilitator: LIVE },
	'log.read': { facilitator: ALL, commander: ALL, player: ALL, evaluator: ALL, observer: ALL },
	'log.order': { commander: LIVE },
	'log.report': { commander: LIVE, player: LIVE },
	'log.request': { commander: LIVE, player: LIVE },
	'log.ack': { commander: LIVE, player: LIVE },
	'observation.read': { facilitator: ALL, evaluator: ALL },
	'observation.write': { evaluator: [...LIVE, 'ended'] },
	'review.read': { facilitator: AFTER, commander: AFTER, evaluator: AFTER },
	'review.edit': { facilitator: AFTER, evaluator: AFTER },
	'selfassessment.write': { player: ['ended'] }
};

/** Actions whose player permission is limited to the player's own agency. */
const AGENCY_SCOPED: ReadonlySet<Action> = new Set(['board.write.agency', 'log.report', 'log.request', 'log.ack']);

export interface PermissionContext {
	status: ExerciseStatus;
	/** The agency the action concerns (the document's or the sender's agency). */
	agency?: string | null;
}

function roleMay(m: Membership, action: Action, ctx: PermissionContext): boolean {
	const states = MATRIX[action][m.role];
	if (!states || !states.includes(ctx.status)) return false;
	if (m.role === 'player' && AGENCY_SCOPED.has(action)) {
		return ctx.agency != null && m.agencyCode === ctx.agency;
	}
	return true;
}

/** True when any of the person's roles in the exercise allows the action. */
export function can(memberships: readonly Membership[], action: Action, ctx: PermissionContext): boolean {
	return memberships.some((m) => roleMay(m, action, ctx));
}

/** All actions the person may take now; used to shape the UI (the server still checks each). */
export function allowedActions(memberships: readonly Membership[], ctx: PermissionContext): Action[] {
	return ACTIONS.filter((a) => can(memberships, a, ctx));
}
