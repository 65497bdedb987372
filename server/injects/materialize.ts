import type * as Y from 'yjs';
import { agencyDocName, commonDocName } from '../../src/lib/board/docs';
import { initialLayersOf, markInitialLayers, putInject, putPointState, readInjects } from '../../src/lib/board/control';
import { addFeature, deleteFeature, featureMap, setGeometry, updateFeature, type Actor } from '../../src/lib/board/features';
import type { BoardGeometry } from '../../src/lib/board/geometry';
import { addTask } from '../../src/lib/board/tasks';
import { findInject, type PublicInject } from '../../src/lib/domain/scenario/public';
import type { MselInject, RandomInject, ScenarioPackage } from '../../src/lib/domain/scenario/schema';
import type { Collab } from '../collab';
import type { DeliveryRow } from './delivery';
import { deliveredInject } from './service';

/** Author of everything the scenario itself puts on the board. */
export const CONTROL_ACTOR: Actor = { id: 'control', name: '导调 Control' };

/** Board features placed by a scenario carry this prefix, so they never collide with players' ids. */
const featureId = (id: string) => `scn-${id}`;

type Full = MselInject | RandomInject;

function applyMapEffects(doc: Y.Doc, effects: Full['mapEffects'], agency: string | null): void {
	for (const e of effects) {
		const id = featureId(e.featureId);
		if (e.op === 'remove') {
			deleteFeature(doc, id, { origin: CONTROL_ACTOR });
			continue;
		}
		const notes = e.feature.notes ? `${e.feature.notes.zh}\n${e.feature.notes.en}` : undefined;
		if (e.op === 'add') {
			// Adding twice (a replay after a crash) must not undo what players did since.
			if (featureMap(doc).has(id)) continue;
			const f = e.feature;
			const input = { kind: f.kind, geometry: f.geometry as BoardGeometry, radius: f.radius ?? null, label: `${f.label.zh} ${f.label.en}`, notes, status: f.status };
			addFeature(doc, input, CONTROL_ACTOR, agency, { id, origin: CONTROL_ACTOR });
		} else {
			const f = e.feature;
			if (f.geometry) setGeometry(doc, id, f.geometry as BoardGeometry, CONTROL_ACTOR, { origin: CONTROL_ACTOR, radius: f.radius });
			updateFeature(doc, id, { label: f.label ? `${f.label.zh} ${f.label.en}` : undefined, notes, status: f.status }, CONTROL_ACTOR, { origin: CONTROL_ACTOR });
		}
	}
}

/**
 * Carries out delivered injects on the shared documents: map effects on the layers, task cards in the
 * target agencies' documents, monitoring changes, and last the inject itself in the control document.
 * Writing the inject last makes it the marker of a finished delivery: reconciliation after a crash
 * redoes only deliveries whose marker is missing, and each step is keyed so a redo adds nothing twice.
 */
export async function materializeDeliveries(collab: Collab, exerciseId: string, pkg: ScenarioPackage | null, rows: readonly DeliveryRow[]): Promise<void> {
	for (const row of rows) {
		if (row.action !== 'deliver') continue;
		const full: Full | undefined = pkg ? findInject(pkg, row.injectId) : undefined;
		const shown = (row.content as PublicInject | null) ?? full;
		if (!shown) continue;
		if (full) {
			const byLayer = new Map<string, Full['mapEffects']>();
			for (const e of full.mapEffects) byLayer.set(e.layer, [...(byLayer.get(e.layer) ?? []), e]);
			for (const [layer, effects] of byLayer) {
				const name = layer === 'common' ? commonDocName(exerciseId) : agencyDocName(exerciseId, layer);
				await collab.transact(name, (doc) => applyMapEffects(doc, effects, layer === 'common' ? null : layer), row.scenarioMs);
			}
			for (const t of full.tasks) {
				const tpl = pkg?.taskTemplates.find((x) => x.id === t.template);
				if (!tpl) continue;
				await collab.transact(agencyDocName(exerciseId, t.agency), (doc) =>
					addTask(
						doc,
						{
							title: tpl.title,
							description: tpl.description,
							priority: tpl.priority,
							checklist: tpl.checklist,
							injectId: row.injectId,
							dueScenarioMs: tpl.dueAfterMinutes ? row.scenarioMs + tpl.dueAfterMinutes * 60_000 : null
						},
						t.agency,
						CONTROL_ACTOR,
						{ id: `${row.injectId}:${tpl.id}`, now: row.deliveredAt.getTime(), origin: CONTROL_ACTOR }
					),
					row.scenarioMs
				);
			}
		}
		await collab.writeControl(exerciseId, (doc) => {
			for (const m of full?.monitoringEffects ?? []) {
				putPointState(doc, m.point, { ...(m.value !== undefined ? { value: m.value } : {}), ...(m.fault !== undefined ? { fault: m.fault } : {}), scenarioMs: row.scenarioMs });
			}
			putInject(doc, deliveredInject(shown, row));
		}, row.scenarioMs);
	}
}

/**
 * Puts the scenario's initial map layers (the dam, risk maps, the building on fire…) on the common
 * layer once per exercise and scenario; features already there are left as players changed them.
 */
export async function materializeInitialLayers(collab: Collab, exerciseId: string, pkg: ScenarioPackage): Promise<void> {
	let done = false;
	await collab.writeControl(exerciseId, (doc) => {
		done = initialLayersOf(doc) === pkg.id;
	});
	if (done) return;
	const effects = pkg.map.layers.flatMap((l) => l.features.map((f) => ({ op: 'add' as const, featureId: f.id, layer: 'common', feature: f.feature })));
	// The scenario's own map is there from T+0, whenever the scheduler gets to it.
	await collab.transact(commonDocName(exerciseId), (doc) => applyMapEffects(doc, effects, null), 0);
	await collab.writeControl(exerciseId, (doc) => markInitialLayers(doc, pkg.id));
}

/** Ids of injects whose delivery finished on the documents (read inside a transaction that writes nothing). */
export async function materializedIds(collab: Collab, exerciseId: string): Promise<Set<string>> {
	let ids = new Set<string>();
	await collab.writeControl(exerciseId, (doc) => {
		ids = new Set(readInjects(doc).map((i) => i.id));
	});
	return ids;
}
