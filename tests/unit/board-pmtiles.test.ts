import { gzipSync, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { styleForPmtiles } from '../../src/lib/components/board/pmtiles-protocol';
import { Compression, findEntry, HEADER_BYTES, parseDirectory, parseHeader, PmArchive, zxyToTileId, type DirEntry } from '../../src/lib/board/pmtiles';

function varints(values: number[]): number[] {
	const out: number[] = [];
	for (let v of values) {
		while (v >= 0x80) {
			out.push((v % 128) | 0x80);
			v = Math.floor(v / 128);
		}
		out.push(v);
	}
	return out;
}

function encodeDirectory(entries: DirEntry[]): Uint8Array {
	const vals: number[] = [entries.length];
	let last = 0;
	for (const e of entries) {
		vals.push(e.tileId - last);
		last = e.tileId;
	}
	for (const e of entries) vals.push(e.runLength);
	for (const e of entries) vals.push(e.length);
	entries.forEach((e, i) => vals.push(i > 0 && e.offset === entries[i - 1].offset + entries[i - 1].length ? 0 : e.offset + 1));
	return Uint8Array.from(varints(vals));
}

/** A tiny archive: tiles z0 and z1 in the root, z2 tiles behind a leaf directory; gzip everywhere. */
function buildArchive() {
	const tile = (s: string) => gzipSync(Buffer.from(s));
	const tiles = new Map<number, Buffer>([
		[zxyToTileId(0, 0, 0), tile('z0')],
		[zxyToTileId(1, 1, 0), tile('z1-1-0')],
		[zxyToTileId(2, 3, 3), tile('z2-3-3')]
	]);
	const data: Buffer[] = [];
	const entries: DirEntry[] = [];
	let off = 0;
	for (const [id, t] of [...tiles].sort((a, b) => a[0] - b[0])) {
		entries.push({ tileId: id, offset: off, length: t.length, runLength: 1 });
		data.push(t);
		off += t.length;
	}
	const z2 = entries.filter((e) => e.tileId >= 5);
	const leaf = gzipSync(encodeDirectory(z2));
	const root = gzipSync(encodeDirectory([...entries.filter((e) => e.tileId < 5), { tileId: 5, offset: 0, length: leaf.length, runLength: 0 }]));
	const meta = gzipSync(Buffer.from(JSON.stringify({ name: 'test', vector_layers: [{ id: 'roads' }] })));
	const tileData = Buffer.concat(data);
	const header = Buffer.alloc(HEADER_BYTES);
	header.write('PMTiles', 0, 'latin1');
	header[7] = 3;
	let pos = HEADER_BYTES;
	const put = (at: number, v: number) => header.writeBigUInt64LE(BigInt(v), at);
	put(8, pos);
	put(16, root.length);
	pos += root.length;
	put(24, pos);
	put(32, meta.length);
	pos += meta.length;
	put(40, pos);
	put(48, leaf.length);
	pos += leaf.length;
	put(56, pos);
	put(64, tileData.length);
	header[97] = Compression.Gzip;
	header[98] = Compression.Gzip;
	header[99] = 1; // mvt
	header[100] = 0;
	header[101] = 2;
	header.writeInt32LE(114.18e7, 102);
	header.writeInt32LE(30.5e7, 106);
	header.writeInt32LE(114.42e7, 110);
	header.writeInt32LE(30.7e7, 114);
	header[118] = 12;
	header.writeInt32LE(114.3e7, 119);
	header.writeInt32LE(30.6e7, 123);
	return new Uint8Array(Buffer.concat([header, root, meta, leaf, tileData]));
}

describe('PMTiles reader', () => {
	it('numbers tiles along the Hilbert curve, zoom by zoom', () => {
		expect(zxyToTileId(0, 0, 0)).toBe(0);
		expect([zxyToTileId(1, 0, 0), zxyToTileId(1, 0, 1), zxyToTileId(1, 1, 1), zxyToTileId(1, 1, 0)]).toEqual([1, 2, 3, 4]);
		const ids = new Set<number>();
		for (let x = 0; x < 8; x++) for (let y = 0; y < 8; y++) ids.add(zxyToTileId(3, x, y));
		expect(ids.size).toBe(64);
		expect(Math.min(...ids)).toBe(21);
		expect(Math.max(...ids)).toBe(84);
		expect(() => zxyToTileId(1, 2, 0)).toThrow();
	});

	it('decodes directories and finds runs and leaves', () => {
		const entries: DirEntry[] = [
			{ tileId: 1, offset: 0, length: 10, runLength: 2 },
			{ tileId: 3, offset: 10, length: 5, runLength: 1 },
			{ tileId: 10, offset: 0, length: 40, runLength: 0 }
		];
		expect(parseDirectory(encodeDirectory(entries))).toEqual(entries);
		expect(findEntry(entries, 2)).toBe(entries[0]);
		expect(findEntry(entries, 4)).toBeNull();
		expect(findEntry(entries, 0)).toBeNull();
		expect(findEntry(entries, 500)).toBe(entries[2]);
	});

	it('reads header, metadata and tiles through leaf directories', async () => {
		const bytes = buildArchive();
		const h = parseHeader(bytes);
		expect(h).toMatchObject({ tileType: 'mvt', minZoom: 0, maxZoom: 2, internalCompression: Compression.Gzip });
		expect(h.bounds[0]).toBeCloseTo(114.18, 5);
		expect(h.center).toEqual([114.3, 30.6, 12]);
		let requests = 0;
		const archive = new PmArchive(
			async (o, l) => {
				requests++;
				return bytes.slice(o, o + l);
			},
			async (b, c) => (c === Compression.Gzip ? new Uint8Array(gunzipSync(b)) : b)
		);
		const text = async (z: number, x: number, y: number) => {
			const t = await archive.tile(z, x, y);
			return t ? Buffer.from(t).toString() : null;
		};
		expect(await text(0, 0, 0)).toBe('z0');
		expect(await text(1, 1, 0)).toBe('z1-1-0');
		expect(await text(1, 0, 0)).toBeNull();
		expect(await text(2, 3, 3)).toBe('z2-3-3');
		expect(await text(2, 0, 0)).toBeNull();
		expect(await text(3, 0, 0)).toBeNull();
		expect(await archive.metadata()).toMatchObject({ vector_layers: [{ id: 'roads' }] });
		const before = requests;
		await text(2, 3, 3);
		expect(requests - before).toBe(1); // header, root and leaf are cached
		expect(() => parseHeader(new Uint8Array(127))).toThrow(/PMTiles/);
	});
});

describe('pmtiles basemap style', () => {
	afterEach(() => vi.unstubAllGlobals());

	it('builds a style for a vector archive read with Range requests and gzip', async () => {
		const bytes = buildArchive();
		const ranges: string[] = [];
		vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
			expect(url).toBe('/basemap/city.pmtiles');
			const range = new Headers(init?.headers).get('range') ?? '';
			ranges.push(range);
			const m = /^bytes=(\d+)-(\d+)$/.exec(range);
			if (!m) return new Response(bytes, { status: 200 });
			return new Response(bytes.slice(Number(m[1]), Number(m[2]) + 1), { status: 206 });
		});
		const style = await styleForPmtiles('/basemap/city.pmtiles');
		expect(style.sources.basemap).toEqual({ type: 'vector', url: 'pmtiles:///basemap/city.pmtiles' });
		expect(style.layers.map((l) => l.id)).toEqual(['bg', 'roads-fill', 'roads-line', 'roads-label']);
		expect(style.glyphs).toBeUndefined();
		expect(ranges[0]).toBe('bytes=0-126');
	});
});
