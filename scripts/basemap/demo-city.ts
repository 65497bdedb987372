/**
 * Generates the offline basemap of the fictional demo city 青州市 (Qingzhou) used by the board:
 * `static/basemap/demo-city.geojson`. Deterministic; run with
 *   node --import tsx scripts/basemap/demo-city.ts
 * Every feature has `class`, `name_zh`, `name_en` (and `rank` for roads). The city is fictional;
 * it is centred near 30.60 N, 114.30 E and spans about 23 × 22 km.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type Pos = [number, number];
type Props = { class: string; name_zh?: string; name_en?: string; rank?: string; id?: string };
type Geom = { type: 'Point'; coordinates: Pos } | { type: 'LineString'; coordinates: Pos[] } | { type: 'Polygon'; coordinates: Pos[][] };
const features: { type: 'Feature'; properties: Props; geometry: Geom }[] = [];

const r5 = (p: Pos): Pos => [Math.round(p[0] * 1e5) / 1e5, Math.round(p[1] * 1e5) / 1e5];
const point = (props: Props, p: Pos) => features.push({ type: 'Feature', properties: props, geometry: { type: 'Point', coordinates: r5(p) } });
const line = (props: Props, c: Pos[]) => features.push({ type: 'Feature', properties: props, geometry: { type: 'LineString', coordinates: c.map(r5) } });
const poly = (props: Props, ring: Pos[]) => {
	const c = ring.map(r5);
	if (c[0][0] !== c[c.length - 1][0] || c[0][1] !== c[c.length - 1][1]) c.push(c[0]);
	features.push({ type: 'Feature', properties: props, geometry: { type: 'Polygon', coordinates: [c] } });
};
const n = (zh: string, en: string) => ({ name_zh: zh, name_en: en });

/** Smooth closed blob: an ellipse with gentle harmonic wobble. */
function blob(c: Pos, rx: number, ry: number, wobble: number[], steps = 40, rot = 0): Pos[] {
	const out: Pos[] = [];
	for (let i = 0; i < steps; i++) {
		const t = (2 * Math.PI * i) / steps;
		const k = 1 + wobble.reduce((s, w, j) => s + w * Math.sin((j + 2) * t + j), 0);
		const x = rx * k * Math.cos(t);
		const y = ry * k * Math.sin(t);
		out.push([c[0] + x * Math.cos(rot) - y * Math.sin(rot), c[1] + x * Math.sin(rot) + y * Math.cos(rot)]);
	}
	return out;
}

/** Catmull-Rom through control points, for rivers and curved roads. */
function smooth(pts: Pos[], per = 6): Pos[] {
	const out: Pos[] = [];
	for (let i = 0; i < pts.length - 1; i++) {
		const p0 = pts[Math.max(0, i - 1)];
		const p1 = pts[i];
		const p2 = pts[i + 1];
		const p3 = pts[Math.min(pts.length - 1, i + 2)];
		for (let s = 0; s < per; s++) {
			const t = s / per;
			const t2 = t * t;
			const t3 = t2 * t;
			const f = (a: number, b: number, c: number, d: number) =>
				0.5 * (2 * b + (-a + c) * t + (2 * a - 5 * b + 4 * c - d) * t2 + (-a + 3 * b - 3 * c + d) * t3);
			out.push([f(p0[0], p1[0], p2[0], p3[0]), f(p0[1], p1[1], p2[1], p3[1])]);
		}
	}
	out.push(pts[pts.length - 1]);
	return out;
}

const W = 114.18;
const E = 114.42;
const S = 30.5;
const N = 30.7;

// 青江: the river, west to east through the middle of the city.
const river = smooth([
	[W, 30.586],
	[114.21, 30.591],
	[114.24, 30.599],
	[114.27, 30.603],
	[114.3, 30.6],
	[114.33, 30.596],
	[114.355, 30.59],
	[114.38, 30.585],
	[114.4, 30.586],
	[E, 30.59]
]);
const riverAt = (lng: number) => {
	for (let i = 1; i < river.length; i++) {
		const [a, b] = [river[i - 1], river[i]];
		if (lng >= a[0] && lng <= b[0]) return a[1] + ((b[1] - a[1]) * (lng - a[0])) / (b[0] - a[0]);
	}
	return river[river.length - 1][1];
};
const riverBetween = (w: number, e: number) => river.filter((p) => p[0] > w && p[0] < e);

