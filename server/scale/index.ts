/**
 * Multi-process mode. With REDIS_URL (and DATABASE_URL: PGlite has a single opener, so it cannot be
 * shared) several processes serve the same exercises: document updates and awareness travel between
 * them on Redis, Postgres stays the source of truth (update seqs are allocated in the database), and
 * one process, holding a Postgres advisory lock, runs the scheduler. Without REDIS_URL nothing here
 * runs and a process is alone, as before.
 */
import type { DocBus } from '../collab/bus';
import { startLeadership, type Leadership } from './leader';
import { createRedisBus, type RedisBus } from './redis-bus';

export interface ScaleConfig {
	redisUrl?: string;
	databaseUrl?: string;
	/** Redis channel prefix (REDIS_PREFIX), to keep deployments sharing one Redis apart. */
	redisPrefix?: string;
	leaderRetryMs?: number;
	log?: Pick<Console, 'info' | 'warn' | 'error'>;
}

export interface Scale {
	bus: RedisBus & DocBus;
	leader: Leadership;
	close(): Promise<void>;
}

export class ScaleConfigError extends Error {}

export function scaleConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ScaleConfig {
	return { redisUrl: env.REDIS_URL || undefined, databaseUrl: env.DATABASE_URL || undefined, redisPrefix: env.REDIS_PREFIX || undefined };
}

/** Why this configuration cannot start, or null. */
export function scaleConfigProblem(config: ScaleConfig): string | null {
	if (config.redisUrl && !config.databaseUrl)
		return 'REDIS_URL is set (multi-process mode) but DATABASE_URL is not: several processes cannot share PGlite. Set DATABASE_URL to a PostgreSQL database, or unset REDIS_URL to run a single process.';
	return null;
}

/** Null in single-process mode (no REDIS_URL); throws ScaleConfigError when REDIS_URL comes without DATABASE_URL. */
export function startScale(config: ScaleConfig): Scale | null {
	const problem = scaleConfigProblem(config);
	if (problem) throw new ScaleConfigError(problem);
	if (!config.redisUrl || !config.databaseUrl) return null;
	const log = config.log ?? console;
	const bus = createRedisBus({ url: config.redisUrl, prefix: config.redisPrefix, log });
	const leader = startLeadership({ url: config.databaseUrl, retryMs: config.leaderRetryMs, log });
	log.info(`[scale] multi-process mode: process ${bus.processId} relays through Redis`);
	return {
		bus,
		leader,
		async close() {
			await leader.close();
			await bus.close();
		}
	};
}
