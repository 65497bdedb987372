import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docUpdates } from '../../db/schema';
import { UpdateLog, type NewUpdate } from '../../server/collab/persistence';
import { backend, freshDatabase, holdDatabase, type TestDatabase } from './helpers/db';

let d: TestDatabase;
beforeAll(async () => {
	d = await freshDatabase();
});
afterAll(() => d.dispose());

const entry = (n: number, claims?: number[]): NewUpdate => ({
	userId: null,
	agencyCode: 'fire',
	wallTime: new Date(),
	scenarioMs: n,
	update: new Uint8Array([n]),
	claims
});

/** A log for `doc` that records each committed batch's seqs, in the order reported. */
function logFor(doc: string) {
	const batches: number[][] = [];
	const log = new UpdateLog<NewUpdate>(d, doc, 0, {
		committed: (batch) => void batches.push(batch.map((u) => u.seq)),
		failed: (e) => {
			throw e;
		}
	});
	return { log, batches };
}

const storedSeqs = async (doc: string) =>
	(await d.db.select({ seq: docUpdates.seq, scenarioMs: docUpdates.scenarioMs }).from(docUpdates).where(eq(docUpdates.doc, doc)).orderBy(asc(docUpdates.seq))).map((r) => [
		r.seq,
		r.scenarioMs
	]);

describe(`the update log on ${backend}`, () => {
	it('commits and reports an entry before append returns while PGlite is idle; claims and PostgreSQL go through the queue', async () => {
		const { log, batches } = logFor('sync');
		log.append(entry(1, [7])); // claims a client id: always the awaited way
		expect(batches).toEqual([]);
		await log.flushed();
		expect(batches).toEqual([[1]]);
		log.append(entry(2));
		if (backend === 'pglite') {
			expect(batches).toEqual([[1], [2]]);
			// Committed means stored: a read right after sees it.
			expect(await storedSeqs('sync')).toEqual([
				[1, 1],
				[2, 2]
			]);
		} else {
			expect(batches).toEqual([[1]]);
			await log.flushed();
			expect(batches).toEqual([[1], [2]]);
		}
	});

	it('queues behind a transaction that holds PGlite, then stores in order and gapless', async () => {
		const { log, batches } = logFor('busy');
		log.append(entry(1, [8]));
		await log.flushed();
		const hold = await holdDatabase(d.db);
		for (let n = 2; n <= 4; n++) log.append(entry(n));
		if (backend === 'pglite') expect(batches).toEqual([[1]]);
		await hold.release();
		await log.flushed();
		expect(batches.flat()).toEqual([1, 2, 3, 4]);
		log.append(entry(5));
		await log.flushed();
		expect(batches.flat()).toEqual([1, 2, 3, 4, 5]);
		expect(await storedSeqs('busy')).toEqual([1, 2, 3, 4, 5].map((n) => [n, n]));
	});

	it('takes an entry appended by a handler in the same pass, after the batch that reported', async () => {
		const batches: number[][] = [];
		let chain = 0;
		const log: UpdateLog<NewUpdate> = new UpdateLog<NewUpdate>(d, 'reentrant', 0, {
			committed: (batch) => {
				batches.push(batch.map((u) => u.seq));
				if (chain > 0 && chain < 5) log.append(entry(++chain));
			},
			failed: (e) => {
				throw e;
			}
		});
		log.append(entry(1, [9]));
		await log.flushed();
		chain = 2;
		log.append(entry(2));
		// On PGlite all of the chain was stored before append returned, each entry once.
		if (backend === 'pglite') expect(batches).toEqual([[1], [2], [3], [4], [5]]);
		await log.flushed();
		expect(batches.flat()).toEqual([1, 2, 3, 4, 5]);
		expect(await storedSeqs('reentrant')).toEqual([1, 2, 3, 4, 5].map((k) => [k, k]));
	});
});
