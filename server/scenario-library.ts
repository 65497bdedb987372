/**
 * File work for the scenario library page: a package uploaded as a JSON file, and an MSEL uploaded as
 * CSV/XLSX, mapped column by column into a new package based on an existing one. Storing always goes
 * through importScenario (all-or-nothing, every error by path).
 */
import type { Db } from '../db/client';
import { buildPackage, MAX_FORM_PACKAGE_BYTES, type ColumnMapping, type ImportProblem } from '../src/lib/domain/scenario/msel-import';
import type { ScenarioPackage } from '../src/lib/domain/scenario/schema';
import type { SessionUser } from './auth/sessions';
import { AppError } from './errors';
import { listAgencies } from './exercises';
import { readMselFile } from './msel-files';
import { getScenario, importScenario, listScenarios } from './scenarios';

export interface UploadedFile {
	name: string;
	bytes: Uint8Array;
}

/** Where in the text JSON.parse gave up, as line and column (V8 reports a character position). */
function jsonErrorAt(text: string, e: unknown): { line: number; column: number } | null {
	const m = /position (\d+)/.exec(e instanceof Error ? e.message : '');
	if (!m) return null;
	const before = text.slice(0, Number(m[1]));
	const lines = before.split('\n');
	return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

/** Imports a package file; 400 `invalid_json` with the line, or `invalid_scenario` with every error by path. */
export async function importPackageFile(db: Db, user: SessionUser, file: UploadedFile | null, replace: boolean): Promise<ScenarioPackage> {
	if (!file || !file.bytes.length) throw new AppError(400, 'invalid_input', 'Choose a package file.', { package: 'Required.' });
	if (file.bytes.length > MAX_FORM_PACKAGE_BYTES) throw new AppError(413, 'too_large', `The file is larger than ${MAX_FORM_PACKAGE_BYTES / 1024} KB.`);
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(file.bytes).replace(/^\uFEFF/, '');
	} catch {
		throw new AppError(400, 'invalid_json', 'The file is not UTF-8 text.');
	}
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch (e) {
		const at = jsonErrorAt(text, e);
		throw new AppError(400, 'invalid_json', 'The file is not valid JSON.', at ? { line: String(at.line), column: String(at.column) } : undefined);
	}
	return importScenario(db, user, json, replace);
}

export interface MselPreview {
	fileName: string;
	sheet: string | null;
	headers: string[];
	rowCount: number;
	/** The first rows as text, for the mapping form. */
	sample: string[][];
}

export type MselRead<T> = { ok: true; value: T } | { ok: false; problems: ImportProblem[] };

/** Reads an MSEL file's columns (organisers only, like the library). */
export async function previewMselFile(db: Db, user: SessionUser, file: UploadedFile | null): Promise<MselRead<MselPreview>> {
	await listScenarios(db, user);
	if (!file) return { ok: false, problems: [{ row: null, column: null, field: 'file', code: 'empty', message: 'Choose a CSV or XLSX file.' }] };
	const read = await readMselFile(file.name, file.bytes);
	if (!read.ok) return { ok: false, problems: [read.problem] };
	const { headers, rows } = read.table;
	const width = Math.max(headers.length, ...rows.map((r) => r.length));
	const text = (c: unknown) => (c === null || c === undefined ? '' : String(c));
	return {
		ok: true,
		value: {
			fileName: file.name,
			sheet: read.sheet,
			headers: Array.from({ length: width }, (_, i) => headers[i] ?? ''),
			rowCount: rows.length,
			sample: rows.slice(0, 5).map((r) => Array.from({ length: width }, (_, i) => text(r[i]).slice(0, 200)))
		}
	};
}

export interface MselImportInput {
	baseId: string;
	id: string;
	title?: { zh: string; en: string };
	mode: 'replace' | 'append';
	mapping: ColumnMapping;
}

/** Builds a new package from the base and the mapped MSEL and stores it (never overwriting). */
export async function importMselFile(db: Db, user: SessionUser, file: UploadedFile | null, input: MselImportInput): Promise<MselRead<ScenarioPackage>> {
	const base = await getScenario(db, user, input.baseId);
	if (!file) return { ok: false, problems: [{ row: null, column: null, field: 'file', code: 'empty', message: 'Choose a CSV or XLSX file.' }] };
	const read = await readMselFile(file.name, file.bytes);
	if (!read.ok) return { ok: false, problems: [read.problem] };
	const agencies = await listAgencies(db);
	const built = buildPackage(base, read.table, input.mapping, { id: input.id, title: input.title, mode: input.mode, agencies });
	if (!built.ok) return { ok: false, problems: built.problems };
	return { ok: true, value: await importScenario(db, user, built.pkg, false) };
}
