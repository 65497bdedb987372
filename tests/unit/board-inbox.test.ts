import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { putAck, putClock, putInject, readAcks, readClock, readInjects, type DeliveredInject, type InjectAckView } from '../../src/lib/board/control';
import {
	ackableAgencies,
	ackErrorOf,
	acknowledgedByMe,
	ackStates,
	arrivals,
	excerpt,
	localText,
	parseReadIds,
	seesAllInjects,
	serializeReadIds,
	unreadIds,
	visibleInjects
} from '../../src/lib/board/inbox';
import { formatClock, formatClockShort, formatSpeed, readClock as clockNow, serverOffset } from '../../src/lib/board/exercise-clock';
import type { Membership } from '../../src/lib/domain/roles';

const inject = (id: string, agencies: string[], deliveredAt: string, extra: Partial<DeliveredInject> = {}): DeliveredInject => ({
	id,
	type: 'information',
	delivery: 'phone',
	from: { zh: '市民报警', en: 'Caller' },
	to: { agencies, roles: ['commander', 'player'] },
	message: { zh: `消息 ${id}`, en: `Message ${id}` },
	source: 'msel',
	scenarioMs: 0,
	deliveredAt,
	late: false,
	...extra
});

const ack = (injectId: string, agency: string, scenarioMs = 60_000): InjectAckView => ({ injectId, agency, userId: 'u', at: '2026-01-01T00:01:00Z', scenarioMs });

const fire1: Membership[] = [{ role: 'player', agencyCode: 'fire' }];
const police1: Membership[] = [{ role: 'player', agencyCode: 'police' }];
const twoHats: Membership[] = [
	{ role: 'player', agencyCode: 'fire' },
	{ role: 'player', agencyCode: 'water' }
];
const commander: Membership[] = [{ role: 'commander', agencyCode: null }];
const observer: Membership[] = [{ role: 'observer', agencyCode: null }];

const I1 = inject('I-01', ['em', 'fire', 'police'], '2026-01-01T00:00:00.000Z');
const I4 = inject('I-04', ['fire', 'water', 'em'], '2026-01-01T00:05:00.000Z', { scenarioMs: 300_000 });
const R4 = inject('R-04', ['fire'], '2026-01-01T00:06:00.000Z', { scenarioMs: 360_000, late: true });
const all = [I1, I4, R4];

describe('inbox visibility', () => {
	it('shows players only injects addressed to their agencies, newest first', () => {
		expect(visibleInjects(all, fire1).map((i) => i.id)).toEqual(['R-04', 'I-04', 'I-01']);
		expect(visibleInjects(all, police1).map((i) => i.id)).toEqual(['I-01']);
		expect(visibleInjects(all, twoHats).map((i) => i.id)).toEqual(['R-04', 'I-04', 'I-01']);
	});

	it('shows the commander, facilitator, evaluators and observers everything', () => {
		expect(seesAllInjects(commander)).toBe(true);
		expect(visibleInjects(all, observer)).toHaveLength(3);
		expect(visibleInjects(all, [{ role: 'facilitator', agencyCode: null }])).toHaveLength(3);
		// A player who is also an evaluator sees everything (like the server's inbox).
		expect(visibleInjects(all, [...police1, { role: 'evaluator', agencyCode: null }])).toHaveLength(3);
		expect(visibleInjects(all, [])).toEqual([]);
	});

	it('orders same-instant deliveries by scenario time, then id, descending', () => {
		const t = '2026-01-01T00:00:00.000Z';
		const list = visibleInjects([inject('A', ['fire'], t, { scenarioMs: 5 }), inject('C', ['fire'], t, { scenarioMs: 5 }), inject('B', ['fire'], t, { scenarioMs: 9 })], fire1);
		expect(list.map((i) => i.id)).toEqual(['B', 'C', 'A']);
	});

	it('does not reorder the input array', () => {
		const input = [I1, I4];
		visibleInjects(input, fire1);
		expect(input.map((i) => i.id)).toEqual(['I-01', 'I-04']);
	});
});

describe('acknowledgements', () => {
	it('lists every target agency with its acknowledgement', () => {
		expect(ackStates(I4, [ack('I-04', 'water'), ack('I-01', 'fire')])).toEqual([
			{ agency: 'fire', ack: null },
			{ agency: 'water', ack: ack('I-04', 'water') },
			{ agency: 'em', ack: null }
		]);
	});

	it('offers 签收 to players of a target agency, once, while the exercise is live', () => {
		expect(ackableAgencies(I4, [], fire1, 'running')).toEqual(['fire']);
		expect(ackableAgencies(I4, [ack('I-04', 'fire')], fire1, 'running')).toEqual([]);
		expect(ackableAgencies(I4, [], police1, 'running')).toEqual([]);
		expect(ackableAgencies(I4, [], twoHats, 'paused')).toEqual(['fire', 'water']);
		expect(ackableAgencies(I4, [ack('I-04', 'water')], twoHats, 'briefing')).toEqual(['fire']);
		expect(ackableAgencies(I4, [], fire1, 'ended')).toEqual([]);
		expect(ackableAgencies(I4, [], commander, 'running')).toEqual([]);
		expect(ackableAgencies(I4, [], observer, 'running')).toEqual([]);
	});

	it('knows when all the person’s agencies have acknowledged', () => {
		expect(acknowledgedByMe(I4, [ack('I-04', 'fire')], fire1)).toBe(true);
		expect(acknowledgedByMe(I4, [ack('I-04', 'fire')], twoHats)).toBe(false);
		expect(acknowledgedByMe(I4, [ack('I-04', 'fire'), ack('I-04', 'water')], twoHats)).toBe(true);
		expect(acknowledgedByMe(I4, [], commander)).toBe(false);
	});

	it('reads the response status of the ack API', () => {
		expect(ackErrorOf(201)).toBeNull();
		expect(ackErrorOf(409)).toBe('already');
		expect(ackErrorOf(403)).toBe('forbidden');
		expect(ackErrorOf(404)).toBe('notFound');
		expect(ackErrorOf(500)).toBe('failed');
		expect(ackErrorOf(null)).toBe('network');
	});
});

