/**
 * Hostile scenario imports: the package JSON through the API (POST /api/v1/scenarios) and the MSEL
 * spreadsheet (CSV/XLSX) through the library's import path, against a real database. Every bad input
 * must give a clear 4xx or a list of problems that leaks nothing (no stack, no SQL), leave the
 * scenario tables exactly as they were, and — for zip bombs — never inflate more than the limits.
 */
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { asc, count, max } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS, loadBuiltinScenarios } from '../../db/scenarios';
import { exerciseScenarios, scenarios } from '../../db/schema';
import type { SessionUser } from '../../server/auth/sessions';
import { sessionFromHeaders } from '../../server/auth/resolve';
import { MAX_XLSX_UNPACKED_BYTES } from '../../server/msel-files';
import { importMselFile, type MselImportInput } from '../../server/scenario-library';
import { MAX_PACKAGE_BYTES, syncBuiltinScenarios } from '../../server/scenarios';
import { guessMapping, MAX_MSEL_FILE_BYTES, type ImportProblem } from '../../src/lib/domain/scenario/msel-import';
import { apiClient } from './helpers/api';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';
import { deflatedEntry, repeatedEntry, SHEET_HEAD, SHEET_TAIL, xlsxWith, zip } from './helpers/zip';

const SEED = 20261129;
const BASE = 'dam-break-qinglong';

let database: TestDatabase;
let api: ReturnType<typeof apiClient>;
let token: string;
let organiser: SessionUser;

beforeAll(async () => {
	database = await seededDatabase();
	await syncBuiltinScenarios(database.db, BUILTIN_SCENARIOS);
	api = apiClient(database);
	token = await api.signIn('facilitator');
	organiser = (await sessionFromHeaders(database.db, { authorization: `Bearer ${token}` }))!.user;
});

afterAll(async () => {
	await database?.dispose();
});

/** Every row of the scenario tables, to prove a refused import changed nothing. */
async function tables() {
	return {
		scenarios: await database.db.select().from(scenarios).orderBy(asc(scenarios.id)),
		assigned: await database.db.select().from(exerciseScenarios).orderBy(asc(exerciseScenarios.exerciseId))
	};
}

/** A cheap per-run fingerprint of the same tables: row counts and the latest change. */
async function fingerprint() {
	const [s] = await database.db.select({ n: count(), latest: max(scenarios.updatedAt) }).from(scenarios);
	const [a] = await database.db.select({ n: count() }).from(exerciseScenarios);
	return { ...s, assigned: a.n };
}

/** Text a client may see: no stack frames, no SQL, no driver or file names. */
function expectNoLeak(text: string) {
	expect(text).not.toMatch(/\n\s+at |\.ts:\d|node_modules|Error:|TypeError|SyntaxError/);
	expect(text).not.toMatch(/\b(select|insert into|update \w+ set|delete from)\b/i);
	expect(text).not.toMatch(/postgres|pglite|drizzle|violates|constraint|relation "/i);
}

async function postPackage(rawBody: string, contentType?: string) {
	return api.call('POST', 'scenarios', { token, rawBody, contentType });
}

const validPackage = () => structuredClone(loadBuiltinScenarios().find((p) => p.id === BASE)!) as unknown as Record<string, unknown>;

/** Sets `value` at a random path of `target` (objects and arrays), creating nothing new above it. */
function mutateAt(target: unknown, path: number[], value: unknown): unknown {
	if (!path.length || target === null || typeof target !== 'object') return value;
	const keys = Object.keys(target);
	if (!keys.length) return value;
	const key = keys[path[0] % keys.length];
	(target as Record<string, unknown>)[key] = mutateAt((target as Record<string, unknown>)[key], path.slice(1), value);
	return target;
}

describe(`scenario package import fuzzing on ${backend}`, () => {
	it('refuses malformed JSON, truncated packages and random values with a clear 400 and imports nothing', async () => {
		const before = await tables();
		const text = JSON.stringify(validPackage());
		const body = fc.oneof(
			fc.nat(text.length - 1).map((n) => ({ kind: 'truncated', raw: text.slice(0, n) })),
			fc.string().filter((s) => !isJson(s)).map((raw) => ({ kind: 'not json', raw })),
			fc.jsonValue().map((v) => ({ kind: 'random value', raw: JSON.stringify(v) ?? 'null' }))
		);
		await fc.assert(
			fc.asyncProperty(body, async ({ kind, raw }) => {
				const r = await postPackage(raw);
				expect(r.status, kind).toBe(400);
				expect(r.json.error.code).toBe(isJson(raw) ? 'invalid_scenario' : 'invalid_json');
				expect(r.json.error.message).toMatch(/JSON|error/);
				expectNoLeak(r.text);
			}),
			{ numRuns: 100, seed: SEED }
		);
		expect(await tables()).toEqual(before);
	});

	it('refuses packages with a wrong value anywhere, naming the path, and stores only whole valid ones', async () => {
		const initial = await tables();
		const accepted: string[] = [];
		let n = 0;
		const wrong = fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.boolean(), fc.constant([]), fc.constant({}), fc.jsonValue());
		await fc.assert(
			fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), wrong, async (path, value) => {
				const before = await fingerprint();
				const pkg = validPackage();
				mutateAt(pkg, path, value);
				const id = `fuzz-${n++}`;
				if (pkg && typeof pkg === 'object' && !Array.isArray(pkg)) pkg.id = id;
				const r = await postPackage(JSON.stringify(pkg));
				expectNoLeak(r.text);
				if (r.status === 201) {
					// A change the schema accepts (e.g. a different text) is stored whole, as validated.
					accepted.push(id);
					const back = await api.call('GET', `scenarios/${id}`, { token });
					expect(back.status).toBe(200);
					expect(back.json.id).toBe(id);
				} else {
					expect(r.status).toBe(400);
					expect(r.json.error.code).toBe('invalid_scenario');
					expect(Object.keys(r.json.error.details ?? {}).length).toBeGreaterThan(0);
					expect(await fingerprint()).toEqual(before);
				}
			}),
			{ numRuns: 60, seed: SEED }
		);
		const after = await tables();
		expect(after.assigned).toEqual(initial.assigned);
		expect(after.scenarios.filter((r) => !accepted.includes(r.id))).toEqual(initial.scenarios);
		expect(after.scenarios).toHaveLength(initial.scenarios.length + accepted.length);
	});

	it('refuses a body over the size limit with 413, a wrong media type with 415, and an id clash with 409', async () => {
		const before = await tables();
		const pkg = validPackage();
		pkg.id = 'huge-package';
		(pkg.meta as Record<string, unknown>).padding = 'x'.repeat(MAX_PACKAGE_BYTES);
		const huge = await postPackage(JSON.stringify(pkg));
		expect(huge.status).toBe(413);
		expect(huge.json.error).toMatchObject({ code: 'too_large', message: expect.stringMatching(/larger than/) });
		const asText = await postPackage(JSON.stringify(validPackage()), 'text/plain');
		expect(asText.status).toBe(415);
		const builtin = await postPackage(JSON.stringify(validPackage()));
		expect(builtin.status).toBe(409);
		for (const r of [huge, asText, builtin]) expectNoLeak(r.text);
		expect(await tables()).toEqual(before);
	});
});

