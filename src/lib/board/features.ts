/**
 * The shape of a board document and typed accessors for it.
 *
 * A board document (`exercise/<id>/common` or `exercise/<id>/agency/<code>`) holds one root map:
 *
 *   features: Y.Map<Y.Map>            keyed by feature id
 *     kind       FeatureKind          palette kind (fixes the geometry kind)
 *     geometry   BoardGeometry        GeoJSON object, replaced whole on move/reshape
 *     radius     number               metres; circles only (geometry is then the centre point)
 *     label      string               short name shown on the map; searchable
 *     notes      string               free text
 *     status     FeatureStatus        planned | active | resolved
 *     agency     string | null        the layer's agency code (null in the common document)
 *     createdBy  { id, name }         author, fixed at creation
 *     createdAt  number               ms since epoch
 *     updatedBy  { id, name }         last editor
 *     updatedAt  number               ms since epoch
 *
 * Each feature is its own Y.Map so concurrent edits of different fields (one player renames while
 * another moves) merge; a field is last-writer-wins. Values of unknown shape are ignored on read,
 * so a bad write from any client cannot break the board of others.
 */
import * as Y from 'yjs';
import { allPositions, isBoardGeometry, MAX_RADIUS, MIN_RADIUS, roundPos, translate, type BoardGeometry } from './geometry';
import { FEATURE_STATUSES, geometryKindOf, isFeatureKind, isFeatureStatus, type FeatureKind, type FeatureStatus } from './palette';

export const FEATURES = 'features';

/** Transaction origin of edits made by this client's user; the undo manager tracks only these. */
export const LOCAL_EDIT = Symbol.for('drillboard.board.local-edit');

export const MAX_LABEL = 120;
export const MAX_NOTES = 4000;

export interface Actor {
	id: string;
	name: string;
}

export interface BoardFeature {
	id: string;
	kind: FeatureKind;
	geometry: BoardGeometry;
	radius: number | null;
	label: string;
	notes: string;
	status: FeatureStatus;
	agency: string | null;
	createdBy: Actor;
	createdAt: number;
	updatedBy: Actor;
	updatedAt: number;
}

export type FeatureMap = Y.Map<Y.Map<unknown>>;

export function featureMap(doc: Y.Doc): FeatureMap {
	return doc.getMap<Y.Map<unknown>>(FEATURES);
}

