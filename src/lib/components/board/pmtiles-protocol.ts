/**
 * `pmtiles://` for MapLibre: tiles are read straight out of a `.pmtiles` archive with HTTP Range
 * requests (adapter-node's static server supports them), so a deployment can drop one file into
 * `static/` and point BASEMAP_STYLE_URL at it (or at a style whose sources use `pmtiles://…`).
 */
import type * as ML from 'maplibre-gl';
import type { LayerSpecification, StyleSpecification } from 'maplibre-gl';
import { Compression, PmArchive } from '../../board/pmtiles';
import { MAP_FONTS } from '../../board/map-style';

const archives = new Map<string, PmArchive>();

async function fetchRange(url: string, offset: number, length: number): Promise<Uint8Array> {
	const res = await fetch(url, { headers: { range: `bytes=${offset}-${offset + length - 1}` } });
	if (res.status === 206) return new Uint8Array(await res.arrayBuffer());
	if (res.ok) return new Uint8Array(await res.arrayBuffer()).slice(offset, offset + length); // Range ignored
	throw new Error(`PMTiles ${url}: HTTP ${res.status}`);
}

async function decompress(bytes: Uint8Array, c: Compression): Promise<Uint8Array> {
	if (c === Compression.None || c === Compression.Unknown) return bytes;
	if (c !== Compression.Gzip) throw new Error('PMTiles: only gzip or uncompressed archives are supported');
	const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
	return new Uint8Array(await new Response(stream).arrayBuffer());
}

function archive(url: string): PmArchive {
	let a = archives.get(url);
	if (!a) {
		a = new PmArchive((o, l) => fetchRange(url, o, l), decompress);
		archives.set(url, a);
	}
	return a;
}

let registered = false;

export function registerPmtilesProtocol(ml: typeof ML): void {
	if (registered) return;
	registered = true;
	ml.addProtocol('pmtiles', async (params) => {
		const rest = params.url.slice('pmtiles://'.length);
		const tile = /^(.+)\/(\d+)\/(\d+)\/(\d+)$/.exec(rest);
		if (tile) {
			const data = await archive(tile[1]).tile(Number(tile[2]), Number(tile[3]), Number(tile[4]));
			return { data: data ?? new Uint8Array(0) };
		}
		const a = archive(rest);
		const [h, meta] = await Promise.all([a.getHeader(), a.metadata()]);
		return {
			data: {
				tilejson: '2.2.0',
				tiles: [`pmtiles://${rest}/{z}/{x}/{y}`],
				minzoom: h.minZoom,
				maxzoom: h.maxZoom,
				bounds: h.bounds,
				vector_layers: Array.isArray(meta.vector_layers) ? meta.vector_layers : []
			}
		};
	});
}

/** A plain style for an archive given directly: raster tiles as they are, vector layers in neutral colours. */
export async function styleForPmtiles(url: string): Promise<StyleSpecification> {
	const a = archive(url);
	const [h, meta] = await Promise.all([a.getHeader(), a.metadata()]);
	const bg: LayerSpecification = { id: 'bg', type: 'background', paint: { 'background-color': '#eef0ea' } };
	if (h.tileType !== 'mvt') {
		return {
			version: 8,
			sources: { basemap: { type: 'raster', url: `pmtiles://${url}`, tileSize: 256 } },
			layers: [bg, { id: 'basemap', type: 'raster', source: 'basemap' }]
		};
	}
	const ids = (Array.isArray(meta.vector_layers) ? meta.vector_layers : []).map((l: { id?: unknown }) => String(l.id ?? '')).filter(Boolean);
	const layers: LayerSpecification[] = [bg];
	for (const id of ids) {
		const base = { source: 'basemap', 'source-layer': id } as const;
		layers.push(
			{ id: `${id}-fill`, type: 'fill', ...base, filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#dcdfd6', 'fill-outline-color': '#b8bcb0' } },
			{ id: `${id}-line`, type: 'line', ...base, filter: ['==', ['geometry-type'], 'LineString'], paint: { 'line-color': '#9aa0a6', 'line-width': 1.2 } },
			{
				id: `${id}-label`,
				type: 'symbol',
				...base,
				layout: { 'text-field': ['coalesce', ['get', 'name:zh'], ['get', 'name_zh'], ['get', 'name'], ''], 'text-font': MAP_FONTS, 'text-size': 11 },
				paint: { 'text-color': '#444', 'text-halo-color': '#fff', 'text-halo-width': 1.2 }
			}
		);
	}
	return { version: 8, sources: { basemap: { type: 'vector', url: `pmtiles://${url}` } }, layers };
}
