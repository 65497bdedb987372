import { ACKNOWLEDGEABLE, type LogEntry } from '../commandlog/entry';
import { REPORT_ELEMENTS } from '../commandlog/report';
import type { ReviewFacts } from './facts';
import { kaplanMeierMedian, median } from './stats';

/** Per inject and target agency: how long until it was acknowledged and first acted on. */
export interface InjectAgencyMetric {
	injectId: string;
	agency: string;
	deliveredMs: number;
	ackMs: number | null;
	firstActionMs: number | null;
}

/** Order/request/coordination → acknowledgement, per recipient. */
export interface LiaisonMetric {
	seq: number;
	kind: LogEntry['kind'];
	from: string | null;
	to: string | null;
	sentMs: number;
	ackMs: number | null;
}

export interface ReportMetric {
	agency: string;
	/** When the agency first received an inject: the clock for its report limits. */
	receivedMs: number | null;
	firstReportMs: number | null;
	firstCompleteReportMs: number | null;
	phoneOnTime: boolean | null;
	writtenOnTime: boolean | null;
	/** Mean share of required elements present over the agency's reports. */
	completeness: number | null;
	reports: number;
}

export interface MonitoringMetric {
	injectId: string;
	pointId: string;
	agency: string;
	deliveredMs: number;
	viewedMs: number | null;
}

export interface AgencyMetrics {
	agency: string;
	injectsReceived: number;
	acknowledged: number;
	ackMedianMs: number | null;
	ackMaxMs: number | null;
	firstActionMedianMs: number | null;
	tasks: { total: number; done: number; rate: number | null; medianCompletionMs: number | null };
	report: ReportMetric;
	liaisonMedianMs: number | null;
	unacknowledged: number;
	monitoringMedianMs: number | null;
}

const at = (e: LogEntry) => e.scenarioMs;

/** Groups items by a key, keeping their order (indexes instead of a scan per lookup: logs run to thousands of entries). */
function groupBy<T>(items: readonly T[], key: (x: T) => string | null): Map<string, T[]> {
	const m = new Map<string, T[]>();
	for (const x of items) {
		const k = key(x);
		if (k === null) continue;
		const list = m.get(k);
		if (list) list.push(x);
		else m.set(k, [x]);
	}
	return m;
}

export function injectAgencyMetrics(f: ReviewFacts): InjectAgencyMetric[] {
	const out: InjectAgencyMetric[] = [];
	const logByAgencyInject = groupBy(f.log, (e) => (e.refs.inject ? `${e.from.agency}|${e.refs.inject}` : null));
	for (const d of f.deliveries) {
		for (const agency of d.targets) {
			const ack = f.acks.find((a) => a.injectId === d.injectId && a.agency === agency);
			const actions = [
				...(logByAgencyInject.get(`${agency}|${d.injectId}`) ?? []).filter((e) => at(e) != null).map((e) => at(e) as number),
				...f.tasks
					.filter((t) => t.agency === agency && t.injectId === d.injectId)
					.flatMap((t) => t.transitions.filter((x) => x.userId !== null).map((x) => x.scenarioMs))
			].filter((ms) => ms >= d.scenarioMs);
			out.push({
				injectId: d.injectId,
				agency,
				deliveredMs: d.scenarioMs,
				ackMs: ack ? Math.max(0, ack.scenarioMs - d.scenarioMs) : null,
				firstActionMs: actions.length ? Math.min(...actions) - d.scenarioMs : null
			});
		}
	}
	return out;
}

export function liaisonMetrics(f: ReviewFacts): LiaisonMetric[] {
	const out: LiaisonMetric[] = [];
	// The first acknowledgement (in log order) of each entry by each party.
	const firstAck = new Map<string, LogEntry>();
	for (const a of f.log) {
		if (a.kind !== 'ack' || at(a) == null) continue;
		const key = `${a.refs.entries[0]}|${a.from.agency}`;
		if (!firstAck.has(key)) firstAck.set(key, a);
	}
	for (const e of f.log) {
		if (!ACKNOWLEDGEABLE.includes(e.kind) || at(e) == null) continue;
		const parties = [...e.to.agencies, ...(e.to.commander ? [null] : [])].filter((p) => p !== e.from.agency);
		for (const party of parties) {
			const ack = firstAck.get(`${e.seq}|${party}`);
			out.push({ seq: e.seq, kind: e.kind, from: e.from.agency, to: party, sentMs: at(e) as number, ackMs: ack ? (at(ack) as number) - (at(e) as number) : null });
		}
	}
	return out;
}

