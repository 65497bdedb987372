import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandLog } from '../../db/schema';
import type { LogEntry } from '../../src/lib/domain/commandlog/entry';
import { apiClient } from './helpers/api';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

let database: TestDatabase;
let api: ReturnType<typeof apiClient>;
const t: Record<string, string> = {};

async function newExercise(): Promise<string> {
	const id = (await api.call('POST', 'exercises', { body: { title: 'Log test' }, token: t.facilitator })).json.exercise.id;
	for (const [username, role] of [['commander', 'commander'], ['fire1', 'player'], ['police1', 'player'], ['health1', 'player'], ['em1', 'player'], ['observer', 'observer'], ['evaluator', 'evaluator']]) {
		await api.call('POST', `exercises/${id}/members`, { body: { username, role }, token: t.facilitator });
	}
	await api.call('POST', `exercises/${id}/transition`, { body: { status: 'briefing' }, token: t.facilitator });
	return id;
}

const post = (id: string, who: string, body: unknown) => api.call('POST', `exercises/${id}/log`, { body, token: t[who] });
const order = { kind: 'order', to: { agencies: ['fire', 'police'] }, body: { text: '立即封控临江化工园区周边道路' } };

beforeAll(async () => {
	database = await seededDatabase();
	api = apiClient(database);
	for (const u of ['facilitator', 'commander', 'fire1', 'police1', 'health1', 'em1', 'observer', 'evaluator', 'outsider']) t[u] = await api.signIn(u);
});
afterAll(() => database.dispose());

