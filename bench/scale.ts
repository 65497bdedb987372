/**
 * Multi-process collaboration benchmark (server/scale): the same editing workload served by 1, 2 and 3
 * processes on one PostgreSQL database and one Redis. Every document has clients on every process, so
 * with N > 1 most deliveries cross the Redis hop; latencies are reported apart for clients on the
 * writer's own process and on another one (the difference is the cost of the hop).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/scale.ts [--quick] [--processes=1,2,3]
 *
 * Environment: REDIS_URL (redis://127.0.0.1:6379), BENCH_SECONDS (30; quick 8), BENCH_SCALE_CLIENTS
 * (40 real WebsocketProviders, all in this process), BENCH_SCALE_RATE (edits per second per client, 10).
 * Each run creates and drops its own database; servers use ports 4341–4343. Writes
 * bench/results/scale[-quick]-<time>.json (BENCH_RESULTS_DIR: another folder, as the CI variant uses).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { openDatabase } from '../db/client';
import { exercises, users } from '../db/schema';
import { DEMO_EXERCISE_TITLE, seedDemo } from '../db/seed';
import { createSession } from '../server/auth/sessions';
import { agencyDocName, commonDocName } from '../src/lib/board/docs';
import { startServing, type Proc } from '../tests/integration/helpers/serving';
import { now, sleep, summarize, type Summary } from './lib/common';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const counts = (args.find((a) => a.startsWith('--processes='))?.split('=')[1] ?? '1,2,3').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? (quick ? 8 : 30));
const CLIENTS = Number(process.env.BENCH_SCALE_CLIENTS ?? 40);
const RATE = Number(process.env.BENCH_SCALE_RATE ?? 10);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const BASE_PORT = 4341;
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
	console.error('bench/scale.ts: multi-process mode needs PostgreSQL; set DATABASE_URL (PGlite has one opener).');
	process.exit(1);
}
process.setMaxListeners(0); // every WebsocketProvider adds an exit listener
process.env.ARGON2_TEST_FAST = '1'; // seeding hashes the demo passwords; the benchmark never signs in

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s on Linux)
}

interface Result {
	processes: number;
	clients: number;
	seconds: number;
	editsSent: number;
	deliveriesExpected: number;
	deliveriesReceived: number;
	deliveriesPerSecond: number;
	latency: Summary;
	sameProcess: Summary;
	crossProcess: Summary;
	serverCpuCores: number;
	finalStatesEqual: boolean;
}

async function run(n: number): Promise<Result> {
	const name = `drillboard_bench_scale_${process.pid}_${n}`;
	const admin = postgres(adminUrl!, { max: 1, onnotice: () => {} });
	await admin.unsafe(`create database ${name}`);
	const url = new URL(adminUrl!);
	url.pathname = `/${name}`;
	const servers: Proc[] = [];
	const providers: WebsocketProvider[] = [];
	try {
		const database = await openDatabase({ url: url.toString(), max: 2 });
		await seedDemo(database.db, 'drillboard');
		const [demo] = await database.db.select().from(exercises).where(eq(exercises.title, DEMO_EXERCISE_TITLE)).limit(1);
		const [commander] = await database.db.select().from(users).where(eq(users.username, 'commander')).limit(1);
		const token = await createSession(database.db, commander.id);
		await database.close();
		const docs = [commonDocName(demo.id), agencyDocName(demo.id, 'fire'), agencyDocName(demo.id, 'police'), agencyDocName(demo.id, 'em')];

		const env = { DATABASE_URL: url.toString(), REDIS_URL, REDIS_PREFIX: `bench-${name}:` };
		for (let i = 0; i < n; i++) servers.push(await startServing({ ...env, PORT: String(BASE_PORT + i) }));

		class AuthedWebSocket extends WebSocket {
			constructor(u: string, protocols?: string | string[]) {
				super(u, protocols, { headers: { authorization: `Bearer ${token}` } });
			}
		}
		// Client i on process i % n and document ⌊i / n⌋ % docs: every document has clients on every process.
		const clientProc = (i: number) => i % n;
		const clientDoc = (i: number) => Math.floor(i / n) % docs.length;
		const all: number[] = [];
		const same: number[] = [];
		const cross: number[] = [];
		let measuring = false;
		let received = 0;
		for (let i = 0; i < CLIENTS; i++) {
			const doc = new Y.Doc();
			const p = new WebsocketProvider(`ws://127.0.0.1:${servers[clientProc(i)].port}/collab`, docs[clientDoc(i)], doc, {
				WebSocketPolyfill: AuthedWebSocket as unknown as typeof globalThis.WebSocket,
				disableBc: true
			});
			providers.push(p);
			doc.getMap('m').observe((e) => {
				const t = now();
				for (const key of e.keysChanged) {
					const v = doc.getMap('m').get(key) as [number, number] | undefined;
					if (!v || v[1] === i) continue;
					received++;
					const ms = t - v[0];
					all.push(ms);
					(clientProc(v[1]) === clientProc(i) ? same : cross).push(ms);
				}
			});
		}
		while (!providers.every((p) => p.synced)) await sleep(20);

		const cpu0 = servers.map((s) => cpuSeconds(s.child.pid!));
		let sent = 0;
		measuring = true;
		const writers = providers.map((p, i) => {
			let k = 0;
			return setInterval(() => {
				if (!measuring) return;
				sent++;
				p.doc.getMap('m').set(`${i}:${k++}`, [now(), i]);
			}, 1000 / RATE);
		});
		const started = now();
		await sleep(SECONDS * 1000);
		measuring = false;
		for (const w of writers) clearInterval(w);
		const elapsed = (now() - started) / 1000;
		const cpu1 = servers.map((s) => cpuSeconds(s.child.pid!));
		const perDoc = (d: number) => providers.filter((_, i) => clientDoc(i) === d).length;
		// Each edit goes to every other client of its document.
		let expected = 0;
		const sentBy = providers.map((p, i) => [...p.doc.getMap('m').keys()].filter((k) => k.startsWith(`${i}:`)).length);
		sentBy.forEach((count, i) => (expected += count * (perDoc(clientDoc(i)) - 1)));
		const deadline = now() + 15_000;
		while (received < expected && now() < deadline) await sleep(50);
		const equal = docs.every((_, d) => {
			const states = providers.filter((_, i) => clientDoc(i) === d).map((p) => JSON.stringify([...p.doc.getMap('m').keys()].sort()));
			return states.every((s) => s === states[0]);
		});
		return {
			processes: n,
			clients: CLIENTS,
			seconds: Math.round(elapsed * 10) / 10,
			editsSent: sent,
			deliveriesExpected: expected,
			deliveriesReceived: received,
			deliveriesPerSecond: Math.round(received / elapsed),
			latency: summarize(all),
			sameProcess: summarize(same),
			crossProcess: summarize(cross),
			serverCpuCores: Math.round((cpu1.reduce((a, b) => a + b, 0) - cpu0.reduce((a, b) => a + b, 0)) / elapsed * 100) / 100,
			finalStatesEqual: equal
		};
	} finally {
		for (const p of providers) p.destroy();
		await Promise.all(servers.map((s) => s.stop(5000)));
		for (const s of servers) for (const e of s.errors) console.error(`  [server ${s.port}] ${e.trimEnd()}`);
		await admin.unsafe(`drop database if exists ${name} with (force)`);
		await admin.end();
	}
}

const results: Result[] = [];
for (const n of counts) {
	console.log(`${n} process(es): ${CLIENTS} clients, ${RATE} edits/s each, ${SECONDS} s…`);
	results.push(await run(n));
}
const f = (s: Summary) => (s.n ? `${s.p50} / ${s.p99}` : '–');
console.log('\n| processes | edits/s | deliveries/s | latency p50 / p99 ms (all) | same process | other process (Redis hop) | server CPU, cores (sum) | delivered / expected | states equal |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
	console.log(
		`| ${r.processes} | ${Math.round(r.editsSent / r.seconds)} | ${r.deliveriesPerSecond} | ${f(r.latency)} | ${f(r.sameProcess)} | ${f(r.crossProcess)} | ${r.serverCpuCores} | ${r.deliveriesReceived} / ${r.deliveriesExpected} | ${r.finalStatesEqual} |`
	);
}
const resultsDir = process.env.BENCH_RESULTS_DIR ?? 'bench/results';
mkdirSync(resultsDir, { recursive: true });
const file = `${resultsDir}/scale${quick ? '-quick' : ''}-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.json`;
writeFileSync(file, JSON.stringify({ quick, seconds: SECONDS, clients: CLIENTS, rate: RATE, results }, null, 2));
console.log(`\nwrote ${file}`);
const bad = results.filter((r) => r.deliveriesReceived !== r.deliveriesExpected || !r.finalStatesEqual);
process.exit(bad.length ? 1 : 0);
