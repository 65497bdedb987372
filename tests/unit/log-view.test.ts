import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/lib/domain/commandlog/entry';
import { missingReportElements, REPORT_ELEMENTS } from '../../src/lib/domain/commandlog/report';
import { badCounts, emptyReport, fromReportFields, missingOf, toReportFields } from '../../src/lib/log/report-input';
import {
	answersTo,
	canAcknowledge,
	canGiveFeedback,
	filterEntries,
	formatCountdown,
	mergeEntries,
	overdueForMe,
	partiesOf,
	pendingForMe,
	reportDeadlines,
	reportingLimits,
	RULE_KEYS,
	ruleMessage,
	unreadEntries
} from '../../src/lib/log/view';
import { translator } from '../../src/lib/i18n/index';

let seq = 0;
const T0 = Date.parse('2026-01-01T08:00:00Z');
function entry(p: Partial<LogEntry> & Pick<LogEntry, 'kind'>): LogEntry {
	seq++;
	return {
		exerciseId: 'x',
		seq,
		at: new Date(T0 + seq * 60_000).toISOString(),
		scenarioMs: seq * 60_000,
		from: { userId: 'u-cmd', name: 'cmd', role: 'commander', agency: null },
		to: { agencies: [], commander: false },
		refs: { entries: [] },
		body: { text: 't' },
		prevHash: '',
		hash: '',
		...p
	};
}
const fire = { userId: 'u-fire', name: 'fire1', role: 'player' as const, agency: 'fire' };