// Districts (区): west hills, north and south of the river in the centre, two eastern districts.
const XW = 114.245;
const XE = 114.345;
poly({ class: 'district', id: 'xishan', ...n('西山区', 'Xishan District') }, [[W, S], [XW, S], [XW + 0.003, 30.55], [XW - 0.002, riverAt(XW)], [XW + 0.002, 30.65], [XW, N], [W, N]]);
poly({ class: 'district', id: 'jiangbei', ...n('江北区', 'Jiangbei District') }, [
	[XW - 0.002, riverAt(XW)],
	...riverBetween(XW, XE),
	[XE, riverAt(XE)],
	[XE - 0.004, 30.65],
	[XE, N],
	[XW, N],
	[XW + 0.002, 30.65]
]);
poly({ class: 'district', id: 'chengnan', ...n('城南区', 'Chengnan District') }, [
	[XW, S],
	[XE, S],
	[XE + 0.003, 30.55],
	[XE, riverAt(XE)],
	...riverBetween(XW, XE).reverse(),
	[XW - 0.002, riverAt(XW)],
	[XW + 0.003, 30.55]
]);
poly({ class: 'district', id: 'donghu', ...n('东湖区', 'Donghu District') }, [[XE, riverAt(XE)], ...riverBetween(XE, E), [E, riverAt(E)], [E, N], [XE, N], [XE - 0.004, 30.65]]);
poly({ class: 'district', id: 'gaoxin', ...n('高新区', 'Gaoxin (Hi-tech) District') }, [[XE, S], [E, S], [E, riverAt(E)], ...riverBetween(XE, E).reverse(), [XE, riverAt(XE)], [XE + 0.003, 30.55]]);
for (const [zh, en, p] of [
	['西山区', 'Xishan District', [114.205, 30.63]],
	['江北区', 'Jiangbei District', [114.29, 30.655]],
	['城南区', 'Chengnan District', [114.29, 30.54]],
	['东湖区', 'Donghu District', [114.395, 30.665]],
	['高新区', 'Gaoxin District', [114.395, 30.525]]
] as [string, string, Pos][]) {
	point({ class: 'district_label', ...n(zh, en) }, p);
}

// Land use: forest zone in the northern hills, the coal mine in the west, the chemical park downstream.
poly({ class: 'forest', ...n('北山林区', 'Beishan Forest Zone') }, blob([114.302, 30.684], 0.034, 0.011, [0.06, 0.04, 0.03]));
poly({ class: 'forest', ...n('西山林场', 'Xishan Forest Farm') }, blob([114.2, 30.655], 0.014, 0.02, [0.05, 0.05]));
poly({ class: 'mine', ...n('西山煤矿', 'Xishan Coal Mine') }, blob([114.2, 30.553], 0.009, 0.006, [0.08, 0.05]));
point({ class: 'mine_shaft', ...n('西山煤矿主井', 'Xishan Mine main shaft') }, [114.199, 30.554]);
poly({ class: 'industrial', ...n('临江化工园区', 'Linjiang Chemical Industrial Park') }, [
	[114.372, 30.5738],
	[114.402, 30.5738],
	[114.403, 30.5812],
	[114.388, 30.5826],
	[114.372, 30.5822]
]);
point({ class: 'hazmat_site', ...n('临江化工园区储罐区', 'Linjiang tank farm') }, [114.394, 30.5775]);
poly({ class: 'park', ...n('人民广场', 'People\u2019s Square') }, [[114.298, 30.6165], [114.306, 30.6165], [114.306, 30.6205], [114.298, 30.6205]]);
poly({ class: 'park', ...n('市体育中心', 'City Sports Centre') }, blob([114.331, 30.552], 0.004, 0.003, [0.02]));

