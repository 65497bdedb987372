/**
 * The exercise clock as the board shows it: scenario time ticking in the browser from the anchor the
 * server keeps in the control document (`clock`: status, running, speed, anchorWallMs,
 * anchorScenarioMs). The anchor is in server wall time, so a client whose clock is off by more than
 * the `Date` header's one-second resolution corrects by the measured offset.
 */
import { scenarioTimeAt } from '../domain/clock';
import type { ControlClock } from './control';

/** `T+HH:MM:SS`, always with seconds (the board's ticking clock; hours may pass 99). */
export function formatClock(ms: number): string {
	const total = Math.floor(Math.max(0, ms) / 1000);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `T+${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}

/** `T+HH:MM` (minutes precision) for list entries. */
export function formatClockShort(ms: number): string {
	return formatClock(ms).slice(0, -3);
}

export interface ClockReading {
	/** Scenario time now, or null when the server has not published a clock yet. */
	ms: number | null;
	running: boolean;
	speed: number;
	status: ControlClock['status'] | null;
}

/** Scenario time at the client's wall instant `wallMs`, given the server's clock offset (server − client). */
export function readClock(c: ControlClock | null, wallMs: number, offsetMs = 0): ClockReading {
	if (!c) return { ms: null, running: false, speed: 1, status: null };
	return { ms: scenarioTimeAt(c, wallMs + offsetMs), running: c.running, speed: c.speed, status: c.status };
}

/**
 * Server clock offset (server − client, ms) from a response's `Date` header, measured against the
 * request's midpoint. The header has whole seconds, so an offset within ±1.5 s is noise and taken as 0.
 */
export function serverOffset(dateHeader: string | null, sentAtMs: number, receivedAtMs: number): number {
	if (!dateHeader) return 0;
	const server = Date.parse(dateHeader);
	if (Number.isNaN(server)) return 0;
	// The header truncates to the second: the true instant lies in [server, server + 1000).
	const offset = server + 500 - (sentAtMs + receivedAtMs) / 2;
	return Math.abs(offset) <= 1500 ? 0 : Math.round(offset);
}

/** `1×`, `0.5×`, `2.5×`. */
export function formatSpeed(speed: number): string {
	return `${Number.isInteger(speed) ? speed : Math.round(speed * 100) / 100}×`;
}
