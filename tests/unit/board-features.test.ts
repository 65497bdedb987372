import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	addFeature,
	changedIds,
	deleteFeature,
	featureMap,
	getFeature,
	listFeatures,
	LOCAL_EDIT,
	moveFeature,
	newFeatureId,
	placePoint,
	readFeature,
	setGeometry,
	updateFeature
} from '../../src/lib/board/features';
import { FEATURE_KINDS, PALETTE, PALETTE_GROUPS, geometryKindOf, kindForKey } from '../../src/lib/board/palette';

const fire1 = { id: 'u-fire1', name: '消防 刘强' };
const police1 = { id: 'u-police1', name: '公安 赵磊' };

describe('board palette', () => {
	it('covers every kind once with unique shortcut keys', () => {
		expect(PALETTE.map((s) => s.kind).sort()).toEqual([...FEATURE_KINDS].sort());
		expect(new Set(PALETTE.map((s) => s.key)).size).toBe(PALETTE.length);
		expect(kindForKey('C')).toBe('command_post');
		expect(kindForKey('1')).toBeNull();
		expect(PALETTE_GROUPS.map((g) => g.geometry)).toEqual(['point', 'line', 'polygon', 'circle']);
		expect(geometryKindOf('exclusion_zone')).toBe('circle');
		expect(geometryKindOf('cordon_line')).toBe('line');
	});
});

