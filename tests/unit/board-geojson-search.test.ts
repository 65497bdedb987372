import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addFeature } from '../../src/lib/board/features';
import { anchorOf, docToFeatureCollection, featureBBox } from '../../src/lib/board/geojson';
import { distance } from '../../src/lib/board/measure';
import { normalizeLabel, searchByLabel } from '../../src/lib/board/search';
import { getFeature } from '../../src/lib/board/features';

const me = { id: 'u1', name: 'Tester' };

describe('board GeoJSON', () => {
	it('converts a document, turning circles into polygons', () => {
		const doc = new Y.Doc();
		const p = addFeature(doc, { kind: 'shelter', geometry: { type: 'Point', coordinates: [114.3, 30.6] }, label: '安置点' }, me, 'health', { now: 1 });
		const c = addFeature(doc, { kind: 'exclusion_zone', geometry: { type: 'Point', coordinates: [114.39, 30.577] }, radius: 1000 }, me, 'health', {
			now: 2
		});
		const fc = docToFeatureCollection(doc);
		expect(fc.type).toBe('FeatureCollection');
		expect(fc.features).toHaveLength(2);
		const [fp, fcirc] = fc.features;
		expect(fp).toMatchObject({ id: p, geometry: { type: 'Point' }, properties: { kind: 'shelter', geom: 'point', layer: 'health', label: '安置点', createdByName: 'Tester' } });
		expect(fcirc.geometry.type).toBe('Polygon');
		expect(fcirc.properties).toMatchObject({ id: c, geom: 'circle', radius: 1000 });
		const ring = (fcirc.geometry as unknown as { coordinates: [number, number][][] }).coordinates[0];
		expect(distance([114.39, 30.577], ring[10])).toBeCloseTo(1000, 3);
		expect(docToFeatureCollection(doc, 'common').features[0].properties.layer).toBe('common');
	});

	it('bounds include a circle radius; anchors are inside', () => {
		const doc = new Y.Doc();
		const c = addFeature(doc, { kind: 'exclusion_zone', geometry: { type: 'Point', coordinates: [114.3, 30.6] }, radius: 1000 }, me, null);
		const b = featureBBox(getFeature(doc, c)!);
		expect(distance([b[0], 30.6], [b[2], 30.6])).toBeCloseTo(2000, -1);
		const poly = addFeature(
			doc,
			{ kind: 'flooded_area', geometry: { type: 'Polygon', coordinates: [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]] } },
			me,
			null
		);
		expect(anchorOf(getFeature(doc, poly)!)).toEqual([1, 1]);
	});
});

describe('board search', () => {
	const items = [
		{ id: '1', label: '青龙水库大坝', aliases: ['Qinglong Reservoir Dam'] },
		{ id: '2', label: '青龙水库', aliases: ['Qinglong Reservoir'] },
		{ id: '3', label: '前方指挥部' },
		{ id: '4', label: 'Staging Area B' },
		{ id: '5', label: '' }
	];

	it('ranks exact, prefix, word start and substring matches', () => {
		expect(searchByLabel(items, '青龙水库').map((h) => h.item.id)).toEqual(['2', '1']);
		expect(searchByLabel(items, 'reservoir').map((h) => h.item.id)).toEqual(['2', '1']);
		expect(searchByLabel(items, '指挥').map((h) => h.item.id)).toEqual(['3']);
		expect(searchByLabel(items, 'area b')[0].item.id).toBe('4');
		expect(searchByLabel(items, 'b')[0].item.id).toBe('4');
	});

	it('is case, width and space insensitive; empty query finds nothing', () => {
		expect(searchByLabel(items, 'ＳＴＡＧＩＮＧ   area')[0].item.id).toBe('4');
		expect(searchByLabel(items, '   ')).toEqual([]);
		expect(normalizeLabel('  A\u3000B ')).toBe('a b');
		expect(searchByLabel(items, '不存在')).toEqual([]);
	});

	it('limits results', () => {
		const many = Array.from({ length: 50 }, (_, i) => ({ id: String(i), label: `点 ${i}` }));
		expect(searchByLabel(many, '点', 5)).toHaveLength(5);
	});
});
