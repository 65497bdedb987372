/**
 * Monitoring points (视频监控 and sensors) on the board, pure: what `GET /scenario` tells players about
 * each point, its state as last known (the control document's live changes and the person's own
 * latest look at its live view), the map icons, and the frozen-value display.
 *
 * Players never get a point's scripted curve: a live view (`POST …/monitoring/:id/open`) returns the
 * readings up to now only, and the control document carries only what injects changed.
 */
import type { PointState } from './control';
import type { PointView } from '../domain/scenario/monitoring';
import type { MonitoringPoint } from '../domain/scenario/schema';

export const MONITOR_KINDS = ['camera', 'water_level', 'rainfall', 'gas_concentration', 'tank_temperature', 'tank_pressure', 'crowd_density', 'water_depth'] as const satisfies readonly MonitoringPoint['kind'][];
export type MonitorKind = (typeof MONITOR_KINDS)[number];
export type PointFault = NonNullable<PointView['fault']>;
export const POINT_FAULTS: readonly PointFault[] = ['offline', 'frozen', 'transmission_lost'];

/** A monitoring point as `GET /api/v1/exercises/:id/scenario` lists it (no readings). */
export interface PublicPoint {
	id: string;
	kind: MonitorKind;
	name: { zh: string; en: string };
	position: [number, number];
	unit?: string;
	thresholds?: { warning?: number; alarm?: number };
}

/** What `POST …/open` answers (and the refresh `GET`). */
export interface PointOpen {
	point: Omit<PublicPoint, 'position'> & { position?: [number, number] };
	view: PointView;
	scenarioMs: number;
}

export type PointLevel = PointView['level'];
/** How a point is drawn: its alarm level, or `fault` when the device is faulted. */
export type PointShow = PointLevel | 'fault';

export function isMonitorKind(v: unknown): v is MonitorKind {
	return typeof v === 'string' && (MONITOR_KINDS as readonly string[]).includes(v);
}

export function levelOf(value: number | null | undefined, t: PublicPoint['thresholds']): PointLevel {
	if (value === null || value === undefined || !Number.isFinite(value)) return 'normal';
	if (t?.alarm !== undefined && value >= t.alarm) return 'alarm';
	if (t?.warning !== undefined && value >= t.warning) return 'warning';
	return 'normal';
}

export interface PointStatus {
	show: PointShow;
	level: PointLevel;
	value: number | null;
	fault: PointFault | null;
	/** Scenario time of the fact this status comes from, null when nothing is known yet. */
	scenarioMs: number | null;
}

/**
 * The latest known state of a point: whichever is later of the control document's state (an inject's
 * new value or fault) and the person's own last live view. A control-document state without a value
 * (a fault, or a fault cleared) keeps the value of the view it follows.
 */
export function pointStatus(point: Pick<PublicPoint, 'thresholds'>, state?: PointState | null, seen?: { scenarioMs: number; view: PointView } | null): PointStatus {
	const fromState = state ? { scenarioMs: state.scenarioMs, value: state.value ?? null, fault: state.fault ?? null } : null;
	const fromView = seen ? { scenarioMs: seen.scenarioMs, value: seen.view.value, fault: seen.view.fault } : null;
	let latest = fromState && (!fromView || fromState.scenarioMs > fromView.scenarioMs) ? fromState : fromView;
	if (latest === fromState && fromState && fromState.value === null && fromView && !fromState.fault) latest = { ...fromState, value: fromView.value };
	if (!latest) return { show: 'normal', level: 'normal', value: null, fault: null, scenarioMs: null };
	const fault = latest.fault && POINT_FAULTS.includes(latest.fault) ? latest.fault : null;
	const value = fault === 'offline' || fault === 'transmission_lost' ? null : latest.value;
	const level = levelOf(value, point.thresholds);
	return { show: fault ? 'fault' : level, level, value, fault, scenarioMs: latest.scenarioMs };
}

/** Value of a reading curve at a minute (linear between points, flat outside). */
export function curveAt(readings: readonly [number, number][], minute: number): number | null {
	if (!readings.length) return null;
	if (minute <= readings[0][0]) return readings[0][1];
	for (let i = 1; i < readings.length; i++) {
		const [m1, v1] = readings[i];
		if (minute <= m1) {
			const [m0, v0] = readings[i - 1];
			return m1 === m0 ? v1 : v0 + ((v1 - v0) * (minute - m0)) / (m1 - m0);
		}
	}
	return readings[readings.length - 1][1];
}

/**
 * What a frozen sensor shows: the readings up to the moment it froze and, after that, the stuck value
 * repeated up to now (a 冻结 device keeps reporting its last value).
 */
