import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/lib/domain/commandlog/canonical';
import { GENESIS_HASH, sealEntry, verifyChain } from '../../src/lib/domain/commandlog/chain';
import { overdueAcknowledgements, pendingAcknowledgements } from '../../src/lib/domain/commandlog/acknowledgements';
import type { EntryDraft, LogEntry } from '../../src/lib/domain/commandlog/entry';
import { missingReportElements, reportCompleteness, type ReportFields } from '../../src/lib/domain/commandlog/report';
import { checkDraft, type ChainContext, type Person } from '../../src/lib/domain/commandlog/rules';
import type { ExerciseStatus } from '../../src/lib/domain/lifecycle';
import { ENTRY_KINDS } from '../../src/lib/domain/commandlog/entry';
import { EXERCISE_ROLES, type ExerciseRole } from '../../src/lib/domain/roles';

const AGENCIES = new Set(['em', 'fire', 'police', 'health']);

/** A small in-memory log that seals entries as the server would. */
class Log {
	entries: LogEntry[] = [];
	ctx(status: ExerciseStatus = 'running'): ChainContext {
		return {
			status,
			agencies: AGENCIES,
			entry: (seq) => this.entries[seq - 1],
			acknowledged: (seq, party) => this.entries.some((e) => e.kind === 'ack' && e.refs.entries[0] === seq && e.from.agency === party)
		};
	}
	append(person: Person, draft: EntryDraft, at = new Date(Date.UTC(2026, 10, 29, 2, this.entries.length)).toISOString()) {
		const r = checkDraft(person, draft, this.ctx());
		if (!r.ok) throw new Error(r.rule);
		const prev = this.entries.at(-1)?.hash ?? GENESIS_HASH;
		const e = sealEntry({
			exerciseId: 'x',
			seq: this.entries.length + 1,
			kind: draft.kind,
			at,
			scenarioMs: null,
			from: r.from,
			to: r.to,
			refs: draft.refs,
			body: draft.body,
			...(r.missing ? { missing: r.missing } : {}),
			prevHash: prev
		});
		this.entries.push(e);
		return e;
	}
}

const person = (userId: string, role: ExerciseRole, agencyCode: string | null = null): Person => ({ userId, name: userId, memberships: [{ role, agencyCode }] });
const commander = person('cmd', 'commander');
const fire = person('fire1', 'player', 'fire');
const police = person('police1', 'player', 'police');
const draft = (kind: EntryDraft['kind'], over: Partial<EntryDraft> = {}): EntryDraft => ({
	kind,
	to: { agencies: [], commander: false },
	refs: { entries: [] },
	body: { text: 'x' },
	...over
});
const order = draft('order', { to: { agencies: ['fire', 'police'], commander: false }, body: { text: '封控化工园区周边道路' } });

const FULL_REPORT: ReportFields = {
	time: '02:10',
	place: '临江化工园区 3 号罐区',
	nature: '储罐泄漏起火',
	scale: '一座 500 m³ 储罐',
	casualties: { dead: 0, injured: 2, missing: 0, trapped: 1 },
	hazmat: '苯',
	trend: '火势扩大',
	measures: '冷却邻罐',
	requests: '泡沫车 2 辆',
	reportingUnit: '消防救援支队',
	reportingPerson: '刘强'
};

describe('canonical JSON', () => {
	it('sorts keys at every depth and drops undefined members', () => {
		expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
		expect(() => canonicalJson({ n: NaN })).toThrow();
	});
});

