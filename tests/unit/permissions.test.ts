import { describe, expect, it } from 'vitest';
import { EXERCISE_STATUSES, type ExerciseStatus } from '../../src/lib/domain/lifecycle';
import { ACTIONS, allowedActions, can, type Action } from '../../src/lib/domain/permissions';
import { EXERCISE_ROLES, type ExerciseRole, type Membership } from '../../src/lib/domain/roles';

const ALL = 'draft briefing running paused ended reviewed';
const LIVE = 'briefing running paused';
const PREP = 'draft briefing running paused';
const AFTER = 'ended reviewed';

/**
 * The expected matrix written out per role, as a reviewer reads it (independent of the implementation's
 * per-action layout). For players, agency-scoped actions are checked with the player's own agency here
 * and with another agency separately below.
 */
const EXPECTED: Record<ExerciseRole, Partial<Record<Action, string>>> = {
	facilitator: {
		'exercise.view': ALL,
		'exercise.edit': 'draft briefing',
		'members.manage': PREP,
		'lifecycle.transition': ALL,
		'board.read': ALL,
		'board.write.common': PREP,
		'board.write.agency': PREP,
		'msel.manage': PREP,
		'inject.deliver': 'running paused',
		'clock.control': LIVE,
		'log.read': ALL,
		'observation.read': ALL,
		'review.read': AFTER,
		'review.edit': AFTER
	},
	commander: {
		'exercise.view': ALL,
		'board.read': ALL,
		'board.write.common': PREP,
		'board.write.agency': PREP,
		'log.read': ALL,
		'log.order': LIVE,
		'log.report': LIVE,
		'log.request': LIVE,
		'log.ack': LIVE,
		'review.read': AFTER
	},
	player: {
		'exercise.view': ALL,
		'board.read': ALL,
		'board.write.common': LIVE,
		'board.write.agency': LIVE,
		'log.read': ALL,
		'log.report': LIVE,
		'log.request': LIVE,
		'log.ack': LIVE,
		'selfassessment.write': 'ended'
	},
	evaluator: {
		'exercise.view': ALL,
		'board.read': ALL,
		'log.read': ALL,
		'observation.read': ALL,
		'observation.write': 'briefing running paused ended',
		'review.read': AFTER,
		'review.edit': AFTER
	},
	observer: { 'exercise.view': ALL, 'board.read': ALL, 'log.read': ALL }
};

const member = (role: ExerciseRole, agencyCode: string | null = role === 'player' ? 'fire' : null): Membership => ({ role, agencyCode });

describe('permission matrix', () => {
	for (const role of EXERCISE_ROLES) {
		for (const action of ACTIONS) {
			for (const status of EXERCISE_STATUSES) {
				const expected = (EXPECTED[role][action] ?? '').split(' ').includes(status);
				it(`${role} ${expected ? 'may' : 'may not'} ${action} while ${status}`, () => {
					expect(can([member(role)], action, { status, agency: 'fire' })).toBe(expected);
				});
			}
		}
	}

	it('limits a player to their own agency for agency-scoped actions', () => {
		const fire = [member('player', 'fire')];
		for (const action of ['board.write.agency', 'log.report', 'log.request', 'log.ack'] as const) {
			expect(can(fire, action, { status: 'running', agency: 'fire' })).toBe(true);
			expect(can(fire, action, { status: 'running', agency: 'police' })).toBe(false);
			expect(can(fire, action, { status: 'running' })).toBe(false);
		}
		// Shared annotations are not agency-scoped.
		expect(can(fire, 'board.write.common', { status: 'running', agency: null })).toBe(true);
	});

	it('lets the commander and facilitator write every agency layer', () => {
		for (const role of ['commander', 'facilitator'] as const) {
			for (const agency of ['fire', 'police', 'health']) {
				expect(can([member(role)], 'board.write.agency', { status: 'running', agency })).toBe(true);
			}
		}
	});

	it('unions the rights of several roles held by one person', () => {
		const both: Membership[] = [member('evaluator'), member('player', 'police')];
		expect(can(both, 'observation.write', { status: 'running' })).toBe(true);
		expect(can(both, 'board.write.agency', { status: 'running', agency: 'police' })).toBe(true);
		expect(can(both, 'board.write.agency', { status: 'running', agency: 'fire' })).toBe(false);
	});

	it('grants nothing without a membership', () => {
		for (const status of EXERCISE_STATUSES) expect(allowedActions([], { status })).toEqual([]);
	});

	it('lists allowed actions consistently with can()', () => {
		const status: ExerciseStatus = 'running';
		const ms = [member('commander')];
		expect(allowedActions(ms, { status })).toEqual(ACTIONS.filter((a) => can(ms, a, { status })));
	});
});
