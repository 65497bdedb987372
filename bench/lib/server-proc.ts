/** Parent side of a benchmarked server: starts it in a child process and talks to it over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS, servingEnv } from '../../scripts/serving-process.mjs';
import type { ReadyMessage, Reply, ServerMetrics } from '../servers/harness';

export type ServerKind = 'reference' | 'drillboard';

export interface StartOptions {
	/** Extra environment for the child. */
	env?: Record<string, string>;
	/** Write V8 CPU profiles of the child's measurement windows into this folder. */
	cpuProfDir?: string;
	/** Prefix for the profile's file name. */
	label?: string;
}

export class ServerProcess {
	private nextId = 1;
	private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
	exited = false;

	private constructor(
		readonly kind: ServerKind,
		readonly child: ChildProcess,
		readonly ready: ReadyMessage
	) {
		child.on('message', (msg: Reply) => {
			const p = this.pending.get(msg.id);
			if (!p) return;
			this.pending.delete(msg.id);
			if (msg.ok) p.resolve(msg.result);
			else p.reject(new Error(`${kind} server: ${msg.error}`));
		});
		child.on('exit', () => {
			this.exited = true;
			for (const p of this.pending.values()) p.reject(new Error(`${kind} server exited`));
			this.pending.clear();
		});
	}

	static async start(kind: ServerKind, opts: StartOptions = {}): Promise<ServerProcess> {
		const file = fileURLToPath(new URL(`../servers/${kind}.ts`, import.meta.url));
		// Ours runs with the flags and environment `npm start` gives it; the reference as its package ships.
		const ours = kind === 'drillboard';
		const execArgv = [...(ours ? SERVER_NODE_FLAGS : []), '--import', 'tsx'];
		const given = { ...process.env, ...opts.env };
		const env = ours ? servingEnv(given) : given;
		if (opts.cpuProfDir) {
			mkdirSync(opts.cpuProfDir, { recursive: true });
			env.BENCH_PROFILE_DIR = opts.cpuProfDir;
			env.BENCH_PROFILE_LABEL = `${opts.label ?? kind}-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`;
		}
		const child = fork(file, [], {
			execArgv,
			env,
			stdio: ['ignore', 'inherit', 'inherit', 'ipc']
		});
		const ready = await new Promise<ReadyMessage>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`${kind} server did not start within 120 s`)), 120_000);
			child.on('message', (m: ReadyMessage) => {
				if (m && m.type === 'ready') {
					clearTimeout(timer);
					resolve(m);
				}
			});
			child.on('exit', (code) => {
				clearTimeout(timer);
				reject(new Error(`${kind} server exited with code ${code} before it was ready`));
			});
		});
		return new ServerProcess(kind, child, ready);
	}

	request<T = unknown>(cmd: string, arg?: unknown): Promise<T> {
		if (this.exited) return Promise.reject(new Error(`${this.kind} server has exited`));
		const id = this.nextId++;
		return new Promise<T>((resolve, reject) => {
			this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
			this.child.send({ id, cmd, arg });
		});
	}

	mark(): Promise<void> {
		return this.request('metrics.mark');
	}

	metrics(): Promise<ServerMetrics> {
		return this.request('metrics.read');
	}

	get url(): string {
		return `ws://127.0.0.1:${this.ready.port}/collab`;
	}

	/** Asks the child to close its server and exit; kills it after 20 s. */
	async stop(): Promise<void> {
		if (this.exited) return;
		const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
		const kill = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
		await this.request('shutdown').catch(() => {});
		await exited;
		clearTimeout(kill);
	}
}
