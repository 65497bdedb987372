import type { Bilingual } from './facts';
import type { CapabilityElement, Finding, FindingKind } from './findings';

/** Rectification item (整改清单): tracked open → in progress → done → verified. */
export const RECTIFICATION_STATUSES = ['open', 'in_progress', 'done', 'verified'] as const;
export type RectificationStatus = (typeof RECTIFICATION_STATUSES)[number];

export interface RectificationItem {
	id: string;
	findingId: string | null;
	problem: Bilingual;
	cause: Bilingual;
	action: Bilingual;
	capability: string | null;
	element: CapabilityElement;
	agency: string | null;
	owner: string | null;
	/** ISO date (yyyy-mm-dd). */
	dueDate: string;
	status: RectificationStatus;
}

/** Likely cause and corrective action per kind of finding; reviewers edit them. */
const TEMPLATES: Record<FindingKind, { cause: Bilingual; action: Bilingual }> = {
	late_ack: {
		cause: { zh: '值班签收流程不清或值守力量不足', en: 'Unclear duty acknowledgement procedure or understaffed duty desk' },
		action: { zh: '明确值班签收时限与岗位职责，开展签收专项训练', en: 'Set acknowledgement limits and duty roles in writing; drill acknowledgement' }
	},
	no_ack: {
		cause: { zh: '注入信息未被关注或无人负责签收', en: 'The inject went unnoticed or nobody owned acknowledgement' },
		action: { zh: '建立值班信息台账与提醒机制，落实专人签收', en: 'Keep a duty message register with reminders and a named person to acknowledge' }
	},
	late_report: {
		cause: { zh: '信息报送流程环节多、审核慢', en: 'Reporting passes through too many steps and slow approval' },
		action: { zh: '修订信息报送流程，推行“先报后核、边核边报”', en: 'Revise the reporting procedure: report what is known first, verify while updating' }
	},
	no_report: {
		cause: { zh: '未明确信息报送责任人', en: 'No one was responsible for information reporting' },
		action: { zh: '明确各单位信息报送责任人与时限', en: 'Name a reporting officer and deadline for each agency' }
	},
	incomplete_report: {
		cause: { zh: '值班人员对报告要素掌握不全', en: 'Duty officers do not know all required report elements' },
		action: { zh: '制作信息报告要素清单，组织要素专项培训', en: 'Issue a report-element checklist and train duty officers on it' }
	},
	unanswered_order: {
		cause: { zh: '指令传达渠道不畅或接收方未确认', en: 'Order channel unreliable or the recipient did not confirm' },
		action: { zh: '规范指令下达与签收反馈闭环', en: 'Close the loop on orders: issue, acknowledge, report back' }
	},
	late_order_ack: {
		cause: { zh: '指令签收不及时', en: 'Orders acknowledged late' },
		action: { zh: '明确指令签收时限并纳入考核', en: 'Set an order acknowledgement limit and include it in evaluation' }
	},
	unfinished_tasks: {
		cause: { zh: '任务分工不明确或力量不足', en: 'Unclear task allocation or insufficient resources' },
		action: { zh: '细化预案任务分工，补充处置力量', en: 'Detail task allocation in the plan and add response capacity' }
	},
	monitoring_not_viewed: {
		cause: { zh: '值班人员不熟悉视频监控调度', en: 'Duty officers are not fluent in video/sensor dispatch' },
		action: { zh: '开展视频监控点位调度与故障处置训练', en: 'Train monitoring-point dispatch and fault handling' }
	},
	low_rating: {
		cause: { zh: '能力目标未达到要求', en: 'The capability target was not met' },
		action: { zh: '针对薄弱环节修订预案并重新演练', en: 'Revise the plan for the weak point and re-drill it' }
	}
};

function addDays(isoDate: string, days: number): string {
	const d = new Date(`${isoDate}T00:00:00Z`);
	d.setUTCDate(d.getUTCDate() + days);
	return d.toISOString().slice(0, 10);
}

/** A proposed rectification list: one item per finding, due `days` after the exercise. */
export function proposeRectifications(findings: readonly Finding[], exerciseDate: string, days = 30): RectificationItem[] {
	return findings.map((f, i) => ({
		id: `R${i + 1}`,
		findingId: f.id,
		problem: f.message,
		cause: TEMPLATES[f.kind].cause,
		action: TEMPLATES[f.kind].action,
		capability: f.capability,
		element: f.element,
		agency: f.agency,
		owner: null,
		dueDate: addDays(exerciseDate, days),
		status: 'open'
	}));
}

const NEXT: Record<RectificationStatus, readonly RectificationStatus[]> = {
	open: ['in_progress', 'done'],
	in_progress: ['open', 'done'],
	done: ['in_progress', 'verified'],
	verified: []
};

/** Status rules; "verified" needs the later exercise that re-tested the capability. */
export function checkRectificationMove(from: RectificationStatus, to: RectificationStatus, verifiedBy?: string | null): { ok: true } | { ok: false; reason: string } {
	if (!NEXT[from].includes(to)) return { ok: false, reason: `An item that is ${from} cannot become ${to}.` };
	if (to === 'verified' && !verifiedBy) return { ok: false, reason: 'Name the later exercise that re-tested this.' };
	return { ok: true };
}

export function isRectificationOverdue(item: Pick<RectificationItem, 'status' | 'dueDate'>, today: string): boolean {
	return (item.status === 'open' || item.status === 'in_progress') && item.dueDate < today;
}

/** Share of items closed (done or verified) by agency, and how many are overdue. */
export function closureByAgency(items: readonly Pick<RectificationItem, 'agency' | 'status' | 'dueDate'>[], today: string) {
	const by = new Map<string | null, { agency: string | null; total: number; closed: number; overdue: number }>();
	for (const i of items) {
		const row = by.get(i.agency) ?? { agency: i.agency, total: 0, closed: 0, overdue: 0 };
		row.total++;
		if (i.status === 'done' || i.status === 'verified') row.closed++;
		if (isRectificationOverdue(i, today)) row.overdue++;
		by.set(i.agency, row);
	}
	return [...by.values()].map((r) => ({ ...r, rate: r.closed / r.total }));
}
