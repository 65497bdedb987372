/**
 * Serving processes (helpers/scale-process.ts) started from tests and benchmarks, and a TCP proxy that
 * cuts the network on demand (faults: Redis or PostgreSQL unreachable).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS, servingEnv } from '../../../scripts/serving-process.mjs';

/** A serving process: the real server wiring on its own port. */
export interface Proc {
	child: ChildProcess;
	port: number;
	/** Every log line (stdout `{"log"}` lines and stderr), in order. */
	logs: string[];
	/** Lines logged as errors (`{"error":true}`) and anything written to stderr. */
	errors: string[];
	/** `{"memory"}` lines (MEMORY_SAMPLE_MS), with the time they arrived (performance.now()). */
	memory: { at: number; sample: Record<string, number> }[];
	exited: Promise<number | null>;
	/** SIGTERM (pending document updates are stored), then SIGKILL after `graceMs`. */
	stop(graceMs?: number): Promise<void>;
}

const ENTRY = fileURLToPath(new URL('./scale-process.ts', import.meta.url));

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
	await exited;
	clearTimeout(timer);
}

/** Starts helpers/scale-process.ts with `env` added; resolves once it listens. SCALE_DEBUG=1 echoes its logs. */
export function startServing(env: Record<string, string | undefined>): Promise<Proc> {
	const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', ENTRY], { env: servingEnv({ ...process.env, ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
	const logs: string[] = [];
	const errors: string[] = [];
	const memory: Proc['memory'] = [];
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	const tag = env.PORT ?? String(child.pid);
	child.stderr!.on('data', (d: Buffer) => {
		logs.push(d.toString());
		errors.push(d.toString());
		if (process.env.SCALE_DEBUG) process.stderr.write(d);
	});
	const stop = (graceMs = 10_000) => stopChild(child, graceMs);
	return new Promise((resolve, reject) => {
		createInterface({ input: child.stdout! }).on('line', (line) => {
			let msg: { port?: number; log?: string; error?: boolean; memory?: Record<string, number> };
			try {
				msg = JSON.parse(line);
			} catch {
				return;
			}
			if (msg.memory) memory.push({ at: performance.now(), sample: msg.memory });
			if (msg.log) logs.push(msg.log);
			if (msg.log && msg.error) errors.push(msg.log);
			if (msg.log && process.env.SCALE_DEBUG) process.stderr.write(`[${tag}] ${msg.log}\n`);
			if (msg.port) resolve({ child, port: msg.port, logs, errors, memory, exited, stop });
		});
		void exited.then((code) => process.env.SCALE_DEBUG && process.stderr.write(`[${tag}] exited ${code}\n`));
		void exited.then((code) => reject(new Error(`server process exited with ${code}: ${logs.join('\n')}`)));
	});
}

/** A TCP forwarder we can cut (every connection dropped, new ones refused) and restore: a network fault on demand. */
export interface Proxy {
	cut(): Promise<void>;
	restore(): Promise<void>;
}

export async function tcpProxy(port: number, targetPort: number): Promise<Proxy> {
	const sockets = new Set<net.Socket>();
	let server: net.Server | null = null;
	const open = () =>
		new Promise<void>((resolve, reject) => {
			const s = net.createServer((inbound) => {
				const outbound = net.connect(targetPort, '127.0.0.1');
				const end = () => {
					inbound.destroy();
					outbound.destroy();
					sockets.delete(inbound);
					sockets.delete(outbound);
				};
				for (const sock of [inbound, outbound]) {
					sockets.add(sock);
					sock.on('error', end);
					sock.on('close', end);
				}
				inbound.pipe(outbound);
				outbound.pipe(inbound);
			});
			s.once('error', reject);
			s.listen(port, '127.0.0.1', () => resolve());
			server = s;
		});
	await open();
	return {
		async cut() {
			const s = server;
			server = null;
			for (const sock of sockets) sock.destroy();
			sockets.clear();
			if (s) await new Promise((resolve) => s.close(resolve));
		},
		restore: open
	};
}
