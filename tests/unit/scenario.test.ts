import { describe, expect, it } from 'vitest';
import type { ExerciseRole } from '../../src/lib/domain/roles';
import { scenarioHiddenFrom } from '../../src/lib/domain/scenario/public';
import { drawRandomInjects, seededRandom } from '../../src/lib/domain/scenario/random';
import { validatePackage } from '../../src/lib/domain/scenario/validate';
import type { RandomInject } from '../../src/lib/domain/scenario/schema';
import { minimalScenario } from '../fixtures/minimal-scenario';

const errorsOf = (pkg: unknown) => {
	const r = validatePackage(pkg);
	return r.ok ? [] : r.errors;
};

describe('scenario package validation', () => {
	it('accepts a minimal complete package and fills defaults', () => {
		const r = validatePackage(minimalScenario());
		expect(r.ok).toBe(true);
		if (r.ok) {
			expect(r.pkg.reporting).toEqual({ phoneMinutes: 30, writtenMinutes: 60, ackMinutes: 5 });
			expect(r.pkg.injects[0].to.roles).toEqual(['commander', 'player']);
		}
	});

	it('lists every schema error by path without throwing', () => {
		const pkg = minimalScenario() as Record<string, unknown> & ReturnType<typeof minimalScenario>;
		pkg.injects[0].at = '00:05';
		(pkg.injects[1] as Record<string, unknown>).type = 'rumour';
		pkg.meta.title.en = '';
		const paths = errorsOf(pkg).map((e) => e.path);
		expect(paths).toEqual(expect.arrayContaining(['injects.0.at', 'injects.1.type', 'meta.title.en']));
	});

	it('rejects garbage of any shape with errors, never an exception', () => {
		for (const junk of [null, 42, 'x', [], { format: 'other' }, { ...minimalScenario(), version: 2 }]) {
			expect(errorsOf(junk).length).toBeGreaterThan(0);
		}
	});

	it('checks cross-references: agencies, templates, objectives, points, dependencies, duplicates', () => {
		const pkg = minimalScenario();
		pkg.injects[0].to.agencies = ['army'];
		pkg.injects[0].objective = 'O9';
		pkg.injects[1].tasks = [{ agency: 'police', template: 'T-fire-rescue' }];
		pkg.injects[1].dependsOn = ['I-99'];
		pkg.randomPool[0].monitoringEffects = [{ point: 'CAM-9', fault: 'offline' }];
		pkg.randomPool[0].id = 'I-01';
		const errors = errorsOf(pkg);
		const byPath = Object.fromEntries(errors.map((e) => [e.path, e.message]));
		expect(byPath['injects.0.to.agencies.0']).toBe('Agency army does not take part.');
		expect(byPath['injects.0.objective']).toBe('No objective O9.');
		expect(byPath['injects.1.tasks.0.agency']).toBe('Template T-fire-rescue belongs to fire.');
		expect(byPath['injects.1.dependsOn.0']).toBe('No inject I-99.');
		expect(byPath['randomPool.0.monitoringEffects.0.point']).toBe('No monitoring point CAM-9.');
		expect(byPath['randomPool.0.id']).toMatch(/Duplicate inject id I-01/);
	});

	it('checks map features against the palette and updates against what is placed', () => {
		const pkg = minimalScenario() as ReturnType<typeof minimalScenario> & { injects: Record<string, unknown>[] };
		pkg.injects[0].mapEffects = [
			{ op: 'add', featureId: 'zone', layer: 'common', feature: { kind: 'exclusion_zone', geometry: { type: 'Point', coordinates: [114.3, 30.6] }, label: { zh: '禁入区', en: 'No entry' } } },
			{ op: 'add', featureId: 'route', layer: 'fire', feature: { kind: 'evacuation_route', geometry: { type: 'Point', coordinates: [114.3, 30.6] }, label: { zh: '路线', en: 'Route' } } },
			{ op: 'update', featureId: 'ghost', layer: 'common', feature: { status: 'resolved' } }
		];
		const byPath = Object.fromEntries(errorsOf(pkg).map((e) => [e.path, e.message]));
		expect(byPath['injects.0.mapEffects.0.feature.radius']).toBe('A exclusion_zone needs a radius.');
		expect(byPath['injects.0.mapEffects.1.feature.geometry']).toBe('A evacuation_route needs a LineString geometry.');
		expect(byPath['injects.0.mapEffects.2.featureId']).toBe('No feature ghost has been placed by then.');
	});

	it('leaves an update without a status without one (no silent reactivation)', () => {
		const pkg = minimalScenario() as ReturnType<typeof minimalScenario> & { injects: Record<string, unknown>[] };
		pkg.injects[0].mapEffects = [{ op: 'add', featureId: 'cp', layer: 'common', feature: { kind: 'command_post', geometry: { type: 'Point', coordinates: [114.3, 30.6] }, label: { zh: '指挥部', en: 'CP' } } }];
		pkg.injects[1].mapEffects = [{ op: 'update', featureId: 'cp', layer: 'common', feature: { label: { zh: '前指', en: 'Forward CP' } } }];
		const r = validatePackage(pkg);
		expect(r.ok).toBe(true);
		if (r.ok) expect(r.pkg.injects[1].mapEffects[0]).toEqual({ op: 'update', featureId: 'cp', layer: 'common', feature: { label: { zh: '前指', en: 'Forward CP' } } });
	});

	it('refuses a random window that ends before it starts', () => {
		const pkg = minimalScenario();
		pkg.randomPool[0].window = { from: 'T+00:40', to: 'T+00:10' };
		const paths = errorsOf(pkg).map((e) => e.path);
		expect(paths).toContain('randomPool.0.window');
	});

	it('refuses a dependency on a later MSEL inject', () => {
		const pkg = minimalScenario();
		pkg.injects[0].at = 'T+00:30';
		expect(errorsOf(pkg).map((e) => e.path)).toContain('injects.1.dependsOn.0');
	});
});

