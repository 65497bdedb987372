import { describe, expect, it } from 'vitest';
import {
	formatScenarioTime,
	jumpClock,
	parseScenarioTime,
	pauseClock,
	scenarioTimeAt,
	setClockSpeed,
	startClock,
	STOPPED_CLOCK,
	wallTimeOf
} from '../../src/lib/domain/clock';

const MIN = 60_000;

describe('exercise clock', () => {
	it('stands still until started, then runs at 1×', () => {
		expect(scenarioTimeAt(STOPPED_CLOCK, 5 * MIN)).toBe(0);
		const c = startClock(STOPPED_CLOCK, 1000);
		expect(scenarioTimeAt(c, 1000 + 10 * MIN)).toBe(10 * MIN);
	});

	it('excludes paused time', () => {
		let c = startClock(STOPPED_CLOCK, 0);
		c = pauseClock(c, 10 * MIN);
		expect(scenarioTimeAt(c, 25 * MIN)).toBe(10 * MIN);
		c = startClock(c, 30 * MIN);
		expect(scenarioTimeAt(c, 35 * MIN)).toBe(15 * MIN);
	});

	it('changes speed without a jump at the moment of change', () => {
		let c = startClock(STOPPED_CLOCK, 0);
		c = setClockSpeed(c, 10 * MIN, 4);
		expect(scenarioTimeAt(c, 10 * MIN)).toBe(10 * MIN);
		expect(scenarioTimeAt(c, 15 * MIN)).toBe(30 * MIN);
		c = setClockSpeed(c, 15 * MIN, 0.5);
		expect(scenarioTimeAt(c, 17 * MIN)).toBe(31 * MIN);
		expect(() => setClockSpeed(c, 0, 0.4)).toThrow(RangeError);
		expect(() => setClockSpeed(c, 0, 11)).toThrow(RangeError);
		expect(() => setClockSpeed(c, 0, Number.NaN)).toThrow(RangeError);
	});

	it('jumps forward and back, keeping the run state', () => {
		let c = startClock(STOPPED_CLOCK, 0);
		c = jumpClock(c, 5 * MIN, 60 * MIN);
		expect(scenarioTimeAt(c, 6 * MIN)).toBe(61 * MIN);
		c = pauseClock(c, 6 * MIN);
		c = jumpClock(c, 7 * MIN, 30 * MIN);
		expect(scenarioTimeAt(c, 9 * MIN)).toBe(30 * MIN);
		expect(() => jumpClock(c, 0, -1)).toThrow(RangeError);
	});

	it('says when a running clock reaches a scenario time', () => {
		const c = setClockSpeed(startClock(STOPPED_CLOCK, 0), 0, 2);
		expect(wallTimeOf(c, 20 * MIN)).toBe(10 * MIN);
		expect(wallTimeOf(pauseClock(c, MIN), 20 * MIN)).toBeNull();
		expect(scenarioTimeAt(c, wallTimeOf(c, 12_345) as number)).toBeGreaterThanOrEqual(12_345);
	});

	it('formats and parses T+HH:MM', () => {
		expect(formatScenarioTime(0)).toBe('T+00:00');
		expect(formatScenarioTime(45 * MIN)).toBe('T+00:45');
		expect(formatScenarioTime(125 * MIN + 7000)).toBe('T+02:05:07');
		expect(parseScenarioTime('T+00:45')).toBe(45 * MIN);
		expect(parseScenarioTime(' t+ 1:05 ')).toBe(65 * MIN);
		expect(parseScenarioTime('T+02:05:07')).toBe(125 * MIN + 7000);
		for (const bad of ['00:45', 'T+0:60', 'T-00:10', 'T+aa:bb', '']) expect(parseScenarioTime(bad)).toBeNull();
		for (const ms of [0, MIN, 59 * MIN, 600 * MIN + 1000]) expect(parseScenarioTime(formatScenarioTime(ms))).toBe(ms);
	});
});
