import { describe, expect, it } from 'vitest';
import { valueAt, viewPoint } from '../../src/lib/domain/scenario/monitoring';
import type { MonitoringPoint } from '../../src/lib/domain/scenario/schema';

const gauge: MonitoringPoint = {
	id: 'WL-1',
	kind: 'water_level',
	name: { zh: '水位站', en: 'Gauge' },
	position: [114.3, 30.6],
	unit: 'm',
	thresholds: { warning: 160, alarm: 163 },
	readings: [
		[0, 155],
		[30, 161],
		[60, 164]
	]
};
const MIN = 60_000;

describe('monitoring points', () => {
	it('interpolates the curve', () => {
		expect(valueAt(gauge.readings, 15)).toBe(158);
		expect(valueAt(gauge.readings, -5)).toBe(155);
		expect(valueAt(gauge.readings, 90)).toBe(164);
		expect(valueAt([], 5)).toBeNull();
	});

	it('shows the curve up to now only, with the alarm level', () => {
		const v = viewPoint(gauge, 15 * MIN);
		expect(v.readings).toEqual([
			[0, 155],
			[15, 158]
		]);
		expect(v).toMatchObject({ value: 158, level: 'normal', fault: null });
		expect(viewPoint(gauge, 30 * MIN).level).toBe('warning');
		expect(viewPoint(gauge, 60 * MIN).level).toBe('alarm');
	});

	it('applies an inject’s new value and faults from their time on', () => {
		expect(viewPoint(gauge, 20 * MIN, { value: 165, scenarioMs: 10 * MIN })).toMatchObject({ value: 165, level: 'alarm' });
		expect(viewPoint(gauge, 5 * MIN, { value: 165, scenarioMs: 10 * MIN }).value).toBe(156);
		const offline = viewPoint(gauge, 20 * MIN, { fault: 'offline', scenarioMs: 10 * MIN });
		expect(offline).toMatchObject({ value: null, fault: 'offline' });
		expect(offline.readings.at(-1)?.[0]).toBe(0);
		expect(viewPoint(gauge, 20 * MIN, { fault: 'frozen', scenarioMs: 10 * MIN }).fault).toBe('frozen');
	});
});
