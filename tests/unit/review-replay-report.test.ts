import { describe, expect, it } from 'vitest';
import { checkpointAtOrBefore, missingCheckpoints, replayTimes, rowsUpTo } from '../../server/review/replay';
import { attachment, inertJson, xmlSafe } from '../../server/review/export';
import { buildReport, sectionNumber, subNumber, type ReportInput } from '../../src/lib/domain/review/report';
import { generateReview } from '../../src/lib/domain/review/generate';
import type { ReviewFacts } from '../../src/lib/domain/review/facts';
import { translator } from '../../src/lib/i18n/index';

describe('replay indexing', () => {
	it('gives each update the highest scenario time so far; unstamped rows take the time before them', () => {
		expect([...replayTimes([null, 0, 5, null, 3, 8, null])]).toEqual([0, 0, 5, 5, 5, 8, 8]);
		expect([...replayTimes([])]).toEqual([]);
	});

	it('counts the rows at or before a moment', () => {
		const t = replayTimes([0, 0, 5, 5, 9]);
		expect([-1, 0, 4, 5, 8, 9, 100].map((at) => rowsUpTo(t, at))).toEqual([0, 2, 2, 4, 4, 5, 5]);
	});

	it('finds the checkpoint at or before a seq', () => {
		const cps = [0, 500, 1000, 1500];
		expect([0, 1, 499, 500, 999, 1500, 9999].map((s) => checkpointAtOrBefore(cps, s))).toEqual([0, 0, 0, 500, 500, 1500, 1500]);
		expect(checkpointAtOrBefore([0], 42)).toBe(0);
	});

	it('plans checkpoints so that no gap reaches the interval, around the collab server’s own snapshots', () => {
		expect(missingCheckpoints([], 999, 500)).toEqual([500]);
		expect(missingCheckpoints([], 1000, 500)).toEqual([500, 1000]);
		expect(missingCheckpoints([500, 1000], 1200, 500)).toEqual([]);
		// Room snapshots at 700 and 1900: fill 500 before 700, 1200 and 1700 after it, 2400 after 1900.
		expect(missingCheckpoints([700, 1900], 2500, 500)).toEqual([500, 1200, 1700, 2400]);
		expect(missingCheckpoints([], 0, 500)).toEqual([]);
		// A snapshot beyond the log end is ignored.
		expect(missingCheckpoints([3000], 600, 500)).toEqual([500]);
	});
});

describe('export safety', () => {
	it('removes characters XML cannot hold, keeps text, tabs and newlines', () => {
		expect(xmlSafe('a\u0000b\u0008c\td\ne\u000Bf\uFFFE')).toBe('abc\td\nef');
		expect(xmlSafe('洪水 <script>')).toBe('洪水 <script>');
		expect(xmlSafe('x\uD800y')).toBe('xy');
		expect(xmlSafe('😀')).toBe('😀');
	});

	it('writes JSON that stays inert in HTML', () => {
		const out = inertJson({ t: '</script><img onerror=x>&\u2028' });
		expect(out).not.toMatch(/[<>&\u2028]/);
		expect(JSON.parse(out)).toEqual({ t: '</script><img onerror=x>&\u2028' });
	});

	it('names the attachment safely with the UTF-8 title', () => {
		const h = attachment('演练"评估"\r\n<x>/报告', 'docx');
		expect(h).toMatch(/^attachment; filename="review\.docx"; filename\*=UTF-8''/);
		expect(h).not.toMatch(/[\r\n]/);
		expect(decodeURIComponent(h.split("''")[1])).toBe('演练 评估 x 报告.docx');
	});
});

const bi = (zh: string, en: string) => ({ zh, en });
function facts(): ReviewFacts {
	return {
		exercise: { id: 'x', title: '内涝演练', status: 'ended', endedAt: '2026-11-29T10:00:00.000Z' },
		scenario: {
			id: 's',
			meta: { title: bi('内涝', 'Flood'), description: bi('描述', 'Description'), hazard: 'waterlogging', objectives: [{ id: 'O1', title: bi('信息报送', 'Reporting'), capability: 'Operational communications', targets: [{ id: 'O1.1', text: bi('30 分钟内报告', 'Report within 30 min'), criticalTasks: [] }] }] },
			reporting: { phoneMinutes: 30, writtenMinutes: 60, ackMinutes: 5 },
			agencies: ['em', 'fire'],
			monitoringPoints: [],
			injects: [],
			randomPool: []
		},
		agencies: [
			{ code: 'em', name: bi('应急管理', 'Emergency Management') },
			{ code: 'fire', name: bi('消防救援', 'Fire Rescue') }
		],
		participants: [{ userId: 'u', name: 'n', role: 'player', agency: 'em' }],
		deliveries: [{ injectId: 'I-01', source: 'msel', scenarioMs: 5 * 60_000, late: false, targets: ['em', 'fire'], message: bi('积水', 'Flooding') }],
		acks: [{ injectId: 'I-01', agency: 'em', scenarioMs: 20 * 60_000 }],
		log: [],
		tasks: [],
		monitoringViews: [],
		observations: [{ id: 'o1', scenarioMs: 0, agency: 'em', injectId: null, capability: null, kind: 'strength', text: '<b>快</b>' }],
		ratings: [{ objectiveId: 'O1', targetId: 'O1.1', agency: 'em', rating: 'M' }],
		endScenarioMs: 60 * 60_000
	};
}

