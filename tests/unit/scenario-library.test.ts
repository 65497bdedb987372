import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS, loadBuiltinScenarios } from '../../db/scenarios/index';
import { isBoardGeometry, type BoardGeometry } from '../../src/lib/board/geometry';
import { geometryKindOf } from '../../src/lib/board/palette';
import { parseScenarioTime } from '../../src/lib/domain/clock';
import { drawRandomInjects } from '../../src/lib/domain/scenario/random';
import { dueInjects, planInjects, type ContingencyFacts } from '../../src/lib/domain/scenario/schedule';
import type { ScenarioPackage } from '../../src/lib/domain/scenario/schema';
import { validatePackage } from '../../src/lib/domain/scenario/validate';

const AGENCIES = new Set(['em', 'fire', 'police', 'health', 'transport', 'water']);
const REQUIRED_HAZARDS = ['dam_break', 'waterlogging', 'hazmat_explosion', 'earthquake_landslide', 'forest_fire'] as const;
const MINE_HAZARDS = ['mine_gas_explosion', 'mine_water_inrush'];
const CJK = /[\u3400-\u9fff]/u;

const library: ScenarioPackage[] = loadBuiltinScenarios();
const at = (t: string) => parseScenarioTime(t) ?? 0;

/** The demo city's bounding box, read from the basemap itself. */
const bbox = (() => {
	const geo = JSON.parse(readFileSync(fileURLToPath(new URL('../../static/basemap/demo-city.geojson', import.meta.url)), 'utf8'));
	const b = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
	const walk = (c: unknown): void => {
		if (Array.isArray(c) && typeof c[0] === 'number') {
			b.minX = Math.min(b.minX, c[0]);
			b.maxX = Math.max(b.maxX, c[0]);
			b.minY = Math.min(b.minY, c[1] as number);
			b.maxY = Math.max(b.maxY, c[1] as number);
		} else if (Array.isArray(c)) c.forEach(walk);
	};
	for (const f of geo.features) walk(f.geometry.coordinates);
	return b;
})();
const inCity = ([x, y]: readonly number[]) => x >= bbox.minX && x <= bbox.maxX && y >= bbox.minY && y <= bbox.maxY;
const positions = (g: BoardGeometry) => (g.type === 'Point' ? [g.coordinates] : g.type === 'LineString' ? g.coordinates : g.coordinates.flat());

/** Every {zh, en} pair anywhere in a package, with its path. */
function bilinguals(v: unknown, path = ''): { path: string; zh: string; en: string }[] {
	if (Array.isArray(v)) return v.flatMap((x, n) => bilinguals(x, `${path}.${n}`));
	if (!v || typeof v !== 'object') return [];
	const o = v as Record<string, unknown>;
	const keys = Object.keys(o);
	if (keys.length === 2 && typeof o.zh === 'string' && typeof o.en === 'string') return [{ path, zh: o.zh, en: o.en }];
	return keys.flatMap((k) => bilinguals(o[k], `${path}.${k}`));
}

const allInjects = (p: ScenarioPackage) => [...p.injects, ...p.randomPool];

