/**
 * Fault: kill -9 of the serving process in the middle of a running exercise while players edit the
 * board, append to the command log and acknowledge injects, then a restart on the same port and
 * database. Afterwards every update a client received, every log entry and acknowledgement that got a
 * 2xx and every delivered inject is stored exactly once, the exercise clock runs on from where it was,
 * and the stock providers have reconnected by themselves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { commandLog, injectAcks, injectDeliveries } from '../../db/schema';
import { loadDocument } from '../../server/collab/persistence';
import { readInjects } from '../../src/lib/board/control';
import { agencyDocName, controlDocName } from '../../src/lib/board/docs';
import { minimalScenario } from '../fixtures/minimal-scenario';
import { connectClient, waitFor, type Client } from './helpers/collab';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';
import { startServing, type Proc } from './helpers/serving';

/** In the project's range for tests that serve on a fixed port (4300–4399). */
const PORT = 4331;
const dataDir = backend === 'pglite' ? mkdtempSync(join(tmpdir(), 'drillboard-exercise-crash-')) : undefined;
let base: TestDatabase;
let env: Record<string, string>;
let proc: Proc | undefined;
const clients: Client[] = [];

beforeAll(async () => {
	base = await seededDatabase({ dataDir });
	const database: Record<string, string> = dataDir ? { DATA_DIR: dataDir } : { DATABASE_URL: base.options.url! };
	env = { ...database, REDIS_URL: '', PORT: String(PORT), ARGON2_TEST_FAST: '1' };
	if (dataDir) await base.close(); // PGlite has one opener: the server process
	proc = await startServing(env);
}, 60_000);

afterAll(async () => {
	for (const c of clients) c.destroy();
	await proc?.stop(2000);
	await base?.dispose().catch(() => {});
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The parts of API answers this test reads. */
interface Answer {
	token?: string;
	exercise?: { id: string };
	entry?: { seq: number };
	now?: number;
	injects?: { id: string }[];
}

/** One API request on a fresh connection; status 0 when the server did not answer (it is down). */
async function call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: Answer | null }> {
	try {
		const res = await fetch(`http://127.0.0.1:${PORT}/api/v1/${path}`, {
			method,
			headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), connection: 'close' },
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(10_000)
		});
		return { status: res.status, json: res.headers.get('content-type')?.startsWith('application/json') ? await res.json() : null };
	} catch {
		return { status: 0, json: null };
	}
}

async function must(method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
	const r = await call(method, path, token, body);
	if (r.status < 200 || r.status >= 300 || !r.json) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
	return r.json;
}