describe(`command-chain log on ${backend}`, () => {
	it('records order → acknowledgements → feedback and verifies the chain', async () => {
		const id = await newExercise();
		const o = await post(id, 'commander', order);
		expect(o.status).toBe(201);
		expect(o.json.entry).toMatchObject({ seq: 1, kind: 'order', from: { role: 'commander', agency: null } });
		expect(o.json.entry.prevHash).toBe('0'.repeat(64));
		const ack = await post(id, 'fire1', { kind: 'ack', refs: { entries: [1] }, body: { text: '收到' } });
		expect(ack.json.entry).toMatchObject({ seq: 2, from: { agency: 'fire' }, to: { agencies: [], commander: true } });
		expect(ack.json.entry.prevHash).toBe(o.json.entry.hash);
		const fb = await post(id, 'fire1', { kind: 'feedback', refs: { entries: [1] }, body: { text: '已封控', completed: true } });
		expect(fb.status).toBe(201);
		const v = await api.call('GET', `exercises/${id}/log/verify`, { token: t.observer });
		expect(v.json).toMatchObject({ ok: true, count: 3 });
	});

	it('refuses entries that break the chain rules with 403 and the rule', async () => {
		const id = await newExercise();
		const byFire = await post(id, 'fire1', order);
		expect(byFire.status).toBe(403);
		expect(byFire.json.error).toEqual({ code: 'chain_rule', message: 'Your role may not send this kind of entry (order) now.' });
		for (const who of ['observer', 'evaluator', 'facilitator']) {
			expect((await post(id, who, { kind: 'request', to: { agencies: ['fire'] }, body: { text: 'x' } })).status, who).toBe(403);
		}
		await post(id, 'commander', { ...order, to: { agencies: ['fire'] } });
		const wrongAck = await post(id, 'police1', { kind: 'ack', refs: { entries: [1] }, body: { text: '收到' } });
		expect(wrongAck.json.error.message).toBe('Entry 1 is not addressed to you.');
		expect((await post(id, 'outsider', order)).status).toBe(404);
	});

	it('validates bodies (400 with fields) and refuses oversized text (413)', async () => {
		const id = await newExercise();
		const bad = await post(id, 'commander', { kind: 'shout', body: {} });
		expect(bad.status).toBe(400);
		expect(Object.keys(bad.json.error.details)).toEqual(expect.arrayContaining(['kind', 'body.text']));
		const big = await post(id, 'commander', { ...order, body: { text: '长'.repeat(4001) } });
		expect(big.status).toBe(413);
		expect(big.json.error.details).toHaveProperty('body.text');
		const extra = await post(id, 'commander', { ...order, seq: 7 });
		expect(extra.status).toBe(400);
	});

	it('marks incomplete reports and accepts them', async () => {
		const id = await newExercise();
		const r = await post(id, 'fire1', {
			kind: 'report',
			to: { commander: true },
			body: { text: '首报：3号罐区起火', stage: 'initial', report: { time: '02:10', place: '3号罐区', casualties: { dead: 0, injured: 2, missing: 0, trapped: 0 } } }
		});
		expect(r.status).toBe(201);
		expect(r.json.entry.missing).toEqual(['nature', 'scale', 'hazmat', 'trend', 'measures', 'requests', 'reportingUnit', 'reportingPerson']);
	});

	it('keeps the sequence gapless under 100 concurrent appends', async () => {
		const id = await newExercise();
		const senders = ['fire1', 'police1', 'health1', 'em1'];
		const targets: Record<string, string> = { fire1: 'police', police1: 'fire', health1: 'fire', em1: 'health' };
		const results = await Promise.all(
			Array.from({ length: 100 }, (_, i) => {
				const who = senders[i % senders.length];
				return post(id, who, { kind: 'coordination', to: { agencies: [targets[who]] }, body: { text: `协调 ${i}` } });
			})
		);
		expect(results.map((r) => r.status).every((s) => s === 201)).toBe(true);
		const seqs = results.map((r) => r.json.entry.seq).sort((a, b) => a - b);
		expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
		const v = await api.call('GET', `exercises/${id}/log/verify`, { token: t.commander });
		expect(v.json).toMatchObject({ ok: true, count: 100 });
	});

	it('names the first tampered row when any stored column or content is altered', async () => {
		const id = await newExercise();
		for (let i = 0; i < 5; i++) await post(id, 'commander', { ...order, body: { text: `指令 ${i}` } });
		const row = (seq: number) => and(eq(commandLog.exerciseId, id), eq(commandLog.seq, seq));
		const verify = async () => (await api.call('GET', `exercises/${id}/log/verify`, { token: t.commander })).json;
		expect((await verify()).ok).toBe(true);

		await database.db.update(commandLog).set({ entry: sql`jsonb_set(${commandLog.entry}, '{body,text}', '"改写"')` }).where(row(3));
		expect(await verify()).toMatchObject({ ok: false, brokenSeq: 3 });
		await database.db.update(commandLog).set({ entry: sql`jsonb_set(${commandLog.entry}, '{body,text}', '"指令 2"')` }).where(row(3));
		expect((await verify()).ok).toBe(true);

		await database.db.update(commandLog).set({ fromAgency: 'fire' }).where(row(2));
		expect(await verify()).toMatchObject({ ok: false, brokenSeq: 2 });
		await database.db.update(commandLog).set({ fromAgency: null }).where(row(2));

		await database.db.update(commandLog).set({ at: new Date('2020-01-01T00:00:00Z') }).where(row(4));
		expect(await verify()).toMatchObject({ ok: false, brokenSeq: 4 });
	});

	it('names a deleted row', async () => {
		const id = await newExercise();
		for (let i = 0; i < 3; i++) await post(id, 'commander', order);
		await database.db.delete(commandLog).where(and(eq(commandLog.exerciseId, id), eq(commandLog.seq, 2)));
		const v = await api.call('GET', `exercises/${id}/log/verify`, { token: t.commander });
		expect(v.json).toMatchObject({ ok: false, brokenSeq: 2 });
	});

	it('filters by agency and kind and exports CSV', async () => {
		const id = await newExercise();
		await post(id, 'commander', { ...order, to: { agencies: ['fire'] } });
		await post(id, 'commander', { ...order, to: { agencies: ['health'] } });
		await post(id, 'fire1', { kind: 'ack', refs: { entries: [1] }, body: { text: '收到' } });
		const fire = await api.call('GET', `exercises/${id}/log?agency=fire`, { token: t.observer });
		expect(fire.json.entries.map((e: LogEntry) => e.seq)).toEqual([1, 3]);
		const acks = await api.call('GET', `exercises/${id}/log?kind=ack`, { token: t.observer });
		expect(acks.json.entries.map((e: LogEntry) => e.seq)).toEqual([3]);
		const after = await api.call('GET', `exercises/${id}/log?after=2`, { token: t.observer });
		expect(after.json.entries.map((e: LogEntry) => e.seq)).toEqual([3]);
		expect((await api.call('GET', `exercises/${id}/log?kind=nope`, { token: t.observer })).status).toBe(400);
		const csv = await api.call('GET', `exercises/${id}/log?format=csv&agency=fire`, { token: t.observer });
		expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		const lines = csv.text.trim().split('\r\n');
		expect(lines).toHaveLength(3);
		expect(lines[2]).toContain('收到');
	});
});
