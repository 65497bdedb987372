import type { ExerciseStatus } from '../lifecycle';
import { can, type Action } from '../permissions';
import { hasRole, playerAgencies, type ExerciseRole, type Membership } from '../roles';
import { ACKNOWLEDGEABLE, type EntryDraft, type EntryKind, type EntrySender, type LogEntry, type Recipients } from './entry';
import { missingReportElements, type ReportElement } from './report';

/**
 * The rules of the chain of command for log entries: who may send which kind, to whom, and what it
 * must reference. Orders go down (commander → agencies), reports go up (agency → commander), requests
 * and coordination go across, and acknowledgements/feedback answer an entry addressed to the sender.
 * The facilitator stands outside the chain; observers and evaluators only read.
 */
export interface ChainContext {
	status: ExerciseStatus;
	agencies: ReadonlySet<string>;
	/** An earlier entry of this exercise by sequence number. */
	entry(seq: number): LogEntry | undefined;
	/** Whether `party` (an agency code, or null for the commander) already acknowledged entry `seq`. */
	acknowledged(seq: number, party: string | null): boolean;
}

export interface Person {
	userId: string;
	name: string;
	memberships: readonly Membership[];
}

export type RuleCheck =
	| { ok: true; from: EntrySender; to: Recipients; missing?: ReportElement[] }
	| { ok: false; rule: string };

const ACTION_OF: Record<EntryKind, Action> = {
	order: 'log.order',
	report: 'log.report',
	request: 'log.request',
	coordination: 'log.request',
	ack: 'log.ack',
	feedback: 'log.ack'
};

const refuse = (rule: string): RuleCheck => ({ ok: false, rule });

/** Which role and agency the entry speaks for; players speak for their agency, others for headquarters. */
function chooseVoice(person: Person, draft: EntryDraft): { role: ExerciseRole; agency: string | null } | string {
	const played = playerAgencies(person.memberships);
	if (draft.kind === 'order') return { role: 'commander', agency: null };
	if (draft.asAgency) {
		return played.includes(draft.asAgency) ? { role: 'player', agency: draft.asAgency } : 'You do not play for that agency.';
	}
	if (played.length === 1) return { role: 'player', agency: played[0] };
	if (played.length > 1) return 'You play for several agencies: say which one this entry is from.';
	if (hasRole(person.memberships, 'commander')) return { role: 'commander', agency: null };
	return 'Only players and the commander send log entries.';
}

/** Is `entry` addressed to the sender (an agency, or the commander's headquarters when agency is null)? */
function addressedTo(entry: LogEntry, agency: string | null): boolean {
	return agency === null ? entry.to.commander : entry.to.agencies.includes(agency);
}

function checkAnswer(draft: EntryDraft, from: EntrySender, ctx: ChainContext): string | null {
	if (draft.refs.entries.length !== 1) return 'An acknowledgement or feedback references exactly one entry.';
	const target = ctx.entry(draft.refs.entries[0]);
	if (!target) return `Entry ${draft.refs.entries[0]} does not exist.`;
	if (!ACKNOWLEDGEABLE.includes(target.kind)) return `A ${target.kind} entry cannot be answered.`;
	if (draft.kind === 'feedback' && target.kind === 'report') return 'Feedback answers orders, requests and coordination, not reports.';
	if (!addressedTo(target, from.agency)) return `Entry ${target.seq} is not addressed to you.`;
	if (draft.kind === 'ack' && ctx.acknowledged(target.seq, from.agency)) return `Entry ${target.seq} is already acknowledged by you.`;
	return null;
}

function checkRecipients(draft: EntryDraft, from: EntrySender, ctx: ChainContext): string | null {
	const unknown = draft.to.agencies.find((a) => !ctx.agencies.has(a));
	if (unknown) return `Unknown agency: ${unknown}.`;
	switch (draft.kind) {
		case 'order':
			return draft.to.agencies.length ? null : 'An order names at least one agency.';
		case 'report':
			return draft.to.commander ? null : 'Reports go up the chain to the commander.';
		case 'request':
		case 'coordination': {
			const others = draft.to.agencies.filter((a) => a !== from.agency);
			return others.length || (draft.to.commander && from.agency !== null) ? null : 'Address another agency or the commander.';
		}
		default:
			return null;
	}
}

function checkReportStage(draft: EntryDraft, from: EntrySender, ctx: ChainContext): string | null {
	const stage = draft.body.stage;
	if (!stage) return 'A report says whether it is initial, update or final.';
	if (stage === 'initial') return null;
	const earlier = draft.refs.entries.map((s) => ctx.entry(s));
	const ok = earlier.some((e) => e?.kind === 'report' && e.from.agency === from.agency);
	return ok ? null : `An ${stage} report references an earlier report of the same agency.`;
}

function checkCorrection(draft: EntryDraft, from: EntrySender, ctx: ChainContext): string | null {
	const seq = draft.body.corrects;
	if (seq == null) return null;
	const target = ctx.entry(seq);
	if (!target) return `Entry ${seq} does not exist.`;
	return target.from.userId === from.userId ? null : 'You may only correct your own entries.';
}

export function checkDraft(person: Person, draft: EntryDraft, ctx: ChainContext): RuleCheck {
	const voice = chooseVoice(person, draft);
	if (typeof voice === 'string') return refuse(voice);
	if (!can(person.memberships, ACTION_OF[draft.kind], { status: ctx.status, agency: voice.agency })) {
		return refuse(`Your role may not send this kind of entry (${draft.kind}) now.`);
	}
	const from: EntrySender = { userId: person.userId, name: person.name, ...voice };
	for (const seq of draft.refs.entries) if (!ctx.entry(seq)) return refuse(`Entry ${seq} does not exist.`);
	const problem =
		checkRecipients(draft, from, ctx) ??
		(draft.kind === 'ack' || draft.kind === 'feedback' ? checkAnswer(draft, from, ctx) : null) ??
		(draft.kind === 'report' ? checkReportStage(draft, from, ctx) : null) ??
		checkCorrection(draft, from, ctx);
	if (problem) return refuse(problem);
	const to = draft.kind === 'ack' || draft.kind === 'feedback' ? answerRecipients(ctx.entry(draft.refs.entries[0]) as LogEntry) : draft.to;
	return draft.kind === 'report' ? { ok: true, from, to, missing: missingReportElements(draft.body.report ?? {}) } : { ok: true, from, to };
}

/** An acknowledgement or feedback goes back to whoever sent the entry it answers. */
export function answerRecipients(target: LogEntry): Recipients {
	return target.from.agency === null ? { agencies: [], commander: true } : { agencies: [target.from.agency], commander: false };
}
