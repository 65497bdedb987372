/**
 * SQL injection (issue 7): SQL metacharacters — quotes, comment markers, backslashes, wildcards and
 * placeholders — in bodies, path parameters, query filters and credentials are data. They are stored and
 * returned byte for byte (titles, log entries, the log's CSV export, a scenario package round trip),
 * matched literally (nothing more, never an error or a wider answer) and sign nobody in. A NUL byte
 * (which PostgreSQL cannot store in text or jsonb) is refused with a clear 400 instead of failing in the
 * database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltinScenarios } from '../../db/scenarios';
import { minimalScenario } from '../fixtures/minimal-scenario';
import { apiClient } from './helpers/api';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

/** Short enough for any field: filter values (agencies: at most 32 characters) and usernames (40). */
const SQL = ["'; DROP TABLE users; --", "' OR '1'='1", '%_\\', '"); DELETE FROM exercises; --', '$1 $$ ::uuid'];
/** Longer free texts: line breaks and quotes for the CSV export, comment markers, placeholders, wildcards. */
const SQL_TEXTS = [
	"'; drop table users; --",
	'Robert"); DELETE FROM command_log WHERE (\'1\'=\'1',
	'100% \\ _under_ \\\\ back\\slash \\x00 $1 $$ :name ? %s',
	"O'Brien -- /* comment */ ' OR 1=1 #",
	'"quoted", with\r\nnew lines; and ; semicolons'
];
const ALL = [...SQL, ...SQL_TEXTS];
/** As many as a title's 120 characters hold (116); the description takes them all. */
const TITLE = [...SQL, SQL_TEXTS[0]].join(' | ');
const DESCRIPTION = ALL.join(' | ');
const NUL = 'before\u0000after';

let database: TestDatabase;
let api: ReturnType<typeof apiClient>;
const t: Record<string, string> = {};
let id: string;

const call = (method: string, path: string, who: string, body?: unknown) => api.call(method, path, { body, token: t[who] });

beforeAll(async () => {
	database = await seededDatabase();
	api = apiClient(database);
	for (const u of ['facilitator', 'commander', 'em1', 'fire1']) t[u] = await api.signIn(u);
	await call('POST', 'scenarios', 'facilitator', minimalScenario());
	id = (await call('POST', 'exercises', 'facilitator', { title: TITLE, description: DESCRIPTION })).json.exercise.id;
	await call('POST', `exercises/${id}/members`, 'facilitator', { username: 'commander', role: 'commander' });
	await call('POST', `exercises/${id}/members`, 'facilitator', { username: 'em1', role: 'player' });
	await call('POST', `exercises/${id}/members`, 'facilitator', { username: 'fire1', role: 'player' });
	await call('PUT', `exercises/${id}/scenario`, 'facilitator', { scenarioId: 'mini-flood', seed: 's' });
	await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'briefing' });
});
afterAll(() => database.dispose());

/** Text a client may see after a refusal: no stack, no SQL, no driver names. */
function expectNoLeak(text: string) {
	expect(text).not.toMatch(/\n\s+at |node_modules|Error:/);
	expect(text).not.toMatch(/\b(select|insert into|delete from)\b|postgres|pglite|invalid byte sequence|unsupported unicode/i);
}

