import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { postgresInserter, type Inserter } from './insert-rows';
import * as schema from './schema';

export type Schema = typeof schema;
/** Either driver's drizzle instance; all queries are written against this common type. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
	db: Db;
	kind: 'pglite' | 'postgres';
	/** Row inserts that skip the query builder, for hot paths (see insert-rows.ts); not inside transactions. */
	insertRows: Inserter;
	close(): Promise<void>;
}

export interface DatabaseOptions {
	/** postgres://… to use PostgreSQL; otherwise PGlite. */
	url?: string;
	/** PGlite data folder; `memory://` for a throwaway database. */
	dataDir?: string;
	/** postgres.js pool size. */
	max?: number;
	/** Defaults to db/migrations under the working directory (bundlers move this module). */
	migrationsFolder?: string;
}

/** Opens the database named by the options and applies the migrations in db/migrations. */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
	const migrationsFolder = opts.migrationsFolder ?? resolve('db/migrations');
	if (opts.url) {
		const { default: postgres } = await import('postgres');
		const { drizzle } = await import('drizzle-orm/postgres-js');
		const { migrate } = await import('drizzle-orm/postgres-js/migrator');
		const client = postgres(opts.url, { max: opts.max ?? 10, onnotice: () => {}, backoff: reconnectDelaySeconds });
		const db = drizzle(client, { schema });
		await migrate(db, { migrationsFolder });
		return { db: db as unknown as Db, kind: 'postgres', insertRows: postgresInserter(client), close: once(() => client.end({ timeout: 5 })) };
	}
	const { TrackedPGlite } = await import('./pglite-client');
	const { drizzle } = await import('drizzle-orm/pglite');
	const { migrate } = await import('drizzle-orm/pglite/migrator');
	const { pgliteInserter } = await import('./insert-rows-pglite');
	const dataDir = opts.dataDir ?? 'memory://';
	if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
	const client = await TrackedPGlite.open(dataDir);
	const db = drizzle(client, { schema });
	await migrate(db, { migrationsFolder });
	return { db: db as unknown as Db, kind: 'pglite', insertRows: pgliteInserter(client), close: once(() => client.close()) };
}

/**
 * postgres.js may hand a query to a pool connection that closed during an outage; that query then
 * waits out the connection's reconnect delay even while other connections are up. The default
 * delay grows with the outage's failed attempts to 20 s, so requests stalled long after the
 * database came back. Capping it at about a second bounds that stall.
 */
function reconnectDelaySeconds(attempt: number): number {
	return Math.min(0.05 * 2 ** attempt, 1) * (0.5 + Math.random() / 2);
}

/** Shutdown paths (signals, tests, restarts) may close twice; the second call is a no-op. */
function once(fn: () => Promise<void>): () => Promise<void> {
	let done: Promise<void> | undefined;
	return () => (done ??= fn());
}
