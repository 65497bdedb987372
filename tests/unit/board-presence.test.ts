import { afterEach, describe, expect, it, vi } from 'vitest';
import { summarizeLinks, type DocConnection } from '../../src/lib/board/connection';
import { onlineByAgency, parsePresence, primaryRole, remotePointers, remoteSelections, throttle } from '../../src/lib/board/presence';

const st = (id: string, name: string, role: string, agency: unknown, pointer: unknown = null) => ({ user: { id, name, role, agency }, pointer });

describe('board presence', () => {
	it('parses awareness states defensively', () => {
		expect(parsePresence(st('u1', 'A', 'player', 'fire', [114.3, 30.6]))).toEqual({
			user: { id: 'u1', name: 'A', role: 'player', agency: 'fire' },
			pointer: [114.3, 30.6],
			selection: null
		});
		expect(parsePresence(st('u1', 'A', 'king', 'fire'))).toBeNull();
		expect(parsePresence({})).toBeNull();
		expect(parsePresence(null)).toBeNull();
		expect(parsePresence(st('u1', 'A', 'observer', 7, ['x', 1]))).toEqual({ user: { id: 'u1', name: 'A', role: 'observer', agency: null }, pointer: null, selection: null });
	});

	it('reads a selection only when it names a layer and a feature id of sane length', () => {
		const sel = (selection: unknown) => parsePresence({ ...st('u1', 'A', 'player', 'fire'), selection })?.selection;
		expect(sel({ layer: 'fire', id: 'f-1' })).toEqual({ layer: 'fire', id: 'f-1' });
		expect(sel({ layer: 'fire', id: 'f-1', extra: 'dropped' })).toEqual({ layer: 'fire', id: 'f-1' });
		expect(sel(null)).toBeNull();
		expect(sel('fire/f-1')).toBeNull();
		expect(sel({ layer: 'fire' })).toBeNull();
		expect(sel({ layer: '', id: 'f-1' })).toBeNull();
		expect(sel({ layer: 'fire', id: 7 })).toBeNull();
		expect(sel({ layer: 'x'.repeat(65), id: 'f-1' })).toBeNull();
		expect(sel({ layer: 'fire', id: 'x'.repeat(129) })).toBeNull();
	});

	it("lists other people's selections, once per person and feature", () => {
		const withSel = (id: string, agency: string, selection: unknown) => ({ ...st(id, id.toUpperCase(), 'player', agency), selection });
		const states = new Map<number, unknown>([
			[1, withSel('u1', 'fire', { layer: 'fire', id: 'a' })],
			[2, withSel('u2', 'police', { layer: 'fire', id: 'a' })],
			[3, withSel('u2', 'police', { layer: 'fire', id: 'a' })],
			[4, withSel('u3', 'health', null)],
			[5, withSel('u4', 'fire', { layer: 'common', id: 'b' })],
			[6, { garbage: true, selection: { layer: 'fire', id: 'a' } }]
		]);
		expect(remoteSelections(states, 1).map((r) => [r.user.id, r.selection.layer, r.selection.id])).toEqual([
			['u2', 'fire', 'a'],
			['u4', 'common', 'b']
		]);
	});

	it('groups people online by agency, each once, in agency order', () => {
		const groups = onlineByAgency(
			[
				st('u3', 'Zhao', 'player', 'police'),
				st('u1', 'Liu', 'player', 'fire'),
				st('u1', 'Liu', 'player', 'fire'),
				st('u9', 'Obs', 'observer', null),
				st('u2', 'Chen', 'player', 'fire'),
				st('u0', 'Wang', 'facilitator', null),
				{ garbage: true }
			],
			['em', 'fire', 'police']
		);
		expect(groups.map((g) => [g.agency, g.users.map((u) => u.id)])).toEqual([
			['fire', ['u2', 'u1']],
			['police', ['u3']],
			[null, ['u0', 'u9']]
		]);
	});

	it('lists remote pointers only', () => {
		const states = new Map<number, unknown>([
			[1, st('me', 'Me', 'player', 'fire', [1, 1])],
			[2, st('u2', 'B', 'player', 'police', [2, 2])],
			[3, st('u3', 'C', 'player', 'police', null)]
		]);
		expect(remotePointers(states, 1)).toEqual([{ clientId: 2, user: { id: 'u2', name: 'B', role: 'player', agency: 'police' }, at: [2, 2] }]);
	});

	it('primary role', () => {
		expect(primaryRole(['player', 'facilitator'])).toBe('facilitator');
		expect(primaryRole([])).toBe('observer');
	});
});

describe('throttle', () => {
	afterEach(() => vi.useRealTimers());
	it('sends at most once per interval with the latest value', () => {
		vi.useFakeTimers();
		const sent: number[] = [];
		const t = throttle((n: number) => sent.push(n), 200);
		for (let i = 0; i < 10; i++) {
			t(i);
			vi.advanceTimersByTime(30);
		}
		// 300 ms elapsed: leading call, one at 200 ms, and one pending.
		expect(sent).toEqual([0, 6]);
		vi.advanceTimersByTime(200);
		expect(sent).toEqual([0, 6, 9]);
		t(10);
		t.cancel();
		vi.advanceTimersByTime(1000);
		expect(sent).toEqual([0, 6, 9]);
	});
});

describe('board connection summary', () => {
	const d = (link: DocConnection['link'], synced: boolean, everConnected: boolean, pending = 0): DocConnection => ({ link, synced, everConnected, pending });
	it('summarizes document links', () => {
		expect(summarizeLinks([d('connecting', false, false), d('connecting', false, false)])).toEqual({ state: 'connecting', pending: 0 });
		expect(summarizeLinks([d('connected', true, true, 0), d('connected', true, true)])).toEqual({ state: 'connected', pending: 0 });
		expect(summarizeLinks([d('disconnected', false, true, 2), d('disconnected', false, true, 1)])).toEqual({ state: 'offline', pending: 3 });
		expect(summarizeLinks([d('connecting', false, true, 2), d('disconnected', false, true)])).toEqual({ state: 'reconnecting', pending: 2 });
		expect(summarizeLinks([d('connected', true, true), d('connected', false, true, 1)])).toEqual({ state: 'reconnecting', pending: 1 });
		expect(summarizeLinks([d('connected', true, true)], false)).toEqual({ state: 'offline', pending: 0 });
		// A document the server closed for good does not hold the board back.
		expect(summarizeLinks([d('connected', true, true), d('closed', false, false)])).toEqual({ state: 'connected', pending: 0 });
	});
});
