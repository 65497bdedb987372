/**
 * Distances and areas on the sphere, good to well under 1 % at city scale (the board's scale).
 * Positions are GeoJSON order: [longitude, latitude] in degrees; results in metres and m².
 */

export type Position = [number, number];

/** Mean Earth radius (IUGG), metres. */
export const EARTH_RADIUS = 6_371_008.8;

const RAD = Math.PI / 180;

/** Great-circle distance (haversine). */
export function distance(a: Position, b: Position): number {
	const φ1 = a[1] * RAD;
	const φ2 = b[1] * RAD;
	const dφ = φ2 - φ1;
	const dλ = (b[0] - a[0]) * RAD;
	const h = Math.sin(dφ / 2) ** 2 + Math.cos(φ1) * Math.cos(φ2) * Math.sin(dλ / 2) ** 2;
	return 2 * EARTH_RADIUS * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Length of a path along its vertices. */
export function pathLength(coords: readonly Position[]): number {
	let sum = 0;
	for (let i = 1; i < coords.length; i++) sum += distance(coords[i - 1], coords[i]);
	return sum;
}

/**
 * Area enclosed by a ring on the sphere, from the line integral of Chamberlain & Duquette,
 * "Some algorithms for polygons on a sphere" (JPL, 2007): A = R²/2 · |Σ (λ₂−λ₁)(2 + sin φ₁ + sin φ₂)|.
 * The ring may be open or closed.
 */
export function ringArea(ring: readonly Position[]): number {
	const n = ring.length;
	if (n < 3) return 0;
	let sum = 0;
	for (let i = 0; i < n; i++) {
		const p1 = ring[i];
		const p2 = ring[(i + 1) % n];
		sum += (p2[0] - p1[0]) * RAD * (2 + Math.sin(p1[1] * RAD) + Math.sin(p2[1] * RAD));
	}
	return Math.abs((sum * EARTH_RADIUS * EARTH_RADIUS) / 2);
}

/** Area of a polygon: the outer ring less its holes. */
export function polygonArea(rings: readonly (readonly Position[])[]): number {
	if (!rings.length) return 0;
	let area = ringArea(rings[0]);
	for (let i = 1; i < rings.length; i++) area -= ringArea(rings[i]);
	return Math.max(0, area);
}

/** Area of a spherical cap of the given radius (what a circle on the ground encloses). */
export function circleArea(radius: number): number {
	return 2 * Math.PI * EARTH_RADIUS * EARTH_RADIUS * (1 - Math.cos(radius / EARTH_RADIUS));
}

/** The point reached from `from` after `dist` metres on initial bearing `bearing` (degrees from north). */
export function destination(from: Position, dist: number, bearing: number): Position {
	const δ = dist / EARTH_RADIUS;
	const θ = bearing * RAD;
	const φ1 = from[1] * RAD;
	const λ1 = from[0] * RAD;
	const φ2 = Math.asin(Math.sin(φ1) * Math.cos(δ) + Math.cos(φ1) * Math.sin(δ) * Math.cos(θ));
	const λ2 = λ1 + Math.atan2(Math.sin(θ) * Math.sin(δ) * Math.cos(φ1), Math.cos(δ) - Math.sin(φ1) * Math.sin(φ2));
	const lng = ((((λ2 / RAD + 540) % 360) + 360) % 360) - 180;
	return [lng, φ2 / RAD];
}

/** A closed ring approximating a circle on the ground (counter-clockwise, `steps` segments). */
export function circleToPolygon(center: Position, radius: number, steps = 64): Position[] {
	const n = Math.max(8, Math.floor(steps));
	const ring: Position[] = [];
	for (let i = 0; i < n; i++) ring.push(destination(center, radius, (-360 * i) / n));
	ring.push([ring[0][0], ring[0][1]]);
	return ring;
}

export type BBox = [number, number, number, number];

/** [west, south, east, north] of a set of positions, or null when empty. */
export function bboxOf(positions: Iterable<Position>): BBox | null {
	let w = Infinity;
	let s = Infinity;
	let e = -Infinity;
	let n = -Infinity;
	for (const [x, y] of positions) {
		if (x < w) w = x;
		if (x > e) e = x;
		if (y < s) s = y;
		if (y > n) n = y;
	}
	return w === Infinity ? null : [w, s, e, n];
}

/** Distance as people read it: metres below 1 km, else km with sensible precision. */
export function formatDistance(m: number): string {
	if (!Number.isFinite(m)) return '–';
	if (m < 1000) return `${Math.round(m)} m`;
	return `${(m / 1000).toFixed(m < 10_000 ? 2 : 1)} km`;
}

/** Area in m² below 0.1 km², else km². */
export function formatArea(m2: number): string {
	if (!Number.isFinite(m2)) return '–';
	if (m2 < 100_000) return `${Math.round(m2).toLocaleString('en-US')} m²`;
	return `${(m2 / 1e6).toFixed(m2 < 10e6 ? 2 : 1)} km²`;
}
