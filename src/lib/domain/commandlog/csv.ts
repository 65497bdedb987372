import type { LogEntry } from './entry';

const HEADER = ['seq', 'at', 'scenario_ms', 'kind', 'stage', 'from_agency', 'from_role', 'from_user', 'to_agencies', 'to_commander', 'refs', 'inject', 'text', 'missing_elements', 'hash'];

/**
 * One CSV cell. Quotes when needed; a leading = + - @ or tab is defused with an apostrophe so a
 * spreadsheet never evaluates a cell as a formula (CSV injection).
 */
export function csvCell(value: unknown): string {
	let s = value == null ? '' : String(value);
	if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
	return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The log as CSV with a header row; UTF-8 with BOM so spreadsheet programs on Chinese desktops read it right. */
export function entriesToCsv(entries: readonly LogEntry[]): string {
	const rows = entries.map((e) => [
		e.seq,
		e.at,
		e.scenarioMs,
		e.kind,
		e.body.stage ?? '',
		e.from.agency ?? 'command',
		e.from.role,
		e.from.name,
		e.to.agencies.join(' '),
		e.to.commander ? 'yes' : '',
		e.refs.entries.join(' '),
		e.refs.inject ?? '',
		e.body.text,
		(e.missing ?? []).join(' '),
		e.hash
	]);
	return '\uFEFF' + [HEADER, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