export function frozenDisplay(readings: readonly [number, number][], frozenAtMs: number, nowMs: number): { readings: [number, number][]; value: number | null } {
	const at = frozenAtMs / 60_000;
	const now = nowMs / 60_000;
	const before = readings.filter(([m]) => m <= at);
	// Interpolating over all readings so far is the curve itself: every scripted point up to now is there.
	const stuck = before.length ? curveAt(readings, at) : null;
	if (stuck === null) return { readings: before, value: null };
	const out: [number, number][] = [...before];
	if (!out.length || out[out.length - 1][0] < at) out.push([round1(at), stuck]);
	if (now > at) out.push([round1(now), stuck]);
	return { readings: out, value: stuck };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** A value with a sensible number of decimals for its size. */
export function formatValue(v: number | null, unit = ''): string {
	if (v === null || !Number.isFinite(v)) return '—';
	const a = Math.abs(v);
	const digits = a >= 100 ? 0 : a >= 10 ? 1 : 2;
	const text = v.toFixed(digits);
	return unit ? `${text} ${unit}` : text;
}

/** Colours of the point states on the map and in lists (also used for their text labels' contrast). */
export const SHOW_COLORS: Record<PointShow, string> = {
	normal: '#0b7285',
	warning: '#e67700',
	alarm: '#d6336c',
	fault: '#495057'
};

/** Pictograms of the point kinds (24×24, even-odd fill), drawn white on the state colour. */
export const MONITOR_ICONS: Record<MonitorKind, string> = {
	camera: 'M2 7h12.5v8H2zM15.5 9.5l5.5-3v9l-5.5-3zM5 15h2.5v3H12v2.5H5z',
	water_level: 'M10.5 2h3v13h-3zM13.5 4H16v1.5h-2.5zm0 4H16v1.5h-2.5zM2 17c3.3-2 6.7 2 10 0s6.7 2 10 0v3c-3.3 2-6.7-2-10 0s-6.7-2-10 0z',
	rainfall:
		'M7 12a4.5 4.5 0 0 1-.4-9A6 6 0 0 1 18 4.5a3.8 3.8 0 0 1-.5 7.5zM6 14.5h2.2l-1.5 4H4.5zm5 0h2.2l-1.5 4H9.5zm5 0h2.2l-1.5 4h-2.2zM8.5 19.5h2.2l-1 2.5H7.5zm5 0h2.2l-1 2.5h-2.2z',
	gas_concentration: 'M12 2a4 4 0 0 1 3.9 3.2A4.5 4.5 0 0 1 19 13.5a4.5 4.5 0 0 1-7 3.7 4.5 4.5 0 0 1-7-3.7 4.5 4.5 0 0 1 3.1-8.3A4 4 0 0 1 12 2zM11 19h2v3h-2z',
	tank_temperature: 'M10 3a2 2 0 0 1 4 0v10.3a4.5 4.5 0 1 1-4 0zm1.2 5v6.2a2.6 2.6 0 1 0 1.6 0V8zM16 4h4v1.6h-4zm0 3.5h3v1.6h-3zm0 3.5h4v1.6h-4z',
	tank_pressure: 'M12 3a9 9 0 1 1 0 18a9 9 0 1 1 0-18zm0 2.4a6.6 6.6 0 1 0 0 13.2a6.6 6.6 0 1 0 0-13.2zM11 12.6l4.6-5.2 1.2 1-4.2 5.6a1.7 1.7 0 1 1-1.6-1.4z',
	crowd_density: 'M12 3a2.6 2.6 0 1 1 0 5.2A2.6 2.6 0 0 1 12 3zM5.5 6a2.2 2.2 0 1 1 0 4.4a2.2 2.2 0 0 1 0-4.4zm13 0a2.2 2.2 0 1 1 0 4.4a2.2 2.2 0 0 1 0-4.4zM8 10h8v11H8zM2 12h5v8H2zm15 0h5v8h-5z',
	water_depth: 'M3 2h3v17H3zM6 4h2.5v1.5H6zm0 4h2.5v1.5H6zm0 4h2.5v1.5H6zM15 3h3v7h3l-4.5 6-4.5-6h3zM9 18c2.2-1.4 4.4 1.4 6.5 0s4.4 1.4 6.5 0v3c-2.2 1.4-4.4-1.4-6.5 0S11.2 19.6 9 21z'
};

/** Map image name of a point icon: `mp:<kind>:<show>`. */
export const monitorIconName = (kind: MonitorKind, show: PointShow) => `mp:${kind}:${show}`;

export function parseMonitorIconName(name: string): { kind: MonitorKind; show: PointShow } | null {
	const m = /^mp:([a-z_]+):(normal|warning|alarm|fault)$/.exec(name);
	if (!m || !isMonitorKind(m[1])) return null;
	return { kind: m[1], show: m[2] as PointShow };
}

/** Validates the points of a `GET /scenario` answer (a bad entry is skipped, never fatal). */
export function readPublicPoints(input: unknown): PublicPoint[] {
	if (!Array.isArray(input)) return [];
	const out: PublicPoint[] = [];
	for (const p of input as Record<string, unknown>[]) {
		if (!p || typeof p.id !== 'string' || !isMonitorKind(p.kind)) continue;
		const pos = p.position;
		if (!Array.isArray(pos) || pos.length !== 2 || !pos.every((n) => typeof n === 'number' && Number.isFinite(n))) continue;
		const name = p.name as { zh?: unknown; en?: unknown } | undefined;
		if (!name || typeof name.zh !== 'string' || typeof name.en !== 'string') continue;
		const t = (p.thresholds ?? undefined) as PublicPoint['thresholds'];
		out.push({
			id: p.id,
			kind: p.kind,
			name: { zh: name.zh, en: name.en },
			position: [pos[0] as number, pos[1] as number],
			...(typeof p.unit === 'string' ? { unit: p.unit } : {}),
			...(t && typeof t === 'object' ? { thresholds: t } : {})
		});
	}
	return out;
}

/** Points as GeoJSON for the map layer, with each one's state for colouring. */
export function pointsToCollection(points: readonly PublicPoint[], status: (p: PublicPoint) => PointStatus) {
	return {
		type: 'FeatureCollection' as const,
		features: points.map((p) => {
			const s = status(p);
			return {
				type: 'Feature' as const,
				properties: { id: p.id, kind: p.kind, show: s.show, icon: monitorIconName(p.kind, s.show), name_zh: p.name.zh, name_en: p.name.en },
				geometry: { type: 'Point' as const, coordinates: p.position }
			};
		})
	};
}