it(`loses nothing acknowledged when the server is killed mid-exercise, and carries on after a restart (${backend})`, async () => {
	const token: Record<string, string> = {};
	for (const u of ['facilitator', 'em1', 'fire1', 'police1']) token[u] = (await must('POST', 'session', undefined, { username: u, password: 'drillboard' })).token!;
	await must('POST', 'scenarios', token.facilitator, minimalScenario());
	const id = (await must('POST', 'exercises', token.facilitator, { title: 'Crash' })).exercise!.id;
	for (const u of ['em1', 'fire1', 'police1']) await must('POST', `exercises/${id}/members`, token.facilitator, { username: u, role: 'player' });
	await must('PUT', `exercises/${id}/scenario`, token.facilitator, { scenarioId: 'mini-flood', randomCount: 0, seed: 's' });
	for (const status of ['briefing', 'running']) await must('POST', `exercises/${id}/transition`, token.facilitator, { status });
	const scenarioNow = async (): Promise<number> => (await must('GET', `exercises/${id}/injects`, token.facilitator)).now!;

	// The board: fire1 edits the fire layer, police1 watches it.
	const room = agencyDocName(id, 'fire');
	const url = `ws://127.0.0.1:${PORT}/collab`;
	const writer = connectClient(url, room, { token: token.fire1 });
	const reader = connectClient(url, room, { token: token.police1 });
	clients.push(writer, reader);
	await Promise.all([writer.synced(), reader.synced()]);
	let edits = 0;
	const typing = setInterval(() => writer.doc.getMap('m').set(`k${edits++}`, edits), 20);

	// The command log: fire1 writes to police without pause, through the crash.
	const logged: { seq: number; text: string }[] = [];
	let logging = true;
	const logLoop = (async () => {
		for (let i = 0; logging; i++) {
			const text = `crash test ${i}`;
			const r = await call('POST', `exercises/${id}/log`, token.fire1, { kind: 'coordination', to: { agencies: ['police'] }, body: { text } });
			if (r.status === 201) logged.push({ seq: r.json!.entry!.seq, text });
			await sleep(20);
		}
	})();

	try {
		// Both injects fall due (nobody acknowledged I-01 in time, so the contingent I-02 comes too).
		await must('POST', `exercises/${id}/clock`, token.facilitator, { action: 'jump', to: 'T+00:16' });
		const inbox = async (who: string): Promise<string[]> => ((await call('GET', `exercises/${id}/inbox`, token[who])).json?.injects ?? []).map((i) => i.id);
		await waitFor(async () => (await inbox('em1')).includes('I-01') && (await inbox('fire1')).includes('I-02'), 'both injects delivered', 10_000);
		const acked: string[] = [];
		const ack = async (who: string, injectId: string, agency: string) => {
			expect((await call('POST', `exercises/${id}/injects/${injectId}/ack`, token[who])).status).toBe(201);
			acked.push(`${injectId}/${agency}`);
		};
		await ack('em1', 'I-01', 'em');
		await ack('fire1', 'I-02', 'fire');
		await waitFor(() => reader.doc.getMap('m').size >= 50 && logged.length >= 10, 'edits and log entries before the crash', 15_000);

		const before = await scenarioNow();
		proc!.child.kill('SIGKILL');
		await proc!.exited;
		// Everything the reader got from the dead server, frames in flight included.
		const received = [...reader.doc.getMap('m').keys()];
		const loggedBefore = logged.length;
		await sleep(500); // the players carry on against a dead server

		proc = await startServing(env);
		await waitFor(() => writer.provider.wsconnected && writer.provider.synced && reader.provider.wsconnected && reader.provider.synced, 'both providers to reconnect by themselves', 15_000);
		expect(writer.closes.length + reader.closes.length).toBeGreaterThanOrEqual(2);
		const after = await scenarioNow();
		expect(after).toBeGreaterThanOrEqual(before);
		await sleep(300);
		expect(await scenarioNow()).toBeGreaterThan(after); // the clock runs on
		await waitFor(() => logged.length >= loggedBefore + 5, 'log entries after the restart', 15_000);
		await ack('police1', 'I-02', 'police');
		// The scheduler runs again, and what it delivered before the crash is not delivered twice.
		await must('POST', `exercises/${id}/clock`, token.facilitator, { action: 'jump', to: 'T+00:30' });
		await sleep(1500);

		clearInterval(typing);
		logging = false;
		await logLoop;
		await waitFor(() => reader.doc.getMap('m').size === edits && writer.doc.getMap('m').size === edits, `both clients to hold all ${edits} edits`, 15_000);
		await proc.stop();

		const database = dataDir ? await base.reopen() : base;
		try {
			const stored = new Y.Doc();
			await loadDocument(database.db, room, stored, (seq, e) => {
				throw new Error(`row ${seq}: ${e}`);
			});
			expect(received.filter((k) => !stored.getMap('m').has(k))).toEqual([]);
			expect(stored.getMap('m').size).toBe(edits);

			const rows = await database.db.select().from(commandLog).where(eq(commandLog.exerciseId, id));
			const textOf = (r: (typeof rows)[number]) => (r.entry as { body?: { text?: string } }).body?.text;
			for (const e of logged) {
				expect(rows.filter((r) => textOf(r) === e.text).map((r) => r.seq)).toEqual([e.seq]);
			}
			const seqs = rows.map((r) => r.seq).sort((a, b) => a - b);
			expect(seqs).toEqual(seqs.map((_, i) => i + 1));

			const acks = await database.db.select().from(injectAcks).where(eq(injectAcks.exerciseId, id));
			expect(acks.map((a) => `${a.injectId}/${a.agencyCode}`).sort()).toEqual(acked.sort());
			const deliveries = await database.db.select().from(injectDeliveries).where(eq(injectDeliveries.exerciseId, id));
			expect(deliveries.filter((d) => d.action === 'deliver').map((d) => d.injectId).sort()).toEqual(['I-01', 'I-02']);
			const control = new Y.Doc();
			await loadDocument(database.db, controlDocName(id), control, (seq, e) => {
				throw new Error(`row ${seq}: ${e}`);
			});
			expect(readInjects(control).map((i) => i.id).sort()).toEqual(['I-01', 'I-02']);
		} finally {
			if (database !== base) await database.close();
		}
		expect(proc.errors).toEqual([]);
	} finally {
		clearInterval(typing);
		logging = false;
		await logLoop;
	}
}, 120_000);