export function reportMetrics(f: ReviewFacts, agency: string): ReportMetric {
	const limits = f.scenario?.reporting ?? { phoneMinutes: 30, writtenMinutes: 60 };
	const received = f.deliveries.filter((d) => d.targets.includes(agency)).map((d) => d.scenarioMs);
	const receivedMs = received.length ? Math.min(...received) : null;
	const reports = f.log.filter((e) => e.kind === 'report' && e.from.agency === agency && at(e) != null);
	const firstReportMs = reports.length ? (at(reports[0]) as number) : null;
	const complete = reports.find((r) => (r.missing ?? []).length === 0);
	const firstCompleteReportMs = complete ? (at(complete) as number) : null;
	const within = (ms: number | null, limitMin: number) => (receivedMs == null ? null : ms != null && ms - receivedMs <= limitMin * 60_000);
	const shares = reports.map((r) => 1 - (r.missing ?? []).length / REPORT_ELEMENTS.length);
	return {
		agency,
		receivedMs,
		firstReportMs,
		firstCompleteReportMs,
		// The first report answers the phone limit (快报); the first complete one the written limit.
		phoneOnTime: within(firstReportMs, limits.phoneMinutes),
		writtenOnTime: within(firstCompleteReportMs, limits.writtenMinutes),
		completeness: shares.length ? shares.reduce((a, b) => a + b, 0) / shares.length : null,
		reports: reports.length
	};
}

export function monitoringMetrics(f: ReviewFacts): MonitoringMetric[] {
	const out: MonitoringMetric[] = [];
	const all = [...(f.scenario?.injects ?? []), ...(f.scenario?.randomPool ?? [])];
	for (const d of f.deliveries) {
		const inject = all.find((i) => i.id === d.injectId);
		for (const effect of inject?.monitoringEffects ?? []) {
			for (const agency of d.targets) {
				const views = f.monitoringViews.filter((v) => v.pointId === effect.point && v.agency === agency && v.scenarioMs >= d.scenarioMs);
				out.push({
					injectId: d.injectId,
					pointId: effect.point,
					agency,
					deliveredMs: d.scenarioMs,
					viewedMs: views.length ? Math.min(...views.map((v) => v.scenarioMs)) - d.scenarioMs : null
				});
			}
		}
	}
	return out;
}

export function taskSurvival(f: ReviewFacts, agency: string) {
	return f.tasks
		.filter((t) => t.agency === agency)
		.map((t) => {
			const done = t.transitions.find((x) => x.status === 'done');
			return done ? { durationMs: done.scenarioMs - t.createdMs, event: true } : { durationMs: Math.max(0, f.endScenarioMs - t.createdMs), event: false };
		});
}

export function agencyMetrics(
	f: ReviewFacts,
	agencies: readonly string[],
	/** Already computed per-inject, liaison and monitoring metrics (the review has them; saves a recount). */
	pre?: { perInject: InjectAgencyMetric[]; liaison: LiaisonMetric[]; monitoring: MonitoringMetric[] }
): AgencyMetrics[] {
	const perInject = pre?.perInject ?? injectAgencyMetrics(f);
	const liaison = pre?.liaison ?? liaisonMetrics(f);
	const monitoring = pre?.monitoring ?? monitoringMetrics(f);
	return agencies.map((agency) => {
		const mine = perInject.filter((m) => m.agency === agency);
		const acks = mine.map((m) => m.ackMs).filter((x): x is number => x != null);
		const survival = taskSurvival(f, agency);
		const done = survival.filter((s) => s.event).length;
		const received = liaison.filter((l) => l.to === agency);
		return {
			agency,
			injectsReceived: mine.length,
			acknowledged: acks.length,
			ackMedianMs: median(acks),
			ackMaxMs: acks.length ? Math.max(...acks) : null,
			firstActionMedianMs: median(mine.map((m) => m.firstActionMs).filter((x): x is number => x != null)),
			tasks: { total: survival.length, done, rate: survival.length ? done / survival.length : null, medianCompletionMs: kaplanMeierMedian(survival) },
			report: reportMetrics(f, agency),
			liaisonMedianMs: median(received.map((l) => l.ackMs).filter((x): x is number => x != null)),
			unacknowledged: received.filter((l) => l.ackMs == null).length,
			monitoringMedianMs: median(monitoring.filter((m) => m.agency === agency && m.viewedMs != null).map((m) => m.viewedMs as number))
		};
	});
}
