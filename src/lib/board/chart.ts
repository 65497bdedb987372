/**
 * Scales and ticks of the small sensor chart in a monitoring point's live view (pure; the SVG is
 * drawn by SensorChart.svelte). X is scenario time in minutes from T+0 up to now; Y spans the
 * readings and the warning/alarm thresholds, so a threshold line is always in view.
 */
import { formatScenarioTime } from '../domain/clock';

export interface ChartBox {
	width: number;
	height: number;
	/** Room for the axis labels: left, top, right, bottom. */
	pad?: [number, number, number, number];
}

export interface ChartInput extends ChartBox {
	readings: readonly [number, number][];
	nowMinute: number;
	thresholds?: { warning?: number; alarm?: number };
}

export interface Tick {
	value: number;
	at: number;
	label: string;
}

export interface ChartModel {
	width: number;
	height: number;
	plot: { left: number; top: number; right: number; bottom: number };
	xDomain: [number, number];
	yDomain: [number, number];
	xTicks: Tick[];
	yTicks: Tick[];
	/** SVG path of the readings (empty when there are none). */
	path: string;
	points: { x: number; y: number; minute: number; value: number }[];
	/** Threshold lines; `labelY` keeps the two labels apart when the lines are close. */
	thresholds: { kind: 'warning' | 'alarm'; value: number; y: number; labelY: number }[];
	/** X of "now" (the right end of the data). */
	nowX: number;
}

/** A step of 1, 2 or 5 × 10^k giving about `count` intervals over `range`. */
export function niceStep(range: number, count: number): number {
	if (!(range > 0) || !(count > 0)) return 1;
	const raw = range / count;
	const mag = 10 ** Math.floor(Math.log10(raw));
	const f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** Tick values covering [min, max] outward to whole steps. */
export function niceTicks(min: number, max: number, count = 4): { min: number; max: number; step: number; ticks: number[] } {
	if (!Number.isFinite(min) || !Number.isFinite(max)) return { min: 0, max: 1, step: 0.25, ticks: [0, 0.25, 0.5, 0.75, 1] };
	if (min === max) {
		const d = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
		min -= d;
		max += d;
	}
	const step = niceStep(max - min, count);
	const lo = roundTo(Math.floor(min / step + 1e-9) * step, step);
	const hi = roundTo(Math.ceil(max / step - 1e-9) * step, step);
	const ticks: number[] = [];
	for (let v = lo, i = 0; v <= hi + step * 1e-6 && i < 50; v += step, i++) ticks.push(roundTo(v, step));
	return { min: lo, max: hi, step, ticks };
}

/** Minute steps that read well on a clock: 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h. */
const MINUTE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720];

export function timeStep(rangeMinutes: number, count = 4): number {
	return MINUTE_STEPS.find((s) => rangeMinutes / s <= count) ?? MINUTE_STEPS[MINUTE_STEPS.length - 1];
}

function roundTo(v: number, step: number): number {
	const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
	return Number(v.toFixed(Math.min(10, decimals)));
}

/** A number as an axis label: no trailing zeros, at most the step's precision. */
export function tickLabel(v: number, step: number): string {
	const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
	return Number(v.toFixed(decimals)).toString();
}

/**
 * The chart model. The value axis starts at zero when the data are all positive and reach well above
 * it (rainfall, depth), and hugs the data otherwise (a river level around 25 m).
 */
export function chartModel(input: ChartInput): ChartModel {
	const { width, height, readings, thresholds } = input;
	const [padL, padT, padR, padB] = input.pad ?? [44, 10, 12, 24];
	const plot = { left: padL, top: padT, right: width - padR, bottom: height - padB };

	const lastMinute = readings.length ? readings[readings.length - 1][0] : 0;
	const firstMinute = readings.length ? readings[0][0] : 0;
	const x0 = Math.min(0, firstMinute);
	const x1 = Math.max(input.nowMinute, lastMinute, x0 + 10);
	const xStep = timeStep(x1 - x0);
	const xTicks: Tick[] = [];
	const x = (m: number) => plot.left + ((m - x0) / (x1 - x0)) * (plot.right - plot.left);
	for (let m = Math.ceil(x0 / xStep) * xStep; m <= x1 + 1e-9; m += xStep) xTicks.push({ value: m, at: x(m), label: formatScenarioTime(m * 60_000) });

	const lines = (['warning', 'alarm'] as const).filter((k) => typeof thresholds?.[k] === 'number' && Number.isFinite(thresholds[k])).map((k) => ({ kind: k, value: thresholds?.[k] as number }));
	const values = [...readings.map((r) => r[1]), ...lines.map((l) => l.value)];
	let lo = values.length ? Math.min(...values) : 0;
	let hi = values.length ? Math.max(...values) : 1;
	if (lo >= 0 && lo <= hi * 0.35) lo = 0;
	const span = hi - lo || Math.abs(hi) || 1;
	hi += span * 0.08;
	if (lo !== 0) lo -= span * 0.08;
	const yt = niceTicks(lo, hi, 4);
	const y = (v: number) => plot.bottom - ((v - yt.min) / (yt.max - yt.min)) * (plot.bottom - plot.top);
	const yTicks = yt.ticks.map((v) => ({ value: v, at: y(v), label: tickLabel(v, yt.step) }));

	const points = readings.map(([m, v]) => ({ x: round2(x(m)), y: round2(y(v)), minute: m, value: v }));
	const path = points.map((p, i) => `${i ? 'L' : 'M'}${p.x} ${p.y}`).join(' ');
	return {
		width,
		height,
		plot,
		xDomain: [x0, x1],
		yDomain: [yt.min, yt.max],
		xTicks,
		yTicks,
		path,
		points,
		thresholds: placeLabels(lines.map((l) => ({ ...l, y: round2(y(l.value)) }))),
		nowX: round2(x(Math.min(x1, input.nowMinute)))
	};
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Labels sit just above their line; a warning label close under the alarm label moves below its line. */
function placeLabels<T extends { kind: 'warning' | 'alarm'; y: number }>(lines: T[]): (T & { labelY: number })[] {
	const alarm = lines.find((l) => l.kind === 'alarm');
	return lines.map((l) => ({ ...l, labelY: round2(l.kind === 'warning' && alarm && Math.abs(alarm.y - l.y) < 13 ? l.y + 11 : l.y - 4) }));
}
