import { describe, expect, it } from 'vitest';
import { sealEntry, GENESIS_HASH } from '../../src/lib/domain/commandlog/chain';
import type { EntryContent, LogEntry } from '../../src/lib/domain/commandlog/entry';
import { missingReportElements } from '../../src/lib/domain/commandlog/report';
import { pauseClock, scenarioTimeAt, startClock, STOPPED_CLOCK } from '../../src/lib/domain/clock';
import type { ReviewFacts } from '../../src/lib/domain/review/facts';
import { generateReview } from '../../src/lib/domain/review/generate';
import { checkRectificationMove, isRectificationOverdue } from '../../src/lib/domain/review/rectification';
import { validatePackage } from '../../src/lib/domain/scenario/validate';
import { minimalScenario } from '../fixtures/minimal-scenario';

const MIN = 60_000;
const pkgCheck = validatePackage(minimalScenario());
if (!pkgCheck.ok) throw new Error('fixture');
const pkg = { ...pkgCheck.pkg, reporting: { phoneMinutes: 15, writtenMinutes: 35, ackMinutes: 5 } };

/** Builds a sealed log from terse specs, in order. */
function logOf(specs: Partial<EntryContent>[]): LogEntry[] {
	const out: LogEntry[] = [];
	for (const s of specs) {
		out.push(
			sealEntry({
				exerciseId: 'x',
				seq: out.length + 1,
				kind: 'order',
				at: new Date(0).toISOString(),
				scenarioMs: 0,
				from: { userId: 'u', name: 'u', role: 'player', agency: null },
				to: { agencies: [], commander: false },
				refs: { entries: [] },
				body: { text: 't' },
				prevHash: out.at(-1)?.hash ?? GENESIS_HASH,
				...s
			})
		);
	}
	return out;
}

function facts(): ReviewFacts {
	const report = { time: '10:05', place: '解放路下穿隧道', nature: '积水', scale: '1 车', casualties: { dead: 0, injured: 0, missing: 0, trapped: 2 }, trend: '上涨', measures: '封路', requests: '抽排车', reportingUnit: '应急局', reportingPerson: '张敏' };
	return {
		exercise: { id: 'x', title: 'Review test', status: 'ended', endedAt: '2026-11-29T04:00:00.000Z' },
		scenario: pkg,
		agencies: [
			{ code: 'em', name: { zh: '应急管理', en: 'Emergency Management' } },
			{ code: 'fire', name: { zh: '消防救援', en: 'Fire Rescue' } },
			{ code: 'police', name: { zh: '公安', en: 'Police' } }
		],
		participants: [
			{ userId: 'c', name: 'c', role: 'commander', agency: null },
			{ userId: 'e', name: 'e', role: 'player', agency: 'em' },
			{ userId: 'f1', name: 'f1', role: 'player', agency: 'fire' },
			{ userId: 'f2', name: 'f2', role: 'player', agency: 'fire' }
		],
		deliveries: [
			{ injectId: 'I-01', source: 'msel', scenarioMs: 5 * MIN, late: false, targets: ['em'], message: { zh: '隧道积水', en: 'Flooding' } },
			{ injectId: 'I-02', source: 'msel', scenarioMs: 15 * MIN, late: false, targets: ['fire', 'police'], message: { zh: '轿车被困', en: 'Car trapped' } },
			{ injectId: 'R-01', source: 'random', scenarioMs: 20 * MIN, late: false, targets: ['em'], message: { zh: '摄像头离线', en: 'Camera offline' } }
		],
		acks: [
			{ injectId: 'I-01', agency: 'em', scenarioMs: 7 * MIN },
			{ injectId: 'I-02', agency: 'fire', scenarioMs: 29 * MIN }
		],
		log: logOf([
			// em's initial report at T+00:25 (20 min after receipt, phone limit 15) without hazmat.
			{ kind: 'report', scenarioMs: 25 * MIN, from: { userId: 'e', name: 'e', role: 'player', agency: 'em' }, to: { agencies: [], commander: true }, body: { text: '首报', stage: 'initial', report }, missing: missingReportElements(report), refs: { entries: [], inject: 'I-01' } },
			// Commander orders fire and police at T+00:30; fire acknowledges at T+00:33, police never.
			{ kind: 'order', scenarioMs: 30 * MIN, from: { userId: 'c', name: 'c', role: 'commander', agency: null }, to: { agencies: ['fire', 'police'], commander: false } },
			{ kind: 'ack', scenarioMs: 33 * MIN, from: { userId: 'f1', name: 'f1', role: 'player', agency: 'fire' }, to: { agencies: [], commander: true }, refs: { entries: [2] } },
			// em's complete update at T+00:38: 33 min after receipt, inside the 35-min written limit.
			{ kind: 'report', scenarioMs: 38 * MIN, from: { userId: 'e', name: 'e', role: 'player', agency: 'em' }, to: { agencies: [], commander: true }, body: { text: '续报', stage: 'update', report: { ...report, hazmat: '无' } }, missing: [], refs: { entries: [1] } }
		]),
		tasks: [
			{ id: 'tA', agency: 'fire', injectId: 'I-02', title: { zh: '救援', en: 'Rescue' }, createdMs: 15 * MIN, transitions: [{ status: 'in_progress', scenarioMs: 18 * MIN, userId: 'f1' }, { status: 'done', scenarioMs: 35 * MIN, userId: 'f1' }] },
			{ id: 'tB', agency: 'fire', injectId: 'I-02', title: { zh: '警戒', en: 'Cordon' }, createdMs: 15 * MIN, transitions: [] },
			{ id: 'tC', agency: 'fire', injectId: null, title: { zh: '排水', en: 'Pump' }, createdMs: 20 * MIN, transitions: [{ status: 'done', scenarioMs: 30 * MIN, userId: 'f2' }] }
		],
		monitoringViews: [{ pointId: 'CAM-1', agency: 'em', scenarioMs: 26 * MIN }],
		observations: [
			{ id: 'o1', scenarioMs: 26 * MIN, agency: 'em', injectId: 'I-01', capability: null, kind: 'strength', text: '应急局首报要素较全' },
			{ id: 'o2', scenarioMs: 31 * MIN, agency: 'police', injectId: null, capability: null, kind: 'improvement', text: '公安未回复指令' }
		],
		ratings: [
			{ objectiveId: 'O1', targetId: 'O1.1', agency: 'em', rating: 'S' },
			{ objectiveId: 'O1', targetId: 'O1.1', agency: 'police', rating: 'U' }
		],
		endScenarioMs: 60 * MIN
	};
}

