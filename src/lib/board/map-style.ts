/**
 * MapLibre style pieces for the board, as plain data (no map needed, so they are unit-tested):
 * - the offline basemap of the demo city: a style with NO `glyphs` URL, so MapLibre (≥ 5.11) draws
 *   every label locally with the `text-font` names as CSS font families;
 * - the layers of one board layer (a document): areas, lines, point symbols and labels in the
 *   layer's colour; kinds differ by pictogram and line dash.
 */
import type { ExpressionSpecification, LayerSpecification, StyleSpecification } from 'maplibre-gl';
import { DASHES, PALETTE, type Stroke } from './palette';

/** CSS font families for map text; all are local (system Noto CJK on Debian, YaHei/PingFang elsewhere). */
export const MAP_FONTS = ['Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', 'sans-serif'];
export const LOCAL_IDEOGRAPH_FONT = "'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif";

/** Where the demo city sits (the initial view). */
export const DEMO_CITY_CENTER: [number, number] = [114.3, 30.6];
export const DEMO_CITY_BOUNDS: [number, number, number, number] = [114.18, 30.5, 114.42, 30.7];
export const DEMO_CITY_URL = '/basemap/demo-city.geojson';

export type MapLocale = 'zh-CN' | 'en';

export const nameField = (locale: MapLocale): ExpressionSpecification =>
	locale === 'en' ? ['coalesce', ['get', 'name_en'], ['get', 'name_zh']] : ['coalesce', ['get', 'name_zh'], ['get', 'name_en']];

const cls = (...classes: string[]): ExpressionSpecification => ['in', ['get', 'class'], ['literal', classes]];

/** Width that follows a real width in metres at ~30.6°N (exponential in zoom), per class value. */
function metres(prop: string, widths: Record<string, [number, number]>, fallback: [number, number]): ExpressionSpecification {
	const at = (z: number): ExpressionSpecification => {
		const px = ([m, min]: [number, number]) => Math.max(min, (m * 256 * 2 ** (z - 8)) / 134_740);
		const arms = Object.entries(widths).flatMap(([k, v]) => [k, px(v)]);
		if (!arms.length) return px(fallback) as unknown as ExpressionSpecification;
		return ['match', ['get', prop], ...arms, px(fallback)] as unknown as ExpressionSpecification;
	};
	return ['interpolate', ['exponential', 2], ['zoom'], 8, at(8), 18, at(18)];
}

const POI_COLORS: Record<string, string> = {
	hospital: '#c2255c',
	fire_station: '#e8590c',
	police: '#1864ab',
	shelter: '#2b8a3e',
	underpass: '#7048e8',
	government: '#495057',
	station: '#343a40',
	gauge: '#0b7285',
	mine_shaft: '#5c3d1e',
	hazmat_site: '#a61e4d'
};

