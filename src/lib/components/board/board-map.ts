/**
 * The board on a MapLibre map: one GeoJSON source per layer (document), drawing and editing
 * interactions, selection, edit handles and other people's pointers. Plain TypeScript around the
 * maplibre API; the Svelte components own the state and call in.
 *
 * Drawing follows the pure state machine in $lib/board/draw; editing uses $lib/board/geometry.
 * A drag shows its result locally (an override of the feature's geometry) and writes the document
 * once, on release, so a drag is one edit for peers and for undo.
 */
import type * as ML from 'maplibre-gl';
import type { ExpressionSpecification } from 'maplibre-gl';
import type { FeatureCollection, Geometry } from 'geojson';
import type { BoardFeature } from '$lib/board/features';
import { displayGeometry, featureBBox, featuresToCollection } from '$lib/board/geojson';
import { drawPreview, drawStep, startDraw, type DrawDone, type DrawEvent, type DrawState, type DrawTarget } from '$lib/board/draw';
import { insertVertex, midpoints, moveVertex, removeVertex, translate, vertices, type BoardGeometry, type Position } from '$lib/board/geometry';
import { destination, distance, type BBox } from '$lib/board/measure';
import { boardLayerIds, boardLayers, MAP_FONTS, nameField, type MapLocale } from '$lib/board/map-style';
import type { BoardLayerInfo } from '$lib/board/layers';
import { drawIcon, drawMonitorIcon } from './icons';

type MaplibreModule = typeof ML;

export interface FeatureRef {
	layer: string;
	id: string;
}

export interface BoardMapCallbacks {
	select(ref: FeatureRef | null): void;
	drawn(done: DrawDone): void;
	drawChanged(state: DrawState | null): void;
	/** A drag or vertex edit finished: the new geometry (and radius for circles). */
	reshaped(ref: FeatureRef, geometry: BoardGeometry, radius: number | null): void;
	pointer(at: [number, number] | null): void;
	/** A monitoring point was clicked (opens its live view). */
	openPoint?(id: string): void;
}

const DRAW_SOURCE = 'db-draw';
const SEL_SOURCE = 'db-selection';
/** Features other people have selected, outlined in their agency's colour. */
const REMOTE_SEL_SOURCE = 'db-remote-selection';
const HANDLE_SOURCE = 'db-handles';
const HANDLE_LAYER = 'db-handles-circle';
const MP_SOURCE = 'db-monitoring';
const MP_LAYERS = ['db-mp-halo', 'db-mp-open', 'db-mp-icon'];
const MP_HIT = 'db-mp-icon';
const SNAP_PX = 10;

const sourceId = (layer: string) => `board-${layer}`;
const empty = (): FeatureCollection => ({ type: 'FeatureCollection', features: [] });

type Handle = { handle: 'vertex' | 'mid' | 'center' | 'radius'; ring: number; index: number };

type Drag =
	| { kind: 'move'; ref: FeatureRef; start: Position; base: BoardFeature; geometry: BoardGeometry; radius: number | null; moved: boolean }
	| { kind: 'handle'; ref: FeatureRef; handle: Handle; base: BoardFeature; geometry: BoardGeometry; radius: number | null; moved: boolean };

export class BoardMap {
	private features = new Map<string, BoardFeature[]>();
	private visible = new Map<string, boolean>();
	private selection: { ref: FeatureRef; feature: BoardFeature; editable: boolean } | null = null;
	private draw: DrawState | null = null;
	private drawColor = '#ffbf47';
	private drag: Drag | null = null;
	private suppressClick = false;
	private markers = new Map<number, ML.Marker>();
	private frame = 0;
	private dirty = new Set<string>();
	private readonly disposers: (() => void)[] = [];
	private mpVisible = true;

	constructor(
		private readonly ml: MaplibreModule,
		readonly map: ML.Map,
		private readonly layers: BoardLayerInfo[],
		private locale: MapLocale,
		private readonly cb: BoardMapCallbacks
	) {
		this.installIcons();
		this.installLayers();
		this.installEvents();
	}