describe(`SQL metacharacters are data on ${backend}`, () => {
	it('stores and returns them literally in titles, log entries (JSON and CSV export), and the tables survive', async () => {
		const ex = (await call('GET', `exercises/${id}`, 'facilitator')).json.exercise;
		expect(ex.title).toBe(TITLE);
		expect(ex.description).toBe(DESCRIPTION);
		for (const text of ALL) {
			const order = await call('POST', `exercises/${id}/log`, 'commander', { kind: 'order', to: { agencies: ['fire'] }, body: { text } });
			expect(order.status, text).toBe(201);
			expect(order.json.entry.body.text).toBe(text);
			const report = await call('POST', `exercises/${id}/log`, 'em1', { kind: 'report', to: { commander: true }, refs: { entries: [] }, body: { text, stage: 'initial' } });
			expect(report.status, text).toBe(201);
		}
		const texts = (who: string) => call('GET', `exercises/${id}/log`, who).then((r) => r.json.entries.map((e: { body: { text: string } }) => e.body.text));
		expect(await texts('facilitator')).toEqual(ALL.flatMap((s) => [s, s]));
		expect(await texts('fire1')).toEqual(ALL.flatMap((s) => [s, s]));
		const csv = await call('GET', `exercises/${id}/log?format=csv`, 'fire1');
		expect(csv.status).toBe(200);
		for (const text of ALL) expect(csv.text).toContain(/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
		// The users table is still there, and the log's hash chain holds.
		expect(await api.signIn('commander')).toMatch(/./);
		expect((await call('GET', `exercises/${id}/log/verify`, 'facilitator')).json).toMatchObject({ ok: true, count: 2 * ALL.length });
	});

	it('matches filters and path parameters literally: nothing more, and no server error', async () => {
		// An agency named like an injection against a real agency matches nothing.
		const filtered = await call('GET', `exercises/${id}/log?agency=${encodeURIComponent("fire' OR '1'='1")}`, 'fire1');
		expect([200, 400]).toContain(filtered.status);
		if (filtered.status === 200) expect(filtered.json.entries).toEqual([]);
		for (const s of SQL) {
			const q = encodeURIComponent(s);
			const log = await call('GET', `exercises/${id}/log?agency=${q}`, 'facilitator');
			expect(log.status).toBe(200);
			expect(log.json.entries).toEqual([]);
			expect((await call('GET', `exercises/${id}/log?inject=${q}`, 'facilitator')).json.entries).toEqual([]);
			expect([200, 400]).toContain((await call('GET', `exercises/${id}/tasks?agency=${q}`, 'facilitator')).status);
			const rect = await call('GET', `rectifications?exercise=${q}&agency=${q}`, 'facilitator');
			expect(rect.status, `rectifications filtered by ${s}`).toBe(200);
			expect(rect.json.items).toEqual([]);
			expect((await call('GET', `exercises/${q}`, 'facilitator')).status).toBe(404);
			expect((await call('GET', `scenarios/${q}`, 'facilitator')).status).toBe(404);
			expect((await call('PATCH', `rectifications/${q}`, 'facilitator', { owner: 'x' })).status).toBe(404);
			expect((await call('GET', `exercises/${id}/monitoring/${q}`, 'facilitator')).status).toBe(404);
		}
	});

	it('round-trips a scenario package whose texts are SQL', async () => {
		const pkg = structuredClone(loadBuiltinScenarios()[0]) as unknown as { id: string; meta: { title: { zh: string; en: string } }; injects: { message: { zh: string; en: string } }[] };
		const [a, b, c, d] = SQL_TEXTS;
		pkg.id = 'sql-as-data';
		pkg.meta.title = { zh: a, en: b };
		pkg.injects[0].message = { zh: c, en: d };
		expect((await call('POST', 'scenarios', 'facilitator', pkg)).status).toBe(201);
		const back = await call('GET', 'scenarios/sql-as-data?download', 'facilitator');
		expect(back.json.meta.title).toEqual(pkg.meta.title);
		expect(back.json.injects[0].message).toEqual(pkg.injects[0].message);
		const list = await call('GET', 'scenarios', 'facilitator');
		expect(list.json.scenarios.find((s: { id: string }) => s.id === 'sql-as-data')).toMatchObject({ titleZh: a, titleEn: b });
	});

	it('signs nobody in with metacharacters for credentials', async () => {
		for (const [i, s] of SQL.entries()) {
			const r = await api.call('POST', 'session', { body: { username: s, password: s }, address: `10.7.0.${i}` });
			expect(r.status).toBe(401);
			expect(r.json.error.code).toBe('invalid_credentials');
			const admin = await api.call('POST', 'session', { body: { username: 'admin', password: s }, address: `10.8.0.${i}` });
			expect(admin.status).toBe(401);
		}
	});

	it('refuses a NUL byte with a clear 400 and stores nothing', async () => {
		const count = async () => (await call('GET', `exercises/${id}/log`, 'facilitator')).json.entries.length;
		const before = await count();
		const log = await call('POST', `exercises/${id}/log`, 'commander', { kind: 'order', to: { agencies: ['fire'] }, body: { text: NUL } });
		expect(log.status).toBe(400);
		expect(log.json.error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/NUL|control character/i) });
		expectNoLeak(log.text);
		expect(await count()).toBe(before);

		const pkg = structuredClone(loadBuiltinScenarios()[0]) as unknown as { id: string; meta: { title: { zh: string } } };
		pkg.id = 'nul-scenario';
		pkg.meta.title.zh = NUL;
		const scenario = await call('POST', 'scenarios', 'facilitator', pkg);
		expect(scenario.status).toBe(400);
		expectNoLeak(scenario.text);
		expect((await call('GET', 'scenarios/nul-scenario', 'facilitator')).status).toBe(404);

		const title = await call('POST', 'exercises', 'facilitator', { title: NUL });
		expect(title.status).toBe(400);
		expectNoLeak(title.text);
	});
});
