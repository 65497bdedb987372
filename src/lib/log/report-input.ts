/** The information report form's values (strings as typed) ⇄ the report elements the API takes. */
import { missingReportElements, type Casualties, type ReportElement, type ReportFields } from '../domain/commandlog/report';

export const TEXT_ELEMENTS = ['time', 'place', 'nature', 'scale', 'hazmat', 'trend', 'measures', 'requests', 'reportingUnit', 'reportingPerson'] as const;
export type TextElement = (typeof TEXT_ELEMENTS)[number];
export const CASUALTY_KINDS = ['dead', 'injured', 'missing', 'trapped'] as const;
export type CasualtyKind = (typeof CASUALTY_KINDS)[number];

export type ReportInput = Record<TextElement, string> & { casualties: Record<CasualtyKind, string> };

export function emptyReport(prefill: Partial<Record<TextElement, string>> = {}): ReportInput {
	const r = Object.fromEntries(TEXT_ELEMENTS.map((k) => [k, prefill[k] ?? ''])) as Record<TextElement, string>;
	return { ...r, casualties: { dead: '', injured: '', missing: '', trapped: '' } };
}

/** A typed count: a whole number ≥ 0, or null when empty or not a count. */
export function parseCount(s: string): number | null {
	const t = s.trim();
	if (!/^\d{1,7}$/.test(t)) return null;
	return Number(t);
}

/** Only what was filled in; empty elements are left out (the server lists them as missing). */
export function toReportFields(r: ReportInput): ReportFields {
	const out: ReportFields = {};
	for (const k of TEXT_ELEMENTS) if (r[k].trim()) out[k] = r[k].trim();
	const c: Casualties = {};
	for (const k of CASUALTY_KINDS) {
		const n = parseCount(r.casualties[k]);
		if (n !== null) c[k] = n;
	}
	if (Object.keys(c).length) out.casualties = c;
	return out;
}

export const missingOf = (r: ReportInput): ReportElement[] => missingReportElements(toReportFields(r));

/** Counts typed that are not whole numbers ≥ 0 (shown as field errors before sending). */
export function badCounts(r: ReportInput): CasualtyKind[] {
	return CASUALTY_KINDS.filter((k) => r.casualties[k].trim() !== '' && parseCount(r.casualties[k]) === null);
}

/** An earlier report's elements as form values (for an update or final report, 续报/终报). */
export function fromReportFields(f: ReportFields | undefined): ReportInput {
	const r = emptyReport(Object.fromEntries(TEXT_ELEMENTS.map((k) => [k, f?.[k] ?? ''])));
	for (const k of CASUALTY_KINDS) {
		const v = f?.casualties?.[k];
		r.casualties[k] = typeof v === 'number' ? String(v) : '';
	}
	return r;
}
