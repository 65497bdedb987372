/**
 * The drawing state machine, free of any map: the map binding feeds it clicks, pointer moves and
 * keys, and draws its preview. The same steps serve mouse drawing and the keyboard path
 * (arrows pan, Space adds a vertex at the crosshair, Enter finishes, Backspace drops the last
 * vertex, Escape cancels), and make drawing testable without a browser.
 *
 * - point: one click.
 * - circle: centre click, then a click at the rim (radius = distance).
 * - line: clicks add vertices; finish with Enter, a double-click or a click on the last vertex.
 * - polygon: as a line, at least three vertices; a click on the first vertex also closes it.
 * - measure: like a line that never ends; reports length and (with ≥ 3 vertices) area.
 */
import { geometryFromVertices, MIN_RADIUS, roundPos, type BoardGeometry, type Position } from './geometry';
import { circleArea, circleToPolygon, distance, pathLength, ringArea } from './measure';
import type { GeometryKind } from './palette';

export type DrawTarget = GeometryKind | 'measure';

export interface DrawState {
	target: DrawTarget;
	vertices: Position[];
	cursor: Position | null;
}

export type DrawEvent =
	| { type: 'add'; at: Position }
	| { type: 'move'; at: Position }
	/** Enter / double-click / click on the last (or, for polygons, the first) vertex. */
	| { type: 'finish' }
	/** Backspace: drops the last vertex. */
	| { type: 'undo' };

export interface DrawDone {
	geometry: BoardGeometry;
	radius: number | null;
}

export interface DrawOutcome {
	state: DrawState;
	done: DrawDone | null;
}

export function startDraw(target: DrawTarget): DrawState {
	return { target, vertices: [], cursor: null };
}

/** Advances the machine. After `done`, the returned state is a fresh start of the same target. */
export function drawStep(state: DrawState, ev: DrawEvent): DrawOutcome {
	const t = state.target;
	switch (ev.type) {
		case 'move':
			return { state: { ...state, cursor: ev.at }, done: null };
		case 'undo':
			return { state: { ...state, vertices: state.vertices.slice(0, -1) }, done: null };
		case 'add': {
			const at = roundPos(ev.at);
			if (t === 'point') return finishWith(state, { geometry: { type: 'Point', coordinates: at }, radius: null });
			if (t === 'circle') {
				if (!state.vertices.length) return { state: { ...state, vertices: [at], cursor: at }, done: null };
				const r = distance(state.vertices[0], at);
				if (r < MIN_RADIUS) return { state, done: null };
				return finishWith(state, { geometry: { type: 'Point', coordinates: state.vertices[0] }, radius: Math.round(r * 10) / 10 });
			}
			const last = state.vertices[state.vertices.length - 1];
			if (last && last[0] === at[0] && last[1] === at[1]) return drawStep(state, { type: 'finish' });
			return { state: { ...state, vertices: [...state.vertices, at], cursor: at }, done: null };
		}
		case 'finish': {
			if (t === 'measure' || t === 'point' || t === 'circle') return { state, done: null };
			const geometry = geometryFromVertices(t, state.vertices);
			if (!geometry) return { state, done: null };
			return finishWith(state, { geometry, radius: null });
		}
	}
}

function finishWith(state: DrawState, done: DrawDone): DrawOutcome {
	return { state: startDraw(state.target), done };
}

/** Whether `finish` would complete a shape now (to enable a Finish button). */
export function canFinish(state: DrawState): boolean {
	if (state.target === 'line') return geometryFromVertices('line', state.vertices) !== null;
	if (state.target === 'polygon') return geometryFromVertices('polygon', state.vertices) !== null;
	return false;
}

/** What to draw while drawing: the shape so far with a rubber band to the cursor, and the vertices. */
function withCursor(state: DrawState): Position[] {
	const c = state.cursor;
	const last = state.vertices[state.vertices.length - 1];
	if (!c || (last && last[0] === c[0] && last[1] === c[1])) return state.vertices;
	return [...state.vertices, c];
}

export function drawPreview(state: DrawState): { shape: BoardGeometry | null; vertices: Position[] } {
	const pts = withCursor(state);
	const t = state.target;
	let shape: BoardGeometry | null = null;
	if (t === 'circle' && state.vertices.length && state.cursor) {
		const r = distance(state.vertices[0], state.cursor);
		if (r >= MIN_RADIUS) shape = { type: 'Polygon', coordinates: [circleToPolygon(state.vertices[0], r, 64)] };
	} else if ((t === 'polygon' || t === 'measure') && pts.length >= 3) {
		shape = { type: 'Polygon', coordinates: [[...pts, pts[0]]] };
	} else if (t !== 'point' && pts.length >= 2) {
		shape = { type: 'LineString', coordinates: pts };
	}
	return { shape, vertices: state.vertices };
}

/** Live measurement of the current drawing: path length, enclosed area, circle radius. */
export function drawMeasure(state: DrawState): { length: number; area: number | null; radius: number | null } {
	const pts = withCursor(state);
	if (state.target === 'circle') {
		const r = state.vertices.length && state.cursor ? distance(state.vertices[0], state.cursor) : null;
		return { length: 0, area: r === null ? null : circleArea(r), radius: r };
	}
	const closed = state.target === 'polygon' || state.target === 'measure';
	return { length: pathLength(pts), area: closed && pts.length >= 3 ? ringArea(pts) : null, radius: null };
}