describe('after-action review metrics', () => {
	const review = generateReview(facts(), '2026-11-29');
	const agency = (code: string) => review.agencies.find((a) => a.agency === code)!;

	it('measures acknowledgement and first action per inject and agency', () => {
		expect(review.injects.find((m) => m.injectId === 'I-01' && m.agency === 'em')).toMatchObject({ ackMs: 2 * MIN, firstActionMs: 20 * MIN });
		expect(review.injects.find((m) => m.injectId === 'I-02' && m.agency === 'fire')).toMatchObject({ ackMs: 14 * MIN, firstActionMs: 3 * MIN });
		expect(review.injects.find((m) => m.injectId === 'I-02' && m.agency === 'police')).toMatchObject({ ackMs: null, firstActionMs: null });
		expect(agency('em')).toMatchObject({ injectsReceived: 2, acknowledged: 1, ackMedianMs: 2 * MIN });
	});

	it('treats unfinished tasks as censored', () => {
		// tA done after 20 min, tC after 10 min, tB open 45 min at the end: KM median = 20 min (S drops to 1/3 at 20).
		expect(agency('fire').tasks).toEqual({ total: 3, done: 2, rate: 2 / 3, medianCompletionMs: 20 * MIN });
	});

	it('judges report timeliness against the configured limits and completeness', () => {
		expect(agency('em').report).toMatchObject({
			receivedMs: 5 * MIN,
			firstReportMs: 25 * MIN,
			firstCompleteReportMs: 38 * MIN,
			phoneOnTime: false,
			writtenOnTime: true,
			reports: 2
		});
		expect(agency('em').report.completeness).toBeCloseTo((10 / 11 + 1) / 2);
	});

	it('measures liaison between agencies and counts unanswered orders', () => {
		expect(review.liaison.filter((l) => l.seq === 2)).toEqual([
			{ seq: 2, kind: 'order', from: null, to: 'fire', sentMs: 30 * MIN, ackMs: 3 * MIN },
			{ seq: 2, kind: 'order', from: null, to: 'police', sentMs: 30 * MIN, ackMs: null }
		]);
		expect(agency('police').unacknowledged).toBe(1);
	});

	it('measures the time from an inject to viewing the monitoring point it changed', () => {
		expect(agency('em').monitoringMedianMs).toBe(6 * MIN);
	});

	it('derives findings from the facts, each linked to evidence', () => {
		const msgs = review.findings.map((f) => f.message.en);
		expect(msgs).toContain('Fire Rescue acknowledged inject I-02 after 14 min, limit 5');
		expect(msgs).toContain('Police never acknowledged inject I-02');
		expect(msgs).toContain('Emergency Management: the first report took 20 min, over the 15-min phone limit');
		expect(msgs).toContain('The initial report of Emergency Management omitted hazardous substances');
		expect(msgs).toContain('Order #2 was never acknowledged by Police');
		expect(msgs).toContain('Fire Rescue left 1 of 3 tasks unfinished');
		expect(msgs).toContain('Target O1.1 was rated U');
		const zh = review.findings.map((f) => f.message.zh);
		expect(zh).toContain('应急管理的首报缺少：涉及的危险化学品');
		const ids = new Set(review.timeline.map((e) => e.id));
		for (const f of review.findings) for (const ev of f.evidence) expect(ids.has(ev), ev).toBe(true);
	});

	it('proposes one rectification per finding, due 30 days later', () => {
		expect(review.rectifications).toHaveLength(review.findings.length);
		expect(review.rectifications[0]).toMatchObject({ status: 'open', dueDate: '2026-12-29', owner: null });
		const hazmat = review.rectifications.find((r) => r.problem.en.includes('hazardous'))!;
		expect(hazmat).toMatchObject({ agency: 'em', element: 'training' });
	});

	it('merges one timeline in time order and sums ratings', () => {
		const times = review.timeline.map((e) => e.scenarioMs);
		expect(times).toEqual([...times].sort((a, b) => a - b));
		expect(review.ratingDistribution).toEqual({ P: 0, S: 1, M: 0, U: 1 });
		expect(review.strengths.map((s) => s.id)).toEqual(['o1']);
		expect(review.improvements.map((s) => s.id)).toEqual(['o2']);
	});

	it('excludes pauses: durations come from scenario time', () => {
		// Delivered at wall 0, paused from 2 to 12 min, acknowledged at wall 15: 5 scenario minutes.
		let c = startClock(STOPPED_CLOCK, 0);
		const delivered = scenarioTimeAt(c, 0);
		c = pauseClock(c, 2 * MIN);
		c = startClock(c, 12 * MIN);
		const acked = scenarioTimeAt(c, 15 * MIN);
		const f = facts();
		f.deliveries = [{ ...f.deliveries[0], scenarioMs: delivered }];
		f.acks = [{ injectId: 'I-01', agency: 'em', scenarioMs: acked }];
		expect(generateReview(f, '2026-11-29').injects[0].ackMs).toBe(5 * MIN);
	});
});

describe('rectification tracking rules', () => {
	it('moves open → in progress → done → verified (with the re-testing exercise)', () => {
		expect(checkRectificationMove('open', 'in_progress').ok).toBe(true);
		expect(checkRectificationMove('done', 'verified')).toEqual({ ok: false, reason: 'Name the later exercise that re-tested this.' });
		expect(checkRectificationMove('done', 'verified', 'ex-2').ok).toBe(true);
		expect(checkRectificationMove('open', 'verified', 'ex-2').ok).toBe(false);
		expect(checkRectificationMove('verified', 'open').ok).toBe(false);
	});
	it('flags open items past their due date', () => {
		expect(isRectificationOverdue({ status: 'open', dueDate: '2026-12-01' }, '2026-12-02')).toBe(true);
		expect(isRectificationOverdue({ status: 'done', dueDate: '2026-12-01' }, '2026-12-02')).toBe(false);
		expect(isRectificationOverdue({ status: 'in_progress', dueDate: '2026-12-03' }, '2026-12-02')).toBe(false);
	});
});