	// ---------------------------------------------------------------- setup

	private installIcons() {
		// MapLibre 6 asks a resolver for images the style needs but does not have.
		this.map.setMissingStyleImageResolver((id) => {
			if (this.map.hasImage(id)) return;
			const icon = drawIcon(id, window.devicePixelRatio || 1) ?? drawMonitorIcon(id, window.devicePixelRatio || 1);
			if (icon) this.map.addImage(id, icon.image, { pixelRatio: icon.pixelRatio });
		});
		this.disposers.push(() => this.map.setMissingStyleImageResolver(null));
	}

	private installLayers() {
		const m = this.map;
		for (const l of this.layers) {
			m.addSource(sourceId(l.key), { type: 'geojson', data: empty(), promoteId: 'id' });
			for (const spec of boardLayers(sourceId(l.key), l.color, this.locale)) m.addLayer(spec);
			this.visible.set(l.key, true);
		}
		addHalo(m, SEL_SOURCE, {
			line: { id: 'db-sel-halo', layout: { 'line-join': 'round', 'line-cap': 'round' }, paint: { 'line-color': '#ffbf47', 'line-width': 9, 'line-opacity': 0.75 } },
			point: { id: 'db-sel-point', paint: { 'circle-radius': 19, 'circle-color': 'rgba(255,191,71,0.25)', 'circle-stroke-color': '#ffbf47', 'circle-stroke-width': 3 } }
		});
		addHalo(m, REMOTE_SEL_SOURCE, {
			line: {
				id: 'db-remote-sel-line',
				layout: { 'line-join': 'round' },
				paint: { 'line-color': ['get', 'color'], 'line-width': 3, 'line-dasharray': [2, 1.5], 'line-gap-width': 4 }
			},
			point: { id: 'db-remote-sel-point', paint: { 'circle-radius': 17, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': ['get', 'color'], 'circle-stroke-width': 2.5 } }
		});
		// Move the selection halos under the board layers so marks stay readable.
		const firstBoard = boardLayerIds(sourceId(this.layers[0]?.key ?? 'common'))[0];
		if (m.getLayer(firstBoard)) {
			for (const id of ['db-remote-sel-line', 'db-remote-sel-point', 'db-sel-halo', 'db-sel-point']) m.moveLayer(id, firstBoard);
		}
		m.addSource(DRAW_SOURCE, { type: 'geojson', data: empty() });
		m.addLayer({
			id: 'db-draw-fill',
			type: 'fill',
			source: DRAW_SOURCE,
			filter: ['==', ['geometry-type'], 'Polygon'],
			paint: { 'fill-color': ['coalesce', ['get', 'color'], '#ffbf47'], 'fill-opacity': 0.15 }
		});
		m.addLayer({
			id: 'db-draw-line',
			type: 'line',
			source: DRAW_SOURCE,
			filter: ['!=', ['geometry-type'], 'Point'],
			paint: { 'line-color': ['coalesce', ['get', 'color'], '#ffbf47'], 'line-width': 2.5, 'line-dasharray': [2, 1.5] }
		});
		m.addLayer({
			id: 'db-draw-vertex',
			type: 'circle',
			source: DRAW_SOURCE,
			filter: ['==', ['geometry-type'], 'Point'],
			paint: { 'circle-radius': 5, 'circle-color': '#fff', 'circle-stroke-color': ['coalesce', ['get', 'color'], '#ffbf47'], 'circle-stroke-width': 2.5 }
		});
		// Monitoring points (cameras and sensors) above the board's marks, below drawing and handles.
		m.addSource(MP_SOURCE, { type: 'geojson', data: empty() });
		m.addLayer({
			id: 'db-mp-halo',
			type: 'circle',
			source: MP_SOURCE,
			filter: ['in', ['get', 'show'], ['literal', ['warning', 'alarm']]],
			paint: {
				'circle-radius': 19,
				'circle-color': ['match', ['get', 'show'], 'alarm', '#d6336c', '#e67700'],
				'circle-opacity': 0.28,
				'circle-stroke-color': ['match', ['get', 'show'], 'alarm', '#d6336c', '#e67700'],
				'circle-stroke-width': 1.5
			}
		});
		m.addLayer({
			id: 'db-mp-open',
			type: 'circle',
			source: MP_SOURCE,
			filter: ['==', ['get', 'id'], ''],
			paint: { 'circle-radius': 20, 'circle-color': 'rgba(255,191,71,0.2)', 'circle-stroke-color': '#ffbf47', 'circle-stroke-width': 3 }
		});
		m.addLayer({
			id: MP_HIT,
			type: 'symbol',
			source: MP_SOURCE,
			layout: {
				'icon-image': ['get', 'icon'],
				'icon-allow-overlap': true,
				'icon-ignore-placement': true,
				'text-field': ['step', ['zoom'], '', 13, mpName(this.locale)],
				'text-font': MAP_FONTS,
				'text-size': 11,
				'text-offset': [0, 1.5],
				'text-anchor': 'top',
				'text-optional': true,
				'text-max-width': 10
			},
			paint: { 'text-color': '#0b3d4a', 'text-halo-color': 'rgba(255,255,255,0.92)', 'text-halo-width': 1.4 }
		});
		m.addSource(HANDLE_SOURCE, { type: 'geojson', data: empty() });
		m.addLayer({
			id: HANDLE_LAYER,
			type: 'circle',
			source: HANDLE_SOURCE,
			paint: {
				'circle-radius': ['match', ['get', 'handle'], 'mid', 4, 6.5],
				'circle-color': ['match', ['get', 'handle'], 'mid', 'rgba(255,255,255,0.7)', 'radius', '#ffbf47', '#ffffff'],
				'circle-stroke-color': '#0d1d3a',
				'circle-stroke-width': ['match', ['get', 'handle'], 'mid', 1, 2]
			}
		});
	}

	private installEvents() {
		const m = this.map;
		const on = <T extends keyof ML.MapEventType>(type: T, fn: (e: ML.MapEventType[T]) => void) => {
			m.on(type, fn);
			this.disposers.push(() => m.off(type, fn));
		};
		on('mousemove', (e) => this.onMove(e));
		on('mouseout', () => this.cb.pointer(null));
		on('mousedown', (e) => this.onDown(e));
		on('click', (e) => this.onClick(e));
		on('dblclick', (e) => {
			if (this.draw) {
				e.preventDefault();
				this.step({ type: 'finish' });
			}
		});
		const up = () => this.onUp();
		window.addEventListener('mouseup', up);
		this.disposers.push(() => window.removeEventListener('mouseup', up));
	}

	// ---------------------------------------------------------------- data

	/** Replaces a layer's features (after a document change). */
	setFeatures(layer: string, features: BoardFeature[]) {
		this.features.set(layer, features);
		if (this.selection?.ref.layer === layer && !this.drag) {
			const f = features.find((x) => x.id === this.selection?.ref.id) ?? null;
			if (f) {
				this.selection = { ...this.selection, feature: f };
				this.renderSelection();
			}
		}
		this.markDirty(layer);
	}

	private markDirty(layer: string) {
		this.dirty.add(layer);
		if (this.frame) return;
		this.frame = requestAnimationFrame(() => {
			this.frame = 0;
			for (const key of this.dirty) this.renderLayer(key);
			this.dirty.clear();
		});
	}

	private renderLayer(layer: string) {
		const src = this.map.getSource(sourceId(layer)) as ML.GeoJSONSource | undefined;
		if (!src) return;
		let list = this.features.get(layer) ?? [];
		const d = this.drag;
		if (d && d.ref.layer === layer && d.moved) {
			list = list.map((f) => (f.id === d.ref.id ? { ...f, geometry: d.geometry, radius: d.radius } : f));
		}
		src.setData(featuresToCollection(list, layer));
	}

	/** Replaces the monitoring points (GeoJSON from pointsToCollection). */
	setMonitoring(fc: FeatureCollection) {
		(this.map.getSource(MP_SOURCE) as ML.GeoJSONSource | undefined)?.setData(fc);
	}

	setMonitoringVisible(visible: boolean) {
		this.mpVisible = visible;
		for (const id of MP_LAYERS) if (this.map.getLayer(id)) this.map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
	}

	/** Rings the point whose live view is open. */
	setOpenPoint(id: string | null) {
		if (this.map.getLayer('db-mp-open')) this.map.setFilter('db-mp-open', ['==', ['get', 'id'], id ?? '']);
	}

	/** Centres the map on a point (keeps the zoom unless it is far out). */
	flyTo(at: [number, number]) {
		this.map.easeTo({ center: at, zoom: Math.max(this.map.getZoom(), 14), duration: 500 });
	}

	private hitPoint(point: ML.PointLike): string | null {
		if (!this.mpVisible || !this.map.getLayer(MP_HIT)) return null;
		const hits = this.map.queryRenderedFeatures(this.box(point, 6), { layers: [MP_HIT] });
		const id = hits[0]?.properties?.id;
		return typeof id === 'string' ? id : null;
	}

	setVisible(layer: string, visible: boolean) {
		this.visible.set(layer, visible);
		for (const id of boardLayerIds(sourceId(layer))) {
			if (this.map.getLayer(id)) this.map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
		}
	}

	/** Switches basemap label language (the demo-city layers). */
	setLocale(locale: MapLocale) {
		this.locale = locale;
		for (const id of ['district-label', 'water-label', 'area-label', 'road-label', 'poi-label']) {
			if (this.map.getLayer(id)) this.map.setLayoutProperty(id, 'text-field', nameField(locale));
		}
		if (this.map.getLayer(MP_HIT)) this.map.setLayoutProperty(MP_HIT, 'text-field', ['step', ['zoom'], '', 13, mpName(locale)]);
	}

	// ---------------------------------------------------------------- selection

	select(ref: FeatureRef | null, feature: BoardFeature | null, editable: boolean) {
		this.selection = ref && feature ? { ref, feature, editable } : null;
		this.renderSelection();
	}

	private renderSelection() {
		const sel = this.selection;
		const selSrc = this.map.getSource(SEL_SOURCE) as ML.GeoJSONSource | undefined;
		const handleSrc = this.map.getSource(HANDLE_SOURCE) as ML.GeoJSONSource | undefined;
		if (!selSrc || !handleSrc) return;
		if (!sel) {
			selSrc.setData(empty());
			handleSrc.setData(empty());
			return;
		}
		const d = this.drag;
		const f = d && d.moved ? { ...sel.feature, geometry: d.geometry, radius: d.radius } : sel.feature;
		selSrc.setData({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: displayGeometry(f) }] });
		handleSrc.setData(sel.editable ? handlesOf(f) : empty());
	}