describe('chain rules', () => {
	it('lets the commander order agencies, and each agency acknowledge once', () => {
		const log = new Log();
		const o = log.append(commander, order);
		expect(o.from).toMatchObject({ role: 'commander', agency: null });
		const ack = log.append(fire, draft('ack', { refs: { entries: [o.seq] } }));
		expect(ack.to).toEqual({ agencies: [], commander: true });
		const again = checkDraft(fire, draft('ack', { refs: { entries: [o.seq] } }), log.ctx());
		expect(again).toEqual({ ok: false, rule: 'Entry 1 is already acknowledged by you.' });
		expect(pendingAcknowledgements(log.entries).map((p) => p.party)).toEqual(['police']);
	});

	it('refuses an acknowledgement of an entry not addressed to the sender', () => {
		const log = new Log();
		log.append(commander, draft('order', { to: { agencies: ['fire'], commander: false } }));
		expect(checkDraft(police, draft('ack', { refs: { entries: [1] } }), log.ctx())).toEqual({ ok: false, rule: 'Entry 1 is not addressed to you.' });
		expect(checkDraft(police, draft('ack', { refs: { entries: [9] } }), log.ctx())).toEqual({ ok: false, rule: 'Entry 9 does not exist.' });
		expect(checkDraft(police, draft('ack', { refs: { entries: [] } }), log.ctx()).ok).toBe(false);
	});

	it('sends reports up to the commander and marks missing elements', () => {
		const log = new Log();
		const partial = log.append(fire, draft('report', { to: { agencies: [], commander: true }, body: { text: '首报', stage: 'initial', report: { ...FULL_REPORT, hazmat: '' } } }));
		expect(partial.missing).toEqual(['hazmat']);
		expect(checkDraft(fire, draft('report', { body: { text: 'x', stage: 'initial' } }), log.ctx())).toEqual({ ok: false, rule: 'Reports go up the chain to the commander.' });
		const noStage = checkDraft(fire, draft('report', { to: { agencies: [], commander: true } }), log.ctx());
		expect(noStage.ok).toBe(false);
		// An update must follow an earlier report of the same agency.
		const orphan = checkDraft(police, draft('report', { to: { agencies: [], commander: true }, refs: { entries: [1] }, body: { text: 'x', stage: 'update' } }), log.ctx());
		expect(orphan).toEqual({ ok: false, rule: 'An update report references an earlier report of the same agency.' });
		const update = log.append(fire, draft('report', { to: { agencies: [], commander: true }, refs: { entries: [1] }, body: { text: '续报', stage: 'update', report: FULL_REPORT } }));
		expect(update.missing).toEqual([]);
		// The commander acknowledges reports.
		log.append(commander, draft('ack', { refs: { entries: [1] } }));
		expect(pendingAcknowledgements(log.entries).map((p) => p.seq)).toEqual([2]);
	});

	it('only the commander orders; the facilitator, evaluators and observers send nothing', () => {
		const log = new Log();
		expect(checkDraft(fire, order, log.ctx()).ok).toBe(false);
		for (const role of ['facilitator', 'evaluator', 'observer'] as const) {
			for (const kind of ENTRY_KINDS) {
				const r = checkDraft(person('p', role), draft(kind, { to: { agencies: ['fire'], commander: true } }), log.ctx());
				expect(r.ok, `${role} ${kind}`).toBe(false);
			}
		}
	});

	it('permits each role exactly the kinds the matrix gives it (first entry of each kind)', () => {
		const kindsAllowed: Record<ExerciseRole, string[]> = {
			commander: ['order', 'request', 'coordination'],
			player: ['request', 'coordination'],
			facilitator: [],
			evaluator: [],
			observer: []
		};
		for (const role of EXERCISE_ROLES) {
			const p = person('p', role, role === 'player' ? 'health' : null);
			for (const kind of ['order', 'request', 'coordination'] as const) {
				const r = checkDraft(p, draft(kind, { to: { agencies: ['fire'], commander: false } }), new Log().ctx());
				expect(r.ok, `${role} ${kind}`).toBe(kindsAllowed[role].includes(kind));
			}
		}
	});

	it('nothing is sent outside the live states', () => {
		const log = new Log();
		for (const status of ['draft', 'ended', 'reviewed'] as const) {
			const r = checkDraft(commander, order, log.ctx(status));
			expect(r).toEqual({ ok: false, rule: 'Your role may not send this kind of entry (order) now.' });
		}
	});

	it('asks a person who plays for two agencies which one speaks', () => {
		const both: Person = { userId: 'u', name: 'u', memberships: [{ role: 'player', agencyCode: 'fire' }, { role: 'player', agencyCode: 'health' }] };
		const req = draft('request', { to: { agencies: ['police'], commander: false } });
		expect(checkDraft(both, req, new Log().ctx()).ok).toBe(false);
		const r = checkDraft(both, { ...req, asAgency: 'health' }, new Log().ctx());
		expect(r.ok && r.from.agency).toBe('health');
		expect(checkDraft(both, { ...req, asAgency: 'police' }, new Log().ctx()).ok).toBe(false);
	});

	it('requests go to another agency; unknown agencies are refused', () => {
		const self = checkDraft(fire, draft('request', { to: { agencies: ['fire'], commander: false } }), new Log().ctx());
		expect(self.ok).toBe(false);
		const unknown = checkDraft(fire, draft('request', { to: { agencies: ['army'], commander: false } }), new Log().ctx());
		expect(unknown).toEqual({ ok: false, rule: 'Unknown agency: army.' });
	});

	it('corrections reference the sender’s own earlier entry', () => {
		const log = new Log();
		log.append(fire, draft('request', { to: { agencies: ['police'], commander: false } }));
		const own = checkDraft(fire, draft('request', { to: { agencies: ['police'], commander: false }, body: { text: 'fix', corrects: 1 } }), log.ctx());
		expect(own.ok).toBe(true);
		const other = checkDraft(police, draft('request', { to: { agencies: ['fire'], commander: false }, body: { text: 'fix', corrects: 1 } }), log.ctx());
		expect(other).toEqual({ ok: false, rule: 'You may only correct your own entries.' });
	});

	it('feedback answers orders but not reports', () => {
		const log = new Log();
		log.append(commander, order);
		log.append(fire, draft('report', { to: { agencies: [], commander: true }, body: { text: 'r', stage: 'initial' } }));
		expect(checkDraft(fire, draft('feedback', { refs: { entries: [1] }, body: { text: '已完成', completed: true } }), log.ctx()).ok).toBe(true);
		expect(checkDraft(commander, draft('feedback', { refs: { entries: [2] } }), log.ctx()).ok).toBe(false);
	});
});

