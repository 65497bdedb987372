/**
 * SQL metacharacters are data: texts full of quotes, comment markers, backslashes and wildcards are
 * stored and returned byte for byte by the log API, its CSV export and a scenario package round trip,
 * and filtering with them matches nothing by accident. A NUL byte (which PostgreSQL cannot store in
 * text or jsonb) is refused with a clear 400 instead of failing in the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltinScenarios } from '../../db/scenarios';
import { apiClient } from './helpers/api';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

const HOSTILE = [
	"'; drop table users; --",
	'Robert"); DELETE FROM command_log WHERE (\'1\'=\'1',
	'100% \\ _under_ \\\\ back\\slash \\x00 $1 $$ :name ? %s',
	"O'Brien -- /* comment */ ' OR 1=1 #",
	'"quoted", with\r\nnew lines; and ; semicolons'
];
const NUL = 'before\u0000after';

let database: TestDatabase;
let api: ReturnType<typeof apiClient>;
const t: Record<string, string> = {};

beforeAll(async () => {
	database = await seededDatabase();
	api = apiClient(database);
	for (const u of ['facilitator', 'commander', 'fire1']) t[u] = await api.signIn(u);
});
afterAll(() => database.dispose());

async function newExercise(): Promise<string> {
	const id = (await api.call('POST', 'exercises', { body: { title: HOSTILE[0] }, token: t.facilitator })).json.exercise.id;
	for (const [username, role] of [['commander', 'commander'], ['fire1', 'player']]) await api.call('POST', `exercises/${id}/members`, { body: { username, role }, token: t.facilitator });
	await api.call('POST', `exercises/${id}/transition`, { body: { status: 'briefing' }, token: t.facilitator });
	return id;
}

/** Text a client may see after a refusal: no stack, no SQL, no driver names. */
function expectNoLeak(text: string) {
	expect(text).not.toMatch(/\n\s+at |node_modules|Error:/);
	expect(text).not.toMatch(/\b(select|insert into|delete from)\b|postgres|pglite|invalid byte sequence|unsupported unicode/i);
}

describe(`SQL metacharacters as data on ${backend}`, () => {
	it('stores and returns log texts verbatim, in JSON and in the CSV export, and the tables survive', async () => {
		const id = await newExercise();
		for (const text of HOSTILE) {
			const r = await api.call('POST', `exercises/${id}/log`, { body: { kind: 'order', to: { agencies: ['fire'] }, body: { text } }, token: t.commander });
			expect(r.status, text).toBe(201);
			expect(r.json.entry.body.text).toBe(text);
		}
		const list = await api.call('GET', `exercises/${id}/log`, { token: t.fire1 });
		expect(list.json.entries.map((e: { body: { text: string } }) => e.body.text)).toEqual(HOSTILE);
		const csv = await api.call('GET', `exercises/${id}/log?format=csv`, { token: t.fire1 });
		expect(csv.status).toBe(200);
		for (const text of HOSTILE) expect(csv.text).toContain(/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
		// Filters take the metacharacters literally: an agency named like an injection matches nothing.
		const filtered = await api.call('GET', `exercises/${id}/log?agency=${encodeURIComponent("fire' OR '1'='1")}`, { token: t.fire1 });
		expect([200, 400]).toContain(filtered.status);
		if (filtered.status === 200) expect(filtered.json.entries).toEqual([]);
		// The exercise title went through the same path; the users table is still there.
		const ex = await api.call('GET', `exercises/${id}`, { token: t.fire1 });
		expect(ex.json.exercise.title).toBe(HOSTILE[0]);
		expect(await api.signIn('commander')).toMatch(/./);
		const verify = await api.call('GET', `exercises/${id}/log/verify`, { token: t.fire1 });
		expect(verify.json).toMatchObject({ ok: true, count: HOSTILE.length });
	});

	it('round-trips a scenario package whose texts are SQL', async () => {
		const pkg = structuredClone(loadBuiltinScenarios()[0]) as unknown as { id: string; meta: { title: { zh: string; en: string } }; injects: { message: { zh: string; en: string } }[] };
		pkg.id = 'sql-as-data';
		pkg.meta.title = { zh: HOSTILE[0], en: HOSTILE[1] };
		pkg.injects[0].message = { zh: HOSTILE[2], en: HOSTILE[3] };
		const r = await api.call('POST', 'scenarios', { body: pkg, token: t.facilitator });
		expect(r.status).toBe(201);
		const back = await api.call('GET', 'scenarios/sql-as-data?download', { token: t.facilitator });
		expect(back.json.meta.title).toEqual(pkg.meta.title);
		expect(back.json.injects[0].message).toEqual(pkg.injects[0].message);
		const list = await api.call('GET', 'scenarios', { token: t.facilitator });
		expect(list.json.scenarios.find((s: { id: string }) => s.id === 'sql-as-data')).toMatchObject({ titleZh: HOSTILE[0], titleEn: HOSTILE[1] });
	});

	it('refuses a NUL byte with a clear 400 and stores nothing', async () => {
		const id = await newExercise();
		const before = (await api.call('GET', `exercises/${id}/log`, { token: t.fire1 })).json.entries.length;
		const log = await api.call('POST', `exercises/${id}/log`, { body: { kind: 'order', to: { agencies: ['fire'] }, body: { text: NUL } }, token: t.commander });
		expect(log.status).toBe(400);
		expect(log.json.error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/NUL|control character/i) });
		expectNoLeak(log.text);
		expect((await api.call('GET', `exercises/${id}/log`, { token: t.fire1 })).json.entries).toHaveLength(before);

		const pkg = structuredClone(loadBuiltinScenarios()[0]) as unknown as { id: string; meta: { title: { zh: string } } };
		pkg.id = 'nul-scenario';
		pkg.meta.title.zh = NUL;
		const scenario = await api.call('POST', 'scenarios', { body: pkg, token: t.facilitator });
		expect(scenario.status).toBe(400);
		expectNoLeak(scenario.text);
		expect((await api.call('GET', 'scenarios/nul-scenario', { token: t.facilitator })).status).toBe(404);

		const title = await api.call('POST', 'exercises', { body: { title: NUL }, token: t.facilitator });
		expect(title.status).toBe(400);
		expectNoLeak(title.text);
	});
});