	/** Other people's selections: the features, each in the colour of whoever selected it. */
	setRemoteSelections(list: { feature: BoardFeature; color: string }[]) {
		const src = this.map.getSource(REMOTE_SEL_SOURCE) as ML.GeoJSONSource | undefined;
		src?.setData({
			type: 'FeatureCollection',
			features: list.map(({ feature, color }) => ({ type: 'Feature', properties: { color }, geometry: displayGeometry(feature) }))
		});
	}

	// ---------------------------------------------------------------- drawing

	startDraw(target: DrawTarget, color: string) {
		this.draw = startDraw(target);
		this.drawColor = color;
		this.map.doubleClickZoom.disable();
		this.map.getCanvas().style.cursor = 'crosshair';
		this.renderDraw();
		this.cb.drawChanged(this.draw);
	}

	cancelDraw() {
		if (!this.draw) return;
		this.draw = null;
		this.map.doubleClickZoom.enable();
		this.map.getCanvas().style.cursor = '';
		this.renderDraw();
		this.cb.drawChanged(null);
	}

	get drawing(): DrawState | null {
		return this.draw;
	}

	/** Feeds the drawing machine (keyboard path and buttons use this too). */
	step(ev: DrawEvent) {
		if (!this.draw) return;
		const out = drawStep(this.draw, ev);
		this.draw = out.state;
		this.renderDraw();
		this.cb.drawChanged(this.draw);
		if (out.done) this.cb.drawn(out.done);
	}

