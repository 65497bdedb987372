/**
 * Reads an uploaded MSEL spreadsheet (CSV or XLSX) into a table for the pure mapping code in
 * src/lib/domain/scenario/msel-import.ts. Bounded: the file size, the workbook's declared unpacked
 * size and its actual unpacked size (a zip bomb is refused before more than the declared size is
 * inflated) and the sheet's rows and columns. Never throws:
 * a file that cannot be read gives one problem that says why.
 */
import { inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { checkTable, fileProblem, MAX_MSEL_COLUMNS, MAX_MSEL_FILE_BYTES, MAX_MSEL_ROWS, readCsv, tableFromRows, type Cell, type ImportProblem, type Table } from '../src/lib/domain/scenario/msel-import';

/** An XLSX workbook may unpack to at most this much (a full-size MSEL is well under 2 MB; ExcelJS spends about 0.5 s of CPU per MB). */
export const MAX_XLSX_UNPACKED_BYTES = 10 * 1024 * 1024;

export type TableRead = { ok: true; table: Table; sheet: string | null } | { ok: false; problem: ImportProblem };

const problem = (code: string, message: string, params?: Record<string, string | number>): TableRead => ({ ok: false, problem: fileProblem(code, message, params) });

const isZip = (b: Uint8Array) => b.length > 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

interface ZipEntryInfo {
	method: number;
	compressedSize: number;
	size: number;
	localOffset: number;
}

/**
 * The entries a zip's central directory lists (what JSZip, inside ExcelJS, will read), or null when
 * the directory cannot be found or read (then the file is not a workbook we accept).
 */
function zipEntries(bytes: Uint8Array): ZipEntryInfo[] | null {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	// End of central directory: signature 0x06054b50, at most 64 KiB of comment after it.
	let eocd = -1;
	for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
		if (view.getUint32(i, true) === 0x06054b50) {
			eocd = i;
			break;
		}
	}
	if (eocd < 0) return null;
	const count = view.getUint16(eocd + 10, true);
	let at = view.getUint32(eocd + 16, true);
	const entries: ZipEntryInfo[] = [];
	for (let n = 0; n < count; n++) {
		if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) return null;
		entries.push({ method: view.getUint16(at + 10, true), compressedSize: view.getUint32(at + 20, true), size: view.getUint32(at + 24, true), localOffset: view.getUint32(at + 42, true) });
		at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
	}
	return entries;
}

/** The total unpacked size a zip declares in its central directory, or null when it cannot be read. */
export function declaredUnpackedSize(bytes: Uint8Array): number | null {
	const entries = zipEntries(bytes);
	if (!entries) return null;
	// 0xffffffff marks a zip64 entry: far beyond any MSEL.
	return entries.reduce((total, e) => (e.size === 0xffffffff ? Number.POSITIVE_INFINITY : total + e.size), 0);
}

/**
 * Whether every entry unpacks to no more than it declares. A zip bomb can declare tiny sizes and
 * still inflate to gigabytes (JSZip only compares sizes after inflating everything), so each entry
 * is inflated here with its declared size as a hard output cap: at most the declared total is ever
 * allocated. Null when an entry cannot be located or uses a method other than store/deflate.
 */
export function unpacksAsDeclared(bytes: Uint8Array): boolean | null {
	const entries = zipEntries(bytes);
	if (!entries) return null;
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	for (const e of entries) {
		if (e.localOffset + 30 > bytes.length || view.getUint32(e.localOffset, true) !== 0x04034b50) return null;
		const start = e.localOffset + 30 + view.getUint16(e.localOffset + 26, true) + view.getUint16(e.localOffset + 28, true);
		const data = bytes.subarray(start, start + e.compressedSize);
		if (e.method === 0) {
			if (data.length !== e.size) return false;
		} else if (e.method === 8) {
			try {
				// maxOutputLength must be at least 1; a lie about an empty entry is then caught by the length check.
				if (inflateRawSync(data, { maxOutputLength: Math.max(1, e.size) }).length !== e.size) return false;
			} catch (err) {
				if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return false;
				return null;
			}
		} else return null;
	}
	return true;
}

