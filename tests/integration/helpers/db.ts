import postgres from 'postgres';
import { openDatabase, type Database } from '../../../db/client';
import { seedDemo } from '../../../db/seed';

/**
 * A fresh, migrated database for one test file: PGlite in memory by default; with DATABASE_URL a new
 * PostgreSQL database created for the test and dropped afterwards, so files never see each other's rows.
 */
export interface TestDatabase extends Database {
	/** Drops the throwaway database (PostgreSQL) after closing. */
	dispose(): Promise<void>;
	/** How to reopen the same database (restart tests). */
	reopen(): Promise<Database>;
}

export const backend = process.env.DATABASE_URL ? 'postgres' : 'pglite';

export async function freshDatabase(opts: { dataDir?: string } = {}): Promise<TestDatabase> {
	const adminUrl = process.env.DATABASE_URL;
	if (!adminUrl) {
		const dataDir = opts.dataDir ?? 'memory://';
		const database = await openDatabase({ dataDir });
		return { ...database, dispose: () => database.close(), reopen: () => openDatabase({ dataDir }) };
	}
	const name = `drillboard_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
	const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
	await admin.unsafe(`create database ${name}`);
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	const database = await openDatabase({ url: url.toString(), max: 5 });
	return {
		...database,
		reopen: () => openDatabase({ url: url.toString(), max: 5 }),
		dispose: async () => {
			await database.close();
			await admin.unsafe(`drop database if exists ${name} with (force)`);
			await admin.end();
		}
	};
}

/** A fresh database with the demo seed (password `drillboard`). */
export async function seededDatabase(opts: { dataDir?: string } = {}): Promise<TestDatabase> {
	const database = await freshDatabase(opts);
	await seedDemo(database.db, 'drillboard');
	return database;
}