	/** Keyboard path: adds a vertex at the map centre (the crosshair). */
	addAtCenter() {
		const c = this.map.getCenter();
		this.step({ type: 'add', at: [c.lng, c.lat] });
	}

	private renderDraw() {
		const src = this.map.getSource(DRAW_SOURCE) as ML.GeoJSONSource | undefined;
		if (!src) return;
		if (!this.draw) {
			src.setData(empty());
			return;
		}
		const { shape, vertices: vs } = drawPreview(this.draw);
		const props = { color: this.drawColor };
		const features: FeatureCollection['features'] = [];
		if (shape) features.push({ type: 'Feature', properties: props, geometry: shape as Geometry });
		for (const v of vs) features.push({ type: 'Feature', properties: props, geometry: { type: 'Point', coordinates: v } });
		src.setData({ type: 'FeatureCollection', features });
	}

	// ---------------------------------------------------------------- pointer events

	private lngLat(e: { lngLat: ML.LngLat }): Position {
		return [e.lngLat.lng, e.lngLat.lat];
	}

	private onMove(e: ML.MapMouseEvent) {
		const at = this.lngLat(e);
		this.cb.pointer(at);
		if (this.drag) {
			this.updateDrag(at);
			return;
		}
		if (this.draw) {
			this.step({ type: 'move', at });
			return;
		}
		const canvas = this.map.getCanvas();
		const hitHandle = this.selection?.editable && this.queryHandles(e.point).length > 0;
		canvas.style.cursor = hitHandle ? 'grab' : this.hitPoint(e.point) || this.hitFeature(e.point) ? 'pointer' : '';
	}

