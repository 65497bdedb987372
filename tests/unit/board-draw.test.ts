import { describe, expect, it } from 'vitest';
import { canFinish, drawMeasure, drawPreview, drawStep, startDraw, type DrawEvent, type DrawState } from '../../src/lib/board/draw';
import { geometryFromVertices, insertVertex, isBoardGeometry, midpoints, moveVertex, removeVertex, translate, vertices } from '../../src/lib/board/geometry';
import { destination, distance } from '../../src/lib/board/measure';

function run(state: DrawState, events: DrawEvent[]) {
	let s = state;
	const done = [];
	for (const e of events) {
		const out = drawStep(s, e);
		s = out.state;
		if (out.done) done.push(out.done);
	}
	return { state: s, done };
}

describe('board drawing state machine', () => {
	it('point: one click', () => {
		const r = run(startDraw('point'), [{ type: 'move', at: [114.3, 30.6] }, { type: 'add', at: [114.30000001, 30.6] }]);
		expect(r.done).toEqual([{ geometry: { type: 'Point', coordinates: [114.3, 30.6] }, radius: null }]);
		expect(r.state.vertices).toEqual([]);
	});

	it('line: clicks then Enter; a repeated click finishes; Backspace drops a vertex', () => {
		const r = run(startDraw('line'), [
			{ type: 'add', at: [114.3, 30.6] },
			{ type: 'add', at: [114.31, 30.6] },
			{ type: 'add', at: [114.32, 30.61] },
			{ type: 'undo' },
			{ type: 'finish' }
		]);
		expect(r.done).toEqual([{ geometry: { type: 'LineString', coordinates: [[114.3, 30.6], [114.31, 30.6]] }, radius: null }]);
		const dbl = run(startDraw('line'), [
			{ type: 'add', at: [1, 1] },
			{ type: 'add', at: [2, 2] },
			{ type: 'add', at: [2, 2] }
		]);
		expect(dbl.done[0].geometry.coordinates).toEqual([[1, 1], [2, 2]]);
		// Too few vertices: finish does nothing.
		const one = run(startDraw('line'), [{ type: 'add', at: [1, 1] }, { type: 'finish' }]);
		expect(one.done).toEqual([]);
		expect(canFinish(one.state)).toBe(false);
	});

	it('polygon: needs three vertices and closes the ring', () => {
		const s = run(startDraw('polygon'), [
			{ type: 'add', at: [0, 0] },
			{ type: 'add', at: [1, 0] }
		]);
		expect(canFinish(s.state)).toBe(false);
		const r = run(s.state, [{ type: 'add', at: [1, 1] }, { type: 'finish' }]);
		expect(r.done[0].geometry).toEqual({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] });
		expect(isBoardGeometry(r.done[0].geometry)).toBe(true);
	});

	it('circle: centre and rim', () => {
		const c: [number, number] = [114.3, 30.6];
		const rim = destination(c, 750, 45);
		const s = run(startDraw('circle'), [{ type: 'add', at: c }, { type: 'move', at: rim }]);
		expect(drawMeasure(s.state).radius).toBeCloseTo(750, 0);
		expect(drawPreview(s.state).shape?.type).toBe('Polygon');
		const r = run(s.state, [{ type: 'add', at: rim }]);
		expect(r.done[0].geometry).toEqual({ type: 'Point', coordinates: c });
		expect(r.done[0].radius).toBeCloseTo(750, 0);
		// A zero radius is not accepted.
		expect(run(startDraw('circle'), [{ type: 'add', at: c }, { type: 'add', at: c }]).done).toEqual([]);
	});

	it('measure never completes and reports length and area', () => {
		const a: [number, number] = [114.3, 30.6];
		const b = destination(a, 1000, 90);
		const c = destination(b, 1000, 0);
		const r = run(startDraw('measure'), [{ type: 'add', at: a }, { type: 'add', at: b }, { type: 'finish' }]);
		expect(r.done).toEqual([]);
		expect(drawMeasure(r.state).length).toBeCloseTo(distance(a, b), -1);
		expect(drawMeasure(r.state).area).toBeNull();
		const r2 = run(r.state, [{ type: 'move', at: c }]);
		expect(drawMeasure(r2.state).area! / 1e6).toBeCloseTo(0.5, 2);
		expect(drawPreview(r2.state).shape?.type).toBe('Polygon');
	});

	it('preview shows a rubber band to the cursor', () => {
		const s = run(startDraw('line'), [{ type: 'add', at: [0, 0] }, { type: 'move', at: [1, 1] }]).state;
		expect(drawPreview(s)).toEqual({ shape: { type: 'LineString', coordinates: [[0, 0], [1, 1]] }, vertices: [[0, 0]] });
	});
});

describe('board geometry editing', () => {
	const poly = { type: 'Polygon' as const, coordinates: [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]] as [number, number][]] };
	const line = { type: 'LineString' as const, coordinates: [[0, 0], [1, 0], [2, 0]] as [number, number][] };

	it('lists vertices without the closing one, and midpoints', () => {
		expect(vertices(poly)).toHaveLength(4);
		expect(midpoints(poly)).toHaveLength(4);
		expect(midpoints(line).map((m) => m.at)).toEqual([[0.5, 0], [1.5, 0]]);
		expect(midpoints({ type: 'Point', coordinates: [0, 0] })).toEqual([]);
	});

	it('moves the first vertex of a ring together with the closing one', () => {
		const g = moveVertex(poly, { ring: 0, index: 0 }, [-1, -1]);
		expect(g.coordinates).toEqual([[[-1, -1], [2, 0], [2, 2], [0, 2], [-1, -1]]]);
		expect(isBoardGeometry(g)).toBe(true);
	});

	it('inserts and removes vertices, refusing degenerate shapes', () => {
		const g = insertVertex(line, { ring: 0, index: 0 }, [0.5, 1]);
		expect(g.coordinates).toEqual([[0, 0], [0.5, 1], [1, 0], [2, 0]]);
		expect(removeVertex(g, { ring: 0, index: 1 })).toEqual(line);
		expect(removeVertex({ type: 'LineString', coordinates: [[0, 0], [1, 1]] }, { ring: 0, index: 0 })).toBeNull();
		const p2 = removeVertex(poly, { ring: 0, index: 0 });
		expect(p2?.coordinates).toEqual([[[2, 0], [2, 2], [0, 2], [2, 0]]]);
		expect(removeVertex(p2!, { ring: 0, index: 0 })).toBeNull();
	});

	it('translates every vertex', () => {
		expect(translate(line, 1, 0.5).coordinates).toEqual([[1, 0.5], [2, 0.5], [3, 0.5]]);
		expect(translate({ type: 'Point', coordinates: [179.5, 0] }, 1, 0).coordinates).toEqual([-179.5, 0]);
	});

	it('builds geometries from drawn vertices, dropping repeats', () => {
		expect(geometryFromVertices('line', [[0, 0], [0, 0], [1, 1]])).toEqual({ type: 'LineString', coordinates: [[0, 0], [1, 1]] });
		expect(geometryFromVertices('polygon', [[0, 0], [1, 0], [0, 0]])).toBeNull();
		expect(geometryFromVertices('polygon', [[0, 0], [1, 0], [1, 1], [0, 0]])?.coordinates).toEqual([[[0, 0], [1, 0], [1, 1], [0, 0]]]);
	});
});
