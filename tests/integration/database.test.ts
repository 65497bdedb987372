import { sql } from 'drizzle-orm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agencies, exerciseMembers, exercises, users } from '../../db/schema';
import { DEMO_ACCOUNTS, seedDemo } from '../../db/seed';
import { openDatabase } from '../../db/client';
import { backend, freshDatabase, type TestDatabase } from './helpers/db';
import { tcpProxy } from './helpers/serving';

const opened: TestDatabase[] = [];
afterAll(async () => {
	for (const d of opened) await d.dispose();
});

const count = async (d: TestDatabase, table: typeof users | typeof exercises | typeof agencies | typeof exerciseMembers) =>
	(await d.db.select({ n: sql<number>`count(*)::int` }).from(table))[0].n;

describe(`database on ${backend}`, () => {
	it('migrates, seeds the demo once, and keeps data across a reopen', async () => {
		const dir = backend === 'pglite' ? mkdtempSync(join(tmpdir(), 'drillboard-db-')) : undefined;
		const d = await freshDatabase({ dataDir: dir });
		opened.push(d);
		expect(await seedDemo(d.db, 'pw-for-test')).toBe(true);
		expect(await count(d, agencies)).toBe(6);
		expect(await count(d, users)).toBe(DEMO_ACCOUNTS.length);
		expect(await count(d, exercises)).toBe(1);
		const [demo] = await d.db.select().from(exercises);
		expect(demo.title).toBe('Demo');
		// Nine demo roles: everyone except admin and outsider holds exactly one.
		expect(await count(d, exerciseMembers)).toBe(9);

		await d.close();
		const again = await d.reopen();
		try {
			expect(await seedDemo(again.db, 'pw-for-test')).toBe(false);
			expect((await again.db.select({ n: sql<number>`count(*)::int` }).from(users))[0].n).toBe(DEMO_ACCOUNTS.length);
		} finally {
			await again.close();
		}
		if (dir) rmSync(dir, { recursive: true, force: true });
	});

	it('rolls back a failed transaction completely', async () => {
		const d = await freshDatabase();
		opened.push(d);
		await seedDemo(d.db, 'x');
		const before = await count(d, exercises);
		const [u] = await d.db.select().from(users).limit(1);
		await expect(
			d.db.transaction(async (tx) => {
				await tx.insert(exercises).values({ id: crypto.randomUUID(), title: 'half', createdBy: u.id });
				await tx.insert(exerciseMembers).values({ exerciseId: crypto.randomUUID(), userId: u.id, role: 'observer' });
			})
		).rejects.toThrow();
		expect(await count(d, exercises)).toBe(before);
	});
});

/** Resolves like `work`, or rejects once `ms` have passed without an answer. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
	return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Fixed, and unlike every other test file's port (exercise-crash uses 4331): files run in parallel. */
const PROXY_PORT = 4332;

if (backend === 'postgres') {
	describe('PostgreSQL pool after an outage', () => {
		it('serves queries again within moments of the database returning, on every pooled connection', async () => {
			const d = await freshDatabase();
			opened.push(d);
			const direct = new URL(d.options.url!);
			const proxy = await tcpProxy(PROXY_PORT, Number(direct.port || 5432));
			direct.port = String(PROXY_PORT);
			const viaProxy = await openDatabase({ url: direct.toString(), max: 10 });
			try {
				const probe = () => viaProxy.db.execute(sql`select 1 as one`);
				await Promise.all(Array.from({ length: 10 }, probe)); // every pooled connection opened
				await proxy.cut();
				// Seconds of outage under traffic: every failed attempt raises postgres.js's reconnect delay.
				const duringOutage: Promise<unknown>[] = [];
				for (let round = 0; round < 10; round++) {
					for (let i = 0; i < 10; i++) duringOutage.push(probe().then(() => 'answered', () => 'failed'));
					await new Promise((r) => setTimeout(r, 300));
				}
				// They fail promptly instead of queueing behind a long reconnect delay (default: up to 20 s).
				expect(new Set(await within(5000, Promise.all(duringOutage)))).toEqual(new Set(['failed']));

				await proxy.restore();
				// Every pooled connection is closed now; each of these waits out its connection's remaining delay.
				await within(3000, Promise.all(Array.from({ length: 20 }, probe)));
			} finally {
				await viaProxy.close();
				await proxy.cut();
			}
		}, 60_000);
	});
}