// ---- MSEL spreadsheets ---------------------------------------------------------------------------

const ROWS = [
	['编号', '时间', '类型', '方式', '发送方', 'Sender (EN)', '接收单位', '消息（中文）', 'Message (EN)'],
	['F-01', 'T+00:05', '信息', '电话', '水库管理所', 'Reservoir station', '水利, 应急管理', '库水位 70.35 m', 'Level 70.35 m'],
	['F-02', 'T+00:20', 'event', 'video', '监控中心', 'CCTV centre', 'fire;police', '堤防出现"管涌"', 'Piping at the dyke']
];
const CSV = ROWS.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')).join('\r\n');
const enc = (s: string) => new TextEncoder().encode(s);
const mapping = guessMapping(ROWS[0]);

let importN = 0;
function input(): MselImportInput {
	return { baseId: BASE, id: `msel-fuzz-${importN++}`, mode: 'replace', mapping };
}

async function realXlsx(): Promise<Uint8Array> {
	const wb = new ExcelJS.Workbook();
	const ws = wb.addWorksheet('MSEL');
	for (const row of ROWS) ws.addRow(row);
	return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** Imports a file that must be refused: problems that explain, and not a row changed. */
async function expectRefused(name: string, bytes: Uint8Array, code?: string): Promise<ImportProblem[]> {
	const before = await tables();
	const r = await importMselFile(database.db, organiser, { name, bytes }, input());
	expect(r.ok, name).toBe(false);
	if (r.ok) return [];
	expect(r.problems.length).toBeGreaterThan(0);
	for (const p of r.problems) {
		expect(p.message.length).toBeGreaterThan(5);
		expectNoLeak(p.message);
	}
	if (code) expect(r.problems.map((p) => p.code)).toContain(code);
	expect(await tables()).toEqual(before);
	return r.problems;
}

/** Peak RSS while `fn` runs, sampled every few milliseconds, above the RSS before it. */
async function rssGrowth<T>(fn: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
	const before = process.memoryUsage.rss();
	let peak = before;
	const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 2);
	try {
		const result = await fn();
		peak = Math.max(peak, process.memoryUsage.rss());
		return { result, growthMb: (peak - before) / 1024 / 1024 };
	} finally {
		clearInterval(timer);
	}
}

