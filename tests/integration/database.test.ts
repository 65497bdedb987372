import { sql } from 'drizzle-orm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agencies, exerciseMembers, exercises, users } from '../../db/schema';
import { DEMO_ACCOUNTS, seedDemo } from '../../db/seed';
import { backend, freshDatabase, type TestDatabase } from './helpers/db';

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