	private onClick(e: ML.MapMouseEvent) {
		if (this.suppressClick) {
			this.suppressClick = false;
			return;
		}
		if (this.draw) {
			const d = this.draw;
			const vs = d.vertices;
			const near = (p: Position | undefined) => {
				if (!p) return false;
				const px = this.map.project(p as [number, number]);
				return Math.hypot(px.x - e.point.x, px.y - e.point.y) <= SNAP_PX;
			};
			if ((d.target === 'line' || d.target === 'polygon') && vs.length >= 2 && near(vs[vs.length - 1])) return this.step({ type: 'finish' });
			if (d.target === 'polygon' && vs.length >= 3 && near(vs[0])) return this.step({ type: 'finish' });
			return this.step({ type: 'add', at: this.lngLat(e) });
		}
		const point = this.cb.openPoint ? this.hitPoint(e.point) : null;
		if (point) {
			this.cb.openPoint?.(point);
			return;
		}
		const hit = this.hitFeature(e.point);
		this.cb.select(hit);
	}

	private onDown(e: ML.MapMouseEvent) {
		if (this.draw || !this.selection?.editable || e.originalEvent.button !== 0) return;
		const sel = this.selection;
		const handles = this.queryHandles(e.point);
		if (handles.length) {
			const h = handles[0].properties as unknown as Handle;
			if (h.handle === 'vertex' && e.originalEvent.altKey) {
				// Alt+click removes a corner (if the shape stays valid).
				e.preventDefault();
				const g = removeVertex(sel.feature.geometry, h);
				if (g) this.cb.reshaped(sel.ref, g, sel.feature.radius);
				this.suppressClick = true;
				return;
			}
			e.preventDefault();
			this.drag = { kind: 'handle', ref: sel.ref, handle: h, base: sel.feature, geometry: sel.feature.geometry, radius: sel.feature.radius, moved: false };
			this.map.getCanvas().style.cursor = 'grabbing';
			return;
		}
		const hit = this.hitFeature(e.point);
		if (hit && hit.layer === sel.ref.layer && hit.id === sel.ref.id) {
			e.preventDefault();
			this.drag = { kind: 'move', ref: sel.ref, start: this.lngLat(e), base: sel.feature, geometry: sel.feature.geometry, radius: sel.feature.radius, moved: false };
			this.map.getCanvas().style.cursor = 'grabbing';
		}
	}