describe('unread and arrivals', () => {
	it('counts what the person has not read', () => {
		const visible = visibleInjects(all, fire1);
		expect(unreadIds(visible, new Set(['I-01']))).toEqual(['R-04', 'I-04']);
		expect(unreadIds(visible, new Set(['I-01', 'I-04', 'R-04']))).toEqual([]);
	});

	it('sets a baseline at the first sync, then reports only new deliveries', () => {
		expect(arrivals(null, [I1])).toEqual([]);
		expect(arrivals(new Set(['I-01']), [R4, I4, I1]).map((i) => i.id)).toEqual(['R-04', 'I-04']);
		expect(arrivals(new Set(['I-01', 'I-04', 'R-04']), [R4, I4, I1])).toEqual([]);
	});

	it('stores read ids defensively and bounded', () => {
		expect([...parseReadIds('["I-01","I-02",3]')]).toEqual(['I-01', 'I-02']);
		expect(parseReadIds('not json').size).toBe(0);
		expect(parseReadIds('{"a":1}').size).toBe(0);
		expect(parseReadIds(null).size).toBe(0);
		expect(JSON.parse(serializeReadIds(['a', 'b', 'c'], 2))).toEqual(['b', 'c']);
	});
});

describe('text helpers', () => {
	it('shortens a message on a boundary', () => {
		expect(excerpt('短消息')).toBe('短消息');
		const zh = '解放路下穿隧道积水已达0.8米，一辆公交车熄火被困，车上约30名乘客，驾驶员请求救援。现场另有两辆轿车被淹。';
		const cut = excerpt(zh, 30);
		expect(cut.endsWith('…')).toBe(true);
		expect([...cut].length).toBeLessThanOrEqual(31);
		expect(cut).toContain('一辆公交车熄火被困，');
		expect(excerpt('a  b\n c')).toBe('a b c');
	});

	it('picks the text in the page language', () => {
		expect(localText({ zh: '中', en: 'EN' }, 'zh-CN')).toBe('中');
		expect(localText({ zh: '中', en: 'EN' }, 'en')).toBe('EN');
	});
});

describe('exercise clock on the board', () => {
	const clock = { status: 'running' as const, running: true, speed: 2, anchorWallMs: 1_000_000, anchorScenarioMs: 600_000 };

	it('ticks from the anchor at the clock speed, corrected by the server offset', () => {
		expect(clockNow(clock, 1_010_000).ms).toBe(620_000);
		// The client runs 5 s behind the server.
		expect(clockNow(clock, 1_005_000, 5_000).ms).toBe(620_000);
		expect(clockNow({ ...clock, running: false, status: 'paused' }, 2_000_000)).toMatchObject({ ms: 600_000, running: false, status: 'paused' });
		expect(clockNow(null, 0)).toEqual({ ms: null, running: false, speed: 1, status: null });
	});

	it('formats T+HH:MM:SS, past 99 hours too', () => {
		expect(formatClock(0)).toBe('T+00:00:00');
		expect(formatClock(3_723_999)).toBe('T+01:02:03');
		expect(formatClock(360_000_000)).toBe('T+100:00:00');
		expect(formatClock(-5)).toBe('T+00:00:00');
		expect(formatClockShort(3_723_999)).toBe('T+01:02');
		expect(formatSpeed(2)).toBe('2×');
		expect(formatSpeed(0.5)).toBe('0.5×');
	});

	it('measures the server offset from the Date header, ignoring sub-second noise', () => {
		const at = Date.parse('2026-03-01T08:00:00Z');
		expect(serverOffset('Sun, 01 Mar 2026 08:00:00 GMT', at, at + 200)).toBe(0);
		expect(serverOffset('Sun, 01 Mar 2026 08:00:10 GMT', at, at + 200)).toBe(10_400);
		expect(serverOffset(null, at, at)).toBe(0);
		expect(serverOffset('garbage', at, at)).toBe(0);
	});

	it('reads what the server writes into the control document', () => {
		const doc = new Y.Doc();
		putClock(doc, clock);
		putInject(doc, I4);
		putInject(doc, I1);
		putAck(doc, ack('I-04', 'fire'));
		expect(readClock(doc)).toEqual(clock);
		expect(visibleInjects(readInjects(doc), fire1).map((i) => i.id)).toEqual(['I-04', 'I-01']);
		expect(ackableAgencies(I4, readAcks(doc), fire1, 'running')).toEqual([]);
	});
});
