import { openDatabase, type Database } from '../db/client';
import { seedDemo } from '../db/seed';
import { createLoginLimiters, type LoginLimiters } from './auth/rate-limit';
import { EventEmitter } from 'node:events';
import type { LogEntry } from '../src/lib/domain/commandlog/entry';
import type { DeliveryRow } from './injects/delivery';
import type { InjectAck } from './injects/service';

/**
 * Process-wide services. The production entry, the dev-server plugin and SvelteKit's own bundle each
 * load their own copy of this module, so the instance lives on globalThis: one database per process
 * (PGlite allows a single opener of its data folder).
 */
export interface AppContext {
	database: Database;
	limiters: LoginLimiters;
	seeded: boolean;
	/** Facts other parts react to (e.g. the collaboration server mirrors log entries to clients). */
	events: AppEvents;
}

type EventMap = {
	logAppended: [entry: LogEntry];
	injectsDelivered: [exerciseId: string, rows: DeliveryRow[]];
	injectAcknowledged: [exerciseId: string, ack: InjectAck];
	/** Its status or members changed (admission facts cached by the collaboration server are dropped). */
	exerciseChanged: [exerciseId: string];
	/** One session (signed out) or all of a user's (sessionId null: password reset, deactivation) ended. */
	sessionsEnded: [userId: string, sessionId: string | null];
};
export class AppEvents extends EventEmitter<EventMap> {
	logAppended(entry: LogEntry): void {
		this.emit('logAppended', entry);
	}
	injectsDelivered(exerciseId: string, rows: DeliveryRow[]): void {
		if (rows.length) this.emit('injectsDelivered', exerciseId, rows);
	}
	injectAcknowledged(exerciseId: string, ack: InjectAck): void {
		this.emit('injectAcknowledged', exerciseId, ack);
	}
	exerciseChanged(exerciseId: string): void {
		this.emit('exerciseChanged', exerciseId);
	}
	sessionsEnded(userId: string, sessionId: string | null): void {
		this.emit('sessionsEnded', userId, sessionId);
	}
}

export interface AppConfig {
	databaseUrl?: string;
	dataDir: string;
	demoPassword: string;
	seed: boolean;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
	return {
		databaseUrl: env.DATABASE_URL || undefined,
		dataDir: env.DATA_DIR || './data',
		demoPassword: env.DEMO_PASSWORD || 'drillboard',
		seed: env.SEED_DEMO !== '0'
	};
}

const KEY = Symbol.for('drillboard.context');
type Holder = { [KEY]?: Promise<AppContext> };

export async function createContext(config: AppConfig): Promise<AppContext> {
	const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
	const seeded = config.seed ? await seedDemo(database.db, config.demoPassword) : false;
	return { database, limiters: createLoginLimiters(), seeded, events: new AppEvents() };
}

/** The process's context, created on first use from the environment. */
export function appContext(): Promise<AppContext> {
	const holder = globalThis as Holder;
	holder[KEY] ??= createContext(configFromEnv());
	return holder[KEY];
}

/** Installs an already-built context (the production entry and tests do this before serving). */
export function installContext(ctx: AppContext): void {
	(globalThis as Holder)[KEY] = Promise.resolve(ctx);
}