describe('log view helpers', () => {
	seq = 0;
	const order = entry({ kind: 'order', to: { agencies: ['fire', 'police'], commander: false } });
	const ack = entry({ kind: 'ack', from: fire, to: { agencies: [], commander: true }, refs: { entries: [order.seq] } });
	const fb = entry({ kind: 'feedback', from: fire, to: { agencies: [], commander: true }, refs: { entries: [order.seq] }, body: { text: 'done', completed: true } });
	const report = entry({ kind: 'report', from: fire, to: { agencies: [], commander: true }, refs: { entries: [], inject: 'I-01' }, body: { text: 'r', stage: 'initial' }, missing: ['hazmat'] });
	const all = [order, ack, fb, report];

	it('knows who a person speaks for', () => {
		expect(partiesOf([{ role: 'player', agencyCode: 'fire' }])).toEqual(['fire']);
		expect(partiesOf([{ role: 'commander', agencyCode: null }])).toEqual([null]);
		expect(partiesOf([{ role: 'observer', agencyCode: null }])).toEqual([]);
	});

	it('merges the HTTP list and the live mirror without duplicates, in order', () => {
		expect(mergeEntries([report, order], [order, ack], [fb]).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
	});

	it('filters by agency (sender or recipient), kind and inject', () => {
		expect(filterEntries(all, { agency: 'police' }).map((e) => e.seq)).toEqual([order.seq]);
		expect(filterEntries(all, { agency: 'fire' })).toHaveLength(4);
		expect(filterEntries(all, { kind: 'ack' })).toEqual([ack]);
		expect(filterEntries(all, { inject: 'I-01' })).toEqual([report]);
	});

	it('counts unread entries from others only', () => {
		expect(unreadEntries(all, 1, 'u-fire').map((e) => e.seq)).toEqual([]);
		expect(unreadEntries(all, 0, 'u-fire').map((e) => e.seq)).toEqual([order.seq]);
		expect(unreadEntries(all, 1, 'u-cmd')).toHaveLength(3);
	});

	it('lists what still awaits my acknowledgement and who may acknowledge or answer', () => {
		expect(pendingForMe(all, ['police']).map((p) => p.seq)).toEqual([order.seq]);
		expect(pendingForMe(all, ['fire'])).toEqual([]);
		expect(pendingForMe(all, [null]).map((p) => p.seq)).toEqual([report.seq]);
		expect(canAcknowledge(all, order, 'fire')).toBe(false);
		expect(canAcknowledge(all, order, 'police')).toBe(true);
		expect(canAcknowledge(all, order, 'health')).toBe(false);
		expect(canAcknowledge(all, report, null)).toBe(true);
		expect(canGiveFeedback(order, 'fire')).toBe(true);
		expect(canGiveFeedback(report, null)).toBe(false);
		expect(answersTo(all, order.seq)).toMatchObject({ acks: [ack], feedback: [fb], corrections: [] });
	});

	it('flags overdue acknowledgements to the sender and the commander only', () => {
		const later = T0 + 60 * 60_000;
		expect(overdueForMe(all, later, 5, [null]).map((p) => `${p.seq}|${p.party}`)).toEqual([`${order.seq}|police`, `${report.seq}|null`]);
		expect(overdueForMe(all, later, 5, ['fire']).map((p) => p.seq)).toEqual([report.seq]);
		expect(overdueForMe(all, later, 5, ['health'])).toEqual([]);
		expect(overdueForMe(all, T0 + 2 * 60_000, 5, [null])).toEqual([]);
	});

	it('counts report deadlines in scenario time from the first inject the agency received', () => {
		const limits = reportingLimits({ phoneMinutes: 15, writtenMinutes: 35 });
		expect(limits.ackMinutes).toBe(5);
		const injects = [
			{ to: { agencies: ['fire'] }, scenarioMs: 2 * 60_000 },
			{ to: { agencies: ['police'] }, scenarioMs: 60_000 }
		];
		expect(reportDeadlines(injects, [], 'health', limits, 0)).toBeNull();
		const open = reportDeadlines(injects, [], 'fire', limits, 10 * 60_000);
		expect(open?.phone).toMatchObject({ dueMs: 17 * 60_000, remainingMs: 7 * 60_000, state: 'open' });
		const d = reportDeadlines(injects, all, 'fire', limits, 60 * 60_000);
		expect(d?.phone).toMatchObject({ state: 'met', metAtMs: report.scenarioMs });
		expect(d?.written.state).toBe('missed'); // the only report is incomplete
		expect(formatCountdown(-125_000)).toBe('-02:05');
		expect(formatCountdown(3_725_000)).toBe('1:02:05');
	});

	it('translates every chain rule the server states', () => {
		const zh = translator('zh-CN');
		const rules = [
			'Your role may not send this kind of entry (order) now.',
			'Entry 3 is not addressed to you.',
			'An update report references an earlier report of the same agency.',
			'Unknown agency: zz.'
		];
		for (const r of rules) {
			const m = ruleMessage(r);
			expect(m, r).not.toBeNull();
			expect(zh(m!.key, m!.params)).not.toBe(m!.key);
		}
		expect(ruleMessage('Entry 3 is not addressed to you.')?.params).toEqual({ seq: '3' });
		for (const k of RULE_KEYS) expect(zh(k)).not.toBe(k);
		expect(ruleMessage('Something else.')).toBeNull();
	});
});

describe('information report form values', () => {
	it('lists every element as missing on an empty form and none on a full one', () => {
		expect(missingOf(emptyReport())).toEqual([...REPORT_ELEMENTS]);
		const r = emptyReport({ time: '08:35', place: '人民路隧道', nature: '内涝', scale: '一处', hazmat: '无', trend: '上涨', measures: '封路', requests: '排涝车', reportingUnit: '消防', reportingPerson: '刘强' });
		expect(missingOf(r)).toEqual(['casualties']);
		r.casualties = { dead: '0', injured: '2', missing: '0', trapped: '' };
		expect(missingOf(r)).toEqual(['casualties']);
		r.casualties.trapped = '3';
		expect(missingOf(r)).toEqual([]);
		expect(toReportFields(r).casualties).toEqual({ dead: 0, injured: 2, missing: 0, trapped: 3 });
	});

	it('leaves out blank elements, rejects non-counts and round-trips an earlier report', () => {
		const r = emptyReport({ place: '  ' });
		r.casualties.dead = 'two';
		expect(toReportFields(r)).toEqual({});
		expect(badCounts(r)).toEqual(['dead']);
		const back = fromReportFields({ place: 'A', casualties: { dead: 0, injured: 1, missing: 0, trapped: 0 } });
		expect(missingReportElements(toReportFields(back))).not.toContain('casualties');
		expect(back.place).toBe('A');
	});
});
