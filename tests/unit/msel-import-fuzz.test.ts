/**
 * Property tests of the pure MSEL readers: whatever the bytes, reading never throws, a table that is
 * accepted stays inside the documented bounds, and the zip-size guard never lets an entry inflate
 * past what it declares.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readMselFile, unpacksAsDeclared } from '../../server/msel-files';
import { MAX_MSEL_COLUMNS, MAX_MSEL_ROWS, readCsv } from '../../src/lib/domain/scenario/msel-import';
import { deflatedEntry, zip } from '../integration/helpers/zip';

const SEED = 20261129;

/** CSV-ish text: cells of awkward characters joined by awkward separators. */
const csvText = fc
	.array(fc.array(fc.oneof(fc.string(), fc.constantFrom('"', '""', '\n', '\r', ',', ';', '\t', '\uFEFF', '时间', 'T+00:01')), { maxLength: 70 }), { maxLength: 40 })
	.map((rows) => rows.map((r) => r.join(',')).join('\r\n'));

describe('MSEL readers under random input', () => {
	it('readCsv never throws and keeps accepted tables inside the limits', () => {
		fc.assert(
			fc.property(fc.oneof(fc.uint8Array({ maxLength: 4000 }), csvText.map((t) => new TextEncoder().encode(t))), (bytes) => {
				const r = readCsv(bytes);
				if (!r.ok) {
					expect(r.problem.field).toBe('file');
					expect(r.problem.message.length).toBeGreaterThan(5);
					return;
				}
				expect(r.table.rows.length).toBeGreaterThan(0);
				expect(r.table.rows.length).toBeLessThanOrEqual(MAX_MSEL_ROWS);
				for (const row of r.table.rows) expect(row.length).toBeLessThanOrEqual(MAX_MSEL_COLUMNS);
			}),
			{ numRuns: 400, seed: SEED }
		);
	});

	it('readMselFile never throws on random bytes behind a zip signature', async () => {
		await fc.assert(
			fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (tail) => {
				const r = await readMselFile('x.xlsx', Uint8Array.of(0x50, 0x4b, 0x03, 0x04, ...tail));
				expect(r.ok).toBe(false);
			}),
			{ numRuns: 200, seed: SEED }
		);
	});

	it('unpacksAsDeclared accepts honest entries and refuses any that inflate past their declared size', () => {
		fc.assert(
			fc.property(fc.string({ minLength: 1, maxLength: 5000 }), fc.nat(), (text, cut) => {
				const entry = deflatedEntry('a.xml', text);
				expect(unpacksAsDeclared(zip([entry]))).toBe(true);
				const declaredSize = cut % entry.size; // strictly less than the truth
				expect(unpacksAsDeclared(zip([{ ...entry, declaredSize }]))).toBe(false);
			}),
			{ numRuns: 200, seed: SEED }
		);
		// Not a deflate stream at all: unreadable, not "too big".
		expect(unpacksAsDeclared(zip([{ name: 'a', deflated: Buffer.from([0xff, 0xff, 0xff]), size: 10, crc: 0 }]))).toBeNull();
	});
});
