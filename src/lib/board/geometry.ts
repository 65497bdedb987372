/**
 * The geometries a board feature may hold (a subset of GeoJSON), their validation and plain
 * editing operations. Pure: used by the drawing tools, the Yjs accessors and the collab server.
 */
import type { GeometryKind } from './palette';
import type { Position } from './measure';

export type { Position };

export interface PointGeometry {
	type: 'Point';
	coordinates: Position;
}
export interface LineGeometry {
	type: 'LineString';
	coordinates: Position[];
}
export interface PolygonGeometry {
	type: 'Polygon';
	coordinates: Position[][];
}
export type BoardGeometry = PointGeometry | LineGeometry | PolygonGeometry;

/** Bounds that keep a document small and renderable. */
export const MAX_VERTICES = 2000;
export const MAX_RADIUS = 200_000;
export const MIN_RADIUS = 1;

export function isPosition(v: unknown): v is Position {
	return (
		Array.isArray(v) &&
		v.length === 2 &&
		typeof v[0] === 'number' &&
		typeof v[1] === 'number' &&
		Number.isFinite(v[0]) &&
		Number.isFinite(v[1]) &&
		v[0] >= -180 &&
		v[0] <= 180 &&
		v[1] >= -90 &&
		v[1] <= 90
	);
}

const samePos = (a: Position, b: Position) => a[0] === b[0] && a[1] === b[1];

function isRing(v: unknown): v is Position[] {
	return Array.isArray(v) && v.length >= 4 && v.length <= MAX_VERTICES && v.every(isPosition) && samePos(v[0], v[v.length - 1]);
}

/** True when `g` is a well-formed board geometry (anything else in a document is ignored). */
export function isBoardGeometry(g: unknown): g is BoardGeometry {
	if (!g || typeof g !== 'object') return false;
	const { type, coordinates } = g as { type?: unknown; coordinates?: unknown };
	switch (type) {
		case 'Point':
			return isPosition(coordinates);
		case 'LineString':
			return Array.isArray(coordinates) && coordinates.length >= 2 && coordinates.length <= MAX_VERTICES && coordinates.every(isPosition);
		case 'Polygon':
			return Array.isArray(coordinates) && coordinates.length >= 1 && coordinates.length <= 50 && coordinates.every(isRing);
		default:
			return false;
	}
}

/** The GeoJSON type a geometry kind is stored as (a circle is stored as its centre point). */
export function storedType(kind: GeometryKind): BoardGeometry['type'] {
	return kind === 'line' ? 'LineString' : kind === 'polygon' ? 'Polygon' : 'Point';
}

export function allPositions(g: BoardGeometry): Position[] {
	switch (g.type) {
		case 'Point':
			return [g.coordinates];
		case 'LineString':
			return g.coordinates;
		case 'Polygon':
			return g.coordinates.flat();
	}
}

/** Rounds to 1e-7° (≈ 1 cm): keeps documents compact and equality stable. */
export function roundPos(p: Position): Position {
	return [Math.round(p[0] * 1e7) / 1e7, Math.round(p[1] * 1e7) / 1e7];
}

const clampLat = (y: number) => Math.max(-85, Math.min(85, y));
const wrapLng = (x: number) => ((((x + 180) % 360) + 360) % 360) - 180;

/** Shifts every vertex by (dLng, dLat) degrees. */
export function translate(g: BoardGeometry, dLng: number, dLat: number): BoardGeometry {
	const mv = (p: Position): Position => roundPos([wrapLng(p[0] + dLng), clampLat(p[1] + dLat)]);
	switch (g.type) {
		case 'Point':
			return { type: 'Point', coordinates: mv(g.coordinates) };
		case 'LineString':
			return { type: 'LineString', coordinates: g.coordinates.map(mv) };
		case 'Polygon':
			return { type: 'Polygon', coordinates: g.coordinates.map((r) => r.map(mv)) };
	}
}

/** A vertex address: ring index (0 for lines and points) and vertex index. */
export interface VertexRef {
	ring: number;
	index: number;
}

