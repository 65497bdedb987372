/**
 * The incident-command symbol palette: every kind of feature a player can put on the board.
 *
 * Names follow common incident-command practice (ICS map symbology, Chinese 应急标绘 practice):
 * point facilities, routes and lines, areas, and a circle with a radius for exclusion zones.
 * Colour comes from the layer (the agency), so a kind is told apart by its pictogram and line style.
 */

/** How a kind is drawn: a point, a line, a polygon, or a centre with a radius. */
export type GeometryKind = 'point' | 'line' | 'polygon' | 'circle';

export const FEATURE_KINDS = [
	'command_post',
	'staging_area',
	'casualty_collection',
	'shelter',
	'road_closure',
	'checkpoint',
	'water_source',
	'hazmat_source',
	'resource_unit',
	'evacuation_route',
	'advance_route',
	'cordon_line',
	'hazard_zone',
	'cordon_area',
	'flooded_area',
	'search_sector',
	'exclusion_zone'
] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];

/** Line style of a line kind, or of a polygon's outline. */
export type Stroke = 'solid' | 'dashed' | 'dotted' | 'dashdot';

export interface KindSpec {
	kind: FeatureKind;
	geometry: GeometryKind;
	/** SVG path data in a 24×24 box (even-odd fill); drawn in white on the layer colour. */
	icon: string;
	/** Single-letter shortcut used while the board has focus (unique across the palette). */
	key: string;
	stroke: Stroke;
	/** Fill opacity of areas (0 for none). */
	fillOpacity: number;
}

const P = (kind: FeatureKind, key: string, icon: string): KindSpec => ({ kind, geometry: 'point', icon, key, stroke: 'solid', fillOpacity: 0 });
const L = (kind: FeatureKind, key: string, stroke: Stroke, icon: string): KindSpec => ({ kind, geometry: 'line', icon, key, stroke, fillOpacity: 0 });
const A = (kind: FeatureKind, key: string, stroke: Stroke, fillOpacity: number, icon: string): KindSpec => ({
	kind,
	geometry: 'polygon',
	icon,
	key,
	stroke,
	fillOpacity
});

export const PALETTE: readonly KindSpec[] = [
	P('command_post', 'c', 'M7 3h2v1h9l-2.5 4 2.5 4H9v9H7z'),
	P('staging_area', 's', 'M5 6h14v3H5zm0 4.5h14v3H5zM5 15h14v3H5z'),
	P('casualty_collection', 'm', 'M10 4h4v6h6v4h-6v6h-4v-6H4v-4h6z'),
	P('shelter', 'h', 'M12 3l9 8h-3v9h-4v-5h-4v5H6v-9H3z'),
	P('road_closure', 'r', 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18zM6.5 10.5h11v3h-11z'),
	P('checkpoint', 'k', 'M3 8h18v4H3zM5 12h2.5v8H5zm11.5 0H19v8h-2.5z'),
	P('water_source', 'w', 'M12 2.5c3.4 5 6.5 8.2 6.5 11.8a6.5 6.5 0 0 1-13 0c0-3.6 3.1-6.8 6.5-11.8z'),
	P('hazmat_source', 'z', 'M12 2l10 10-10 10L2 12zM10.8 7h2.4v6.5h-2.4zm0 8h2.4v2.4h-2.4z'),
	P('resource_unit', 'u', 'M2 7h12v9H2zm12 3h4.5l3.5 3.5V16h-8zM4 17h4v3H4zm11 0h4v3h-4z'),
	L('evacuation_route', 'e', 'solid', 'M3 10.5h11V6l7 6-7 6v-4.5H3z'),
	L('advance_route', 'a', 'dashed', 'M4 5l7 7-7 7zm8 0l7 7-7 7z'),
	L('cordon_line', 'l', 'dashdot', 'M2 10.5h5v3H2zm7.5 0h2.5v3H9.5zM14 10.5h5v3h-5zm6.5 0H22v3h-1.5z'),
	A('hazard_zone', 'x', 'solid', 0.35, 'M12 2l10.5 19h-21zM10.8 9h2.4v6h-2.4zm0 7.5h2.4v2.4h-2.4z'),
	A('cordon_area', 'o', 'dashed', 0.12, 'M3 3h6v3H6v3H3zm12 0h6v6h-3V6h-3zM3 15h3v3h3v3H3zm15 0h3v6h-6v-3h3z'),
	A('flooded_area', 'f', 'dotted', 0.3, 'M2 7c3.3-2 6.7 2 10 0s6.7 2 10 0v3.5c-3.3 2-6.7-2-10 0s-6.7-2-10 0zm0 7c3.3-2 6.7 2 10 0s6.7 2 10 0v3.5c-3.3 2-6.7-2-10 0s-6.7-2-10 0z'),
	A('search_sector', 'g', 'dashed', 0.08, 'M10 3a7 7 0 1 0 0 14a7 7 0 1 0 0-14zm0 3a4 4 0 1 1 0 8a4 4 0 1 1 0-8zM15 17l2-2 5 5-2 2z'),
	{
		kind: 'exclusion_zone',
		geometry: 'circle',
		icon: 'M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20zm0 2.5a7.5 7.5 0 1 1 0 15a7.5 7.5 0 1 1 0-15zM12 9a3 3 0 1 0 0 6a3 3 0 1 0 0-6z',
		key: 'q',
		stroke: 'dashdot',
		fillOpacity: 0.15
	}
];

const BY_KIND = new Map(PALETTE.map((s) => [s.kind, s]));

export function isFeatureKind(v: unknown): v is FeatureKind {
	return typeof v === 'string' && BY_KIND.has(v as FeatureKind);
}

export function kindSpec(kind: FeatureKind): KindSpec {
	const s = BY_KIND.get(kind);
	if (!s) throw new Error(`Unknown feature kind ${kind}`);
	return s;
}

export function geometryKindOf(kind: FeatureKind): GeometryKind {
	return kindSpec(kind).geometry;
}

/** The palette kind bound to a shortcut letter, if any. */
export function kindForKey(key: string): FeatureKind | null {
	const k = key.toLowerCase();
	return PALETTE.find((s) => s.key === k)?.kind ?? null;
}

/** Palette groups in display order. */
export const PALETTE_GROUPS: readonly { geometry: GeometryKind; kinds: FeatureKind[] }[] = (['point', 'line', 'polygon', 'circle'] as const).map(
	(geometry) => ({ geometry, kinds: PALETTE.filter((s) => s.geometry === geometry).map((s) => s.kind) })
);

/** Lifecycle of a mark on the board: proposed, in force, lifted. */
export const FEATURE_STATUSES = ['planned', 'active', 'resolved'] as const;
export type FeatureStatus = (typeof FEATURE_STATUSES)[number];

export function isFeatureStatus(v: unknown): v is FeatureStatus {
	return typeof v === 'string' && (FEATURE_STATUSES as readonly string[]).includes(v);
}

/** MapLibre dash arrays (in line widths) per stroke. */
export const DASHES: Record<Stroke, number[]> = {
	solid: [1],
	dashed: [3, 2],
	dotted: [0.6, 1.6],
	dashdot: [4, 1.5, 0.8, 1.5]
};
