import type { ExerciseRole } from '../roles';
import type { ReportElement, ReportFields } from './report';

/** Kinds of command-chain log entries (指挥链日志). */
export const ENTRY_KINDS = ['order', 'report', 'request', 'coordination', 'ack', 'feedback'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** Information reports go initial (首报) → update (续报) → final (终报). */
export const REPORT_STAGES = ['initial', 'update', 'final'] as const;
export type ReportStage = (typeof REPORT_STAGES)[number];

/** Kinds that expect an acknowledgement (签收) from each recipient. */
export const ACKNOWLEDGEABLE: readonly EntryKind[] = ['order', 'report', 'request', 'coordination'];

export interface Recipients {
	agencies: string[];
	/** Addressed up the chain to the commander (reports are, always). */
	commander: boolean;
}

export interface EntryRefs {
	/** Earlier entries by sequence number (the acknowledged order, the report being updated…). */
	entries: number[];
	inject?: string | null;
	feature?: string | null;
}

export interface EntryBody {
	text: string;
	stage?: ReportStage;
	report?: ReportFields;
	/** Feedback: the ordered work is complete. */
	completed?: boolean;
	/** This entry corrects an earlier one of the same sender; the log itself is never edited. */
	corrects?: number | null;
}

/** What a client submits. */
export interface EntryDraft {
	kind: EntryKind;
	/** For people who play for several agencies: which one this entry speaks for. */
	asAgency?: string | null;
	to: Recipients;
	refs: EntryRefs;
	body: EntryBody;
}

export interface EntrySender {
	userId: string;
	name: string;
	role: ExerciseRole;
	/** Null for the commander's headquarters. */
	agency: string | null;
}

/** The content covered by the hash; everything but `hash` itself. */
export interface EntryContent {
	exerciseId: string;
	seq: number;
	kind: EntryKind;
	at: string;
	scenarioMs: number | null;
	from: EntrySender;
	to: Recipients;
	refs: EntryRefs;
	body: EntryBody;
	/** Report elements missing at submission (reports only). */
	missing?: ReportElement[];
	prevHash: string;
}

export interface LogEntry extends EntryContent {
	hash: string;
}
