import type { ReportElement } from '../commandlog/report';
import type { Bilingual, ReviewFacts } from './facts';
import type { AgencyMetrics, InjectAgencyMetric, LiaisonMetric, MonitoringMetric } from './metrics';
import { minutes } from './stats';

/** Capability elements of an improvement plan (HSEEP IP columns). */
export type CapabilityElement = 'planning' | 'organisation' | 'equipment' | 'training' | 'exercise';

export type FindingKind =
	| 'late_ack'
	| 'no_ack'
	| 'late_report'
	| 'no_report'
	| 'incomplete_report'
	| 'unanswered_order'
	| 'late_order_ack'
	| 'unfinished_tasks'
	| 'monitoring_not_viewed'
	| 'low_rating';

/** A fact-derived finding, with the timeline events that prove it. */
export interface Finding {
	id: string;
	kind: FindingKind;
	agency: string | null;
	message: Bilingual;
	evidence: string[];
	capability: string | null;
	element: CapabilityElement;
}

const ELEMENT_ZH: Record<ReportElement, string> = {
	time: '时间',
	place: '地点',
	nature: '性质和原因',
	scale: '规模和范围',
	casualties: '伤亡（死亡、受伤、失踪、被困）',
	hazmat: '涉及的危险化学品',
	trend: '发展趋势',
	measures: '已采取的措施',
	requests: '请求事项',
	reportingUnit: '报告单位',
	reportingPerson: '报告人'
};
const ELEMENT_EN: Record<ReportElement, string> = {
	time: 'time',
	place: 'place',
	nature: 'nature and cause',
	scale: 'scale and scope',
	casualties: 'casualties (dead, injured, missing, trapped)',
	hazmat: 'hazardous substances',
	trend: 'trend',
	measures: 'measures taken',
	requests: 'requests',
	reportingUnit: 'reporting unit',
	reportingPerson: 'reporting person'
};

export interface FindingInputs {
	facts: ReviewFacts;
	perInject: InjectAgencyMetric[];
	liaison: LiaisonMetric[];
	agencies: AgencyMetrics[];
	monitoring: MonitoringMetric[];
}

function capabilityOf(f: ReviewFacts, injectId: string): string | null {
	const i = [...(f.scenario?.injects ?? []), ...(f.scenario?.randomPool ?? [])].find((x) => x.id === injectId);
	if (!i) return null;
	return i.capability ?? f.scenario?.meta.objectives.find((o) => o.id === i.objective)?.capability ?? null;
}

