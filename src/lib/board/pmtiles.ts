/**
 * A small reader for PMTiles v3 archives (one file of map tiles, read with HTTP Range requests),
 * so a deployment can serve its own basemap as a single static `.pmtiles` file next to the app.
 * Pure: bytes come from a `fetchRange` function and gzip from a `decompress` function, so this is
 * tested in Node and used in the browser (see components/board/pmtiles-protocol.ts).
 * Format: https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md (header, varint directories,
 * Hilbert tile ids, leaf directories).
 */

export const HEADER_BYTES = 127;

export const Compression = { Unknown: 0, None: 1, Gzip: 2, Brotli: 3, Zstd: 4 } as const;
export type Compression = (typeof Compression)[keyof typeof Compression];

export type TileType = 'unknown' | 'mvt' | 'png' | 'jpeg' | 'webp' | 'avif';
const TILE_TYPES: TileType[] = ['unknown', 'mvt', 'png', 'jpeg', 'webp', 'avif'];

export interface PmHeader {
	rootDirectoryOffset: number;
	rootDirectoryLength: number;
	jsonMetadataOffset: number;
	jsonMetadataLength: number;
	leafDirectoryOffset: number;
	leafDirectoryLength: number;
	tileDataOffset: number;
	tileDataLength: number;
	internalCompression: Compression;
	tileCompression: Compression;
	tileType: TileType;
	minZoom: number;
	maxZoom: number;
	bounds: [number, number, number, number];
	center: [number, number, number];
}

export interface DirEntry {
	tileId: number;
	offset: number;
	length: number;
	runLength: number;
}

const u64 = (v: DataView, at: number) => v.getUint32(at, true) + v.getUint32(at + 4, true) * 2 ** 32;

export function parseHeader(bytes: Uint8Array): PmHeader {
	if (bytes.length < HEADER_BYTES) throw new Error('PMTiles header too short');
	const magic = String.fromCharCode(...bytes.subarray(0, 7));
	if (magic !== 'PMTiles') throw new Error('Not a PMTiles archive');
	if (bytes[7] !== 3) throw new Error(`PMTiles version ${bytes[7]} is not supported (3 is)`);
	const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const e7 = (at: number) => v.getInt32(at, true) / 1e7;
	return {
		rootDirectoryOffset: u64(v, 8),
		rootDirectoryLength: u64(v, 16),
		jsonMetadataOffset: u64(v, 24),
		jsonMetadataLength: u64(v, 32),
		leafDirectoryOffset: u64(v, 40),
		leafDirectoryLength: u64(v, 48),
		tileDataOffset: u64(v, 56),
		tileDataLength: u64(v, 64),
		internalCompression: bytes[97] as Compression,
		tileCompression: bytes[98] as Compression,
		tileType: TILE_TYPES[bytes[99]] ?? 'unknown',
		minZoom: bytes[100],
		maxZoom: bytes[101],
		bounds: [e7(102), e7(106), e7(110), e7(114)],
		center: [e7(119), e7(123), bytes[118]]
	};
}

/** Reads an unsigned LEB128 varint (up to 2^53). */
function readVarint(b: Uint8Array, pos: { i: number }): number {
	let result = 0;
	let shift = 1;
	for (;;) {
		if (pos.i >= b.length) throw new Error('PMTiles directory truncated');
		const byte = b[pos.i++];
		result += (byte & 0x7f) * shift;
		if (byte < 0x80) return result;
		shift *= 128;
		if (shift > 2 ** 56) throw new Error('PMTiles varint too long');
	}
}

/** Decodes a (decompressed) directory. */
export function parseDirectory(b: Uint8Array): DirEntry[] {
	const pos = { i: 0 };
	const n = readVarint(b, pos);
	const entries: DirEntry[] = Array.from({ length: n }, () => ({ tileId: 0, offset: 0, length: 0, runLength: 0 }));
	let last = 0;
	for (const e of entries) e.tileId = last += readVarint(b, pos);
	for (const e of entries) e.runLength = readVarint(b, pos);
	for (const e of entries) e.length = readVarint(b, pos);
	entries.forEach((e, i) => {
		const v = readVarint(b, pos);
		e.offset = v === 0 && i > 0 ? entries[i - 1].offset + entries[i - 1].length : v - 1;
	});
	return entries;
}

