import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { boardLayerIds, boardLayers, demoCityStyle, DEMO_CITY_BOUNDS, iconName, parseIconName } from '../../src/lib/board/map-style';

const FILE = 'static/basemap/demo-city.geojson';

describe('offline demo-city basemap', () => {
	const fc = JSON.parse(readFileSync(FILE, 'utf8'));

	it('is small and inside the demo bounds', () => {
		expect(statSync(FILE).size).toBeLessThan(300_000);
		const [w, s, e, n] = DEMO_CITY_BOUNDS;
		const walk = (c: unknown): void => {
			if (typeof (c as number[])[0] === 'number') {
				const [x, y] = c as number[];
				expect(x).toBeGreaterThanOrEqual(w - 1e-6);
				expect(x).toBeLessThanOrEqual(e + 1e-6);
				expect(y).toBeGreaterThanOrEqual(s - 1e-6);
				expect(y).toBeLessThanOrEqual(n + 1e-6);
			} else for (const x of c as unknown[]) walk(x);
		};
		for (const f of fc.features) walk(f.geometry.coordinates);
	});

	it('has the scenario places with Chinese and English names', () => {
		const names = new Set(fc.features.map((f: { properties: { name_zh: string } }) => f.properties.name_zh));
		for (const n of ['江北区', '城南区', '高新区', '西山区', '东湖区', '人民路', '滨江大道', '解放路', '环城高速', '青江', '青龙水库', '青龙水库大坝', '临江化工园区', '西山煤矿', '北山林区']) {
			expect(names.has(n), n).toBe(true);
		}
		const classes = new Set(fc.features.map((f: { properties: { class: string } }) => f.properties.class));
		for (const c of ['hospital', 'fire_station', 'police', 'shelter', 'underpass']) expect(classes.has(c), c).toBe(true);
		for (const f of fc.features) {
			expect(typeof f.properties.name_zh).toBe('string');
			expect(typeof f.properties.name_en).toBe('string');
		}
	});

	it('style is valid, has no glyphs URL and loads nothing from the internet', () => {
		for (const locale of ['zh-CN', 'en'] as const) {
			const style = demoCityStyle(locale);
			expect(style.glyphs).toBeUndefined();
			expect(style.sprite).toBeUndefined();
			expect(JSON.stringify(style)).not.toMatch(/https?:/);
			expect(validateStyleMin(style)).toEqual([]);
		}
	});

	it('board layers validate together with the basemap', () => {
		const style = demoCityStyle('zh-CN');
		style.sources['board-fire'] = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };
		style.layers.push(...boardLayers('board-fire', '#e03131', 'zh-CN'));
		expect(validateStyleMin(style)).toEqual([]);
		expect(boardLayerIds('board-fire')).toHaveLength(7);
		expect(parseIconName(iconName('shelter', '#e03131'))).toEqual({ kind: 'shelter', color: '#e03131' });
		expect(parseIconName('db:shelter:red')).toBeNull();
	});
});