/** Derives findings from the metrics against the scenario's limits; each names its evidence. */
export function deriveFindings({ facts, perInject, liaison, agencies, monitoring }: FindingInputs): Finding[] {
	const out: Finding[] = [];
	const names = new Map(facts.agencies.map((a) => [a.code, a.name]));
	const zhName = (code: string | null) => (code === null ? '总指挥部' : (names.get(code)?.zh ?? code));
	const enName = (code: string | null) => (code === null ? 'the commander' : (names.get(code)?.en ?? code));
	const limits = facts.scenario?.reporting ?? { phoneMinutes: 30, writtenMinutes: 60, ackMinutes: 5 };
	const add = (f: Omit<Finding, 'id'>) => out.push({ id: `F${out.length + 1}`, ...f });

	for (const m of perInject) {
		const evidence = [`inject:${m.injectId}`];
		if (m.ackMs == null) {
			add({
				kind: 'no_ack',
				agency: m.agency,
				message: { zh: `${zhName(m.agency)}未签收注入 ${m.injectId}`, en: `${enName(m.agency)} never acknowledged inject ${m.injectId}` },
				evidence,
				capability: capabilityOf(facts, m.injectId),
				element: 'training'
			});
		} else if (m.ackMs > limits.ackMinutes * 60_000) {
			add({
				kind: 'late_ack',
				agency: m.agency,
				message: {
					zh: `${zhName(m.agency)}于 ${minutes(m.ackMs)} 分钟后签收注入 ${m.injectId}，时限 ${limits.ackMinutes} 分钟`,
					en: `${enName(m.agency)} acknowledged inject ${m.injectId} after ${minutes(m.ackMs)} min, limit ${limits.ackMinutes}`
				},
				evidence: [...evidence, `ack:${m.injectId}|${m.agency}`],
				capability: capabilityOf(facts, m.injectId),
				element: 'training'
			});
		}
	}

	for (const a of agencies) {
		const r = a.report;
		if (r.receivedMs != null && r.firstReportMs == null) {
			add({ kind: 'no_report', agency: a.agency, message: { zh: `${zhName(a.agency)}未报送信息`, en: `${enName(a.agency)} sent no information report` }, evidence: [], capability: 'Operational communications', element: 'organisation' });
		} else if (r.receivedMs != null && r.firstReportMs != null && r.phoneOnTime === false) {
			add({
				kind: 'late_report',
				agency: a.agency,
				message: {
					zh: `${zhName(a.agency)}首报用时 ${minutes(r.firstReportMs - r.receivedMs)} 分钟，超过电话报告时限 ${limits.phoneMinutes} 分钟`,
					en: `${enName(a.agency)}: the first report took ${minutes(r.firstReportMs - r.receivedMs)} min, over the ${limits.phoneMinutes}-min phone limit`
				},
				evidence: facts.log.filter((e) => e.kind === 'report' && e.from.agency === a.agency).slice(0, 1).map((e) => `log:${e.seq}`),
				capability: 'Operational communications',
				element: 'organisation'
			});
		}
		if (a.tasks.total && a.tasks.done < a.tasks.total) {
			add({
				kind: 'unfinished_tasks',
				agency: a.agency,
				message: { zh: `${zhName(a.agency)}有 ${a.tasks.total - a.tasks.done} 项任务未完成（共 ${a.tasks.total} 项）`, en: `${enName(a.agency)} left ${a.tasks.total - a.tasks.done} of ${a.tasks.total} tasks unfinished` },
				evidence: facts.tasks.filter((t) => t.agency === a.agency && !t.transitions.some((x) => x.status === 'done')).map((t) => `task:${t.id}`),
				capability: null,
				element: 'organisation'
			});
		}
	}

	for (const e of facts.log) {
		if (e.kind !== 'report' || !e.missing?.length || e.body.stage === 'final') continue;
		const zh = e.missing.map((m) => ELEMENT_ZH[m]).join('、');
		const en = e.missing.map((m) => ELEMENT_EN[m]).join(', ');
		const stageZh = e.body.stage === 'update' ? '续报' : '首报';
		add({
			kind: 'incomplete_report',
			agency: e.from.agency,
			message: { zh: `${zhName(e.from.agency)}的${stageZh}缺少：${zh}`, en: `The ${e.body.stage ?? 'initial'} report of ${enName(e.from.agency)} omitted ${en}` },
			evidence: [`log:${e.seq}`],
			capability: 'Operational communications',
			element: e.missing.includes('hazmat') ? 'training' : 'planning'
		});
	}

	for (const l of liaison) {
		if (l.kind !== 'order') continue;
		if (l.ackMs == null) {
			add({ kind: 'unanswered_order', agency: l.to, message: { zh: `指令 #${l.seq} 未获${zhName(l.to)}签收`, en: `Order #${l.seq} was never acknowledged by ${enName(l.to)}` }, evidence: [`log:${l.seq}`], capability: 'Operational coordination', element: 'organisation' });
		} else if (l.ackMs > limits.ackMinutes * 60_000) {
			add({
				kind: 'late_order_ack',
				agency: l.to,
				message: { zh: `${zhName(l.to)}于 ${minutes(l.ackMs)} 分钟后签收指令 #${l.seq}，时限 ${limits.ackMinutes} 分钟`, en: `${enName(l.to)} acknowledged order #${l.seq} after ${minutes(l.ackMs)} min, limit ${limits.ackMinutes}` },
				evidence: [`log:${l.seq}`],
				capability: 'Operational coordination',
				element: 'organisation'
			});
		}
	}

	for (const m of monitoring) {
		if (m.viewedMs != null) continue;
		add({
			kind: 'monitoring_not_viewed',
			agency: m.agency,
			message: { zh: `${zhName(m.agency)}在注入 ${m.injectId} 后未调看监测点 ${m.pointId}`, en: `${enName(m.agency)} never opened monitoring point ${m.pointId} after inject ${m.injectId}` },
			evidence: [`inject:${m.injectId}`],
			capability: 'Situational assessment',
			element: 'training'
		});
	}

	for (const r of facts.ratings) {
		if (r.rating !== 'M' && r.rating !== 'U') continue;
		const objective = facts.scenario?.meta.objectives.find((o) => o.id === r.objectiveId);
		add({
			kind: 'low_rating',
			agency: r.agency,
			message: { zh: `目标 ${r.targetId} 评定为 ${r.rating}`, en: `Target ${r.targetId} was rated ${r.rating}` },
			evidence: [],
			capability: objective?.capability ?? null,
			element: 'planning'
		});
	}
	return out;
}
