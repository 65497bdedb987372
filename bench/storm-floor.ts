/**
 * The join storm's floor on this machine: a server that does nothing but write one ready-made message
 * of the board's size (1.46 MB) to each of 200 lightweight clients (bench/lib/lean-socket.ts, as in the
 * storm) that open their sockets at once. No Yjs, no auth, no database, no provider worker: what moving
 * the bytes over loopback costs the server and the clients, and how long the last client waits.
 *
 *   npm run bench:storm-floor [-- --runs=5 --clients=200 --bytes=1460000]   (--quick: 2 runs)
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { LeanSocket } from './lib/lean-socket';
import { summarize } from './lib/common';

const option = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);

interface ServerCpu {
	cpuMs: number;
	sent: number;
}

/** Child: answers every upgrade with the payload; on request, reports CPU since the first upgrade. */
function serve(bytes: number): void {
	const payload = Buffer.alloc(bytes, 1);
	const wss = new WebSocketServer({ noServer: true });
	const server = http.createServer();
	let since: NodeJS.CpuUsage | null = null;
	let sent = 0;
	server.on('upgrade', (req, socket, head) => {
		since ??= process.cpuUsage();
		wss.handleUpgrade(req, socket, head, (ws) => ws.send(payload, () => sent++));
	});
	process.on('message', () => {
		const used = process.cpuUsage(since ?? undefined);
		process.send!({ cpuMs: (used.user + used.system) / 1000, sent } satisfies ServerCpu);
	});
	server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
}

interface FloorRun {
	lastMs: number;
	medianMs: number;
	serverCpuMs: number;
	clientCpuMs: number;
}

async function run(clients: number, bytes: number): Promise<FloorRun> {
	const child = fork(fileURLToPath(import.meta.url), ['--serve', `--bytes=${bytes}`], { execArgv: ['--import', 'tsx'] });
	try {
		const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', resolve as (m: unknown) => void));
		const cpu0 = process.cpuUsage();
		const t0 = performance.now();
		const times = await Promise.all(
			Array.from(
				{ length: clients },
				() =>
					new Promise<number>((resolve, reject) => {
						const s = new LeanSocket(`ws://127.0.0.1:${port}/floor`, {});
						s.on('message', (_head: Buffer, length: number) => {
							if (length === bytes) resolve(performance.now() - t0);
						});
						s.on('error', reject);
					})
			)
		);
		const used = process.cpuUsage(cpu0);
		child.send('cpu');
		const server = await new Promise<ServerCpu>((resolve) => child.once('message', resolve as (m: unknown) => void));
		if (server.sent !== clients) throw new Error(`server finished ${server.sent} of ${clients} sends`);
		const s = summarize(times);
		return { lastMs: Math.round(s.max), medianMs: Math.round(s.p50), serverCpuMs: Math.round(server.cpuMs), clientCpuMs: Math.round((used.user + used.system) / 1000) };
	} finally {
		child.kill();
	}
}

if (process.argv.includes('--serve')) {
	serve(option('bytes', 1_460_000));
} else {
	const runs = option('runs', process.argv.includes('--quick') ? 2 : 5);
	const clients = option('clients', 200);
	const bytes = option('bytes', 1_460_000);
	const results: FloorRun[] = [];
	for (let i = 0; i < runs; i++) {
		const r = await run(clients, bytes);
		console.log(`run ${i + 1}: last client had it after ${r.lastMs} ms (median ${r.medianMs}); server CPU ${r.serverCpuMs} ms, clients' CPU ${r.clientCpuMs} ms`);
		results.push(r);
		// Let the closed sockets settle before the next run.
		await new Promise((r) => setTimeout(r, 1000));
	}
	const med = (k: keyof FloorRun) => summarize(results.map((r) => r[k])).p50;
	console.log(`${clients} clients × ${bytes} bytes, medians of ${runs} runs: last client ${med('lastMs')} ms, server CPU ${med('serverCpuMs')} ms, clients' CPU ${med('clientCpuMs')} ms`);
	process.exit(0);
}