describe(`MSEL file import fuzzing on ${backend}`, () => {
	it('imports the honest CSV and XLSX (the baseline the hostile files are measured against)', async () => {
		for (const [name, bytes] of [['msel.csv', enc(CSV)] as const, ['msel.xlsx', await realXlsx()] as const]) {
			const r = await importMselFile(database.db, organiser, { name, bytes }, input());
			expect(r.ok, name).toBe(true);
			if (r.ok) expect(r.value.injects.map((i) => i.id)).toEqual(['F-01', 'F-02']);
		}
	});

	it('refuses random bytes and truncated or scrambled CSV without a partial import', async () => {
		const initial = await tables();
		const accepted: string[] = [];
		const bytes = enc(CSV);
		const file = fc.oneof(
			fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((b) => ({ name: 'random.csv', b })),
			fc.integer({ min: 1, max: bytes.length - 1 }).map((n) => ({ name: 'truncated.csv', b: bytes.slice(0, n) })),
			fc
				.array(fc.array(fc.oneof(fc.string(), fc.constantFrom('"', '""', '\n', '\r\n', ',', ';', '\t', 'T+99:99', '\u0000')), { maxLength: 12 }), { minLength: 1, maxLength: 20 })
				.map((rows) => ({ name: 'scrambled.csv', b: enc(rows.map((r) => r.join(',')).join('\n')) }))
		);
		await fc.assert(
			fc.asyncProperty(file, async ({ name, b }) => {
				const before = await fingerprint();
				const id = `msel-fuzz-${importN}`;
				const r = await importMselFile(database.db, organiser, { name, bytes: b }, input());
				if (r.ok) {
					// Only a prefix that still holds whole rows can pass; it imports those rows, nothing else.
					expect(name).toBe('truncated.csv');
					expect(r.value.injects.length).toBeGreaterThan(0);
					accepted.push(id);
					return;
				}
				for (const p of r.problems) expectNoLeak(p.message);
				expect(await fingerprint()).toEqual(before);
			}),
			{ numRuns: 60, seed: SEED }
		);
		const after = await tables();
		expect(after.scenarios.filter((r) => !accepted.includes(r.id))).toEqual(initial.scenarios);
		expect(after.assigned).toEqual(initial.assigned);
	});

	it('refuses malformed workbooks: random bytes behind a zip header, a truncated XLSX, a zip that is no workbook', async () => {
		const xlsx = await realXlsx();
		await expectRefused('random.xlsx', Uint8Array.of(0x50, 0x4b, 0x03, 0x04, ...Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256)), 'damaged');
		for (const n of [10, 100, Math.floor(xlsx.length / 2), xlsx.length - 30, xlsx.length - 1]) await expectRefused(`truncated-${n}.xlsx`, xlsx.slice(0, n));
		await expectRefused('notes.xlsx', zip([deflatedEntry('notes.txt', 'not a workbook')]), 'noSheet');
		// Random bytes inside real entries: either a reason to refuse or (rarely) a readable workbook.
		await fc.assert(
			fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), async (edits) => {
				const b = xlsx.slice();
				for (const [at, v] of edits) b[at % b.length] = v;
				const before = await fingerprint();
				const r = await importMselFile(database.db, organiser, { name: 'mutated.xlsx', bytes: b }, input());
				if (!r.ok) {
					for (const p of r.problems) expectNoLeak(p.message);
					expect(await fingerprint()).toEqual(before);
				}
			}),
			{ numRuns: 40, seed: SEED }
		);
	});

	it(`refuses a file over ${MAX_MSEL_FILE_BYTES / 1024} KB before reading it`, async () => {
		const big = enc(`${CSV}\r\n${'F-09,T+00:30,信息,电话,a,b,fire,x,y\r\n'.repeat(20_000)}`);
		expect(big.length).toBeGreaterThan(MAX_MSEL_FILE_BYTES);
		await expectRefused('big.csv', big, 'tooLarge');
	});

	it('refuses zip bombs (honest and lying about their size) before inflating them, in bounded memory', async () => {
		// One cell of 256 MiB of "A": about 250 KB deflated, under the file-size limit.
		const sheet = await repeatedEntry('xl/worksheets/sheet1.xml', `${SHEET_HEAD}<row r="1"><c r="A1" t="inlineStr"><is><t>`, 'A'.repeat(1 << 20), 256, `</t></is></c></row>${SHEET_TAIL}`);
		const honest = xlsxWith(sheet);
		const lying = xlsxWith({ ...sheet, declaredSize: 1000 });
		expect(honest.length).toBeLessThan(MAX_MSEL_FILE_BYTES);
		expect(sheet.size).toBeGreaterThan(250 * 1024 * 1024);

		const a = await rssGrowth(() => expectRefused('bomb.xlsx', honest, 'unpackedTooLarge'));
		expect(a.result[0].message).toContain(`${MAX_XLSX_UNPACKED_BYTES / 1024 / 1024} MB`);
		// The declared sizes pass the first check; the actual inflation is capped at what they declare.
		const b = await rssGrowth(() => expectRefused('liar.xlsx', lying, 'sizeMismatch'));
		console.info(`[scenario-import-fuzz] zip bomb (${(sheet.size / 1024 / 1024).toFixed(0)} MiB in ${(honest.length / 1024).toFixed(0)} KB): RSS growth ${a.growthMb.toFixed(1)} MB honest, ${b.growthMb.toFixed(1)} MB lying`);
		expect(a.growthMb).toBeLessThan(64);
		expect(b.growthMb).toBeLessThan(64);
	});
});

function isJson(s: string): boolean {
	try {
		JSON.parse(s);
		return true;
	} catch {
		return false;
	}
}