// Water: the reservoir and its dam, the river, a tributary and the eastern lake.
poly({ class: 'reservoir', ...n('青龙水库', 'Qinglong Reservoir') }, blob([114.228, 30.672], 0.024, 0.012, [0.08, 0.06, 0.05, 0.03], 48, 0.35));
line({ class: 'dam', ...n('青龙水库大坝', 'Qinglong Reservoir Dam') }, [[114.2455, 30.6645], [114.2525, 30.6595]]);
line({ class: 'river', rank: 'major', ...n('青江', 'Qing River') }, river);
line(
	{ class: 'river', rank: 'minor', ...n('青龙河', 'Qinglong Creek') },
	smooth([[114.2495, 30.6615], [114.255, 30.651], [114.258, 30.64], [114.263, 30.625], [114.268, 30.612], [114.272, riverAt(114.272)]])
);
poly({ class: 'lake', ...n('东湖', 'East Lake') }, blob([114.385, 30.628], 0.016, 0.01, [0.07, 0.05, 0.04], 44, -0.2));

// Roads.
const ring: Pos[] = [];
for (let i = 0; i <= 64; i++) {
	const t = (2 * Math.PI * i) / 64;
	ring.push([114.3 + 0.088 * Math.cos(t) * (1 + 0.03 * Math.sin(3 * t)), 30.6 + 0.076 * Math.sin(t) * (1 + 0.02 * Math.cos(2 * t))]);
}
ring[64] = ring[0];
line({ class: 'road', rank: 'motorway', ...n('环城高速', 'Ring Expressway') }, ring);
line({ class: 'road', rank: 'primary', ...n('人民路', 'Renmin Road') }, [[114.3, 30.515], [114.3, 30.572], [114.3, 30.6], [114.3, 30.637], [114.3, 30.688]]);
line({ class: 'road', rank: 'primary', ...n('解放路', 'Jiefang Road') }, smooth([[114.195, 30.577], [114.245, 30.5735], [114.3, 30.5722], [114.35, 30.5725], [114.41, 30.571]]));
line(
	{ class: 'road', rank: 'primary', ...n('滨江大道', 'Binjiang Avenue') },
	river.filter((p) => p[0] >= 114.215 && p[0] <= 114.375).map((p): Pos => [p[0], p[1] + 0.0042])
);
line({ class: 'road', rank: 'primary', ...n('建设大道', 'Jianshe Avenue') }, smooth([[114.21, 30.634], [114.26, 30.636], [114.3, 30.637], [114.35, 30.64], [114.405, 30.642]]));
line({ class: 'road', rank: 'secondary', ...n('青龙路', 'Qinglong Road') }, smooth([[114.29, 30.637], [114.272, 30.646], [114.258, 30.655], [114.2505, 30.6605]]));
line({ class: 'road', rank: 'secondary', ...n('西山路', 'Xishan Road') }, smooth([[114.245, 30.5735], [114.225, 30.567], [114.21, 30.558], [114.2, 30.553]]));
line({ class: 'road', rank: 'secondary', ...n('江城大道', 'Jiangcheng Avenue') }, [[114.256, 30.525], [114.257, 30.573], [114.258, 30.6], [114.26, 30.636], [114.262, 30.675]]);
line({ class: 'road', rank: 'secondary', ...n('高新大道', 'Gaoxin Avenue') }, [[114.315, 30.55], [114.36, 30.5505], [114.412, 30.549]]);
line({ class: 'road', rank: 'secondary', ...n('科技路', 'Keji Road') }, [[114.37, 30.52], [114.37, 30.55], [114.372, 30.5722]]);
line({ class: 'road', rank: 'secondary', ...n('东湖路', 'Donghu Road') }, smooth([[114.345, 30.6], [114.355, 30.62], [114.368, 30.644], [114.41, 30.66]]));
line({ class: 'road', rank: 'secondary', ...n('临江路', 'Linjiang Road') }, [[114.35, 30.5855], [114.372, 30.583], [114.405, 30.5825]]);
line({ class: 'road', rank: 'secondary', ...n('北山路', 'Beishan Road') }, smooth([[114.3, 30.66], [114.31, 30.672], [114.32, 30.686]]));
line({ class: 'rail', ...n('京广铁路', 'Jing-Guang Railway') }, smooth([[114.31, 30.7], [114.325, 30.66], [114.332, 30.627], [114.338, 30.59], [114.35, 30.54], [114.36, 30.5]]));