/** Editable vertices (a polygon ring's closing vertex is not listed; it follows the first). */
export function vertices(g: BoardGeometry): (VertexRef & { at: Position })[] {
	switch (g.type) {
		case 'Point':
			return [{ ring: 0, index: 0, at: g.coordinates }];
		case 'LineString':
			return g.coordinates.map((at, index) => ({ ring: 0, index, at }));
		case 'Polygon':
			return g.coordinates.flatMap((r, ring) => r.slice(0, -1).map((at, index) => ({ ring, index, at })));
	}
}

/** Midpoints of each segment, where a new vertex can be inserted (after `index`). */
export function midpoints(g: BoardGeometry): (VertexRef & { at: Position })[] {
	const mid = (a: Position, b: Position): Position => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
	if (g.type === 'LineString') {
		return g.coordinates.slice(1).map((b, i) => ({ ring: 0, index: i, at: mid(g.coordinates[i], b) }));
	}
	if (g.type === 'Polygon') {
		return g.coordinates.flatMap((r, ring) => r.slice(1).map((b, i) => ({ ring, index: i, at: mid(r[i], b) })));
	}
	return [];
}

export function moveVertex(g: BoardGeometry, ref: VertexRef, to: Position): BoardGeometry {
	const p = roundPos(to);
	switch (g.type) {
		case 'Point':
			return { type: 'Point', coordinates: p };
		case 'LineString': {
			const c = g.coordinates.slice();
			if (ref.index < 0 || ref.index >= c.length) return g;
			c[ref.index] = p;
			return { type: 'LineString', coordinates: c };
		}
		case 'Polygon': {
			const rings = g.coordinates.map((r) => r.slice());
			const r = rings[ref.ring];
			if (!r || ref.index < 0 || ref.index >= r.length - 1) return g;
			r[ref.index] = p;
			if (ref.index === 0) r[r.length - 1] = p;
			return { type: 'Polygon', coordinates: rings };
		}
	}
}

/** Inserts a vertex after `ref.index` (as addressed by {@link midpoints}). */
export function insertVertex(g: BoardGeometry, ref: VertexRef, at: Position): BoardGeometry {
	const p = roundPos(at);
	if (g.type === 'LineString') {
		if (g.coordinates.length >= MAX_VERTICES) return g;
		const c = g.coordinates.slice();
		c.splice(ref.index + 1, 0, p);
		return { type: 'LineString', coordinates: c };
	}
	if (g.type === 'Polygon') {
		const rings = g.coordinates.map((r) => r.slice());
		const r = rings[ref.ring];
		if (!r || r.length >= MAX_VERTICES) return g;
		r.splice(ref.index + 1, 0, p);
		return { type: 'Polygon', coordinates: rings };
	}
	return g;
}

/** Removes a vertex; returns null when the shape would become degenerate (line < 2, ring < 3 vertices). */
export function removeVertex(g: BoardGeometry, ref: VertexRef): BoardGeometry | null {
	if (g.type === 'LineString') {
		if (g.coordinates.length <= 2) return null;
		return { type: 'LineString', coordinates: g.coordinates.filter((_, i) => i !== ref.index) };
	}
	if (g.type === 'Polygon') {
		const r = g.coordinates[ref.ring];
		if (!r || r.length <= 4) return null;
		const open = r.slice(0, -1).filter((_, i) => i !== ref.index);
		const rings = g.coordinates.slice();
		rings[ref.ring] = [...open, open[0]];
		return { type: 'Polygon', coordinates: rings };
	}
	return null;
}

/** Builds a stored geometry from drawn vertices; null when there are too few distinct ones. */
export function geometryFromVertices(kind: GeometryKind, pts: readonly Position[]): BoardGeometry | null {
	const distinct: Position[] = [];
	for (const p of pts.map(roundPos)) if (!distinct.length || !samePos(distinct[distinct.length - 1], p)) distinct.push(p);
	if (kind === 'point' || kind === 'circle') return distinct.length ? { type: 'Point', coordinates: distinct[0] } : null;
	if (kind === 'line') return distinct.length >= 2 ? { type: 'LineString', coordinates: distinct } : null;
	if (distinct.length > 1 && samePos(distinct[0], distinct[distinct.length - 1])) distinct.pop();
	return distinct.length >= 3 ? { type: 'Polygon', coordinates: [[...distinct, distinct[0]]] } : null;
}
