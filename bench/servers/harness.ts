/**
 * Child-process side of a benchmarked server: measures the server process itself (event-loop delay,
 * CPU, RSS) and answers the parent's requests over the IPC channel (process.send).
 */
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay, PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { RelayStages, type StageSummary } from './relay-stages';

/** Sent once by the child when it listens. */
export interface ReadyMessage {
	type: 'ready';
	kind: 'reference' | 'drillboard';
	port: number;
	/** The exercise whose documents the clients open. */
	exerciseId: string;
	/** Session tokens by demo username (empty for the reference server, which has no auth). */
	tokens: Record<string, string>;
	/** Human-readable notes (database kind, collab module found, ...). */
	info: Record<string, unknown>;
}

/** The parent asks for one account per client: which client, and the document it will open. */
export interface BenchUserRequest {
	idx: number;
	doc: string;
}

export interface BenchUser {
	userId: string;
	/** Session token for `Authorization: Bearer`; absent where the server has no auth. */
	token?: string;
	agency: string | null;
}

export interface Request {
	id: number;
	cmd: string;
	arg?: unknown;
}

export interface Reply {
	id: number;
	ok: boolean;
	result?: unknown;
	error?: string;
}

export interface ServerMetrics {
	wallMs: number;
	cpuMs: number;
	cpuUserMs: number;
	cpuSystemMs: number;
	/** CPU time / wall time (1 = one full core). */
	cpuShare: number;
	/** Event-loop delay beyond the sampling interval, from perf_hooks.monitorEventLoopDelay. */
	eldMaxMs: number;
	eldP99Ms: number;
	eldMeanMs: number;
	/**
	 * Stalls over 50 ms seen by a 20 ms interval timer: [seconds since mark, length ms, CPU ms this
	 * process used meanwhile]. CPU near the length means the server itself was busy; much less means
	 * it was waiting for a core (another process had it).
	 */
	stalls: [number, number, number][];
	/**
	 * The largest CPU part of any such stall (min of its length and the CPU used meanwhile): a lower
	 * bound on the server's own blocking work, unlike the plain maximum barely moved by other processes.
	 */
	busyStallMaxMs: number;
	rssStartMb: number;
	rssPeakMb: number;
	rssEndMb: number;
	heapUsedEndMb: number;
	/**
	 * Garbage-collection pauses of the main thread in the window (perf_hooks 'gc' entries): how many,
	 * their sum and the longest, split into scavenges (young generation) and the rest (mark-compact
	 * finalisation, incremental marking steps, weak callbacks). A tail in the latencies that lines up
	 * with these is the collector's, not the server's code.
	 */
	gc: { minor: GcTally; major: GcTally };
	/** CPU profile of the window, when profiling was asked for. */
	profile?: string | null;
	/** Time from an edit's message to its first and last relayed frame, when asked for (relay-stages.ts). */
	stages?: StageSummary | null;
}

export interface GcTally {
	count: number;
	totalMs: number;
	maxMs: number;
}

const emptyTally = (): GcTally => ({ count: 0, totalMs: 0, maxMs: 0 });

/** Sampling resolution of the event-loop histogram; subtracted from its readings. */
const RESOLUTION_MS = 5;
const STALL_TICK_MS = 20;
const STALL_REPORT_MS = 50;

export class ProcessMetrics {
	private eld = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
	private cpu0 = process.cpuUsage();
	private t0 = performance.now();
	private rssPeak = 0;
	private rssStart = 0;
	private stalls: [number, number, number][] = [];
	private lastTick = performance.now();
	private lastCpu = process.cpuUsage();
	private gc = { minor: emptyTally(), major: emptyTally() };

	constructor() {
		this.eld.enable();
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries()) {
				const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MINOR ? 'minor' : 'major';
				const tally = this.gc[kind];
				tally.count++;
				tally.totalMs += entry.duration;
				tally.maxMs = Math.max(tally.maxMs, entry.duration);
			}
		}).observe({ entryTypes: ['gc'] });
		const rssTimer = setInterval(() => {
			this.rssPeak = Math.max(this.rssPeak, process.memoryUsage.rss());
		}, 100);
		const stallTimer = setInterval(() => {
			const t = performance.now();
			const cpu = process.cpuUsage();
			const late = t - this.lastTick - STALL_TICK_MS;
			if (late > STALL_REPORT_MS && this.stalls.length < 1000) {
				const used = (cpu.user - this.lastCpu.user + cpu.system - this.lastCpu.system) / 1000;
				this.stalls.push([Math.round((t - this.t0) / 100) / 10, Math.round(late), Math.round(used)]);
			}
			this.lastTick = t;
			this.lastCpu = cpu;
		}, STALL_TICK_MS);
		rssTimer.unref();
		stallTimer.unref();
	}

	/** Starts a measurement window. */
	mark(): void {
		this.eld.reset();
		this.cpu0 = process.cpuUsage();
		this.t0 = performance.now();
		this.lastTick = this.t0;
		this.lastCpu = process.cpuUsage();
		this.rssPeak = process.memoryUsage.rss();
		this.rssStart = this.rssPeak;
		this.stalls = [];
		this.gc = { minor: emptyTally(), major: emptyTally() };
	}

	read(): ServerMetrics {
		const wallMs = performance.now() - this.t0;
		const cpu = process.cpuUsage(this.cpu0);
		const rss = process.memoryUsage.rss();
		this.rssPeak = Math.max(this.rssPeak, rss);
		const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 10) / 10);
		const mb = (b: number) => Math.round(b / 1e5) / 10;
		return {
			wallMs: Math.round(wallMs),
			cpuMs: Math.round((cpu.user + cpu.system) / 1000),
			cpuUserMs: Math.round(cpu.user / 1000),
			cpuSystemMs: Math.round(cpu.system / 1000),
			cpuShare: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 1000,
			eldMaxMs: ms(this.eld.max),
			eldP99Ms: ms(this.eld.percentile(99)),
			eldMeanMs: ms(this.eld.mean),
			stalls: this.stalls.slice(),
			busyStallMaxMs: this.stalls.reduce((m, [, late, cpu]) => Math.max(m, Math.min(late, cpu)), 0),
			rssStartMb: mb(this.rssStart),
			rssPeakMb: mb(this.rssPeak),
			rssEndMb: mb(rss),
			heapUsedEndMb: mb(process.memoryUsage().heapUsed),
			gc: { minor: roundTally(this.gc.minor), major: roundTally(this.gc.major) }
		};
	}
}

