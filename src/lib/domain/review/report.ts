/**
 * The evaluation report as a document model: title, numbered sections (Chinese 总结报告 order:
 * 一、演练概况 … 四、存在的问题及原因 五、经验与做法 六、改进建议, annex: 整改清单), paragraphs, lists
 * and tables, in one language. Pure: the DOCX export, the printable page and tests all read it.
 * Every string here is plain text; renderers escape it (DOCX XML, Svelte text), so user text stays inert.
 */
import { formatScenarioTime } from '../clock';
import type { Translate } from '../../i18n/index';
import type { Bilingual } from './facts';
import type { Review } from './generate';
import type { RectificationStatus } from './rectification';
import { minutes } from './stats';

export type ReportLocale = 'zh-CN' | 'en';

export type ReportBlock =
	| { kind: 'p'; text: string }
	| { kind: 'sub'; text: string }
	| { kind: 'list'; items: string[] }
	| { kind: 'table'; head: string[]; rows: string[][]; widths: number[] };

export interface ReportSection {
	id: string;
	heading: string;
	blocks: ReportBlock[];
	/** The annex (rectification list) is printed landscape. */
	landscape?: boolean;
}

export interface ReportDoc {
	locale: ReportLocale;
	title: string;
	subtitle: string;
	meta: string[];
	sections: ReportSection[];
}

export interface ReportRectification {
	id: string;
	findingId: string | null;
	problem: Bilingual;
	cause: Bilingual;
	action: Bilingual;
	capability: string | null;
	element: string;
	agency: string | null;
	owner: string | null;
	dueDate: string;
	status: RectificationStatus;
	decision: 'accepted' | 'rejected' | 'proposed';
	/** Title of the later exercise that verified the item, if any. */
	verifiedBy: string | null;
}

export interface ReportInput {
	review: Review;
	/** The reviewers' overall assessment (free text). */
	summary: string;
	/** Saved version, or null for an unsaved draft. */
	version: number | null;
	savedAt: string | null;
	/** ISO date of the export. */
	generatedOn: string;
	agencies: { code: string; nameZh: string; nameEn: string }[];
	objectives: { id: string; title: Bilingual; capability: string; targets: { id: string; text: Bilingual }[] }[];
	scenarioDescription: Bilingual | null;
	selfAssessments: { agencyCode: string; objectiveId: string; text: string }[];
	rectifications: ReportRectification[];
}

const ELEMENTS = ['planning', 'organisation', 'equipment', 'training', 'exercise'] as const;
const CN_NUMS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** 一、 / 1.  and （一） / (a) numbering. */
export function sectionNumber(i: number, locale: ReportLocale): string {
	return locale === 'en' ? `${i + 1}. ` : `${CN_NUMS[i] ?? i + 1}、`;
}
export function subNumber(i: number, locale: ReportLocale): string {
	return locale === 'en' ? `(${String.fromCharCode(97 + i)}) ` : `（${CN_NUMS[i] ?? i + 1}）`;
}

