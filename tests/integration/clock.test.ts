import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioNow } from '../../server/clock';
import { apiClient } from './helpers/api';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

let database: TestDatabase;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
	database = await seededDatabase();
	api = apiClient(database);
});
afterAll(() => database.dispose());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`exercise clock on ${backend}`, () => {
	it('runs only while the exercise runs, survives a reopen, and stamps log entries', async () => {
		const fac = await api.signIn('facilitator');
		const id = (await api.call('POST', 'exercises', { body: { title: 'Clock' }, token: fac })).json.exercise.id;
		await api.call('POST', `exercises/${id}/members`, { body: { username: 'commander', role: 'commander' }, token: fac });
		const move = (status: string) => api.call('POST', `exercises/${id}/transition`, { body: { status }, token: fac });
		await move('briefing');
		expect(await scenarioNow(database.db, id)).toBe(0);

		await move('running');
		await sleep(120);
		const running = (await scenarioNow(database.db, id)) as number;
		expect(running).toBeGreaterThanOrEqual(100);

		await move('paused');
		const paused = (await scenarioNow(database.db, id)) as number;
		await sleep(120);
		expect(await scenarioNow(database.db, id)).toBe(paused);

		const cmd = await api.signIn('commander');
		const entry = await api.call('POST', `exercises/${id}/log`, { body: { kind: 'order', to: { agencies: ['fire'] }, body: { text: '待命' } }, token: cmd });
		expect(entry.json.entry.scenarioMs).toBe(paused);

		// The anchor lives in the database: a later reader (another process, a restart) sees the same time.
		expect(await scenarioNow(database.db, id, Date.now() + 3600_000)).toBe(paused);
		await move('running');
		expect(await scenarioNow(database.db, id, Date.now() + 1000)).toBeGreaterThanOrEqual(paused + 900);
		expect(await scenarioNow(database.db, crypto.randomUUID())).toBeNull();
	});
});
