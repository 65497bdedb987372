import { describe, expect, it } from 'vitest';
import { loadBuiltinScenarios } from '../../db/scenarios';
import type { LogEntry } from '../../src/lib/domain/commandlog/entry';
import { buildFeed, clockText, countStates, injectProgress, liveState, summarizeTasks, type TaskView } from '../../src/lib/domain/scenario/console';
import { effectTimes, injectTimeMs, previewBoard } from '../../src/lib/domain/scenario/preview';
import { validatePackage } from '../../src/lib/domain/scenario/validate';
import { minimalScenario } from '../fixtures/minimal-scenario';

const MIN = 60_000;

describe('console clock and states', () => {
	it('always shows seconds', () => {
		expect(clockText(0)).toBe('T+00:00:00');
		expect(clockText(65 * MIN + 7_999)).toBe('T+01:05:07');
		expect(clockText(-5)).toBe('T+00:00:00');
		expect(clockText(125 * 3_600_000)).toBe('T+125:00:00');
	});

	it('derives the live state from the plan, the control document and the clock', () => {
		const row = { injectId: 'I-02', state: 'upcoming' as const, dueMs: 10 * MIN };
		expect(liveState(row, new Set(), 5 * MIN)).toBe('upcoming');
		expect(liveState(row, new Set(), 10 * MIN)).toBe('due');
		expect(liveState(row, new Set(['I-02']), 5 * MIN)).toBe('delivered');
		expect(liveState({ ...row, state: 'skipped' }, new Set(), 20 * MIN)).toBe('skipped');
		expect(liveState({ ...row, state: 'delivered' }, new Set(), 0)).toBe('delivered');
		expect(countStates(['due', 'due', 'delivered'])).toEqual({ delivered: 1, skipped: 0, due: 2, upcoming: 0 });
	});
});

describe('per-agency progress of an inject', () => {
	const acks = [{ injectId: 'I-02', agency: 'fire', at: '2026-01-01T00:01:00Z', scenarioMs: 12 * MIN }];
	const log = [{ from: { agency: 'police' }, refs: { entries: [], inject: 'I-02' } }] as unknown as LogEntry[];
	const task = (over: Partial<TaskView>): TaskView => ({ id: 't', agency: 'fire', status: 'todo', injectId: 'I-02', dueScenarioMs: null, touched: false, ...over });

	it('tells delivered, acknowledged (with delay) and acted on apart', () => {
		const p = injectProgress('I-02', ['fire', 'police', 'health'], { scenarioMs: 10 * MIN }, acks, log, [task({})]);
		expect(p).toEqual([
			{ agency: 'fire', delivered: true, acked: true, ackAfterMs: 2 * MIN, actedOn: false },
			{ agency: 'police', delivered: true, acked: false, ackAfterMs: null, actedOn: true },
			{ agency: 'health', delivered: true, acked: false, ackAfterMs: null, actedOn: false }
		]);
		expect(injectProgress('I-02', ['fire'], { scenarioMs: 10 * MIN }, [], [], [task({ status: 'in_progress' })])[0].actedOn).toBe(true);
		expect(injectProgress('I-02', ['fire'], { scenarioMs: 10 * MIN }, [], [], [task({ touched: true })])[0].actedOn).toBe(true);
		expect(injectProgress('I-02', ['fire'], null, [], log, [])[0]).toMatchObject({ delivered: false, actedOn: false });
	});

	it('summarises task cards with overdue ones', () => {
		const s = summarizeTasks(
			[task({ status: 'done', dueScenarioMs: 1 }), task({ status: 'todo', dueScenarioMs: 5 * MIN }), task({ status: 'blocked', dueScenarioMs: 50 * MIN }), task({ status: 'in_progress' })],
			10 * MIN
		);
		expect(s).toEqual({ total: 4, todo: 1, in_progress: 1, done: 1, blocked: 1, overdue: 1 });
	});

	it('merges injects, acknowledgements and log entries newest first', () => {
		const feed = buildFeed(
			[{ id: 'I-01', source: 'msel', scenarioMs: 0, deliveredAt: '2026-01-01T00:00:00Z', late: false, to: { agencies: ['em'] } }],
			[{ injectId: 'I-01', agency: 'em', at: '2026-01-01T00:02:00Z', scenarioMs: 2 * MIN }],
			[{ seq: 1, at: '2026-01-01T00:01:00Z', scenarioMs: MIN } as LogEntry]
		);
		expect(feed.map((f) => f.kind)).toEqual(['ack', 'log', 'inject']);
		expect(buildFeed([], [], [{ seq: 1, at: 'a' } as LogEntry, { seq: 2, at: 'b' } as LogEntry], 1).map((f) => f.key)).toEqual(['l:2']);
	});
});

describe('map preview of a package', () => {
	const dam = loadBuiltinScenarios().find((p) => p.id === 'dam-break-qinglong')!;

	it('starts from the initial layers and applies effects up to a time', () => {
		const start = previewBoard(dam, -1);
		const initial = dam.map.layers.reduce((n, l) => n + l.features.length, 0);
		expect(start.layers.get('common')?.length ?? 0).toBe(initial);
		const times = effectTimes(dam);
		expect(times.length).toBeGreaterThan(1);
		expect(times).toEqual([...times].sort((a, b) => a - b));
		const end = previewBoard(dam, Number.POSITIVE_INFINITY, 'en');
		const all = [...end.layers.values()].flat();
		expect(all.length).toBeGreaterThan(initial);
		expect(all.every((f) => !/[\u3400-\u9fff]/.test(f.label))).toBe(true);
		expect(end.changedBy.size).toBeGreaterThan(0);
	});

	it('applies add, update and remove in time order and ignores an update of nothing', () => {
		const raw = minimalScenario();
		const poly = { type: 'Polygon', coordinates: [[[114.3, 30.6], [114.31, 30.6], [114.31, 30.61], [114.3, 30.6]]] };
		const bi = (s: string) => ({ zh: s, en: s });
		Object.assign(raw.injects[0], { mapEffects: [{ op: 'add', featureId: 'F1', layer: 'common', feature: { kind: 'flooded_area', geometry: poly, label: bi('积水区') } }] });
		const pkg = validatePackage(raw);
		expect(pkg.ok).toBe(true);
		if (!pkg.ok) return;
		pkg.pkg.injects[1].mapEffects = [
			{ op: 'update', featureId: 'F1', layer: 'common', feature: { status: 'resolved' } },
			{ op: 'update', featureId: 'nope', layer: 'common', feature: { status: 'resolved' } }
		];
		expect(previewBoard(pkg.pkg, 4 * MIN).layers.get('common') ?? []).toHaveLength(0);
		expect(previewBoard(pkg.pkg, 5 * MIN).layers.get('common')?.[0]).toMatchObject({ id: 'F1', status: 'active', kind: 'flooded_area' });
		// I-02 is a contingency: it reaches the board at its deadline (T+00:10), not at T+00:15.
		expect(injectTimeMs(pkg.pkg.injects[1])).toBe(10 * MIN);
		expect(previewBoard(pkg.pkg, 10 * MIN).layers.get('common')?.[0].status).toBe('resolved');
	});
});
