import type { Bilingual, ReviewFacts } from './facts';
import { deriveFindings, type Finding } from './findings';
import { agencyMetrics, injectAgencyMetrics, liaisonMetrics, monitoringMetrics, type AgencyMetrics, type InjectAgencyMetric, type LiaisonMetric } from './metrics';
import { proposeRectifications, type RectificationItem } from './rectification';

export interface TimelineEvent {
	id: string;
	scenarioMs: number;
	kind: 'inject' | 'ack' | 'log' | 'task' | 'view' | 'observation';
	agency: string | null;
	label: Bilingual;
}

export interface Review {
	overview: {
		title: string;
		scenario: { id: string; title: Bilingual; hazard: string } | null;
		endedAt: string | null;
		objectives: { id: string; title: Bilingual; capability: string }[];
		participants: { agency: string | null; role: string; count: number }[];
	};
	timeline: TimelineEvent[];
	agencies: AgencyMetrics[];
	injects: InjectAgencyMetric[];
	liaison: LiaisonMetric[];
	ratings: { objectiveId: string; targetId: string; agency: string | null; rating: string }[];
	ratingDistribution: Record<'P' | 'S' | 'M' | 'U', number>;
	strengths: { id: string; text: string; agency: string | null }[];
	improvements: { id: string; text: string; agency: string | null }[];
	findings: Finding[];
	rectifications: RectificationItem[];
}

const KIND_ZH: Record<string, string> = { order: '指令', report: '报告', request: '请求', coordination: '协调', ack: '签收', feedback: '反馈' };

export function buildTimeline(f: ReviewFacts): TimelineEvent[] {
	const ev: TimelineEvent[] = [];
	for (const d of f.deliveries) ev.push({ id: `inject:${d.injectId}`, scenarioMs: d.scenarioMs, kind: 'inject', agency: null, label: { zh: `注入 ${d.injectId}：${d.message.zh}`, en: `Inject ${d.injectId}: ${d.message.en}` } });
	for (const a of f.acks) ev.push({ id: `ack:${a.injectId}|${a.agency}`, scenarioMs: a.scenarioMs, kind: 'ack', agency: a.agency, label: { zh: `签收 ${a.injectId}`, en: `Acknowledged ${a.injectId}` } });
	for (const e of f.log) {
		if (e.scenarioMs == null) continue;
		ev.push({ id: `log:${e.seq}`, scenarioMs: e.scenarioMs, kind: 'log', agency: e.from.agency, label: { zh: `${KIND_ZH[e.kind]} #${e.seq}：${e.body.text}`, en: `${e.kind} #${e.seq}: ${e.body.text}` } });
	}
	for (const t of f.tasks) {
		ev.push({ id: `task:${t.id}`, scenarioMs: t.createdMs, kind: 'task', agency: t.agency, label: { zh: `新任务「${t.title.zh}」`, en: `New task "${t.title.en}"` } });
		for (const x of t.transitions) ev.push({ id: `task:${t.id}:${x.status}:${x.scenarioMs}`, scenarioMs: x.scenarioMs, kind: 'task', agency: t.agency, label: { zh: `任务「${t.title.zh}」→ ${x.status}`, en: `Task "${t.title.en}" → ${x.status}` } });
	}
	f.monitoringViews.forEach((v, i) => ev.push({ id: `view:${i}`, scenarioMs: v.scenarioMs, kind: 'view', agency: v.agency, label: { zh: `调看监测点 ${v.pointId}`, en: `Opened monitoring point ${v.pointId}` } }));
	for (const o of f.observations) ev.push({ id: `obs:${o.id}`, scenarioMs: o.scenarioMs, kind: 'observation', agency: o.agency, label: { zh: o.text, en: o.text } });
	return ev.sort((a, b) => a.scenarioMs - b.scenarioMs || a.id.localeCompare(b.id));
}

/** The after-action review: a pure function of the exercise's facts. */
export function generateReview(f: ReviewFacts, exerciseDate: string): Review {
	const agencyCodes = f.scenario?.agencies ?? [...new Set(f.participants.map((p) => p.agency).filter((a): a is string => !!a))];
	const perInject = injectAgencyMetrics(f);
	const liaison = liaisonMetrics(f);
	const monitoring = monitoringMetrics(f);
	const agencies = agencyMetrics(f, agencyCodes, { perInject, liaison, monitoring });
	const findings = deriveFindings({ facts: f, perInject, liaison, agencies, monitoring });
	const counts = new Map<string, number>();
	for (const p of f.participants) counts.set(`${p.agency ?? ''}|${p.role}`, (counts.get(`${p.agency ?? ''}|${p.role}`) ?? 0) + 1);
	const distribution = { P: 0, S: 0, M: 0, U: 0 };
	for (const r of f.ratings) distribution[r.rating]++;
	return {
		overview: {
			title: f.exercise.title,
			scenario: f.scenario ? { id: f.scenario.id, title: f.scenario.meta.title, hazard: f.scenario.meta.hazard } : null,
			endedAt: f.exercise.endedAt,
			objectives: (f.scenario?.meta.objectives ?? []).map((o) => ({ id: o.id, title: o.title, capability: o.capability })),
			participants: [...counts].map(([k, count]) => {
				const [agency, role] = k.split('|');
				return { agency: agency || null, role, count };
			})
		},
		timeline: buildTimeline(f),
		agencies,
		injects: perInject,
		liaison,
		ratings: f.ratings,
		ratingDistribution: distribution,
		strengths: f.observations.filter((o) => o.kind === 'strength').map((o) => ({ id: o.id, text: o.text, agency: o.agency })),
		improvements: f.observations.filter((o) => o.kind === 'improvement').map((o) => ({ id: o.id, text: o.text, agency: o.agency })),
		findings,
		rectifications: proposeRectifications(findings, exerciseDate)
	};
}
