import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { openDatabase, type Database, type DatabaseOptions, type Db } from '../../../db/client';
import { seedDemo } from '../../../db/seed';

/**
 * A fresh, migrated database for one test file: PGlite in memory (or in `dataDir`) by default; with
 * DATABASE_URL a new PostgreSQL database created for the test and dropped afterwards, so files never
 * see each other's rows.
 */
export interface TestDatabase extends Database {
	/** Closes and drops the throwaway database. */
	dispose(): Promise<void>;
	/** Opens a second, independent connection to the same database (the caller closes it). */
	reopen(): Promise<Database>;
	/** Closes this connection and opens a new one in place, like a server restart. */
	restart(): Promise<void>;
	/** What opens this database, e.g. in a child process (crash tests). */
	options: DatabaseOptions;
}

export const backend = process.env.DATABASE_URL ? 'postgres' : 'pglite';

function testDatabase(first: Database, options: DatabaseOptions, drop: () => Promise<void>): TestDatabase {
	const open = () => openDatabase(options);
	const t: TestDatabase = {
		...first,
		options,
		reopen: open,
		async restart() {
			await t.close();
			const next = await open();
			t.db = next.db;
			t.insertRows = next.insertRows;
			t.close = next.close;
		},
		async dispose() {
			await t.close();
			await drop();
		}
	};
	return t;
}

export async function freshDatabase(opts: { dataDir?: string } = {}): Promise<TestDatabase> {
	const adminUrl = process.env.DATABASE_URL;
	if (!adminUrl) {
		const options = { dataDir: opts.dataDir ?? 'memory://' };
		return testDatabase(await openDatabase(options), options, async () => {});
	}
	const name = `drillboard_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
	const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
	await admin.unsafe(`create database ${name}`);
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	const options = { url: url.toString(), max: 5 };
	return testDatabase(await openDatabase(options), options, async () => {
		await admin.unsafe(`drop database if exists ${name} with (force)`);
		await admin.end();
	});
}

/** A fresh database with the demo seed (password `drillboard`). */
export async function seededDatabase(opts: { dataDir?: string } = {}): Promise<TestDatabase> {
	const database = await freshDatabase(opts);
	await seedDemo(database.db, 'drillboard');
	return database;
}

/**
 * Opens a transaction and keeps it open until `release()`, which resolves once it has ended. On PGlite
 * this holds the whole database; on PostgreSQL only one pooled connection.
 */
export async function holdDatabase(db: Db): Promise<{ release(): Promise<void> }> {
	let entered!: () => void;
	const inside = new Promise<void>((r) => (entered = r));
	let release!: () => void;
	const held = new Promise<void>((r) => (release = r));
	const tx = db.transaction(async (t) => {
		await t.execute(sql`select 1`);
		entered();
		await held;
	});
	await inside;
	return {
		release: async () => {
			release();
			await tx;
		}
	};
}
