/**
 * What the command-chain log page shows, computed from the entries (pure; the chain rules and
 * acknowledgement bookkeeping themselves live in $lib/domain/commandlog and are reused here).
 */
import { ACKNOWLEDGEABLE, type EntryKind, type LogEntry } from '../domain/commandlog/entry';
import { overdueAcknowledgements, pendingAcknowledgements, type PendingAck } from '../domain/commandlog/acknowledgements';
import { DEFAULT_REPORT_LIMITS } from '../domain/commandlog/report';
import type { Membership } from '../domain/roles';
import { playerAgencies } from '../domain/roles';

/** Who a person speaks for in the chain: an agency, or null for the commander's headquarters. */
export type Party = string | null;

export interface ReportingLimits {
	phoneMinutes: number;
	writtenMinutes: number;
	/** Minutes within which an order, request or report must be acknowledged. */
	ackMinutes: number;
}

export const DEFAULT_LIMITS: ReportingLimits = { ...DEFAULT_REPORT_LIMITS, ackMinutes: 5 };

/** The limits an exercise's scenario sets (any missing value falls back to the national default). */
export function reportingLimits(r: Partial<ReportingLimits> | null | undefined): ReportingLimits {
	const pick = (v: unknown, d: number) => (typeof v === 'number' && v > 0 ? v : d);
	return {
		phoneMinutes: pick(r?.phoneMinutes, DEFAULT_LIMITS.phoneMinutes),
		writtenMinutes: pick(r?.writtenMinutes, DEFAULT_LIMITS.writtenMinutes),
		ackMinutes: pick(r?.ackMinutes, DEFAULT_LIMITS.ackMinutes)
	};
}

/** The parties a person acts for: each agency they play for, and headquarters when they command. */
export function partiesOf(memberships: readonly Membership[]): Party[] {
	const out: Party[] = [...playerAgencies(memberships)];
	if (memberships.some((m) => m.role === 'commander')) out.push(null);
	return out;
}

export function isAddressedTo(e: LogEntry, party: Party): boolean {
	return party === null ? e.to.commander : e.to.agencies.includes(party);
}

