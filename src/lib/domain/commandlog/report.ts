/**
 * Incident information report (突发事件信息报告) elements. The required set follows the national
 * reporting rules summarised in docs/doctrine: time, place, nature and cause, scale, casualties
 * (dead, injured, missing, trapped), hazardous substances, trend, measures, requests, reporting unit
 * and person. A report missing elements is accepted and marked incomplete.
 */
export const REPORT_ELEMENTS = [
	'time',
	'place',
	'nature',
	'scale',
	'casualties',
	'hazmat',
	'trend',
	'measures',
	'requests',
	'reportingUnit',
	'reportingPerson'
] as const;
export type ReportElement = (typeof REPORT_ELEMENTS)[number];

export interface Casualties {
	dead?: number | null;
	injured?: number | null;
	missing?: number | null;
	trapped?: number | null;
}

export interface ReportFields {
	time?: string;
	place?: string;
	nature?: string;
	scale?: string;
	casualties?: Casualties;
	/** Substances involved, or the explicit statement that none are (e.g. "无" / "none"). */
	hazmat?: string;
	trend?: string;
	measures?: string;
	requests?: string;
	reportingUnit?: string;
	reportingPerson?: string;
}

const filled = (s: unknown) => typeof s === 'string' && s.trim().length > 0;

/** Casualties count as reported only when all four figures are given (zero is a figure). */
function casualtiesComplete(c: Casualties | undefined): boolean {
	return !!c && (['dead', 'injured', 'missing', 'trapped'] as const).every((k) => typeof c[k] === 'number' && (c[k] as number) >= 0);
}

export function missingReportElements(r: ReportFields): ReportElement[] {
	return REPORT_ELEMENTS.filter((e) => (e === 'casualties' ? !casualtiesComplete(r.casualties) : !filled(r[e])));
}

/** Share of required elements present, 0..1. */
export function reportCompleteness(r: ReportFields): number {
	return 1 - missingReportElements(r).length / REPORT_ELEMENTS.length;
}

/** Default report time limits (national rule for serious events); an exercise may set stricter ones. */
export const DEFAULT_REPORT_LIMITS = { phoneMinutes: 30, writtenMinutes: 60 } as const;
