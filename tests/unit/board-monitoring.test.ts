import { describe, expect, it } from 'vitest';
import { chartModel, niceStep, niceTicks, tickLabel, timeStep } from '../../src/lib/board/chart';
import {
	curveAt,
	formatValue,
	frozenDisplay,
	levelOf,
	MONITOR_ICONS,
	MONITOR_KINDS,
	monitorIconName,
	parseMonitorIconName,
	pointsToCollection,
	pointStatus,
	readPublicPoints
} from '../../src/lib/board/monitoring';
import { MONITORING_KINDS } from '../../src/lib/domain/scenario/schema';
import { viewPoint } from '../../src/lib/domain/scenario/monitoring';
import { loadBuiltinScenarios } from '../../db/scenarios/index';

const depth = { thresholds: { warning: 0.15, alarm: 0.27 } };
const view = (value: number | null, fault: 'offline' | 'frozen' | 'transmission_lost' | null = null) => ({ readings: [] as [number, number][], value, level: levelOf(value, depth.thresholds), fault });

describe('chart scales', () => {
	it('picks 1-2-5 steps and covers the range outward', () => {
		expect(niceStep(10, 5)).toBe(2);
		expect(niceStep(0.27, 4)).toBe(0.1);
		expect(niceStep(73, 4)).toBe(20);
		expect(niceTicks(0, 0.3, 4)).toMatchObject({ min: 0, max: 0.3, step: 0.1, ticks: [0, 0.1, 0.2, 0.3] });
		expect(niceTicks(24.1, 26.9, 4).ticks).toEqual([24, 25, 26, 27]);
		expect(niceTicks(24.1, 25.9, 4).ticks).toEqual([24, 24.5, 25, 25.5, 26]);
		expect(niceTicks(5, 5, 4).min).toBeLessThan(5);
		expect(tickLabel(0.30000000000000004, 0.1)).toBe('0.3');
		expect(tickLabel(20, 20)).toBe('20');
	});

	it('uses clock-friendly time steps', () => {
		expect(timeStep(10)).toBe(5);
		expect(timeStep(30)).toBe(10);
		expect(timeStep(120)).toBe(30);
		expect(timeStep(600)).toBe(180);
	});

	it('maps readings into the plot, keeps thresholds in view and starts depth at zero', () => {
		const m = chartModel({
			width: 440,
			height: 190,
			pad: [46, 12, 14, 24],
			readings: [
				[0, 0],
				[8, 0.42],
				[12, 0.8]
			],
			nowMinute: 12,
			thresholds: depth.thresholds
		});
		expect(m.xDomain).toEqual([0, 12]);
		expect(m.yDomain[0]).toBe(0);
		expect(m.yDomain[1]).toBeGreaterThanOrEqual(0.8);
		expect(m.points[0]).toMatchObject({ x: 46, y: 166 });
		expect(m.points[2].x).toBe(426);
		expect(m.points[2].y).toBeLessThan(m.points[1].y);
		for (const p of m.points) {
			expect(p.y).toBeGreaterThanOrEqual(m.plot.top);
			expect(p.y).toBeLessThanOrEqual(m.plot.bottom);
		}
		expect(m.thresholds.map((t) => t.kind)).toEqual(['warning', 'alarm']);
		expect(m.thresholds[1].y).toBeLessThan(m.thresholds[0].y);
		expect(m.thresholds.map((t) => t.labelY - t.y)).toEqual([-4, -4]);
		// A deep flood squeezes the two lines together: the warning label moves under its line.
		const deep = chartModel({ width: 440, height: 190, readings: [[0, 0], [30, 2.9]], nowMinute: 30, thresholds: depth.thresholds });
		expect(Math.abs(deep.thresholds[0].y - deep.thresholds[1].y)).toBeLessThan(13);
		expect(deep.thresholds.map((t) => t.labelY - t.y)).toEqual([11, -4]);
		expect(m.path.startsWith('M46 166 L')).toBe(true);
		expect(m.xTicks.map((t) => t.label)).toEqual(['T+00:00', 'T+00:05', 'T+00:10']);
		expect(m.nowX).toBe(426);
	});

	it('extends the value axis to a threshold above the data, and hugs a river level', () => {
		const low = chartModel({ width: 400, height: 200, readings: [[0, 0.05]], nowMinute: 3, thresholds: { alarm: 0.5 } });
		expect(low.yDomain[1]).toBeGreaterThanOrEqual(0.5);
		expect(low.xDomain).toEqual([0, 10]);
		const river = chartModel({
			width: 400,
			height: 200,
			readings: [
				[0, 24.2],
				[40, 25.6]
			],
			nowMinute: 45,
			thresholds: { warning: 25, alarm: 26.5 }
		});
		expect(river.yDomain[0]).toBeGreaterThan(20);
		expect(river.yDomain[1]).toBeGreaterThanOrEqual(26.5);
		expect(river.xDomain).toEqual([0, 45]);
		// Far apart: both labels above their lines.
		expect(river.thresholds.map((t) => t.labelY - t.y)).toEqual([-4, -4]);
	});

	it('draws nothing for no readings but still has axes', () => {
		const m = chartModel({ width: 400, height: 200, readings: [], nowMinute: 0 });
		expect(m.path).toBe('');
		expect(m.yTicks.length).toBeGreaterThan(1);
		expect(m.xTicks.length).toBeGreaterThan(1);
	});
});

