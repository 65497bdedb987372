/**
 * Everything a serving process runs beside its HTTP handler, in one place for the production entry
 * (server/index.ts) and the multi-process tests: the collaboration WebSocket, multi-process mode when
 * configured (Redis relay + scheduler leadership), the built-in scenarios and the scheduler.
 */
import type { Server } from 'node:http';
import { ClockCache } from '../clock-cache';
import { attachCollab, type AttachOptions, type Collab } from '../collab';
import type { AppContext } from '../context';
import type { Scheduler } from '../scheduler';
import { startServices } from '../services';
import { startScale, type Scale, type ScaleConfig } from './index';

export interface ServeOptions {
	collab?: AttachOptions;
	scale?: ScaleConfig;
	schedulerIntervalMs?: number;
	log?: Pick<Console, 'info' | 'warn' | 'error'>;
}

export interface Serving {
	collab: Collab;
	scheduler: Scheduler;
	scale: Scale | null;
	clocks: ClockCache;
	/** Stops the scheduler, then collaboration (storing pending updates), then the relay and the lock. The caller closes the database. */
	stop(): Promise<void>;
}

export async function serveApp(server: Server, ctx: AppContext, opts: ServeOptions = {}): Promise<Serving> {
	const scale = startScale({ log: opts.log, ...opts.scale });
	const clocks = new ClockCache();
	const collab = attachCollab(server, ctx, { scenarioTime: clocks.scenarioTime, log: opts.log, ...opts.collab, bus: scale?.bus ?? null });
	let scheduler: Scheduler;
	try {
		scheduler = await startServices(ctx, collab, clocks, { isLeader: scale?.leader.isLeader, schedulerIntervalMs: opts.schedulerIntervalMs, log: opts.log });
	} catch (e) {
		await collab.close();
		await scale?.close();
		throw e;
	}
	return {
		collab,
		scheduler,
		scale,
		clocks,
		async stop() {
			await scheduler.stop();
			await collab.close();
			await scale?.close();
		}
	};
}
