import type { MonitoringPoint } from './schema';

/** What a monitoring point shows at a scenario time: its curve so far (never ahead), value and alarm level. */
export interface PointView {
	readings: [number, number][];
	value: number | null;
	level: 'normal' | 'warning' | 'alarm';
	fault: 'offline' | 'frozen' | 'transmission_lost' | null;
}

export interface PointOverride {
	value?: number;
	fault?: PointView['fault'];
	scenarioMs: number;
}

/** Linear interpolation of the curve at a minute; flat before the first and after the last point. */
export function valueAt(readings: readonly [number, number][], minute: number): number | null {
	if (!readings.length) return null;
	if (minute <= readings[0][0]) return readings[0][1];
	for (let i = 1; i < readings.length; i++) {
		const [m1, v1] = readings[i];
		if (minute <= m1) {
			const [m0, v0] = readings[i - 1];
			return v0 + ((v1 - v0) * (minute - m0)) / (m1 - m0);
		}
	}
	return readings[readings.length - 1][1];
}

/**
 * The point as seen at `scenarioMs`: readings up to now only (a player must not read the future from
 * the curve), an inject's override from its time on (a new level continues from there; a fault freezes
 * or blanks the view).
 */
export function viewPoint(p: MonitoringPoint, scenarioMs: number, override?: PointOverride): PointView {
	const minute = scenarioMs / 60_000;
	const past = p.readings.filter(([m]) => m <= minute);
	let value = valueAt(p.readings, minute);
	if (override?.value !== undefined && override.scenarioMs <= scenarioMs) value = override.value;
	const fault = override && override.scenarioMs <= scenarioMs ? (override.fault ?? null) : null;
	const readings: [number, number][] = value === null ? past : [...past, [Math.round(minute * 10) / 10, Math.round(value * 100) / 100]];
	const t = p.thresholds;
	const level = value === null ? 'normal' : t?.alarm !== undefined && value >= t.alarm ? 'alarm' : t?.warning !== undefined && value >= t.warning ? 'warning' : 'normal';
	if (fault === 'offline' || fault === 'transmission_lost') return { readings: past, value: null, level: 'normal', fault };
	return { readings, value, level, fault };
}