	private updateDrag(at: Position) {
		const d = this.drag;
		if (!d) return;
		const base = d.base;
		if (d.kind === 'move') {
			d.geometry = translate(base.geometry, at[0] - d.start[0], at[1] - d.start[1]);
		} else {
			const h = d.handle;
			if (h.handle === 'radius' && base.geometry.type === 'Point') {
				d.radius = Math.max(1, Math.round(distance(base.geometry.coordinates, at) * 10) / 10);
			} else if (h.handle === 'center') {
				d.geometry = { type: 'Point', coordinates: at };
			} else if (h.handle === 'mid') {
				d.geometry = insertVertex(base.geometry, h, at);
			} else {
				d.geometry = moveVertex(base.geometry, h, at);
			}
		}
		d.moved = true;
		this.markDirty(d.ref.layer);
		this.renderSelection();
	}

	private onUp() {
		const d = this.drag;
		if (!d) return;
		this.drag = null;
		this.map.getCanvas().style.cursor = '';
		if (d.moved) {
			this.suppressClick = true;
			setTimeout(() => (this.suppressClick = false), 0);
			if (this.selection) this.selection = { ...this.selection, feature: { ...this.selection.feature, geometry: d.geometry, radius: d.radius } };
			this.cb.reshaped(d.ref, d.geometry, d.radius);
		} else if (d.kind === 'handle' && d.handle.handle === 'mid') {
			// A click on a mid-edge dot adds a corner there.
			const g = insertVertex(d.base.geometry, d.handle, midpointAt(d.base.geometry, d.handle));
			this.suppressClick = true;
			setTimeout(() => (this.suppressClick = false), 0);
			this.cb.reshaped(d.ref, g, d.radius);
		}
		this.markDirty(d.ref.layer);
		this.renderSelection();
	}

	private queryHandles(point: ML.PointLike) {
		if (!this.map.getLayer(HANDLE_LAYER)) return [];
		return this.map.queryRenderedFeatures(this.box(point, 6), { layers: [HANDLE_LAYER] });
	}

	private box(point: ML.PointLike, r: number): [ML.PointLike, ML.PointLike] {
		const p = point as { x: number; y: number };
		return [
			[p.x - r, p.y - r],
			[p.x + r, p.y + r]
		];
	}

	/** The topmost board feature under a pixel: points first, then lines, then areas. */
	hitFeature(point: ML.PointLike): FeatureRef | null {
		const ids = this.layers.filter((l) => this.visible.get(l.key) !== false).flatMap((l) => boardLayerIds(sourceId(l.key)));
		const layers = ids.filter((id) => this.map.getLayer(id));
		if (!layers.length) return null;
		const hits = this.map.queryRenderedFeatures(this.box(point, 4), { layers });
		const rank = (g: unknown) => (g === 'point' ? 0 : g === 'line' ? 1 : 2);
		hits.sort((a, b) => rank(a.properties?.geom) - rank(b.properties?.geom));
		const top = hits[0];
		if (!top?.properties?.id || !top.properties.layer) return null;
		return { layer: String(top.properties.layer), id: String(top.properties.id) };
	}

	// ---------------------------------------------------------------- view

