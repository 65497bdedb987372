import { geometryKindOf } from '../../board/palette';
import { parseScenarioTime } from '../clock';
import { scenarioPackage, type ScenarioPackage } from './schema';

export interface PackageError {
	/** Where in the package, e.g. `injects.3.at`. */
	path: string;
	message: string;
}

export type PackageCheck = { ok: true; pkg: ScenarioPackage } | { ok: false; errors: PackageError[] };

const pathOf = (p: readonly PropertyKey[]) => p.map(String).join('.') || '(package)';

/** Cross-references the schema cannot express: unique ids, and every reference resolving. */
function crossCheck(pkg: ScenarioPackage): PackageError[] {
	const errors: PackageError[] = [];
	const err = (path: string, message: string) => errors.push({ path, message });
	const agencies = new Set(pkg.agencies);
	const objectives = new Set(pkg.meta.objectives.map((o) => o.id));
	const templates = new Map(pkg.taskTemplates.map((t) => [t.id, t]));
	const points = new Set(pkg.monitoringPoints.map((p) => p.id));
	const all = [...pkg.injects.map((i, n) => ({ i, path: `injects.${n}` })), ...pkg.randomPool.map((i, n) => ({ i, path: `randomPool.${n}` }))];

	const seen = new Map<string, string>();
	for (const { i, path } of all) {
		if (seen.has(i.id)) err(`${path}.id`, `Duplicate inject id ${i.id} (also at ${seen.get(i.id)}).`);
		else seen.set(i.id, path);
	}
	const dupes = <T>(list: T[], key: (t: T) => string, where: string) => {
		const s = new Set<string>();
		list.forEach((t, n) => {
			const k = key(t);
			if (s.has(k)) err(`${where}.${n}.id`, `Duplicate id ${k}.`);
			s.add(k);
		});
	};
	dupes(pkg.taskTemplates, (t) => t.id, 'taskTemplates');
	dupes(pkg.monitoringPoints, (p) => p.id, 'monitoringPoints');
	dupes(pkg.meta.objectives, (o) => o.id, 'meta.objectives');

	pkg.taskTemplates.forEach((t, n) => {
		if (!agencies.has(t.agency)) err(`taskTemplates.${n}.agency`, `Agency ${t.agency} does not take part.`);
	});
	const mselTime = new Map(pkg.injects.map((i) => [i.id, parseScenarioTime(i.at) ?? 0]));
	for (const { i, path } of all) {
		i.to.agencies.forEach((a, k) => agencies.has(a) || err(`${path}.to.agencies.${k}`, `Agency ${a} does not take part.`));
		if (i.objective && !objectives.has(i.objective)) err(`${path}.objective`, `No objective ${i.objective}.`);
		i.tasks.forEach((t, k) => {
			const tpl = templates.get(t.template);
			if (!tpl) err(`${path}.tasks.${k}.template`, `No task template ${t.template}.`);
			else if (tpl.agency !== t.agency) err(`${path}.tasks.${k}.agency`, `Template ${t.template} belongs to ${tpl.agency}.`);
		});
		i.mapEffects.forEach((e, k) => {
			if (e.layer !== 'common' && !agencies.has(e.layer)) err(`${path}.mapEffects.${k}.layer`, `Agency ${e.layer} does not take part.`);
		});
		i.monitoringEffects.forEach((e, k) => points.has(e.point) || err(`${path}.monitoringEffects.${k}.point`, `No monitoring point ${e.point}.`));
		i.dependsOn.forEach((d, k) => {
			if (!seen.has(d)) err(`${path}.dependsOn.${k}`, `No inject ${d}.`);
			else if (d === i.id) err(`${path}.dependsOn.${k}`, 'An inject cannot depend on itself.');
		});
	}
	pkg.injects.forEach((i, n) => {
		const at = mselTime.get(i.id) ?? 0;
		i.dependsOn.forEach((d, k) => {
			const dAt = mselTime.get(d);
			if (dAt !== undefined && dAt > at) err(`injects.${n}.dependsOn.${k}`, `Inject ${d} comes later (it must be delivered first).`);
		});
		const c = i.contingency?.condition;
		if (!c) return;
		if (!agencies.has(c.agency)) err(`injects.${n}.contingency.condition.agency`, `Agency ${c.agency} does not take part.`);
		if (c.type === 'not_acknowledged' && !mselTime.has(c.inject)) err(`injects.${n}.contingency.condition.inject`, `No MSEL inject ${c.inject}.`);
		if (c.type === 'point_not_viewed' && !points.has(c.point)) err(`injects.${n}.contingency.condition.point`, `No monitoring point ${c.point}.`);
	});
	checkMapFeatures(pkg, err);
	pkg.monitoringPoints.forEach((p, n) => {
		for (let k = 1; k < p.readings.length; k++) {
			if (p.readings[k][0] <= p.readings[k - 1][0]) {
				err(`monitoringPoints.${n}.readings.${k}`, 'Reading minutes must increase.');
				break;
			}
		}
	});
	return errors;
}

const GEOMETRY_OF = { point: 'Point', circle: 'Point', line: 'LineString', polygon: 'Polygon' } as const;

type Feature = ScenarioPackage['map']['layers'][number]['features'][number]['feature'];

/**
 * Map features fit their palette kind (a circle has a radius), and an update or removal names a feature
 * the package has placed by then: in the initial layers or by an earlier inject's `add`.
 */
function checkMapFeatures(pkg: ScenarioPackage, err: (path: string, message: string) => void): void {
	const fits = (f: Partial<Feature>, path: string) => {
		if (!f.kind) return;
		const gk = geometryKindOf(f.kind);
		if (f.geometry && f.geometry.type !== GEOMETRY_OF[gk]) err(`${path}.geometry`, `A ${f.kind} needs a ${GEOMETRY_OF[gk]} geometry.`);
		if (gk === 'circle' && f.radius === undefined) err(`${path}.radius`, `A ${f.kind} needs a radius.`);
	};
	const placed = new Set<string>();
	pkg.map.layers.forEach((l, n) =>
		l.features.forEach((f, k) => {
			fits(f.feature, `map.layers.${n}.features.${k}.feature`);
			placed.add(f.id);
		})
	);
	const ordered = pkg.injects.map((i, n) => ({ i, n })).sort((a, b) => (parseScenarioTime(a.i.at) ?? 0) - (parseScenarioTime(b.i.at) ?? 0));
	for (const { i, n } of ordered) {
		i.mapEffects.forEach((e, k) => {
			const path = `injects.${n}.mapEffects.${k}`;
			if (e.op === 'add') {
				fits(e.feature, `${path}.feature`);
				placed.add(e.featureId);
			} else if (!placed.has(e.featureId)) {
				err(`${path}.featureId`, `No feature ${e.featureId} has been placed by then.`);
			}
		});
	}
}

/** Validates an untrusted package; every problem is listed by path, nothing throws. */
export function validatePackage(input: unknown): PackageCheck {
	const parsed = scenarioPackage.safeParse(input);
	if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })) };
	const errors = crossCheck(parsed.data);
	return errors.length ? { ok: false, errors } : { ok: true, pkg: parsed.data };
}