// Facilities.
const pois: [string, string, string, Pos][] = [
	['hospital', '市第一人民医院', 'No.1 People\u2019s Hospital', [114.2935, 30.6125]],
	['hospital', '市中心医院', 'City Central Hospital', [114.312, 30.5645]],
	['hospital', '江北区人民医院', 'Jiangbei District Hospital', [114.272, 30.641]],
	['hospital', '高新医院', 'Gaoxin Hospital', [114.386, 30.545]],
	['hospital', '西山区医院', 'Xishan District Hospital', [114.214, 30.6]],
	['fire_station', '江北消防救援站', 'Jiangbei Fire Station', [114.284, 30.6225]],
	['fire_station', '城南消防救援站', 'Chengnan Fire Station', [114.317, 30.5785]],
	['fire_station', '高新消防救援站', 'Gaoxin Fire Station', [114.36, 30.556]],
	['fire_station', '化工园区特勤消防站', 'Chemical Park Special Fire Station', [114.397, 30.568]],
	['fire_station', '西山消防救援站', 'Xishan Fire Station', [114.226, 30.579]],
	['police', '市公安局', 'City Public Security Bureau', [114.3085, 30.6075]],
	['police', '江北派出所', 'Jiangbei Police Station', [114.276, 30.6555]],
	['police', '城南派出所', 'Chengnan Police Station', [114.281, 30.5605]],
	['police', '东湖派出所', 'Donghu Police Station', [114.368, 30.6115]],
	['police', '高新派出所', 'Gaoxin Police Station', [114.354, 30.535]],
	['shelter', '人民广场避难场所', 'People\u2019s Square Shelter', [114.302, 30.6185]],
	['shelter', '市体育中心避难场所', 'Sports Centre Shelter', [114.331, 30.552]],
	['shelter', '东湖公园避难场所', 'East Lake Park Shelter', [114.367, 30.637]],
	['shelter', '西山中学避难场所', 'Xishan Middle School Shelter', [114.222, 30.592]],
	['shelter', '高新区应急避难场所', 'Gaoxin Emergency Shelter', [114.392, 30.532]],
	['shelter', '江北公园避难场所', 'Jiangbei Park Shelter', [114.265, 30.628]],
	['underpass', '解放路下穿隧道', 'Jiefang Road Underpass', [114.3, 30.5722]],
	['underpass', '建设大道下穿隧道', 'Jianshe Avenue Underpass', [114.3, 30.637]],
	['underpass', '火车站地下通道', 'Railway Station Pedestrian Subway', [114.3335, 30.6245]],
	['underpass', '滨江大道下穿隧道', 'Binjiang Avenue Underpass', [114.3265, 30.6005]],
	['government', '市应急管理局', 'City Emergency Management Bureau', [114.3105, 30.6155]],
	['government', '市人民政府', 'City Government', [114.2955, 30.6185]],
	['station', '青州火车站', 'Qingzhou Railway Station', [114.333, 30.627]],
	['gauge', '青龙水库水位站', 'Qinglong Reservoir gauge', [114.244, 30.6655]],
	['gauge', '青江水文站', 'Qing River hydrological station', [114.3, 30.6015]]
];
for (const [cls, zh, en, p] of pois) point({ class: cls, ...n(zh, en) }, p);
// Bridges carry a label only.
point({ class: 'bridge', ...n('青江大桥', 'Qingjiang Bridge') }, [114.3, riverAt(114.3)]);
point({ class: 'water_label', ...n('青江', 'Qing River') }, [114.355, riverAt(114.355) - 0.0005]);

const out = { type: 'FeatureCollection', name: 'demo-city', features };
const target = fileURLToPath(new URL('../../static/basemap/demo-city.geojson', import.meta.url));
writeFileSync(target, JSON.stringify(out) + '\n');
console.log(`wrote ${features.length} features, ${JSON.stringify(out).length} bytes to ${target}`);
