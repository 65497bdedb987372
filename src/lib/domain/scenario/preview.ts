/**
 * What a package puts on the board up to a scenario time, without running an exercise: the initial
 * layers on the shared layer, then every MSEL inject's map effects in time order (as the scheduler
 * applies them on delivery; contingencies are assumed to fire). For the editor's map preview.
 */
import type { BoardFeature } from '../../board/features';
import type { BoardGeometry } from '../../board/geometry';
import { parseScenarioTime } from '../clock';
import type { MselInject, ScenarioPackage } from './schema';

const PREVIEW_ACTOR = { id: 'control', name: 'Preview' };

type Effect = MselInject['mapEffects'][number];

export interface PreviewBoard {
	/** Layer key (`common` or an agency code) → features. */
	layers: Map<string, BoardFeature[]>;
	/** Ids of features an inject added or changed at exactly `uptoMs`'s inject (highlighted). */
	changedBy: Map<string, string>;
}

const label = (l: { zh: string; en: string }, locale: string) => (locale === 'en' ? `${l.en}` : `${l.zh}`);

/** When an inject reaches the board: its time, or a contingency's deadline. */
export function injectTimeMs(i: MselInject): number {
	return parseScenarioTime(i.contingency ? i.contingency.deadline : i.at) ?? 0;
}

/**
 * The board after every MSEL inject due at or before `uptoMs` (Infinity: the whole scenario).
 * Invalid effects (an update of a feature never placed) are skipped, as the board would.
 */
export function previewBoard(pkg: ScenarioPackage, uptoMs: number, locale = 'zh-CN'): PreviewBoard {
	const byLayer = new Map<string, Map<string, BoardFeature>>();
	const changedBy = new Map<string, string>();
	const layer = (key: string) => {
		let m = byLayer.get(key);
		if (!m) byLayer.set(key, (m = new Map()));
		return m;
	};
	const apply = (e: Effect, at: number, by: string | null) => {
		const m = layer(e.layer);
		if (e.op === 'remove') {
			m.delete(e.featureId);
			return;
		}
		if (e.op === 'add') {
			const f = e.feature;
			m.set(e.featureId, {
				id: e.featureId,
				kind: f.kind,
				geometry: f.geometry as BoardGeometry,
				radius: f.radius ?? null,
				label: label(f.label, locale),
				notes: f.notes ? label(f.notes, locale) : '',
				status: f.status,
				agency: e.layer === 'common' ? null : e.layer,
				createdBy: PREVIEW_ACTOR,
				createdAt: at,
				updatedBy: PREVIEW_ACTOR,
				updatedAt: at
			});
		} else {
			const old = m.get(e.featureId);
			if (!old) return;
			const f = e.feature;
			m.set(e.featureId, {
				...old,
				...(f.kind ? { kind: f.kind } : {}),
				...(f.geometry ? { geometry: f.geometry as BoardGeometry } : {}),
				...(f.radius !== undefined ? { radius: f.radius } : {}),
				...(f.label ? { label: label(f.label, locale) } : {}),
				...(f.notes ? { notes: label(f.notes, locale) } : {}),
				...(f.status ? { status: f.status } : {}),
				updatedAt: at
			});
		}
		if (by) changedBy.set(`${e.layer}/${e.featureId}`, by);
	};
	for (const l of pkg.map.layers) for (const f of l.features) apply({ op: 'add', featureId: f.id, layer: 'common', feature: f.feature }, 0, null);
	const ordered = pkg.injects
		.map((i, n) => ({ i, n, at: injectTimeMs(i) }))
		.filter((x) => x.at <= uptoMs)
		.sort((a, b) => a.at - b.at || a.n - b.n);
	for (const { i, at } of ordered) for (const e of i.mapEffects) apply(e, at, i.id);
	return { layers: new Map([...byLayer].map(([k, m]) => [k, [...m.values()]])), changedBy };
}

/** Scenario times at which the board changes (for the preview's time steps). */
export function effectTimes(pkg: ScenarioPackage): number[] {
	return [...new Set(pkg.injects.filter((i) => i.mapEffects.length).map(injectTimeMs))].sort((a, b) => a - b);
}