function roundTally(t: GcTally): GcTally {
	return { count: t.count, totalMs: Math.round(t.totalMs * 10) / 10, maxMs: Math.round(t.maxMs * 10) / 10 };
}

/**
 * V8 CPU profile of exactly the measurement window (what `node --cpu-prof` records, without the
 * start-up and seeding around it), written as <dir>/<label>.cpuprofile when the window is read.
 * On when BENCH_PROFILE_DIR is set (the benchmark's --cpu-prof).
 */
class WindowProfiler {
	private session: Session | null = null;
	private n = 0;

	constructor(
		private readonly dir: string | undefined,
		private readonly label: string
	) {}

	start(): void {
		if (!this.dir) return;
		this.session?.disconnect();
		const session = new Session();
		session.connect();
		session.post('Profiler.enable');
		session.post('Profiler.setSamplingInterval', { interval: 200 });
		session.post('Profiler.start');
		this.session = session;
	}

	stop(): Promise<string | null> {
		const session = this.session;
		if (!session) return Promise.resolve(null);
		this.session = null;
		return new Promise((resolve) => {
			session.post('Profiler.stop', (err, result) => {
				session.disconnect();
				if (err || !this.dir) return resolve(null);
				const file = `${this.dir}/${this.label}-${++this.n}.cpuprofile`;
				writeFileSync(file, JSON.stringify(result.profile));
				resolve(file);
			});
		});
	}
}

type Handler = (arg: unknown) => unknown;

/** Answers `{id, cmd, arg}` requests from the parent; `metrics.mark` and `metrics.read` are built in. */
export function serveIpc(metrics: ProcessMetrics, handlers: Record<string, Handler>, onShutdown: () => Promise<void>): void {
	if (!process.send) throw new Error('bench server must be started by the benchmark (no IPC channel)');
	const profiler = new WindowProfiler(process.env.BENCH_PROFILE_DIR, process.env.BENCH_PROFILE_LABEL ?? 'server');
	const stages = process.env.BENCH_STAGES === '1' ? new RelayStages() : null;
	stages?.install();
	const all: Record<string, Handler> = {
		'metrics.mark': () => {
			metrics.mark();
			stages?.mark();
			profiler.start();
		},
		'metrics.read': async () => {
			const m = metrics.read();
			return { ...m, stages: stages?.read() ?? null, profile: await profiler.stop() };
		},
		...handlers
	};
	process.on('message', async (msg: Request) => {
		if (msg.cmd === 'shutdown') {
			await onShutdown().catch(() => {});
			process.send?.({ id: msg.id, ok: true } satisfies Reply, () => process.exit(0));
			return;
		}
		const handler = all[msg.cmd];
		try {
			if (!handler) throw new Error(`unknown command ${msg.cmd}`);
			const result = await handler(msg.arg);
			process.send?.({ id: msg.id, ok: true, result } satisfies Reply);
		} catch (err) {
			process.send?.({ id: msg.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies Reply);
		}
	});
	// The parent going away ends the server.
	process.on('disconnect', () => process.exit(0));
}

/** The `/collab/<doc name>` path convention shared by both servers. */
export function docNameFromUrl(url: string | undefined): string | null {
	const path = new URL(url ?? '/', 'http://localhost').pathname;
	if (!path.startsWith('/collab/')) return null;
	return decodeURIComponent(path.slice('/collab/'.length));
}

/** Listens on a free local port and tells the parent, which starts the clients on that message. */
export function listenAndAnnounce(server: Server, ready: Omit<ReadyMessage, 'type' | 'port'>): void {
	server.listen(0, '127.0.0.1', () => {
		const address = server.address();
		const port = typeof address === 'object' && address ? address.port : 0;
		process.send?.({ type: 'ready', port, ...ready } satisfies ReadyMessage);
	});
}
