/**
 * The exercise clock: scenario time (ms since T+0) as a function of wall time. The server keeps one
 * anchor — the scenario time at a wall instant, whether it runs, and its speed — and every control
 * action re-anchors, so pauses, speed changes and jumps never accumulate rounding drift.
 */
export interface ClockState {
	running: boolean;
	/** Scenario seconds per wall second, 0.5–10. */
	speed: number;
	anchorWallMs: number;
	anchorScenarioMs: number;
}

export const MIN_SPEED = 0.5;
export const MAX_SPEED = 10;

export const STOPPED_CLOCK: ClockState = { running: false, speed: 1, anchorWallMs: 0, anchorScenarioMs: 0 };

export function scenarioTimeAt(c: ClockState, wallMs: number): number {
	if (!c.running) return c.anchorScenarioMs;
	return Math.max(c.anchorScenarioMs, Math.floor(c.anchorScenarioMs + (wallMs - c.anchorWallMs) * c.speed));
}

/** The wall instant at which a running clock reaches `scenarioMs`, or null when it never will. */
export function wallTimeOf(c: ClockState, scenarioMs: number): number | null {
	if (scenarioMs <= c.anchorScenarioMs) return c.running ? c.anchorWallMs : null;
	if (!c.running) return null;
	return c.anchorWallMs + Math.ceil((scenarioMs - c.anchorScenarioMs) / c.speed);
}

const reanchor = (c: ClockState, wallMs: number, patch: Partial<ClockState>): ClockState => ({
	...c,
	anchorScenarioMs: scenarioTimeAt(c, wallMs),
	anchorWallMs: wallMs,
	...patch
});

export const startClock = (c: ClockState, wallMs: number): ClockState => reanchor(c, wallMs, { running: true });
export const pauseClock = (c: ClockState, wallMs: number): ClockState => reanchor(c, wallMs, { running: false });

export function setClockSpeed(c: ClockState, wallMs: number, speed: number): ClockState {
	if (!(speed >= MIN_SPEED && speed <= MAX_SPEED)) throw new RangeError(`Speed must be between ${MIN_SPEED} and ${MAX_SPEED}.`);
	return reanchor(c, wallMs, { speed });
}

/** Jumps to a scenario time (forward or back); a running clock keeps running from there. */
export function jumpClock(c: ClockState, wallMs: number, scenarioMs: number): ClockState {
	if (!(scenarioMs >= 0) || !Number.isFinite(scenarioMs)) throw new RangeError('Scenario time must be zero or later.');
	return { ...c, anchorWallMs: wallMs, anchorScenarioMs: Math.floor(scenarioMs) };
}

/** `T+HH:MM` (or `T+HH:MM:SS`) ⇄ milliseconds, the MSEL's time notation. */
export function formatScenarioTime(ms: number): string {
	const total = Math.floor(Math.max(0, ms) / 1000);
	const h = Math.floor(total / 3600);
	const m = Math.floor((total % 3600) / 60);
	const s = total % 60;
	const pad = (n: number) => String(n).padStart(2, '0');
	return `T+${pad(h)}:${pad(m)}${s ? `:${pad(s)}` : ''}`;
}

export function parseScenarioTime(text: string): number | null {
	const m = /^\s*T\s*\+\s*(\d{1,3}):([0-5]\d)(?::([0-5]\d))?\s*$/i.exec(text);
	if (!m) return null;
	return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3] ?? 0)) * 1000;
}