/** Excel's day zero: a time-of-day cell comes back as a date on 1899-12-30 (UTC). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/** One XLSX cell value as the mapper understands it: text, or a number (a time is a fraction of a day). */
export function xlsxCell(v: ExcelJS.CellValue): Cell {
	if (v === null || v === undefined) return null;
	if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
	if (v instanceof Date) return (v.getTime() - EXCEL_EPOCH_MS) / 86_400_000;
	if (typeof v === 'object') {
		if ('richText' in v) return v.richText.map((r) => r.text).join('');
		if ('formula' in v || 'sharedFormula' in v) return xlsxCell((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
		if ('text' in v && typeof v.text === 'string') return v.text;
		if ('error' in v) return null;
	}
	return String(v);
}

async function readXlsx(bytes: Uint8Array): Promise<TableRead> {
	const unpacked = declaredUnpackedSize(bytes);
	if (unpacked === null) return problem('damaged', 'The workbook is damaged (its zip directory cannot be read).');
	if (unpacked > MAX_XLSX_UNPACKED_BYTES) return problem('unpackedTooLarge', `The workbook unpacks to more than ${MAX_XLSX_UNPACKED_BYTES / 1024 / 1024} MB.`, { mb: MAX_XLSX_UNPACKED_BYTES / 1024 / 1024 });
	const honest = unpacksAsDeclared(bytes);
	if (honest === null) return problem('damaged', 'The workbook is damaged (its zip directory cannot be read).');
	if (!honest) return problem('sizeMismatch', 'The workbook unpacks to more than its zip directory declares (a damaged file or a zip bomb).');
	const wb = new ExcelJS.Workbook();
	try {
		await wb.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer);
	} catch {
		return problem('unreadableXlsx', 'The file is not a readable XLSX workbook.');
	}
	// The sheet named MSEL (any case, 演练脚本 too), else the first one.
	const sheet = wb.worksheets.find((w) => /^(msel|演练脚本|注入信息)$/i.test(w.name.trim())) ?? wb.worksheets[0];
	if (!sheet) return problem('noSheet', 'The workbook has no sheet.');
	if (sheet.rowCount > MAX_MSEL_ROWS + 50 || sheet.columnCount > MAX_MSEL_COLUMNS) {
		// Count only rows with content before refusing (formatting can stretch the used range).
		const used = sheet.actualRowCount;
		if (used > MAX_MSEL_ROWS + 1) return problem('tooManyRows', `At most ${MAX_MSEL_ROWS} rows (the sheet has ${used - 1}).`, { max: MAX_MSEL_ROWS, n: used - 1 });
	}
	const rows: Cell[][] = [];
	sheet.eachRow({ includeEmpty: false }, (row) => {
		const cells: Cell[] = [];
		const n = Math.min(row.cellCount, MAX_MSEL_COLUMNS + 1);
		for (let c = 1; c <= n; c++) cells.push(xlsxCell(row.getCell(c).value));
		if (cells.some((c) => c !== null && String(c).trim() !== '')) rows.push(cells);
	});
	const checked = checkTable(tableFromRows(rows));
	return checked.ok ? { ok: true, table: checked.table, sheet: sheet.name } : checked;
}

/** Reads an uploaded MSEL file by its content (XLSX is a zip; anything else is read as CSV text). */
export async function readMselFile(name: string, bytes: Uint8Array): Promise<TableRead> {
	if (!bytes.length) return problem('empty', 'The file is empty.');
	if (bytes.length > MAX_MSEL_FILE_BYTES) return problem('tooLarge', `The file is larger than ${MAX_MSEL_FILE_BYTES / 1024} KB.`, { kb: MAX_MSEL_FILE_BYTES / 1024 });
	try {
		if (isZip(bytes)) return await readXlsx(bytes);
		if (/\.xls$/i.test(name) || (bytes[0] === 0xd0 && bytes[1] === 0xcf)) return problem('oldXls', 'Old .xls workbooks are not supported; save the sheet as .xlsx or CSV.');
		const csv = readCsv(bytes);
		return csv.ok ? { ok: true, table: csv.table, sheet: null } : csv;
	} catch {
		return problem('unreadable', 'The file could not be read.');
	}
}