/** Builds the report in one language. `t` is the translator of that language. */
export function buildReport(input: ReportInput, locale: ReportLocale, t: Translate): ReportDoc {
	const r = input.review;
	const en = locale === 'en';
	const text = (b: Bilingual | null | undefined) => (b ? (en ? b.en : b.zh) : '');
	const agencyName = (code: string | null) => {
		if (code === null) return t('report.commandHq');
		const a = input.agencies.find((x) => x.code === code);
		return a ? (en ? a.nameEn : a.nameZh) : code;
	};
	const mins = (ms: number | null | undefined) => (ms == null ? '—' : t('report.minutes', { n: minutes(ms) }));
	const pct = (x: number | null | undefined) => (x == null ? '—' : `${Math.round(x * 100)}%`);
	const yesNo = (b: boolean | null | undefined) => (b == null ? '—' : b ? t('report.yes') : t('report.no'));
	const dash = (s: string | null | undefined) => (s && s.trim() ? s : '—');
	const labelled = (i: { agency: string | null; text: string }) => (i.agency ? `${agencyName(i.agency)}${en ? ': ' : '：'}${i.text}` : i.text);
	const sections: ReportSection[] = [];
	const section = (id: string, heading: string, blocks: ReportBlock[], landscape = false) =>
		sections.push({ id, heading: `${sectionNumber(sections.length, locale)}${heading}`, blocks, ...(landscape ? { landscape } : {}) });
	const subs = (list: [string, ReportBlock[]][]): ReportBlock[] => list.flatMap(([h, b], i) => [{ kind: 'sub' as const, text: `${subNumber(i, locale)}${h}` }, ...b]);

	// 一、演练概况
	const scenarioTitle = r.overview.scenario ? text(r.overview.scenario.title) : t('report.noScenario');
	const objectives = input.objectives.length
		? input.objectives
		: r.overview.objectives.map((o) => ({ ...o, targets: [] as { id: string; text: Bilingual }[] }));
	const participants = [...r.overview.participants].sort((a, b) => (a.agency ?? '').localeCompare(b.agency ?? '') || a.role.localeCompare(b.role));
	section('overview', t('report.s.overview'), [
		...subs([
			[
				t('report.sub.purpose'),
				objectives.length
					? [{ kind: 'list', items: objectives.map((o) => (en ? `${o.id} ${text(o.title)} (${o.capability})` : `${o.id} ${text(o.title)}（${o.capability}）`)) }]
					: [{ kind: 'p', text: t('report.none') }]
			],
			[
				t('report.sub.timeScenario'),
				[
					{
						kind: 'p',
						text: t('report.overviewText', {
							title: r.overview.title,
							scenario: scenarioTitle,
							hazard: r.overview.scenario ? t(`review.hazard.${r.overview.scenario.hazard}`) : '—',
							ended: r.overview.endedAt ? r.overview.endedAt.slice(0, 16).replace('T', ' ') : '—',
							injects: r.timeline.filter((e) => e.kind === 'inject').length
						})
					},
					...(input.scenarioDescription ? [{ kind: 'p' as const, text: text(input.scenarioDescription) }] : [])
				]
			],
			[
				t('report.sub.participants'),
				[
					{
						kind: 'table',
						head: [t('report.col.agency'), t('report.col.role'), t('report.col.count')],
						rows: participants.map((p) => [p.agency ? agencyName(p.agency) : '—', t(`role.${p.role}`), String(p.count)]),
						widths: [45, 35, 20]
					}
				]
			]
		])
	]);

	// 二、演练实施情况
	const orders = r.liaison.filter((l) => l.kind === 'order');
	const unanswered = orders.filter((l) => l.ackMs == null);
	section('conduct', t('report.s.conduct'), [
		...subs([
			[
				t('report.sub.agencyMetrics'),
				[
					{
						kind: 'table',
						head: [
							t('report.col.agency'),
							t('report.col.injects'),
							t('report.col.ackMedian'),
							t('report.col.firstAction'),
							t('report.col.tasks'),
							t('report.col.taskMedian'),
							t('report.col.phoneOnTime'),
							t('report.col.completeness'),
							t('report.col.liaison'),
							t('report.col.unacknowledged')
						],
						rows: r.agencies.map((a) => [
							agencyName(a.agency),
							`${a.acknowledged}/${a.injectsReceived}`,
							mins(a.ackMedianMs),
							mins(a.firstActionMedianMs),
							a.tasks.total ? `${a.tasks.done}/${a.tasks.total} (${pct(a.tasks.rate)})` : '—',
							mins(a.tasks.medianCompletionMs),
							yesNo(a.report.phoneOnTime),
							pct(a.report.completeness),
							mins(a.liaisonMedianMs),
							String(a.unacknowledged)
						]),
						widths: [14, 8, 10, 10, 12, 10, 9, 9, 10, 8]
					},
					{ kind: 'p', text: t('report.metricsNote') }
				]
			],
			[
				t('report.sub.injects'),
				r.injects.length
					? [
							{
								kind: 'table',
								head: [t('report.col.inject'), t('report.col.agency'), t('report.col.delivered'), t('report.col.ack'), t('report.col.firstAction')],
								rows: r.injects.map((m) => [m.injectId, agencyName(m.agency), formatScenarioTime(m.deliveredMs), mins(m.ackMs), mins(m.firstActionMs)]),
								widths: [16, 24, 20, 20, 20]
							}
						]
					: [{ kind: 'p', text: t('report.none') }]
			],
			[
				t('report.sub.liaison'),
				orders.length || r.liaison.length
					? [
							{
								kind: 'table',
								head: [t('report.col.seq'), t('report.col.kind'), t('report.col.from'), t('report.col.to'), t('report.col.sent'), t('report.col.ack')],
								rows: r.liaison.map((l) => [`#${l.seq}`, t(`review.entryKind.${l.kind}`), agencyName(l.from), agencyName(l.to), formatScenarioTime(l.sentMs), l.ackMs == null ? t('report.notAcknowledged') : mins(l.ackMs)]),
								widths: [10, 14, 20, 20, 16, 20]
							}
						]
					: [{ kind: 'p', text: t('report.none') }]
			],
			[
				t('report.sub.unacknowledged'),
				unanswered.length
					? [{ kind: 'list', items: unanswered.map((l) => t('report.unansweredItem', { seq: l.seq, to: agencyName(l.to), at: formatScenarioTime(l.sentMs) })) }]
					: [{ kind: 'p', text: t('report.none') }]
			]
		])
	]);

	// 三、能力评估
	const targetText = (objectiveId: string, targetId: string) => {
		const o = objectives.find((x) => x.id === objectiveId);
		return text(o?.targets.find((x) => x.id === targetId)?.text) || targetId;
	};
	const dist = r.ratingDistribution;
	const ratingRows = [...r.ratings]
		.sort((a, b) => a.objectiveId.localeCompare(b.objectiveId) || a.targetId.localeCompare(b.targetId) || (a.agency ?? '').localeCompare(b.agency ?? ''))
		.map((x) => {
			const o = objectives.find((y) => y.id === x.objectiveId);
			return [`${x.objectiveId} ${text(o?.title)}`.trim(), o?.capability ?? '—', `${x.targetId} ${targetText(x.objectiveId, x.targetId)}`, x.agency ? agencyName(x.agency) : t('report.overall'), `${x.rating} ${t(`review.rating.${x.rating}`)}`];
		});
	const selfRows = [...input.selfAssessments]
		.sort((a, b) => a.objectiveId.localeCompare(b.objectiveId) || a.agencyCode.localeCompare(b.agencyCode))
		.map((s) => [s.objectiveId, agencyName(s.agencyCode), s.text]);
	section('capabilities', t('report.s.capabilities'), [
		...subs([
			[
				t('report.sub.ratings'),
				ratingRows.length
					? [
							{
								kind: 'table',
								head: [t('report.col.objective'), t('report.col.capability'), t('report.col.target'), t('report.col.scope'), t('report.col.rating')],
								rows: ratingRows,
								widths: [22, 18, 30, 14, 16]
							}
						]
					: [{ kind: 'p', text: t('report.noRatings') }]
			],
			[t('report.sub.distribution'), [{ kind: 'p', text: t('report.distribution', { p: dist.P, s: dist.S, m: dist.M, u: dist.U }) }, { kind: 'p', text: t('report.ratingScale') }]],
			[
				t('report.sub.selfAssessments'),
				selfRows.length
					? [{ kind: 'table', head: [t('report.col.objective'), t('report.col.agency'), t('report.col.selfAssessment')], rows: selfRows, widths: [15, 20, 65] }]
					: [{ kind: 'p', text: t('report.none') }]
			]
		])
	]);

	// 四、存在的问题及原因
	const causeOf = (findingId: string) => input.rectifications.find((x) => x.findingId === findingId);
	section('problems', t('report.s.problems'), [
		...subs([
			[
				t('report.sub.findings'),
				r.findings.length
					? [
							{
								kind: 'list',
								items: r.findings.map((f) => {
									const rect = causeOf(f.id);
									const cause = rect ? text(rect.cause) : '';
									return cause ? t('report.findingWithCause', { finding: text(f.message), cause }) : text(f.message);
								})
							}
						]
					: [{ kind: 'p', text: t('report.noFindings') }]
			],
			[
				t('report.sub.observedImprovements'),
				r.improvements.length ? [{ kind: 'list', items: r.improvements.map(labelled) }] : [{ kind: 'p', text: t('report.none') }]
			]
		])
	]);

	// 五、经验与做法
	section('lessons', t('report.s.lessons'), [
		...subs([
			[
				t('report.sub.strengths'),
				r.strengths.length ? [{ kind: 'list', items: r.strengths.map(labelled) }] : [{ kind: 'p', text: t('report.none') }]
			],
			[t('report.sub.summary'), input.summary.trim() ? input.summary.trim().split(/\n{2,}|\r?\n/).map((p) => ({ kind: 'p' as const, text: p })) : [{ kind: 'p', text: t('report.noSummary') }]]
		])
	]);

	// 六、改进建议 — the corrective actions grouped by capability element.
	const kept = input.rectifications.filter((x) => x.decision !== 'rejected');
	const byElement = ELEMENTS.map((el) => [el, kept.filter((x) => x.element === el)] as const).filter(([, items]) => items.length);
	section(
		'suggestions',
		t('report.s.suggestions'),
		byElement.length
			? subs(byElement.map(([el, items]) => [t(`review.element.${el}`), [{ kind: 'list', items: [...new Set(items.map((x) => text(x.action)))] }]]))
			: [{ kind: 'p', text: t('report.none') }]
	);

	// 附件：整改清单
	sections.push({
		id: 'annex',
		heading: t('report.s.annex'),
		landscape: true,
		blocks: kept.length
			? [
					{
						kind: 'table',
						head: [
							t('report.col.no'),
							t('report.col.problem'),
							t('report.col.cause'),
							t('report.col.action'),
							t('report.col.element'),
							t('report.col.agency'),
							t('report.col.owner'),
							t('report.col.due'),
							t('report.col.status')
						],
						rows: kept.map((x, i) => [
							String(i + 1),
							text(x.problem),
							text(x.cause),
							text(x.action),
							t(`review.element.${x.element}`),
							x.agency ? agencyName(x.agency) : '—',
							dash(x.owner),
							x.dueDate,
							x.decision === 'accepted' ? t(`review.rect.status.${x.status}`) + (x.verifiedBy ? ` (${x.verifiedBy})` : '') : t('review.rect.decision.proposed')
						]),
						widths: [5, 19, 15, 19, 9, 10, 9, 8, 6]
					}
				]
			: [{ kind: 'p', text: t('report.none') }]
	});

	return {
		locale,
		title: t('report.title', { title: r.overview.title }),
		subtitle: scenarioTitle,
		meta: [
			t('report.meta.version', { version: input.version == null ? t('report.draft') : String(input.version) }),
			...(input.savedAt ? [t('report.meta.saved', { at: input.savedAt.slice(0, 16).replace('T', ' ') })] : []),
			t('report.meta.generated', { date: input.generatedOn })
		],
		sections
	};
}