describe('seeded random draw', () => {
	const pool = Array.from({ length: 8 }, (_, i) => ({
		id: `R-${i}`,
		window: { from: `T+00:${String(10 + i).padStart(2, '0')}`, to: 'T+01:30' }
	})) as unknown as RandomInject[];

	it('reproduces the same draw from the same seed and differs with another', () => {
		const a = drawRandomInjects(pool, 'seed-42', 4);
		expect(drawRandomInjects(pool, 'seed-42', 4)).toEqual(a);
		expect(drawRandomInjects(pool, 'seed-43', 4)).not.toEqual(a);
		expect(a).toHaveLength(4);
		expect(new Set(a.map((d) => d.injectId)).size).toBe(4);
	});

	it('places each draw on a whole minute inside its window, sorted by time', () => {
		for (const seed of ['a', 'b', 'c', 'd', 'e']) {
			const draw = drawRandomInjects(pool, seed, 8);
			expect(draw).toHaveLength(8);
			for (const d of draw) {
				const i = Number(d.injectId.slice(2));
				expect(d.atMs % 60_000).toBe(0);
				expect(d.atMs).toBeGreaterThanOrEqual((10 + i) * 60_000);
				expect(d.atMs).toBeLessThanOrEqual(90 * 60_000);
			}
			expect(draw.map((d) => d.atMs)).toEqual([...draw.map((d) => d.atMs)].sort((x, y) => x - y));
		}
		expect(drawRandomInjects(pool, 'x', 0)).toEqual([]);
	});

	it('spreads values over [0, 1)', () => {
		const r = seededRandom('spread');
		const buckets = new Array(10).fill(0);
		for (let i = 0; i < 10_000; i++) buckets[Math.floor(r() * 10)]++;
		for (const b of buckets) expect(b).toBeGreaterThan(850);
	});
});

describe('inject scheduling', async () => {
	const { planInjects, dueInjects } = await import('../../src/lib/domain/scenario/schedule');
	const r = validatePackage(minimalScenario());
	if (!r.ok) throw new Error('fixture invalid');
	const pkg = r.pkg;
	const none = { acknowledged: () => false, reported: () => false, viewedPoint: () => false };
	const plan = planInjects(pkg, [{ injectId: 'R-01', atMs: 12 * 60_000 }]);

	it('plans MSEL, contingency deadlines and random draws in time order', () => {
		expect(plan.map((p) => [p.injectId, p.source, p.dueMs / 60_000])).toEqual([
			['I-01', 'msel', 5],
			['I-02', 'contingency', 10],
			['R-01', 'random', 12]
		]);
	});

	it('delivers what fell due, in order, once', () => {
		expect(dueInjects(plan, pkg, new Set(), 4 * 60_000, none)).toEqual([]);
		const first = dueInjects(plan, pkg, new Set(), 11 * 60_000, none);
		expect(first.map((d) => [d.injectId, d.action])).toEqual([
			['I-01', 'deliver'],
			['I-02', 'deliver']
		]);
		expect(dueInjects(plan, pkg, new Set(['I-01', 'I-02']), 11 * 60_000, none)).toEqual([]);
	});

	it('catches up on everything due after downtime', () => {
		expect(dueInjects(plan, pkg, new Set(), 60 * 60_000, none).map((d) => d.injectId)).toEqual(['I-01', 'I-02', 'R-01']);
	});

	it('skips a contingency whose condition no longer holds at its deadline', () => {
		const acked = { ...none, acknowledged: (inject: string, agency: string) => inject === 'I-01' && agency === 'em' };
		const d = dueInjects(plan, pkg, new Set(['I-01']), 11 * 60_000, acked);
		expect(d).toEqual([{ injectId: 'I-02', dueMs: 10 * 60_000, action: 'skip' }]);
	});

	it('holds an inject until the injects it depends on are settled', () => {
		const early = planInjects(pkg, []).map((p) => (p.injectId === 'I-01' ? { ...p, dueMs: 20 * 60_000 } : p));
		const d = dueInjects(early, pkg, new Set(), 15 * 60_000, none);
		expect(d).toEqual([]);
	});
});

describe('unannounced scenarios (不打招呼)', () => {
	const as = (...roles: ExerciseRole[]) => roles.map((role) => ({ role, agencyCode: role === 'player' ? 'fire' : null }));
	it('are hidden from everyone but the facilitator until the start', () => {
		for (const status of ['draft', 'briefing'] as const) {
			expect(scenarioHiddenFrom(true, status, as('player'))).toBe(true);
			expect(scenarioHiddenFrom(true, status, as('commander', 'evaluator'))).toBe(true);
			expect(scenarioHiddenFrom(true, status, as('player', 'facilitator'))).toBe(false);
			expect(scenarioHiddenFrom(false, status, as('player'))).toBe(false);
		}
		for (const status of ['running', 'paused', 'ended', 'reviewed'] as const) expect(scenarioHiddenFrom(true, status, as('player'))).toBe(false);
	});
});