/** The demo-city basemap style (a source named `basemap` from `dataUrl`). */
export function demoCityStyle(locale: MapLocale, dataUrl = DEMO_CITY_URL): StyleSpecification {
	const name = nameField(locale);
	const halo = { 'text-halo-color': 'rgba(255,255,255,0.92)', 'text-halo-width': 1.4 } as const;
	const layers: LayerSpecification[] = [
		{ id: 'bg', type: 'background', paint: { 'background-color': '#e9ece4' } },
		{
			id: 'district-fill',
			type: 'fill',
			source: 'basemap',
			filter: cls('district'),
			paint: {
				'fill-color': ['match', ['get', 'id'], 'jiangbei', '#f3f0e6', 'chengnan', '#f1efe9', 'xishan', '#e8eddc', 'donghu', '#eef0ea', 'gaoxin', '#ecebf1', '#efefea']
			}
		},
		{ id: 'forest', type: 'fill', source: 'basemap', filter: cls('forest'), paint: { 'fill-color': '#b7d7a0', 'fill-opacity': 0.85 } },
		{ id: 'park', type: 'fill', source: 'basemap', filter: cls('park'), paint: { 'fill-color': '#cfe6bd' } },
		{ id: 'mine', type: 'fill', source: 'basemap', filter: cls('mine'), paint: { 'fill-color': '#d9c8b0', 'fill-outline-color': '#8c6d46' } },
		{
			id: 'industrial',
			type: 'fill',
			source: 'basemap',
			filter: cls('industrial'),
			paint: { 'fill-color': '#e6d2dd', 'fill-outline-color': '#a61e4d' }
		},
		{ id: 'water-area', type: 'fill', source: 'basemap', filter: cls('reservoir', 'lake'), paint: { 'fill-color': '#a9cdee' } },
		{
			id: 'river',
			type: 'line',
			source: 'basemap',
			filter: cls('river'),
			layout: { 'line-cap': 'round', 'line-join': 'round' },
			paint: { 'line-color': '#a9cdee', 'line-width': metres('rank', { major: [380, 3] }, [50, 1.5]) }
		},
		{
			id: 'district-line',
			type: 'line',
			source: 'basemap',
			filter: cls('district'),
			paint: { 'line-color': '#8f8a9e', 'line-width': 1.2, 'line-dasharray': [4, 2], 'line-opacity': 0.8 }
		},
		{
			id: 'rail',
			type: 'line',
			source: 'basemap',
			filter: cls('rail'),
			paint: { 'line-color': '#777', 'line-width': 2, 'line-dasharray': [3, 3] }
		},
		{
			id: 'road-casing',
			type: 'line',
			source: 'basemap',
			filter: cls('road'),
			layout: { 'line-cap': 'round', 'line-join': 'round' },
			paint: {
				'line-color': ['match', ['get', 'rank'], 'motorway', '#b5651d', '#b9b3a6'],
				'line-width': metres('rank', { motorway: [40, 4], primary: [30, 3.5] }, [20, 2.5])
			}
		},
		{
			id: 'road',
			type: 'line',
			source: 'basemap',
			filter: cls('road'),
			layout: { 'line-cap': 'round', 'line-join': 'round' },
			paint: {
				'line-color': ['match', ['get', 'rank'], 'motorway', '#f6b26b', 'primary', '#fff3c4', '#ffffff'],
				'line-width': metres('rank', { motorway: [32, 2.5], primary: [24, 2] }, [15, 1.2])
			}
		},
		{
			id: 'dam',
			type: 'line',
			source: 'basemap',
			filter: cls('dam'),
			layout: { 'line-cap': 'butt' },
			paint: { 'line-color': '#444b55', 'line-width': metres('class', {}, [40, 4]) }
		},
		{
			id: 'district-label',
			type: 'symbol',
			source: 'basemap',
			filter: cls('district_label'),
			layout: { 'text-field': name, 'text-font': MAP_FONTS, 'text-size': 16, 'text-letter-spacing': 0.15 },
			paint: { 'text-color': '#6b6478', ...halo }
		},
		{
			id: 'water-label',
			type: 'symbol',
			source: 'basemap',
			filter: cls('reservoir', 'lake', 'water_label'),
			layout: { 'text-field': name, 'text-font': MAP_FONTS, 'text-size': 13 },
			paint: { 'text-color': '#1f5f99', ...halo }
		},
		{
			id: 'area-label',
			type: 'symbol',
			source: 'basemap',
			filter: cls('forest', 'mine', 'industrial', 'park'),
			minzoom: 11.5,
			layout: { 'text-field': name, 'text-font': MAP_FONTS, 'text-size': 12 },
			paint: { 'text-color': ['match', ['get', 'class'], 'industrial', '#8f1d45', 'mine', '#6b4b25', '#2f6b1f'], ...halo }
		},
		{
			id: 'road-label',
			type: 'symbol',
			source: 'basemap',
			filter: cls('road', 'rail', 'dam'),
			minzoom: 11,
			layout: {
				'symbol-placement': 'line',
				'text-field': name,
				'text-font': MAP_FONTS,
				'text-size': 12,
				'symbol-spacing': 350,
				'text-max-angle': 35
			},
			paint: { 'text-color': '#4a4034', ...halo }
		},
		{
			id: 'poi',
			type: 'circle',
			source: 'basemap',
			filter: cls(...Object.keys(POI_COLORS)),
			paint: {
				'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 3, 14, 6],
				'circle-color': ['match', ['get', 'class'], ...Object.entries(POI_COLORS).flat(), '#666'] as unknown as ExpressionSpecification,
				'circle-stroke-color': '#fff',
				'circle-stroke-width': 1.5
			}
		},
		{
			id: 'poi-label',
			type: 'symbol',
			source: 'basemap',
			filter: cls(...Object.keys(POI_COLORS), 'bridge'),
			minzoom: 12,
			layout: {
				'text-field': name,
				'text-font': MAP_FONTS,
				'text-size': 11,
				'text-offset': [0, 0.9],
				'text-anchor': 'top',
				'text-optional': true
			},
			paint: { 'text-color': '#333', ...halo }
		}
	];
	return {
		version: 8,
		name: 'Drillboard demo city (offline)',
		sources: { basemap: { type: 'geojson', data: dataUrl, attribution: 'Drillboard demo city (fictional)' } },
		layers
	};
}

/** A style with only a background, for when a configured basemap style cannot be loaded. */
export function blankStyle(): StyleSpecification {
	return { version: 8, sources: {}, layers: [{ id: 'bg', type: 'background', paint: { 'background-color': '#e9ece4' } }] };
}

const strokeOf = new Map(PALETTE.map((s) => [s.kind, s.stroke]));
const fillOf = new Map(PALETTE.map((s) => [s.kind, s.fillOpacity]));

