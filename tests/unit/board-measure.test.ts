import { describe, expect, it } from 'vitest';
import {
	bboxOf,
	circleArea,
	circleToPolygon,
	destination,
	distance,
	formatArea,
	formatDistance,
	pathLength,
	polygonArea,
	ringArea,
	type Position
} from '../../src/lib/board/measure';

describe('board measure', () => {
	it('haversine distance matches known values', () => {
		// One degree of latitude ≈ 111.19 km on the mean sphere.
		expect(distance([114.3, 30], [114.3, 31])).toBeCloseTo(111_195, -1);
		// Wuhan–Beijing great-circle ≈ 1 053 km.
		expect(distance([114.305, 30.593], [116.407, 39.904]) / 1000).toBeGreaterThan(1040);
		expect(distance([114.305, 30.593], [116.407, 39.904]) / 1000).toBeLessThan(1065);
		expect(distance([1, 2], [1, 2])).toBe(0);
	});

	it('path length sums segments', () => {
		const a: Position = [114.3, 30.6];
		const b = destination(a, 1000, 90);
		const c = destination(b, 500, 0);
		expect(pathLength([a, b, c])).toBeCloseTo(1500, 3);
		expect(pathLength([a])).toBe(0);
	});

	it('destination then distance round-trips', () => {
		const p = destination([114.3, 30.6], 2500, 37);
		expect(distance([114.3, 30.6], p)).toBeCloseTo(2500, 6);
	});

	it('spherical area of a ~1 km square at 30.6N', () => {
		const sw: Position = [114.3, 30.6];
		const se = destination(sw, 1000, 90);
		const ne = destination(se, 1000, 0);
		const nw = destination(sw, 1000, 0);
		const area = ringArea([sw, se, ne, nw, sw]);
		expect(area).toBeGreaterThan(0.995e6);
		expect(area).toBeLessThan(1.005e6);
		// Orientation and closing vertex do not matter.
		expect(ringArea([nw, ne, se, sw])).toBeCloseTo(area, 0);
	});

	it('polygon area subtracts holes; degenerate rings are 0', () => {
		const sq = (c: Position, s: number): Position[] => {
			const a = destination(destination(c, s / 2, 180), s / 2, 270);
			const b = destination(a, s, 90);
			const d = destination(a, s, 0);
			const e = destination(b, s, 0);
			return [a, b, e, d, a];
		};
		const outer = sq([114.3, 30.6], 2000);
		const hole = sq([114.3, 30.6], 1000);
		expect(polygonArea([outer, hole])).toBeCloseTo(ringArea(outer) - ringArea(hole), 0);
		expect(polygonArea([outer, hole]) / 1e6).toBeCloseTo(3, 1);
		expect(ringArea([[0, 0], [1, 1]])).toBe(0);
		expect(polygonArea([])).toBe(0);
	});

	it('circle to polygon: closed ring at the radius, area close to the cap', () => {
		const ring = circleToPolygon([114.3, 30.6], 500, 64);
		expect(ring).toHaveLength(65);
		expect(ring[0]).toEqual(ring[64]);
		for (const p of ring) expect(distance([114.3, 30.6], p)).toBeCloseTo(500, 4);
		// The 64-gon is inscribed: its area is slightly less than the circle's.
		const ratio = ringArea(ring) / circleArea(500);
		expect(ratio).toBeGreaterThan(0.995);
		expect(ratio).toBeLessThan(1);
		expect(circleArea(500)).toBeCloseTo(Math.PI * 500 * 500, -2);
	});

	it('bbox and formatting', () => {
		expect(bboxOf([[1, 2], [3, -1], [0, 5]])).toEqual([0, -1, 3, 5]);
		expect(bboxOf([])).toBeNull();
		expect(formatDistance(850.4)).toBe('850 m');
		expect(formatDistance(1234)).toBe('1.23 km');
		expect(formatDistance(23_456)).toBe('23.5 km');
		expect(formatArea(12_345)).toBe('12,345 m²');
		expect(formatArea(2_500_000)).toBe('2.50 km²');
		expect(formatDistance(NaN)).toBe('–');
	});
});
