/**
 * A minimal zip writer for hostile-upload tests: entries are deflated (or given already deflated),
 * and each may lie about its unpacked size in both the local header and the central directory, the
 * way a zip bomb that wants to pass a declared-size check would.
 */
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
	name: string;
	/** Raw-deflated content. */
	deflated: Buffer;
	/** Real unpacked size and CRC-32 (what an honest zip declares). */
	size: number;
	crc: number;
	/** Declared instead of `size`, to lie. */
	declaredSize?: number;
}

export function deflatedEntry(name: string, text: string): ZipEntry {
	const data = Buffer.from(text);
	return { name, deflated: deflateRawSync(data), size: data.length, crc: crc32(data) };
}

/** `chunk` repeated `times` times, deflated as one stream without ever holding the whole content. */
export async function repeatedEntry(name: string, head: string, chunk: string, times: number, tail: string): Promise<ZipEntry> {
	const deflate = createDeflateRaw({ level: 9 });
	const out: Buffer[] = [];
	deflate.on('data', (b: Buffer) => out.push(b));
	const done = new Promise<void>((resolve, reject) => deflate.on('end', resolve).on('error', reject));
	let crc = 0;
	let size = 0;
	const write = async (b: Buffer) => {
		crc = crc32(b, crc);
		size += b.length;
		if (!deflate.write(b)) await new Promise((r) => deflate.once('drain', r));
	};
	await write(Buffer.from(head));
	const block = Buffer.from(chunk);
	for (let i = 0; i < times; i++) await write(block);
	await write(Buffer.from(tail));
	deflate.end();
	await done;
	return { name, deflated: Buffer.concat(out), size, crc };
}

export function zip(entries: ZipEntry[]): Buffer {
	const locals: Buffer[] = [];
	const centrals: Buffer[] = [];
	let offset = 0;
	for (const e of entries) {
		const name = Buffer.from(e.name);
		const size = e.declaredSize ?? e.size;
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(20, 4); // version needed
		local.writeUInt16LE(8, 8); // deflate
		local.writeUInt32LE(e.crc >>> 0, 14);
		local.writeUInt32LE(e.deflated.length, 18);
		local.writeUInt32LE(size, 22);
		local.writeUInt16LE(name.length, 26);
		const central = Buffer.alloc(46);
		central.writeUInt32LE(0x02014b50, 0);
		central.writeUInt16LE(20, 4);
		central.writeUInt16LE(20, 6);
		central.writeUInt16LE(8, 10);
		central.writeUInt32LE(e.crc >>> 0, 16);
		central.writeUInt32LE(e.deflated.length, 20);
		central.writeUInt32LE(size, 24);
		central.writeUInt16LE(name.length, 28);
		central.writeUInt32LE(offset, 42);
		locals.push(local, name, e.deflated);
		centrals.push(central, name);
		offset += local.length + name.length + e.deflated.length;
	}
	const directory = Buffer.concat(centrals);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(entries.length, 8);
	end.writeUInt16LE(entries.length, 10);
	end.writeUInt32LE(directory.length, 12);
	end.writeUInt32LE(offset, 16);
	return Buffer.concat([...locals, directory, end]);
}

/** The parts every XLSX needs, around one sheet (`sheet` is the worksheet entry). */
export function xlsxWith(sheet: ZipEntry): Buffer {
	return zip([
		deflatedEntry(
			'[Content_Types].xml',
			'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
		),
		deflatedEntry(
			'_rels/.rels',
			'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
		),
		deflatedEntry(
			'xl/workbook.xml',
			'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="MSEL" sheetId="1" r:id="rId1"/></sheets></workbook>'
		),
		deflatedEntry(
			'xl/_rels/workbook.xml.rels',
			'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
		),
		sheet
	]);
}

export const SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
export const SHEET_TAIL = '</sheetData></worksheet>';