function byKind<T>(pick: (kind: string) => T, fallback: T): ExpressionSpecification {
	const arms: unknown[] = [];
	for (const s of PALETTE) arms.push(s.kind, pick(s.kind));
	return ['match', ['get', 'kind'], ...arms, fallback] as unknown as ExpressionSpecification;
}

const statusFactor: ExpressionSpecification = ['match', ['get', 'status'], 'planned', 0.6, 'resolved', 0.35, 1];

/** Icon image name of a point kind in a layer's colour (the image is drawn on demand). */
export const iconName = (kind: string, color: string) => `db:${kind}:${color}`;
export function parseIconName(name: string): { kind: string; color: string } | null {
	const m = /^db:([a-z_]+):(#[0-9a-fA-F]{6})$/.exec(name);
	return m ? { kind: m[1], color: m[2] } : null;
}

/** Ids of the map layers that draw one board layer (source `sourceId`). */
export function boardLayerIds(sourceId: string): string[] {
	return ['fill', 'casing', 'line', 'arrows', 'point', 'label', 'line-label'].map((p) => `${sourceId}-${p}`);
}

/** The map layers that draw one board layer's features in its colour. */
export function boardLayers(sourceId: string, color: string, locale: MapLocale): LayerSpecification[] {
	const [fill, casing, line, arrows, point, label, lineLabel] = boardLayerIds(sourceId);
	const isGeom = (...g: string[]): ExpressionSpecification => ['in', ['get', 'geom'], ['literal', g]];
	const dash = byKind((k) => ['literal', DASHES[(strokeOf.get(k as never) ?? 'solid') as Stroke]], ['literal', [1]]);
	const text = { 'text-font': MAP_FONTS, 'text-size': 12 } as const;
	const halo = { 'text-halo-color': '#ffffff', 'text-halo-width': 1.6, 'text-color': '#1b1b1b' } as const;
	void locale;
	return [
		{
			id: fill,
			type: 'fill',
			source: sourceId,
			filter: isGeom('polygon', 'circle'),
			paint: { 'fill-color': color, 'fill-opacity': ['*', byKind((k) => fillOf.get(k as never) ?? 0.2, 0.2), statusFactor] }
		},
		{
			id: casing,
			type: 'line',
			source: sourceId,
			filter: isGeom('line'),
			layout: { 'line-cap': 'round', 'line-join': 'round' },
			paint: { 'line-color': '#ffffff', 'line-width': 7, 'line-opacity': ['*', 0.85, statusFactor] }
		},
		{
			id: line,
			type: 'line',
			source: sourceId,
			filter: isGeom('line', 'polygon', 'circle'),
			layout: { 'line-join': 'round' },
			paint: {
				'line-color': color,
				'line-width': ['match', ['get', 'geom'], 'line', 4, 2.5],
				'line-opacity': statusFactor,
				'line-dasharray': dash
			}
		},
		{
			id: arrows,
			type: 'symbol',
			source: sourceId,
			filter: ['in', ['get', 'kind'], ['literal', ['evacuation_route', 'advance_route']]],
			layout: {
				'symbol-placement': 'line',
				'symbol-spacing': 70,
				'text-field': '▶',
				...text,
				'text-size': 11,
				'text-keep-upright': false,
				'text-allow-overlap': true
			},
			paint: { 'text-color': color, 'text-halo-color': '#fff', 'text-halo-width': 1, 'text-opacity': statusFactor }
		},
		{
			id: point,
			type: 'symbol',
			source: sourceId,
			filter: isGeom('point'),
			layout: {
				'icon-image': ['concat', 'db:', ['get', 'kind'], ':', color],
				'icon-size': 1,
				'icon-allow-overlap': true,
				'icon-ignore-placement': true
			},
			paint: { 'icon-opacity': statusFactor }
		},
		{
			id: label,
			type: 'symbol',
			source: sourceId,
			filter: ['all', isGeom('point', 'polygon', 'circle'), ['!=', ['get', 'label'], '']],
			layout: {
				'text-field': ['get', 'label'],
				...text,
				'text-anchor': ['match', ['get', 'geom'], 'point', 'top', 'center'],
				'text-offset': ['match', ['get', 'geom'], 'point', ['literal', [0, 1.3]], ['literal', [0, 0]]],
				'text-max-width': 12,
				'text-optional': true
			},
			paint: halo
		},
		{
			id: lineLabel,
			type: 'symbol',
			source: sourceId,
			filter: ['all', isGeom('line'), ['!=', ['get', 'label'], '']],
			layout: { 'symbol-placement': 'line', 'text-field': ['get', 'label'], ...text, 'text-offset': [0, -1] },
			paint: halo
		}
	];
}