describe('built-in scenario library', () => {
	it('validates every package and exports every JSON file in db/scenarios', () => {
		for (const raw of BUILTIN_SCENARIOS) {
			const r = validatePackage(raw);
			expect(r.ok ? [] : r.errors, String((raw as { id?: string }).id)).toEqual([]);
		}
		const dir = fileURLToPath(new URL('../../db/scenarios/', import.meta.url));
		const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
		expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(library.map((p) => p.id).sort());
	});

	it('covers all required hazards with unique ids', () => {
		const hazards = new Set(library.map((p) => p.meta.hazard));
		for (const h of REQUIRED_HAZARDS) expect(hazards, h).toContain(h);
		expect(MINE_HAZARDS.some((h) => hazards.has(h as ScenarioPackage['meta']['hazard']))).toBe(true);
		expect(library.length).toBeGreaterThanOrEqual(6);
		expect(new Set(library.map((p) => p.id)).size).toBe(library.length);
	});

	it('varies the reporting limits across the library', () => {
		expect(new Set(library.map((p) => `${p.reporting.phoneMinutes}/${p.reporting.writtenMinutes}`)).size).toBeGreaterThanOrEqual(3);
		expect(library.some((p) => p.reporting.phoneMinutes === 15 && p.reporting.writtenMinutes === 35)).toBe(true);
	});

	describe.each(library.map((p) => [p.id, p] as const))('%s', (_id, p) => {
		it('is complete: MSEL, random pool, tasks, monitoring, contingencies, objectives', () => {
			expect(p.injects.filter((i) => !i.contingency).length).toBeGreaterThanOrEqual(12);
			expect(p.randomPool.length).toBeGreaterThanOrEqual(6);
			expect(new Set(p.taskTemplates.map((t) => t.agency)).size).toBeGreaterThanOrEqual(4);
			expect(p.monitoringPoints.length).toBeGreaterThanOrEqual(6);
			expect(p.injects.filter((i) => i.contingency).length).toBeGreaterThanOrEqual(1);
			expect(p.injects.some((i) => i.dependsOn.length > 0)).toBe(true);
			expect(p.meta.objectives.length).toBeGreaterThanOrEqual(3);
			expect(p.meta.objectives.length).toBeLessThanOrEqual(5);
			for (const o of p.meta.objectives) {
				expect(o.targets.length).toBeGreaterThanOrEqual(1);
				expect(o.targets.some((t) => t.criticalTasks.length > 0), o.id).toBe(true);
			}
			expect(p.taskTemplates.every((t) => t.checklist.length > 0 && t.dueAfterMinutes)).toBe(true);
			expect(new Set(p.injects.map((i) => i.type)).size).toBeGreaterThanOrEqual(4);
			expect(p.evaluatorNotes).toBeDefined();
		});

		it('uses only the six exercise agencies', () => {
			for (const a of p.agencies) expect(AGENCIES, a).toContain(a);
		});

		it('draws unannounced injects from the pool: faults on monitoring points, media, resource problems', () => {
			const faults = p.randomPool.flatMap((r) => r.monitoringEffects.filter((e) => e.fault));
			expect(new Set(faults.map((e) => e.fault)).size).toBeGreaterThanOrEqual(2);
			expect(p.randomPool.some((r) => r.type === 'media')).toBe(true);
			expect(p.randomPool.some((r) => r.type === 'resource_problem')).toBe(true);
			const draw = drawRandomInjects(p.randomPool, `${p.id}-seed`, 4);
			expect(drawRandomInjects(p.randomPool, `${p.id}-seed`, 4)).toEqual(draw);
			const byId = new Map(p.randomPool.map((r) => [r.id, r]));
			for (const d of draw) {
				const r = byId.get(d.injectId)!;
				expect(d.atMs).toBeGreaterThanOrEqual(at(r.window.from));
				expect(d.atMs).toBeLessThanOrEqual(at(r.window.to));
			}
		});

		it('schedules without deadlock: every inject is decided, contingencies follow the facts', () => {
			const draw = drawRandomInjects(p.randomPool, 'all', p.randomPool.length);
			const plan = planInjects(p, draw);
			const end = Math.max(...plan.map((x) => x.dueMs));
			for (const met of [true, false]) {
				const facts: ContingencyFacts = { acknowledged: () => met, reported: () => met, viewedPoint: () => met };
				const settled = new Set<string>();
				const decisions = new Map<string, string>();
				for (let guard = 0; guard < plan.length + 1; guard++) {
					const due = dueInjects(plan, p, settled, end, facts);
					if (!due.length) break;
					for (const d of due) {
						settled.add(d.injectId);
						decisions.set(d.injectId, d.action);
					}
				}
				expect(decisions.size).toBe(plan.length);
				for (const i of p.injects) expect(decisions.get(i.id), i.id).toBe(i.contingency && met ? 'skip' : 'deliver');
			}
		});

		it('keeps contingencies sensible: deadline after the inject they watch, at equal to the deadline', () => {
			for (const i of p.injects.filter((x) => x.contingency)) {
				const c = i.contingency!;
				expect(at(i.at), i.id).toBe(at(c.deadline));
				if (c.condition.type === 'not_acknowledged') {
					const watched = p.injects.find((x) => x.id === (c.condition as { inject: string }).inject)!;
					expect(at(c.deadline) - at(watched.at), i.id).toBeGreaterThanOrEqual(p.reporting.ackMinutes * 60_000);
				}
				expect(p.agencies).toContain(c.condition.agency);
			}
		});

		it('places every monitoring point and map feature inside the demo city, drawable on the board', () => {
			for (const m of p.monitoringPoints) expect(inCity(m.position), m.id).toBe(true);
			const known = new Map<string, { kind: string; geometry?: BoardGeometry; radius?: number }>();
			const check = (where: string, f: { kind?: string; geometry?: BoardGeometry; radius?: number; label?: { zh: string; en: string } }) => {
				if (f.geometry) {
					expect(isBoardGeometry(f.geometry), where).toBe(true);
					for (const pos of positions(f.geometry)) expect(inCity(pos), `${where} ${pos}`).toBe(true);
				}
				if (f.kind && f.geometry) {
					const g = geometryKindOf(f.kind as Parameters<typeof geometryKindOf>[0]);
					expect(f.geometry.type, where).toBe(g === 'line' ? 'LineString' : g === 'polygon' ? 'Polygon' : 'Point');
					if (g === 'circle') expect(f.radius, where).toBeGreaterThan(0);
				}
				// The board shows `zh en` as one label of at most 120 characters.
				if (f.label) expect(`${f.label.zh} ${f.label.en}`.length, where).toBeLessThanOrEqual(120);
			};
			for (const layer of p.map.layers) {
				for (const { id, feature } of layer.features) {
					check(`${layer.id}/${id}`, feature);
					known.set(`${layer.id}/${id}`, feature);
				}
			}
			expect(inCity(p.map.center)).toBe(true);
			const ordered = [...p.injects].sort((a, b) => at(a.at) - at(b.at));
			for (const i of [...ordered, ...p.randomPool]) {
				for (const e of i.mapEffects) {
					const key = `${e.layer}/${e.featureId}`;
					expect(e.layer === 'common' || p.agencies.includes(e.layer), key).toBe(true);
					if (e.op === 'add') {
						expect(known.has(key), `${i.id} adds ${key} twice`).toBe(false);
						check(`${i.id} ${key}`, e.feature);
						known.set(key, e.feature);
					} else {
						expect(known.has(key), `${i.id} ${e.op}s unknown ${key}`).toBe(true);
						if (e.op === 'update') {
							check(`${i.id} ${key}`, { ...known.get(key), ...e.feature });
							// The board applies a new radius only together with a geometry.
							if (e.feature.radius !== undefined) expect(e.feature.geometry, `${i.id} ${key}`).toBeDefined();
						}
					}
				}
			}
			expect(allInjects(p).some((i) => i.mapEffects.some((e) => e.op === 'update' && e.feature.geometry))).toBe(true);
		});

		it('changes monitoring readings from injects', () => {
			expect(p.injects.some((i) => i.monitoringEffects.some((e) => e.value !== undefined))).toBe(true);
			for (const m of p.monitoringPoints.filter((x) => x.kind !== 'camera')) {
				expect(m.unit, m.id).toBeTruthy();
				expect(m.readings.length, m.id).toBeGreaterThanOrEqual(2);
				const t = m.thresholds;
				if (t?.warning !== undefined && t.alarm !== undefined) expect(t.warning, m.id).toBeLessThan(t.alarm);
			}
			expect(p.monitoringPoints.some((m) => m.kind === 'camera')).toBe(true);
			expect(p.monitoringPoints.some((m) => m.kind !== 'camera' && m.thresholds)).toBe(true);
		});

		it('has both languages everywhere, with Chinese in zh', () => {
			const texts = bilinguals(p);
			expect(texts.length).toBeGreaterThan(100);
			for (const t of texts) {
				expect(t.zh.trim(), t.path).not.toBe('');
				expect(t.en.trim(), t.path).not.toBe('');
				expect(CJK.test(t.zh), `${t.path}: ${t.zh}`).toBe(true);
				expect(CJK.test(t.en), `${t.path}: ${t.en}`).toBe(false);
			}
			for (const i of allInjects(p)) {
				expect(i.expectedActions.length, i.id).toBeGreaterThan(0);
				expect(i.objective, i.id).toBeDefined();
			}
		});
	});
});