describe('monitoring point state', () => {
	it('levels values against upward thresholds', () => {
		expect(levelOf(0.1, depth.thresholds)).toBe('normal');
		expect(levelOf(0.15, depth.thresholds)).toBe('warning');
		expect(levelOf(0.3, depth.thresholds)).toBe('alarm');
		expect(levelOf(null, depth.thresholds)).toBe('normal');
		expect(levelOf(99, undefined)).toBe('normal');
	});

	it('takes the later of the control document and the person’s own view', () => {
		expect(pointStatus(depth)).toMatchObject({ show: 'normal', scenarioMs: null });
		expect(pointStatus(depth, { value: 0.8, scenarioMs: 720_000 })).toMatchObject({ show: 'alarm', value: 0.8 });
		expect(pointStatus(depth, { value: 0.8, scenarioMs: 720_000 }, { scenarioMs: 900_000, view: view(0.2) })).toMatchObject({ show: 'warning', value: 0.2, scenarioMs: 900_000 });
		expect(pointStatus(depth, { fault: 'offline', scenarioMs: 600_000 }, { scenarioMs: 300_000, view: view(0.2) })).toMatchObject({ show: 'fault', fault: 'offline', value: null });
		// A cleared fault keeps the value last seen.
		expect(pointStatus(depth, { fault: null, scenarioMs: 600_000 }, { scenarioMs: 300_000, view: view(0.3) })).toMatchObject({ show: 'alarm', value: 0.3 });
		// A frozen point keeps showing its (stuck) value but is drawn as faulted.
		expect(pointStatus(depth, undefined, { scenarioMs: 1, view: view(0.3, 'frozen') })).toMatchObject({ show: 'fault', level: 'alarm', value: 0.3 });
	});

	it('freezes a sensor at the moment it froze', () => {
		const readings: [number, number][] = [
			[0, 0],
			[10, 1],
			[20, 3]
		];
		expect(curveAt(readings, 15)).toBe(2);
		const f = frozenDisplay(readings, 15 * 60_000, 20 * 60_000);
		expect(f.value).toBe(2);
		expect(f.readings).toEqual([
			[0, 0],
			[10, 1],
			[15, 2],
			[20, 2]
		]);
		expect(frozenDisplay([], 60_000, 120_000)).toEqual({ readings: [], value: null });
	});

	it('shows the server’s view of a built-in point without future readings', () => {
		const pkg = loadBuiltinScenarios().find((p) => p.id === 'waterlogging-underpass');
		const p = pkg?.monitoringPoints.find((x) => x.id === 'MP-JF-DEPTH');
		if (!p) throw new Error('no point');
		const v = viewPoint(p, 10 * 60_000);
		expect(v.readings.every(([m]) => m <= 10)).toBe(true);
		const m = chartModel({ width: 440, height: 190, readings: v.readings, nowMinute: 10, thresholds: p.thresholds });
		expect(m.xDomain[1]).toBe(10);
		expect(pointStatus(p, undefined, { scenarioMs: 600_000, view: v }).level).toBe(v.level);
	});

	it('formats values by size', () => {
		expect(formatValue(0.4234, 'm')).toBe('0.42 m');
		expect(formatValue(25.63, 'm')).toBe('25.6 m');
		expect(formatValue(980, 'ppm')).toBe('980 ppm');
		expect(formatValue(null, 'm')).toBe('—');
	});
});

describe('monitoring points from the scenario API and on the map', () => {
	it('knows every kind the package format has, each with a pictogram', () => {
		expect([...MONITOR_KINDS].sort()).toEqual([...MONITORING_KINDS].sort());
		for (const k of MONITOR_KINDS) expect(MONITOR_ICONS[k]).toMatch(/^M/);
	});

	it('names and parses map icons', () => {
		expect(monitorIconName('camera', 'fault')).toBe('mp:camera:fault');
		expect(parseMonitorIconName('mp:water_depth:alarm')).toEqual({ kind: 'water_depth', show: 'alarm' });
		expect(parseMonitorIconName('mp:nope:alarm')).toBeNull();
		expect(parseMonitorIconName('db:command_post:#ff0000')).toBeNull();
	});

	it('skips malformed points and keeps good ones', () => {
		const pts = readPublicPoints([
			{ id: 'A', kind: 'camera', name: { zh: '甲', en: 'A' }, position: [114.3, 30.6] },
			{ id: 'B', kind: 'laser', name: { zh: '乙', en: 'B' }, position: [114.3, 30.6] },
			{ id: 'C', kind: 'rainfall', name: { zh: '丙' }, position: [114.3, 30.6] },
			{ id: 'D', kind: 'rainfall', name: { zh: '丁', en: 'D' }, position: [114.3] },
			{ id: 'E', kind: 'rainfall', name: { zh: '戊', en: 'E' }, position: [114.3, 30.6], unit: 'mm/h', thresholds: { warning: 20, alarm: 50 } },
			null
		]);
		expect(pts.map((p) => p.id)).toEqual(['A', 'E']);
		expect(pts[1]).toMatchObject({ unit: 'mm/h', thresholds: { warning: 20, alarm: 50 } });
		expect(readPublicPoints('nope')).toEqual([]);
	});

	it('turns points into GeoJSON with their state icon', () => {
		const [p] = readPublicPoints([{ id: 'E', kind: 'rainfall', name: { zh: '雨量站', en: 'Gauge' }, position: [114.29, 30.555], thresholds: { alarm: 50 } }]);
		const fc = pointsToCollection([p], (x) => pointStatus(x, { value: 68, scenarioMs: 0 }));
		expect(fc.features[0]).toMatchObject({
			properties: { id: 'E', kind: 'rainfall', show: 'alarm', icon: 'mp:rainfall:alarm', name_zh: '雨量站', name_en: 'Gauge' },
			geometry: { type: 'Point', coordinates: [114.29, 30.555] }
		});
	});
});
