/**
 * Injection (issue 7): SQL metacharacters in bodies, path parameters, query filters and credentials are
 * data — stored and returned byte for byte, matched literally, never an error or a wider answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minimalScenario } from '../fixtures/minimal-scenario';
import { apiClient } from './helpers/api';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

const SQL = ["'; DROP TABLE users; --", "' OR '1'='1", '%_\\', '"); DELETE FROM exercises; --', '$1 $$ ::uuid'];

let database: TestDatabase;
let api: ReturnType<typeof apiClient>;
const t: Record<string, string> = {};
let id: string;

const call = (method: string, path: string, who: string, body?: unknown) => api.call(method, path, { body, token: t[who] });

beforeAll(async () => {
	database = await seededDatabase();
	api = apiClient(database);
	for (const u of ['facilitator', 'commander', 'em1']) t[u] = await api.signIn(u);
	await call('POST', 'scenarios', 'facilitator', minimalScenario());
	id = (await call('POST', 'exercises', 'facilitator', { title: SQL.join(' | '), description: SQL[1] })).json.exercise.id;
	await call('POST', `exercises/${id}/members`, 'facilitator', { username: 'commander', role: 'commander' });
	await call('POST', `exercises/${id}/members`, 'facilitator', { username: 'em1', role: 'player' });
	await call('PUT', `exercises/${id}/scenario`, 'facilitator', { scenarioId: 'mini-flood', seed: 's' });
	await call('POST', `exercises/${id}/transition`, 'facilitator', { status: 'briefing' });
});
afterAll(() => database.dispose());

describe(`SQL metacharacters are data on ${backend}`, () => {
	it('stores and returns them literally in titles and log entries', async () => {
		const ex = (await call('GET', `exercises/${id}`, 'facilitator')).json.exercise;
		expect(ex.title).toBe(SQL.join(' | '));
		expect(ex.description).toBe(SQL[1]);
		for (const text of SQL) {
			expect((await call('POST', `exercises/${id}/log`, 'em1', { kind: 'report', to: { commander: true }, refs: { entries: [] }, body: { text, stage: 'initial' } })).status).toBe(201);
		}
		const entries = (await call('GET', `exercises/${id}/log`, 'facilitator')).json.entries;
		expect(entries.map((e: { body: { text: string } }) => e.body.text)).toEqual(SQL);
		expect((await call('GET', `exercises/${id}/log/verify`, 'facilitator')).json.ok).toBe(true);
	});

	it('matches filters and path parameters literally: nothing more, and no server error', async () => {
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

	it('signs nobody in with metacharacters for credentials', async () => {
		for (const s of SQL) {
			const r = await api.call('POST', 'session', { body: { username: s, password: s }, address: `10.7.0.${SQL.indexOf(s)}` });
			expect(r.status).toBe(401);
			expect(r.json.error.code).toBe('invalid_credentials');
			const admin = await api.call('POST', 'session', { body: { username: 'admin', password: s }, address: `10.8.0.${SQL.indexOf(s)}` });
			expect(admin.status).toBe(401);
		}
	});
});