	fitBounds(b: BBox, maxZoom = 16) {
		const tiny = Math.abs(b[2] - b[0]) < 1e-6 && Math.abs(b[3] - b[1]) < 1e-6;
		if (tiny) this.map.easeTo({ center: [b[0], b[1]], zoom: Math.max(this.map.getZoom(), 15) });
		else this.map.fitBounds(b, { padding: 80, maxZoom, duration: 600 });
	}

	fitFeature(f: BoardFeature) {
		this.fitBounds(featureBBox(f));
	}

	/** Other people's pointers as small labelled arrows in their agency colour. */
	setPointers(list: { clientId: number; name: string; color: string; at: [number, number] }[]) {
		const seen = new Set<number>();
		for (const p of list) {
			seen.add(p.clientId);
			let mk = this.markers.get(p.clientId);
			if (!mk) {
				const el = document.createElement('div');
				el.className = 'db-pointer';
				el.setAttribute('aria-hidden', 'true');
				el.innerHTML = '<svg width="16" height="16" viewBox="0 0 16 16"><path d="M1 1l5 14 2-6 6-2z" stroke="#fff" stroke-width="1.2"/></svg><span></span>';
				mk = new this.ml.Marker({ element: el, anchor: 'top-left' }).setLngLat(p.at).addTo(this.map);
				this.markers.set(p.clientId, mk);
			}
			const el = mk.getElement();
			(el.querySelector('path') as SVGPathElement).setAttribute('fill', p.color);
			const label = el.querySelector('span') as HTMLSpanElement;
			label.textContent = p.name;
			label.style.background = p.color;
			mk.setLngLat(p.at);
		}
		for (const [id, mk] of this.markers) {
			if (!seen.has(id)) {
				mk.remove();
				this.markers.delete(id);
			}
		}
	}

	destroy() {
		if (this.frame) cancelAnimationFrame(this.frame);
		for (const d of this.disposers) d();
		for (const mk of this.markers.values()) mk.remove();
		this.markers.clear();
	}
}

/** A selection source drawn as an outline for lines and areas and as a ring for points. */
function addHalo(
	m: ML.Map,
	source: string,
	spec: {
		line: { id: string; layout: ML.LineLayerSpecification['layout']; paint: ML.LineLayerSpecification['paint'] };
		point: { id: string; paint: ML.CircleLayerSpecification['paint'] };
	}
) {
	m.addSource(source, { type: 'geojson', data: empty() });
	m.addLayer({ id: spec.line.id, type: 'line', source, filter: ['!=', ['geometry-type'], 'Point'], layout: spec.line.layout, paint: spec.line.paint });
	m.addLayer({ id: spec.point.id, type: 'circle', source, filter: ['==', ['geometry-type'], 'Point'], paint: spec.point.paint });
}

const mpName = (locale: MapLocale): ExpressionSpecification => (locale === 'en' ? ['get', 'name_en'] : ['get', 'name_zh']);

function midpointAt(g: BoardGeometry, h: Handle): Position {
	const m = midpoints(g).find((x) => x.ring === h.ring && x.index === h.index);
	return m ? m.at : [0, 0];
}

/** Edit handles of a feature: corners and mid-edge dots, or centre and rim for circles. */
export function handlesOf(f: BoardFeature): FeatureCollection {
	const pt = (at: Position, handle: Handle) => ({ type: 'Feature' as const, properties: handle, geometry: { type: 'Point' as const, coordinates: at } });
	const g = f.geometry;
	if (g.type === 'Point') {
		if (f.radius) {
			return {
				type: 'FeatureCollection',
				features: [pt(g.coordinates, { handle: 'center', ring: 0, index: 0 }), pt(destination(g.coordinates, f.radius, 90), { handle: 'radius', ring: 0, index: 0 })]
			};
		}
		return empty();
	}
	return {
		type: 'FeatureCollection',
		features: [
			...midpoints(g).map((m) => pt(m.at, { handle: 'mid', ring: m.ring, index: m.index })),
			...vertices(g).map((v) => pt(v.at, { handle: 'vertex', ring: v.ring, index: v.index }))
		]
	};
}