/** Tile id of z/x/y: the tiles of lower zooms first, then the Hilbert index within the zoom. */
export function zxyToTileId(z: number, x: number, y: number): number {
	if (z > 26) throw new Error('zoom too large');
	const n = 2 ** z;
	if (x < 0 || y < 0 || x >= n || y >= n) throw new Error('tile outside the zoom level');
	let acc = (4 ** z - 1) / 3;
	let tx = x;
	let ty = y;
	for (let s = n / 2; s >= 1; s /= 2) {
		const rx = (tx & s) > 0 ? 1 : 0;
		const ry = (ty & s) > 0 ? 1 : 0;
		acc += s * s * ((3 * rx) ^ ry);
		tx &= s - 1;
		ty &= s - 1;
		if (ry === 0) {
			if (rx === 1) {
				tx = s - 1 - tx;
				ty = s - 1 - ty;
			}
			[tx, ty] = [ty, tx];
		}
	}
	return acc;
}

/** The entry covering `tileId` (a tile run or a leaf directory), or null. */
export function findEntry(entries: readonly DirEntry[], tileId: number): DirEntry | null {
	let lo = 0;
	let hi = entries.length - 1;
	while (lo <= hi) {
		const mid = (lo + hi) >> 1;
		const c = tileId - entries[mid].tileId;
		if (c > 0) lo = mid + 1;
		else if (c < 0) hi = mid - 1;
		else return entries[mid];
	}
	if (hi >= 0) {
		const e = entries[hi];
		if (e.runLength === 0) return e; // a leaf directory starting before the tile
		if (tileId - e.tileId < e.runLength) return e;
	}
	return null;
}

export type FetchRange = (offset: number, length: number) => Promise<Uint8Array>;
export type Decompress = (bytes: Uint8Array, compression: Compression) => Promise<Uint8Array>;

/** An open archive: header and root directory are read once; leaf directories are cached. */
export class PmArchive {
	private header: Promise<PmHeader> | null = null;
	private root: Promise<DirEntry[]> | null = null;
	private leaves = new Map<number, Promise<DirEntry[]>>();

	constructor(
		private readonly fetchRange: FetchRange,
		private readonly decompress: Decompress
	) {}

	getHeader(): Promise<PmHeader> {
		this.header ??= this.fetchRange(0, HEADER_BYTES).then(parseHeader);
		return this.header;
	}

	private async directory(offset: number, length: number): Promise<DirEntry[]> {
		const h = await this.getHeader();
		return parseDirectory(await this.decompress(await this.fetchRange(offset, length), h.internalCompression));
	}

	async metadata(): Promise<Record<string, unknown>> {
		const h = await this.getHeader();
		if (!h.jsonMetadataLength) return {};
		const raw = await this.decompress(await this.fetchRange(h.jsonMetadataOffset, h.jsonMetadataLength), h.internalCompression);
		return JSON.parse(new TextDecoder().decode(raw)) as Record<string, unknown>;
	}

	/** The tile's bytes (decompressed), or null when the archive has no such tile. */
	async tile(z: number, x: number, y: number): Promise<Uint8Array | null> {
		const h = await this.getHeader();
		if (z < h.minZoom || z > h.maxZoom) return null;
		const id = zxyToTileId(z, x, y);
		this.root ??= this.directory(h.rootDirectoryOffset, h.rootDirectoryLength);
		let entries = await this.root;
		for (let depth = 0; depth < 4; depth++) {
			const e = findEntry(entries, id);
			if (!e) return null;
			if (e.runLength > 0) {
				return this.decompress(await this.fetchRange(h.tileDataOffset + e.offset, e.length), h.tileCompression);
			}
			const at = h.leafDirectoryOffset + e.offset;
			let leaf = this.leaves.get(at);
			if (!leaf) {
				leaf = this.directory(at, e.length);
				this.leaves.set(at, leaf);
			}
			entries = await leaf;
		}
		return null;
	}
}
