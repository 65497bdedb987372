import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docUpdates } from '../../db/schema';
import { backend, freshDatabase, holdDatabase, type TestDatabase } from './helpers/db';

const u = docUpdates;
const columns = [u.doc, u.seq, u.userId, u.agencyCode, u.wallTime, u.scenarioMs, u.update];
const row = (doc: string, seq: number, update = new Uint8Array([seq, 0, 255, 92, 120])) =>
	[doc, seq, `user-${seq}`, 'fire', new Date(Date.UTC(2026, 0, 2, 3, 4, 5, seq)).toISOString(), 2 ** 40 + seq, update] as const;
const stored = (d: TestDatabase, doc: string) =>
	d.db
		.select({ seq: u.seq, userId: u.userId, agencyCode: u.agencyCode, wallTime: u.wallTime, scenarioMs: u.scenarioMs, update: u.update })
		.from(u)
		.where(eq(u.doc, doc))
		.orderBy(asc(u.seq));

describe(`insertRows on ${backend}`, () => {
	let d: TestDatabase;
	beforeAll(async () => {
		d = await freshDatabase();
	});
	afterAll(() => d.dispose());

	it('stores every value as the query builder would, one row or many', async () => {
		const insert = d.insertRows(u, columns);
		expect(d.insertRows(u, columns)).toBe(insert); // prepared once per table and columns
		await insert([row('a', 1)]);
		await insert([row('a', 2), row('a', 3, new Uint8Array(70_000).fill(7))]);
		await insert([['a', 4, null, null, new Date(0).toISOString(), null, new Uint8Array()]]);
		await insert([]);
		const rows = await stored(d, 'a');
		expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
		expect(rows[0]).toMatchObject({ userId: 'user-1', agencyCode: 'fire', scenarioMs: 2 ** 40 + 1 });
		expect(rows[0].wallTime.toISOString()).toBe('2026-01-02T03:04:05.001Z');
		expect([...rows[0].update]).toEqual([1, 0, 255, 92, 120]);
		expect(rows[2].update.length).toBe(70_000);
		expect(rows[3]).toMatchObject({ userId: null, agencyCode: null, scenarioMs: null });
		expect(rows[3].update.length).toBe(0);
	});

	it('commits a batch all or nothing, and works on after a failure', async () => {
		const insert = d.insertRows(u, columns);
		await insert([row('b', 1)]);
		await expect(insert([row('b', 2), row('b', 1)])).rejects.toThrow(/duplicate key/);
		expect((await stored(d, 'b')).map((r) => r.seq)).toEqual([1]);
		await insert([row('b', 2)]);
		expect((await stored(d, 'b')).map((r) => r.seq)).toEqual([1, 2]);
	});

	it('does not join a transaction that is open meanwhile', async () => {
		const insert = d.insertRows(u, columns);
		let inside!: () => void;
		const entered = new Promise<void>((r) => (inside = r));
		let release!: () => void;
		const held = new Promise<void>((r) => (release = r));
		const tx = d.db
			.transaction(async (t) => {
				await t.execute(sql`select 1`);
				inside();
				await held;
				await t.execute(sql`select 1`);
				t.rollback();
			})
			.catch(() => {});
		await entered;
		const inserted = insert([row('c', 1)]);
		release();
		await Promise.all([tx, inserted]);
		expect((await stored(d, 'c')).map((r) => r.seq)).toEqual([1]);
	});

	it('prepares again when its statement went missing', async () => {
		const insert = d.insertRows(u, columns);
		await insert([row('e', 1)]);
		await d.db.execute(sql`deallocate all`);
		// PGlite: this one may fail (and re-prepares after it); postgres.js retries by itself.
		await insert([row('e', 2)]).catch(() => {});
		await insert([row('e', 3)]);
		expect((await stored(d, 'e')).map((r) => r.seq)).toContain(3);
	});

	it('inserts synchronously on idle PGlite, and only then', async () => {
		const cols = [u.doc, u.seq, u.userId, u.agencyCode, u.wallTime, u.scenarioMs, u.update, u.id];
		const insert = d.insertRows(u, cols); // its own statement, not yet prepared
		if (backend === 'postgres') {
			expect(insert.now).toBeUndefined(); // postgres.js always answers later
			return;
		}
		const now = insert.now!;
		const at = (seq: number) => [...row('s', seq), 10_000 + seq];
		expect(now([at(1)])).toBe(false); // the statement is prepared by the first awaited insert
		await insert([at(1)]);
		expect(now([at(2), at(3)])).toBe(true);
		expect(now([])).toBe(true);
		const rows = await stored(d, 's');
		expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
		expect(rows[1]).toMatchObject({ userId: 'user-2', agencyCode: 'fire', scenarioMs: 2 ** 40 + 2 });
		expect(rows[1].wallTime.toISOString()).toBe('2026-01-02T03:04:05.002Z');
		expect([...rows[1].update]).toEqual([2, 0, 255, 92, 120]);

		// While anyone holds or awaits the database, nothing is done now.
		const hold = await holdDatabase(d.db);
		expect(now([at(4)])).toBe(false);
		const queued = d.db.execute(sql`select 1`);
		await hold.release();
		await queued;
		expect((await stored(d, 's')).map((r) => r.seq)).toEqual([1, 2, 3]);
		expect(now([at(4)])).toBe(true);

		// A failing batch throws at once and stores none of its rows; the next insert prepares again.
		expect(() => now([at(5), at(4)])).toThrow(/duplicate key/);
		expect(now([at(5)])).toBe(false);
		await insert([at(5)]);
		expect(now([at(6)])).toBe(true);
		expect((await stored(d, 's')).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
	});

	it('keeps working after the connection is replaced', async () => {
		await d.restart();
		await d.insertRows(u, columns)([row('d', 1)]);
		expect((await stored(d, 'd')).map((r) => r.seq)).toEqual([1]);
	});
});