/** Keeps one entry per sequence number (the live mirror and the HTTP list overlap), in order. */
export function mergeEntries(...lists: readonly (readonly LogEntry[])[]): LogEntry[] {
	const bySeq = new Map<number, LogEntry>();
	for (const list of lists) for (const e of list) bySeq.set(e.seq, e);
	return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

export interface LogFilter {
	agency?: string | null;
	kind?: EntryKind | null;
	inject?: string | null;
}

/** The same filters as `GET …/log`: agency matches sender or recipient. */
export function filterEntries(entries: readonly LogEntry[], f: LogFilter): LogEntry[] {
	return entries.filter(
		(e) =>
			(!f.kind || e.kind === f.kind) &&
			(!f.inject || e.refs.inject === f.inject) &&
			(!f.agency || e.from.agency === f.agency || e.to.agencies.includes(f.agency))
	);
}

/** New entries since `lastRead` that someone else sent. */
export function unreadEntries(entries: readonly LogEntry[], lastRead: number, userId: string): LogEntry[] {
	return entries.filter((e) => e.seq > lastRead && e.from.userId !== userId);
}

/** Entries addressed to one of my parties that that party has not yet acknowledged. */
export function pendingForMe(entries: readonly LogEntry[], parties: readonly Party[]): PendingAck[] {
	return pendingAcknowledgements(entries).filter((p) => parties.includes(p.party));
}

/**
 * Acknowledgements overdue at `nowMs` (wall time) that concern me: the sender sees its own entries'
 * missing acknowledgements, the commander sees every one.
 */
export function overdueForMe(entries: readonly LogEntry[], nowMs: number, limitMinutes: number, parties: readonly Party[]): PendingAck[] {
	const commander = parties.includes(null);
	return overdueAcknowledgements(entries, nowMs, limitMinutes).filter((p) => commander || parties.includes(p.fromAgency) || parties.includes(p.party));
}

/** What answers an entry: acknowledgements, feedback and corrections, each in order. */
export function answersTo(entries: readonly LogEntry[], seq: number) {
	return {
		acks: entries.filter((e) => e.kind === 'ack' && e.refs.entries[0] === seq),
		feedback: entries.filter((e) => e.kind === 'feedback' && e.refs.entries[0] === seq),
		corrections: entries.filter((e) => e.body.corrects === seq)
	};
}

/** Whether `party` may still acknowledge `e` (addressed to it, acknowledgeable, not yet acknowledged by it). */
export function canAcknowledge(entries: readonly LogEntry[], e: LogEntry, party: Party): boolean {
	if (!ACKNOWLEDGEABLE.includes(e.kind) || !isAddressedTo(e, party) || e.from.agency === party) return false;
	return !entries.some((a) => a.kind === 'ack' && a.refs.entries[0] === e.seq && a.from.agency === party);
}

/** Feedback answers orders, requests and coordination addressed to the party (not reports). */
export function canGiveFeedback(e: LogEntry, party: Party): boolean {
	return e.kind !== 'report' && ACKNOWLEDGEABLE.includes(e.kind) && isAddressedTo(e, party) && e.from.agency !== party;
}

/** Earlier reports of an agency (newest first): what an update or final report refers to. */
export function reportsOf(entries: readonly LogEntry[], agency: string): LogEntry[] {
	return entries.filter((e) => e.kind === 'report' && e.from.agency === agency).reverse();
}

export interface Deadline {
	/** Scenario time it falls due. */
	dueMs: number;
	/** Due minus now (negative: past). */
	remainingMs: number;
	/** Scenario time it was met (the report that met it), or null. */
	metAtMs: number | null;
	state: 'open' | 'met' | 'late' | 'missed';
}

export interface ReportDeadlines {
	/** When the agency received its first inject (scenario time), null before any. */
	receivedMs: number;
	phone: Deadline;
	written: Deadline;
}

function deadline(dueMs: number, nowMs: number, metAtMs: number | null): Deadline {
	const state = metAtMs != null ? (metAtMs <= dueMs ? 'met' : 'late') : nowMs > dueMs ? 'missed' : 'open';
	return { dueMs, remainingMs: dueMs - nowMs, metAtMs, state };
}

/**
 * The phone and written report deadlines of an agency, counted in scenario time from the first inject
 * it received (so pauses do not count). As in the review: the first report answers the phone limit
 * (快报), the first complete report the written one.
 */
export function reportDeadlines(
	injects: readonly { to: { agencies: readonly string[] }; scenarioMs: number }[],
	entries: readonly LogEntry[],
	agency: string,
	limits: Pick<ReportingLimits, 'phoneMinutes' | 'writtenMinutes'>,
	nowMs: number
): ReportDeadlines | null {
	const received = injects.filter((i) => i.to.agencies.includes(agency)).map((i) => i.scenarioMs);
	if (!received.length) return null;
	const receivedMs = Math.min(...received);
	const reports = entries.filter((e) => e.kind === 'report' && e.from.agency === agency && e.scenarioMs != null);
	const first = reports[0]?.scenarioMs ?? null;
	const complete = reports.find((r) => !(r.missing ?? []).length)?.scenarioMs ?? null;
	return {
		receivedMs,
		phone: deadline(receivedMs + limits.phoneMinutes * 60_000, nowMs, first),
		written: deadline(receivedMs + limits.writtenMinutes * 60_000, nowMs, complete)
	};
}

/** `mm:ss` or `h:mm:ss` of a duration, with a leading minus when negative. */
export function formatCountdown(ms: number): string {
	const sign = ms < 0 ? '-' : '';
	const total = Math.floor(Math.abs(ms) / 1000);
	const h = Math.floor(total / 3600);
	const m = Math.floor((total % 3600) / 60);
	const s = total % 60;
	const pad = (n: number) => String(n).padStart(2, '0');
	return h ? `${sign}${h}:${pad(m)}:${pad(s)}` : `${sign}${pad(m)}:${pad(s)}`;
}

/** localStorage key of the last sequence number a person has read in an exercise's log. */
export const lastReadKey = (userId: string, exerciseId: string) => `drillboard:log-read:${userId}:${exerciseId}`;

/**
 * Chain-rule refusals (the server's English sentence from rules.ts) → catalog keys with parameters,
 * so the reader gets the rule in their language. Unknown sentences are shown as sent.
 */
const RULES: [RegExp, string, string[]][] = [
	[/^You do not play for that agency\.$/, 'log.rule.notYourAgency', []],
	[/^You play for several agencies/, 'log.rule.whichAgency', []],
	[/^Only players and the commander send log entries\.$/, 'log.rule.onlyPlayers', []],
	[/^Your role may not send this kind of entry \((\w+)\) now\.$/, 'log.rule.roleMayNot', ['kind']],
	[/^Entry (\d+) does not exist\.$/, 'log.rule.noEntry', ['seq']],
	[/^An acknowledgement or feedback references exactly one entry\.$/, 'log.rule.oneRef', []],
	[/^A (\w+) entry cannot be answered\.$/, 'log.rule.notAnswerable', ['kind']],
	[/^Feedback answers orders, requests and coordination, not reports\.$/, 'log.rule.feedbackNotReport', []],
	[/^Entry (\d+) is not addressed to you\.$/, 'log.rule.notAddressed', ['seq']],
	[/^Entry (\d+) is already acknowledged by you\.$/, 'log.rule.alreadyAcked', ['seq']],
	[/^Unknown agency: (.+)\.$/, 'log.rule.unknownAgency', ['agency']],
	[/^An order names at least one agency\.$/, 'log.rule.orderNeedsAgency', []],
	[/^Reports go up the chain to the commander\.$/, 'log.rule.reportUp', []],
	[/^Address another agency or the commander\.$/, 'log.rule.addressOther', []],
	[/^A report says whether it is initial, update or final\.$/, 'log.rule.reportStage', []],
	[/^An? (\w+) report references an earlier report of the same agency\.$/, 'log.rule.reportRef', ['stage']],
	[/^You may only correct your own entries\.$/, 'log.rule.ownCorrection', []]
];

export const RULE_KEYS = RULES.map(([, key]) => key);

export function ruleMessage(rule: string): { key: string; params: Record<string, string> } | null {
	for (const [re, key, names] of RULES) {
		const m = re.exec(rule);
		if (m) return { key, params: Object.fromEntries(names.map((n, i) => [n, m[i + 1]])) };
	}
	return null;
}
