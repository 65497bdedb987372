/**
 * `npm run dev` serves the collaboration WebSocket on Vite's own port (vite.config.ts), with the same
 * session check and permissions as production. This starts the real `vite dev` on a fresh PGlite
 * folder, signs in over its HTTP API and connects stock providers to its `/collab/…`.
 * It always runs on PGlite: what it checks is the dev wiring, which is the same for both databases.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE } from '../../server/collab';
import { agencyDocName } from '../../src/lib/board/docs';
import { connectClient, rawClient, waitFor, type Client } from './helpers/collab';
import { stopChild } from './helpers/serving';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VITE = join(ROOT, 'node_modules/vite/bin/vite.js');

let vite: ChildProcess;
let output = '';
let base = '';
let dataDir = '';
const clients: Client[] = [];

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = net.createServer().once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as net.AddressInfo;
			probe.close(() => resolve(port));
		});
	});
}

async function api(method: string, path: string, token?: string, body?: unknown) {
	const res = await fetch(`${base}/api/v1/${path}`, {
		method,
		headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	return { status: res.status, body: await res.json().catch(() => null) };
}

async function signIn(username: string): Promise<string> {
	const res = await api('POST', 'session', undefined, { username, password: 'drillboard' });
	expect(res.status, JSON.stringify(res.body)).toBe(201);
	return res.body.token;
}

beforeAll(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'drillboard-dev-'));
	const port = await freePort();
	base = `http://127.0.0.1:${port}`;
	const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, DEMO_PASSWORD: 'drillboard', SEED_DEMO: '1' };
	delete env.DATABASE_URL;
	vite = spawn(process.execPath, [VITE, 'dev', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
	vite.stdout!.on('data', (d: Buffer) => (output += d.toString()));
	vite.stderr!.on('data', (d: Buffer) => (output += d.toString()));
	// The first request compiles the app and seeds the demo; until then sign-in does not answer 201.
	await waitFor(
		async () => {
			if (vite.exitCode !== null) throw new Error(`vite dev exited with ${vite.exitCode}:\n${output}`);
			const res = await api('POST', 'session', undefined, { username: 'fire1', password: 'drillboard' }).catch(() => null);
			return res?.status === 201;
		},
		'vite dev to answer a sign-in',
		50_000
	);
}, 60_000);

afterAll(async () => {
	for (const c of clients.splice(0)) c.destroy();
	if (vite) await stopChild(vite);
	rmSync(dataDir, { recursive: true, force: true });
});

describe('collaboration under `vite dev`', () => {
	it('serves /collab on the dev port: players converge, a foreign write is refused and never stored, no session gets 4401', async () => {
		const fire = await signIn('fire1');
		const police = await signIn('police1');
		const { body } = await api('GET', 'exercises', fire);
		const demo = body.exercises.find((e: { title: string }) => e.title === 'Demo');
		expect(demo, JSON.stringify(body)).toBeTruthy();
		const room = agencyDocName(demo.id, 'fire');
		const url = `${base.replace('http', 'ws')}/collab`;

		const writer = connectClient(url, room, { token: fire });
		const reader = connectClient(url, room, { token: police });
		clients.push(writer, reader);
		await Promise.all([writer.synced(), reader.synced()]);
		writer.doc.getMap('units').set('engine-1', 'staged');
		await waitFor(() => reader.doc.getMap('units').get('engine-1') === 'staged', 'the fire edit to reach police');

		reader.doc.getMap('units').set('police-car', 'parked in the fire layer');
		await waitFor(() => reader.closes.some((c) => c.code === CLOSE.writeRefused), 'the police write to be refused');
		const commander = connectClient(url, room, { token: await signIn('commander') });
		clients.push(commander);
		await commander.synced();
		expect(commander.doc.getMap('units').toJSON()).toEqual({ 'engine-1': 'staged' });

		const anonymous = rawClient(url, room, null);
		expect((await anonymous.closed).code).toBe(CLOSE.unauthenticated);
		expect(anonymous.received).toEqual([]);
		expect(output).not.toMatch(/collab server failed to start/);
	}, 30_000);
});