function input(): ReportInput {
	const review = generateReview(facts(), '2026-11-29');
	return {
		review,
		summary: '总体良好。\n\n需加强签收。',
		version: 2,
		savedAt: '2026-11-29T11:00:00.000Z',
		generatedOn: '2026-11-30',
		agencies: [
			{ code: 'em', nameZh: '应急管理', nameEn: 'Emergency Management' },
			{ code: 'fire', nameZh: '消防救援', nameEn: 'Fire Rescue' }
		],
		objectives: [{ id: 'O1', title: bi('信息报送', 'Reporting'), capability: 'Operational communications', targets: [{ id: 'O1.1', text: bi('30 分钟内报告', 'Report within 30 min') }] }],
		scenarioDescription: bi('描述', 'Description'),
		selfAssessments: [{ agencyCode: 'fire', objectiveId: 'O1', text: '响应及时' }],
		rectifications: review.rectifications.map((r, i) => ({ ...r, status: 'open', decision: i === 0 ? 'accepted' : 'rejected', verifiedBy: null }))
	};
}

describe('evaluation report model', () => {
	it('numbers sections the Chinese way and the English way', () => {
		expect([0, 1, 5].map((i) => sectionNumber(i, 'zh-CN'))).toEqual(['一、', '二、', '六、']);
		expect([0, 2].map((i) => subNumber(i, 'zh-CN'))).toEqual(['（一）', '（三）']);
		expect(sectionNumber(0, 'en')).toBe('1. ');
		expect(subNumber(1, 'en')).toBe('(b) ');
	});

	it('follows the 总结报告 order with problems and causes, lessons, suggestions and the annex', () => {
		const r = buildReport(input(), 'zh-CN', translator('zh-CN'));
		expect(r.title).toBe('内涝演练演练评估总结报告');
		expect(r.sections.map((s) => s.heading)).toEqual(['一、演练概况', '二、演练实施情况', '三、能力评估', '四、存在的问题及原因', '五、经验与做法', '六、改进建议', '附件：整改清单']);
		expect(r.meta[0]).toBe('版本：2');
		const problems = r.sections.find((s) => s.id === 'problems')!;
		const findings = problems.blocks.find((b) => b.kind === 'list');
		// Each finding carries the cause of its rectification item.
		expect(findings && findings.kind === 'list' && findings.items[0]).toMatch(/原因：/);
		const annex = r.sections.find((s) => s.id === 'annex')!;
		expect(annex.landscape).toBe(true);
		const table = annex.blocks[0];
		// Rejected items are left out; accepted ones show their tracking status.
		expect(table.kind === 'table' && table.rows.length).toBe(1);
		expect(table.kind === 'table' && table.rows[0].at(-1)).toBe('待整改');
		const ratings = r.sections.find((s) => s.id === 'capabilities')!.blocks.find((b) => b.kind === 'table');
		expect(ratings && ratings.kind === 'table' && ratings.rows[0]).toEqual(['O1 信息报送', 'Operational communications', 'O1.1 30 分钟内报告', '应急管理', 'M 有重大挑战完成']);
		const lessons = r.sections.find((s) => s.id === 'lessons')!;
		expect(lessons.blocks.filter((b) => b.kind === 'p').map((b) => b.kind === 'p' && b.text)).toEqual(['总体良好。', '需加强签收。']);
		// User text is carried as plain text (renderers escape it).
		expect(JSON.stringify(lessons)).toContain('<b>快</b>');
	});

	it('writes the same report in English', () => {
		const r = buildReport(input(), 'en', translator('en'));
		expect(r.sections[0].heading).toBe('1. Exercise overview');
		expect(r.sections.at(-1)!.heading).toBe('Annex: Rectification list');
		const conduct = r.sections.find((s) => s.id === 'conduct')!;
		const metrics = conduct.blocks.find((b) => b.kind === 'table');
		expect(metrics && metrics.kind === 'table' && metrics.rows[0][0]).toBe('Emergency Management');
		expect(metrics && metrics.kind === 'table' && metrics.rows[0][2]).toBe('15 min');
	});
});
