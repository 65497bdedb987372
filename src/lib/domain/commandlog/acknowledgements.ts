import { ACKNOWLEDGEABLE, type LogEntry } from './entry';

/** One recipient (an agency, or null for the commander) that has not yet acknowledged an entry. */
export interface PendingAck {
	seq: number;
	kind: LogEntry['kind'];
	party: string | null;
	sentAt: string;
	fromAgency: string | null;
}

function parties(e: LogEntry): (string | null)[] {
	return [...e.to.agencies, ...(e.to.commander ? [null] : [])].filter((p) => p !== e.from.agency);
}

/** Every (entry, recipient) pair still waiting for an acknowledgement, oldest first. */
export function pendingAcknowledgements(entries: readonly LogEntry[]): PendingAck[] {
	const acked = new Set<string>();
	for (const e of entries) if (e.kind === 'ack') acked.add(`${e.refs.entries[0]}|${e.from.agency}`);
	const pending: PendingAck[] = [];
	for (const e of entries) {
		if (!ACKNOWLEDGEABLE.includes(e.kind)) continue;
		for (const party of parties(e)) {
			if (!acked.has(`${e.seq}|${party}`)) pending.push({ seq: e.seq, kind: e.kind, party, sentAt: e.at, fromAgency: e.from.agency });
		}
	}
	return pending;
}

/** Pending acknowledgements older than the limit at `nowMs` (wall time): flagged to sender and commander. */
export function overdueAcknowledgements(entries: readonly LogEntry[], nowMs: number, limitMinutes: number): PendingAck[] {
	return pendingAcknowledgements(entries).filter((p) => nowMs - Date.parse(p.sentAt) > limitMinutes * 60_000);
}
