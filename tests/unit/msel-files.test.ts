import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { declaredUnpackedSize, readMselFile, xlsxCell } from '../../server/msel-files';

async function workbook(fill: (wb: ExcelJS.Workbook) => void): Promise<Uint8Array> {
	const wb = new ExcelJS.Workbook();
	fill(wb);
	return new Uint8Array(await wb.xlsx.writeBuffer());
}

describe('MSEL files', () => {
	it('reads the MSEL sheet of an XLSX workbook, with time cells as fractions of a day', async () => {
		const bytes = await workbook((wb) => {
			wb.addWorksheet('封面').addRow(['青龙水库溃坝推演']);
			const ws = wb.addWorksheet('MSEL');
			ws.addRow(['编号', '时间', '消息']);
			ws.addRow(['I-01', 'T+00:05', { richText: [{ text: '库水位 ' }, { text: '70.35 m' }] }]);
			ws.addRow(['I-02', new Date(Date.UTC(1899, 11, 30, 0, 15)), '管涌']);
			ws.addRow([]);
			ws.addRow(['I-03', 0.0625, { formula: '"溃"&"坝"', result: '溃坝' }]);
		});
		const r = await readMselFile('msel.xlsx', bytes);
		expect(r.ok).toBe(true);
		if (!r.ok) return;
		expect(r.sheet).toBe('MSEL');
		expect(r.table.headers).toEqual(['编号', '时间', '消息']);
		expect(r.table.rows).toEqual([
			['I-01', 'T+00:05', '库水位 70.35 m'],
			['I-02', 15 / 1440, '管涌'],
			['I-03', 0.0625, '溃坝']
		]);
	});

	it('reads CSV by content and refuses damaged, old and oversized files with a reason', async () => {
		const csv = await readMselFile('a.txt', new TextEncoder().encode('时间,消息\nT+00:01,x\n'));
		expect(csv.ok).toBe(true);
		const broken = await readMselFile('a.xlsx', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6]));
		expect(broken).toMatchObject({ ok: false, problem: { field: 'file' } });
		expect(await readMselFile('old.xls', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0]))).toMatchObject({ ok: false, problem: { message: expect.stringMatching(/xlsx/) } });
		expect(await readMselFile('big.csv', new Uint8Array(3 * 1024 * 1024))).toMatchObject({ ok: false, problem: { message: expect.stringMatching(/larger/) } });
		expect(await readMselFile('e.csv', new Uint8Array())).toMatchObject({ ok: false });
	});

	it('reads the declared unpacked size from the zip directory', async () => {
		const bytes = await workbook((wb) => wb.addWorksheet('MSEL').addRow(['时间']));
		const size = declaredUnpackedSize(bytes);
		expect(size).toBeGreaterThan(bytes.length);
		expect(declaredUnpackedSize(new Uint8Array(100))).toBeNull();
	});

	it('normalises cell values', () => {
		expect(xlsxCell(null)).toBeNull();
		expect(xlsxCell({ error: '#REF!' } as ExcelJS.CellErrorValue)).toBeNull();
		expect(xlsxCell({ text: 'link', hyperlink: 'http://x' } as ExcelJS.CellHyperlinkValue)).toBe('link');
	});
});