/** Random id from getRandomValues (crypto.randomUUID needs a secure context; LAN sites may be plain HTTP). */
export function newFeatureId(): string {
	const b = new Uint8Array(12);
	crypto.getRandomValues(b);
	return 'f' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

const clean = (s: string, max: number) => s.replace(/\s+$/u, '').slice(0, max);
const isActor = (v: unknown): v is Actor =>
	!!v && typeof v === 'object' && typeof (v as Actor).id === 'string' && typeof (v as Actor).name === 'string';

function checkGeometry(kind: FeatureKind, geometry: BoardGeometry, radius: number | null | undefined): void {
	const gk = geometryKindOf(kind);
	const want = gk === 'line' ? 'LineString' : gk === 'polygon' ? 'Polygon' : 'Point';
	if (!isBoardGeometry(geometry) || geometry.type !== want) throw new Error(`A ${kind} needs a ${want} geometry.`);
	if (gk === 'circle' && !(typeof radius === 'number' && radius >= MIN_RADIUS && radius <= MAX_RADIUS)) {
		throw new Error(`A ${kind} needs a radius between ${MIN_RADIUS} and ${MAX_RADIUS} m.`);
	}
}

export interface NewFeature {
	kind: FeatureKind;
	geometry: BoardGeometry;
	radius?: number | null;
	label?: string;
	notes?: string;
	status?: FeatureStatus;
}

export interface EditOptions {
	origin?: unknown;
	now?: number;
}

/** Adds a feature to the document's layer; returns its id. Throws on a malformed geometry. */
export function addFeature(doc: Y.Doc, input: NewFeature, actor: Actor, agency: string | null, opts: EditOptions & { id?: string } = {}): string {
	checkGeometry(input.kind, input.geometry, input.radius);
	const id = opts.id ?? newFeatureId();
	const now = opts.now ?? Date.now();
	const circle = geometryKindOf(input.kind) === 'circle';
	const entries: [string, unknown][] = [
		['kind', input.kind],
		['geometry', input.geometry],
		['label', clean(input.label ?? '', MAX_LABEL)],
		['notes', clean(input.notes ?? '', MAX_NOTES)],
		['status', input.status ?? 'active'],
		['agency', agency],
		['createdBy', { id: actor.id, name: actor.name }],
		['createdAt', now],
		['updatedBy', { id: actor.id, name: actor.name }],
		['updatedAt', now]
	];
	if (circle) entries.push(['radius', Math.round((input.radius as number) * 10) / 10]);
	doc.transact(() => featureMap(doc).set(id, new Y.Map<unknown>(entries)), opts.origin ?? LOCAL_EDIT);
	return id;
}

export interface FeaturePatch {
	label?: string;
	notes?: string;
	status?: FeatureStatus;
}

function touch(m: Y.Map<unknown>, actor: Actor, now: number) {
	m.set('updatedBy', { id: actor.id, name: actor.name });
	m.set('updatedAt', now);
}

/** Changes label, notes or status; unchanged fields are not written. Returns false if the feature is gone. */
export function updateFeature(doc: Y.Doc, id: string, patch: FeaturePatch, actor: Actor, opts: EditOptions = {}): boolean {
	const m = featureMap(doc).get(id);
	if (!m) return false;
	if (patch.status !== undefined && !isFeatureStatus(patch.status)) throw new Error(`Status must be one of ${FEATURE_STATUSES.join(', ')}.`);
	doc.transact(() => {
		let changed = false;
		if (patch.label !== undefined && m.get('label') !== clean(patch.label, MAX_LABEL)) {
			m.set('label', clean(patch.label, MAX_LABEL));
			changed = true;
		}
		if (patch.notes !== undefined && m.get('notes') !== clean(patch.notes, MAX_NOTES)) {
			m.set('notes', clean(patch.notes, MAX_NOTES));
			changed = true;
		}
		if (patch.status !== undefined && m.get('status') !== patch.status) {
			m.set('status', patch.status);
			changed = true;
		}
		if (changed) touch(m, actor, opts.now ?? Date.now());
	}, opts.origin ?? LOCAL_EDIT);
	return true;
}

/** Replaces the geometry (reshape), and the radius of a circle. */
export function setGeometry(
	doc: Y.Doc,
	id: string,
	geometry: BoardGeometry,
	actor: Actor,
	opts: EditOptions & { radius?: number } = {}
): boolean {
	const m = featureMap(doc).get(id);
	if (!m) return false;
	const kind = m.get('kind');
	if (!isFeatureKind(kind)) return false;
	const radius = opts.radius ?? (m.get('radius') as number | undefined);
	checkGeometry(kind, geometry, radius);
	doc.transact(() => {
		m.set('geometry', geometry);
		if (geometryKindOf(kind) === 'circle' && opts.radius !== undefined) m.set('radius', Math.round(opts.radius * 10) / 10);
		touch(m, actor, opts.now ?? Date.now());
	}, opts.origin ?? LOCAL_EDIT);
	return true;
}

/** Moves a whole feature by a longitude/latitude offset in degrees. */
export function moveFeature(doc: Y.Doc, id: string, dLng: number, dLat: number, actor: Actor, opts: EditOptions = {}): boolean {
	const f = getFeature(doc, id);
	if (!f) return false;
	return setGeometry(doc, id, translate(f.geometry, dLng, dLat), actor, opts);
}

/** Moves a point (or a circle's centre) to a position. */
export function placePoint(doc: Y.Doc, id: string, lngLat: [number, number], actor: Actor, opts: EditOptions = {}): boolean {
	const f = getFeature(doc, id);
	if (!f || f.geometry.type !== 'Point') return false;
	return setGeometry(doc, id, { type: 'Point', coordinates: roundPos(lngLat) }, actor, opts);
}

export function deleteFeature(doc: Y.Doc, id: string, opts: EditOptions = {}): boolean {
	const map = featureMap(doc);
	if (!map.has(id)) return false;
	doc.transact(() => map.delete(id), opts.origin ?? LOCAL_EDIT);
	return true;
}

/** Reads one stored feature; null when it is malformed. */
export function readFeature(id: string, m: unknown): BoardFeature | null {
	if (!(m instanceof Y.Map)) return null;
	const kind = m.get('kind');
	const geometry = m.get('geometry');
	if (!isFeatureKind(kind) || !isBoardGeometry(geometry)) return null;
	const gk = geometryKindOf(kind);
	const want = gk === 'line' ? 'LineString' : gk === 'polygon' ? 'Polygon' : 'Point';
	if (geometry.type !== want) return null;
	const r = m.get('radius');
	const radius = gk === 'circle' ? (typeof r === 'number' && r >= MIN_RADIUS && r <= MAX_RADIUS ? r : null) : null;
	if (gk === 'circle' && radius === null) return null;
	const str = (k: string, max: number) => {
		const v = m.get(k);
		return typeof v === 'string' ? v.slice(0, max) : '';
	};
	const num = (k: string) => {
		const v = m.get(k);
		return typeof v === 'number' && Number.isFinite(v) ? v : 0;
	};
	const status = m.get('status');
	const agency = m.get('agency');
	const createdBy = m.get('createdBy');
	const updatedBy = m.get('updatedBy');
	const author = isActor(createdBy) ? { id: createdBy.id, name: createdBy.name } : { id: '', name: '' };
	return {
		id,
		kind,
		geometry,
		radius,
		label: str('label', MAX_LABEL),
		notes: str('notes', MAX_NOTES),
		status: isFeatureStatus(status) ? status : 'active',
		agency: typeof agency === 'string' ? agency : null,
		createdBy: author,
		createdAt: num('createdAt'),
		updatedBy: isActor(updatedBy) ? { id: updatedBy.id, name: updatedBy.name } : author,
		updatedAt: num('updatedAt')
	};
}

export function getFeature(doc: Y.Doc, id: string): BoardFeature | null {
	return readFeature(id, featureMap(doc).get(id));
}

/** All well-formed features, oldest first (so newer marks draw on top). */
export function listFeatures(doc: Y.Doc): BoardFeature[] {
	const out: BoardFeature[] = [];
	featureMap(doc).forEach((m, id) => {
		const f = readFeature(id, m);
		if (f) out.push(f);
	});
	return out.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

/** Ids whose entries changed in a `observeDeep` batch on the features map. */
export function changedIds(events: Y.YEvent<Y.AbstractType<unknown>>[]): Set<string> {
	const ids = new Set<string>();
	for (const e of events) {
		if (e.target instanceof Y.Map && e.path.length === 0) {
			for (const k of e.changes.keys.keys()) ids.add(k);
		} else if (e.path.length > 0) {
			ids.add(String(e.path[0]));
		}
	}
	return ids;
}

/** Every vertex of a feature, for bounds and zoom-to. */
export function featurePositions(f: BoardFeature): [number, number][] {
	return allPositions(f.geometry);
}
