/**
 * Board documents as GeoJSON, for the map, exports and the review.
 * Circles (stored as centre + radius) become polygons; every feature carries flat properties that
 * the map style reads (kind, geometry kind, layer, label, status).
 */
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type * as Y from 'yjs';
import { listFeatures, type BoardFeature } from './features';
import { bboxOf, circleToPolygon, destination, type BBox } from './measure';
import { allPositions } from './geometry';
import { geometryKindOf, type GeometryKind } from './palette';

export interface BoardFeatureProperties {
	id: string;
	kind: string;
	geom: GeometryKind;
	/** Layer key: `common` or the agency code. */
	layer: string;
	label: string;
	notes: string;
	status: string;
	agency: string | null;
	radius: number | null;
	createdById: string;
	createdByName: string;
	createdAt: number;
	updatedAt: number;
}

export type BoardGeoJSONFeature = Feature<Geometry, BoardFeatureProperties>;

/** The layer key of a document's features: its agency code, or `common`. */
export const layerKeyOf = (agency: string | null) => agency ?? 'common';

/** Display geometry: circles become a 64-gon. */
export function displayGeometry(f: BoardFeature): Geometry {
	if (geometryKindOf(f.kind) === 'circle' && f.geometry.type === 'Point' && f.radius) {
		return { type: 'Polygon', coordinates: [circleToPolygon(f.geometry.coordinates, f.radius, 64)] };
	}
	return f.geometry;
}

export function featureToGeoJSON(f: BoardFeature, layer = layerKeyOf(f.agency)): BoardGeoJSONFeature {
	return {
		type: 'Feature',
		id: f.id,
		geometry: displayGeometry(f),
		properties: {
			id: f.id,
			kind: f.kind,
			geom: geometryKindOf(f.kind),
			layer,
			label: f.label,
			notes: f.notes,
			status: f.status,
			agency: f.agency,
			radius: f.radius,
			createdById: f.createdBy.id,
			createdByName: f.createdBy.name,
			createdAt: f.createdAt,
			updatedAt: f.updatedAt
		}
	};
}

export function featuresToCollection(features: readonly BoardFeature[], layer?: string): FeatureCollection<Geometry, BoardFeatureProperties> {
	return { type: 'FeatureCollection', features: features.map((f) => featureToGeoJSON(f, layer)) };
}

/** A whole board document as a FeatureCollection. `layer` defaults to each feature's agency. */
export function docToFeatureCollection(doc: Y.Doc, layer?: string): FeatureCollection<Geometry, BoardFeatureProperties> {
	return featuresToCollection(listFeatures(doc), layer);
}

/** Bounds of a feature as drawn (a circle's bounds include its radius). */
export function featureBBox(f: BoardFeature): BBox {
	if (f.geometry.type === 'Point' && f.radius) {
		const c = f.geometry.coordinates;
		const n = destination(c, f.radius, 0);
		const e = destination(c, f.radius, 90);
		const s = destination(c, f.radius, 180);
		const w = destination(c, f.radius, 270);
		return [w[0], s[1], e[0], n[1]];
	}
	return bboxOf(allPositions(f.geometry)) as BBox;
}

/** A representative point for a label or a pointer: a point itself, a line's middle vertex, a polygon's bbox centre. */
export function anchorOf(f: BoardFeature): [number, number] {
	const g = f.geometry;
	if (g.type === 'Point') return g.coordinates;
	if (g.type === 'LineString') return g.coordinates[Math.floor(g.coordinates.length / 2)];
	const b = bboxOf(g.coordinates[0]) as BBox;
	return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
}