describe('board features (Yjs)', () => {
	it('adds, reads, updates, moves and deletes a point', () => {
		const doc = new Y.Doc();
		const id = addFeature(doc, { kind: 'command_post', geometry: { type: 'Point', coordinates: [114.3, 30.6] }, label: '现场指挥部  ' }, fire1, 'fire', {
			now: 1000
		});
		const f = getFeature(doc, id);
		expect(f).toMatchObject({
			id,
			kind: 'command_post',
			label: '现场指挥部',
			status: 'active',
			agency: 'fire',
			createdBy: fire1,
			createdAt: 1000,
			radius: null
		});
		expect(updateFeature(doc, id, { label: '前方指挥部', status: 'planned', notes: '由消防设立' }, police1, { now: 2000 })).toBe(true);
		expect(getFeature(doc, id)).toMatchObject({ label: '前方指挥部', status: 'planned', notes: '由消防设立', updatedBy: police1, updatedAt: 2000, createdBy: fire1 });
		expect(moveFeature(doc, id, 0.01, -0.01, fire1)).toBe(true);
		expect(getFeature(doc, id)?.geometry).toEqual({ type: 'Point', coordinates: [114.31, 30.59] });
		expect(placePoint(doc, id, [114.2, 30.5], fire1)).toBe(true);
		expect(getFeature(doc, id)?.geometry.coordinates).toEqual([114.2, 30.5]);
		expect(deleteFeature(doc, id)).toBe(true);
		expect(getFeature(doc, id)).toBeNull();
		expect(deleteFeature(doc, id)).toBe(false);
		expect(updateFeature(doc, id, { label: 'x' }, fire1)).toBe(false);
	});

	it('a no-op update writes nothing', () => {
		const doc = new Y.Doc();
		const id = addFeature(doc, { kind: 'shelter', geometry: { type: 'Point', coordinates: [114.3, 30.6] }, label: 'A' }, fire1, null);
		let updates = 0;
		doc.on('update', () => updates++);
		updateFeature(doc, id, { label: 'A' }, fire1);
		expect(updates).toBe(0);
	});

	it('validates geometry against the kind', () => {
		const doc = new Y.Doc();
		expect(() => addFeature(doc, { kind: 'evacuation_route', geometry: { type: 'Point', coordinates: [1, 2] } }, fire1, null)).toThrow();
		expect(() => addFeature(doc, { kind: 'exclusion_zone', geometry: { type: 'Point', coordinates: [1, 2] } }, fire1, null)).toThrow(/radius/);
		expect(() =>
			addFeature(doc, { kind: 'hazard_zone', geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] } }, fire1, null)
		).toThrow(); // ring not closed
		expect(() => addFeature(doc, { kind: 'shelter', geometry: { type: 'Point', coordinates: [200, 0] } }, fire1, null)).toThrow();
		const c = addFeature(doc, { kind: 'exclusion_zone', geometry: { type: 'Point', coordinates: [114.3, 30.6] }, radius: 800.04 }, fire1, null);
		expect(getFeature(doc, c)?.radius).toBe(800);
		expect(setGeometry(doc, c, { type: 'Point', coordinates: [114.31, 30.6] }, fire1, { radius: 1200 })).toBe(true);
		expect(getFeature(doc, c)).toMatchObject({ radius: 1200, geometry: { coordinates: [114.31, 30.6] } });
	});

	it('ignores malformed entries written by a bad client', () => {
		const doc = new Y.Doc();
		const map = featureMap(doc);
		map.set('bad1', new Y.Map<unknown>([['kind', 'nope'], ['geometry', { type: 'Point', coordinates: [1, 2] }]]));
		map.set('bad2', new Y.Map<unknown>([['kind', 'shelter'], ['geometry', { type: 'LineString', coordinates: [[1, 2], [3, 4]] }]]));
		map.set('bad3', new Y.Map<unknown>([['kind', 'exclusion_zone'], ['geometry', { type: 'Point', coordinates: [1, 2] }], ['radius', -5]]));
		map.set('ok', new Y.Map<unknown>([['kind', 'shelter'], ['geometry', { type: 'Point', coordinates: [1, 2] }], ['label', 42], ['status', 'weird']]));
		expect(listFeatures(doc).map((f) => f.id)).toEqual(['ok']);
		expect(readFeature('ok', map.get('ok'))).toMatchObject({ label: '', status: 'active', createdBy: { id: '', name: '' } });
		expect(readFeature('x', 'not a map')).toBeNull();
	});

	it('concurrent edits of different fields merge between two replicas', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		const id = addFeature(a, { kind: 'hazmat_source', geometry: { type: 'Point', coordinates: [114.39, 30.577] }, label: '储罐' }, fire1, 'fire');
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
		updateFeature(a, id, { label: '3号储罐泄漏' }, fire1);
		moveFeature(b, id, 0.001, 0, police1);
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
		Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
		for (const d of [a, b]) {
			expect(getFeature(d, id)).toMatchObject({ label: '3号储罐泄漏', geometry: { coordinates: [114.391, 30.577] } });
		}
	});

	it('lists oldest first and reports changed ids', () => {
		const doc = new Y.Doc();
		const seen: string[][] = [];
		featureMap(doc).observeDeep((events) => seen.push([...changedIds(events)]));
		const b = addFeature(doc, { kind: 'shelter', geometry: { type: 'Point', coordinates: [1, 1] } }, fire1, null, { now: 20 });
		const a = addFeature(doc, { kind: 'shelter', geometry: { type: 'Point', coordinates: [1, 1] } }, fire1, null, { now: 10 });
		updateFeature(doc, b, { label: 'x' }, fire1);
		expect(listFeatures(doc).map((f) => f.id)).toEqual([a, b]);
		expect(seen).toEqual([[b], [a], [b]]);
	});

	it('local edits carry the local origin, so an undo manager tracks only them', () => {
		const doc = new Y.Doc();
		const undo = new Y.UndoManager(featureMap(doc), { trackedOrigins: new Set([LOCAL_EDIT]) });
		const mine = addFeature(doc, { kind: 'shelter', geometry: { type: 'Point', coordinates: [1, 1] } }, fire1, null);
		undo.stopCapturing();
		const remote = new Y.Doc();
		Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
		const theirs = addFeature(remote, { kind: 'checkpoint', geometry: { type: 'Point', coordinates: [2, 2] } }, police1, null);
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote), 'provider');
		undo.undo();
		expect(getFeature(doc, mine)).toBeNull();
		expect(getFeature(doc, theirs)).not.toBeNull();
		undo.redo();
		expect(getFeature(doc, mine)).not.toBeNull();
	});

	it('feature ids are unique and URL-safe', () => {
		const ids = new Set(Array.from({ length: 500 }, newFeatureId));
		expect(ids.size).toBe(500);
		for (const id of ids) expect(id).toMatch(/^f[0-9a-f]{24}$/);
	});
});