describe('report completeness', () => {
	it('counts required elements; casualties need all four figures, zero included', () => {
		expect(missingReportElements(FULL_REPORT)).toEqual([]);
		expect(reportCompleteness(FULL_REPORT)).toBe(1);
		expect(missingReportElements({ ...FULL_REPORT, casualties: { dead: 0, injured: 1, missing: 0 } })).toEqual(['casualties']);
		expect(missingReportElements({})).toHaveLength(11);
		expect(reportCompleteness({ time: 't', place: ' ' })).toBeCloseTo(1 / 11);
	});
});

describe('hash chain', () => {
	function sampleLog() {
		const log = new Log();
		log.append(commander, order);
		log.append(fire, draft('ack', { refs: { entries: [1] } }));
		log.append(police, draft('ack', { refs: { entries: [1] } }));
		log.append(fire, draft('feedback', { refs: { entries: [1] }, body: { text: '道路已封控', completed: true } }));
		return log.entries;
	}

	it('verifies an intact chain', () => {
		const v = verifyChain(sampleLog());
		expect(v.ok).toBe(true);
		expect(verifyChain([])).toEqual({ ok: true, count: 0, head: GENESIS_HASH });
	});

	it('names the first broken sequence when any field of any row is altered', () => {
		const entries = sampleLog();
		const alterations: [number, (e: LogEntry) => LogEntry][] = [
			[1, (e) => ({ ...e, body: { ...e.body, text: '改过的指令' } })],
			[2, (e) => ({ ...e, at: '2026-11-29T03:00:00.000Z' })],
			[3, (e) => ({ ...e, from: { ...e.from, agency: 'health' } })],
			[4, (e) => ({ ...e, refs: { entries: [2] } })],
			[2, (e) => ({ ...e, prevHash: GENESIS_HASH })],
			[3, (e) => ({ ...e, hash: e.hash.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) })]
		];
		for (const [seq, alter] of alterations) {
			const tampered = entries.map((e) => (e.seq === seq ? alter(e) : e));
			const v = verifyChain(tampered);
			expect(v.ok).toBe(false);
			expect(!v.ok && v.brokenSeq).toBe(seq);
		}
	});

	it('detects a deleted or duplicated row', () => {
		const entries = sampleLog();
		const gap = verifyChain([entries[0], entries[2], entries[3]]);
		expect(!gap.ok && gap.brokenSeq).toBe(2);
		const dup = verifyChain([entries[0], entries[1], entries[1]]);
		expect(!dup.ok && dup.brokenSeq).toBe(3);
	});
});

describe('overdue acknowledgements', () => {
	it('flags recipients that have not acknowledged within the limit', () => {
		const log = new Log();
		log.append(commander, order, '2026-11-29T02:00:00.000Z');
		log.append(fire, draft('ack', { refs: { entries: [1] } }), '2026-11-29T02:03:00.000Z');
		const at = (min: number) => Date.parse('2026-11-29T02:00:00.000Z') + min * 60_000;
		expect(overdueAcknowledgements(log.entries, at(4), 5)).toEqual([]);
		expect(overdueAcknowledgements(log.entries, at(6), 5).map((p) => p.party)).toEqual(['police']);
	});
});

describe('CSV export', () => {
	it('quotes, keeps Chinese text and defuses formulas', async () => {
		const { csvCell, entriesToCsv } = await import('../../src/lib/domain/commandlog/csv');
		expect(csvCell('a,b')).toBe('"a,b"');
		expect(csvCell('say "hi"')).toBe('"say ""hi"""');
		expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
		expect(csvCell('-1')).toBe("'-1");
		expect(csvCell(null)).toBe('');
		const log = new Log();
		log.append(commander, order);
		const csv = entriesToCsv(log.entries);
		expect(csv.startsWith('\uFEFFseq,at,')).toBe(true);
		const lines = csv.trim().split('\r\n');
		expect(lines).toHaveLength(2);
		expect(lines[1]).toContain('封控化工园区周边道路');
		expect(lines[1]).toContain('fire police');
	});
});
