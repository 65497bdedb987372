import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { exerciseScenarios, scenarios } from '../db/schema';
import { newSeed } from '../src/lib/domain/scenario/random';
import type { ScenarioPackage } from '../src/lib/domain/scenario/schema';
import { validatePackage } from '../src/lib/domain/scenario/validate';
import { canCreateExercise } from '../src/lib/domain/roles';
import type { SessionUser } from './auth/sessions';
import { AppError, conflict, forbidden, notFound } from './errors';
import { authorize, type ExerciseAccess } from './exercises';
import { parse } from './users';

/** The library holds MSELs, so only organisers and administrators may read or change it. */
function requireOrganiser(user: SessionUser) {
	if (!canCreateExercise(user.systemRole)) throw forbidden('Only organisers may use the scenario library.');
}

/** Stores the built-in packages on start: new ones are added, changed ones updated. */
export async function syncBuiltinScenarios(db: Db, packages: readonly unknown[]): Promise<number> {
	let stored = 0;
	for (const raw of packages) {
		const check = validatePackage(raw);
		if (!check.ok) throw new Error(`Built-in scenario is invalid: ${check.errors.slice(0, 3).map((e) => `${e.path}: ${e.message}`).join('; ')}`);
		const p = check.pkg;
		const row = { hazard: p.meta.hazard, titleZh: p.meta.title.zh, titleEn: p.meta.title.en, package: p, builtin: true, updatedAt: new Date() };
		await db.insert(scenarios).values({ id: p.id, ...row }).onConflictDoUpdate({ target: scenarios.id, set: row });
		stored++;
	}
	return stored;
}

export async function listScenarios(db: Db, user: SessionUser) {
	requireOrganiser(user);
	return db
		.select({ id: scenarios.id, hazard: scenarios.hazard, titleZh: scenarios.titleZh, titleEn: scenarios.titleEn, builtin: scenarios.builtin, updatedAt: scenarios.updatedAt })
		.from(scenarios)
		.orderBy(asc(scenarios.builtin), asc(scenarios.id));
}

export async function getScenario(db: Db, user: SessionUser, id: string): Promise<ScenarioPackage> {
	requireOrganiser(user);
	const [row] = await db.select({ pkg: scenarios.package }).from(scenarios).where(eq(scenarios.id, id)).limit(1);
	if (!row) throw notFound('No such scenario.');
	return row.pkg as ScenarioPackage;
}

/** Import limit: a package is text; anything bigger is not a scenario. */
export const MAX_PACKAGE_BYTES = 5 * 1024 * 1024;

/**
 * Validates and stores a package. Invalid packages are rejected whole with every error by path;
 * a built-in package cannot be overwritten, an imported one only with `replace`.
 */
export async function importScenario(db: Db, user: SessionUser, input: unknown, replace = false): Promise<ScenarioPackage> {
	requireOrganiser(user);
	const check = validatePackage(input);
	if (!check.ok) {
		const details: Record<string, string> = {};
		for (const e of check.errors) details[e.path] ??= e.message;
		throw new AppError(400, 'invalid_scenario', `The package has ${check.errors.length} error(s).`, details);
	}
	const p = check.pkg;
	return db.transaction(async (tx) => {
		const [existing] = await tx.select({ builtin: scenarios.builtin }).from(scenarios).where(eq(scenarios.id, p.id)).for('update');
		if (existing?.builtin) throw conflict(`${p.id} is a built-in scenario; give the package another id.`);
		if (existing && !replace) throw conflict(`A scenario ${p.id} exists; import with replace to overwrite it.`);
		const row = { hazard: p.meta.hazard, titleZh: p.meta.title.zh, titleEn: p.meta.title.en, package: p, importedBy: user.id, updatedAt: new Date() };
		await tx.insert(scenarios).values({ id: p.id, ...row }).onConflictDoUpdate({ target: scenarios.id, set: row });
		return p;
	});
}

export const assignSchema = z
	.object({
		scenarioId: z.string().min(1).max(64),
		unannounced: z.boolean().default(false),
		randomCount: z.number().int().min(0).max(200).default(0),
		seed: z.string().trim().min(1).max(64).optional()
	})
	.strict();

/** Gives an exercise its scenario (a copy of the package), before it runs. */
export async function assignScenario(db: Db, access: ExerciseAccess, input: unknown) {
	authorize(access, 'exercise.edit');
	const a = parse(assignSchema, input);
	const [row] = await db.select({ pkg: scenarios.package }).from(scenarios).where(eq(scenarios.id, a.scenarioId)).limit(1);
	if (!row) throw new AppError(400, 'invalid_input', 'The request has invalid fields.', { scenarioId: 'No such scenario.' });
	const pkg = row.pkg as ScenarioPackage;
	const values = {
		scenarioId: a.scenarioId,
		package: pkg,
		seed: a.seed ?? newSeed(),
		randomCount: Math.min(a.randomCount, pkg.randomPool.length),
		unannounced: a.unannounced
	};
	await db
		.insert(exerciseScenarios)
		.values({ exerciseId: access.exercise.id, ...values })
		.onConflictDoUpdate({ target: exerciseScenarios.exerciseId, set: { ...values, assignedAt: new Date() } });
	return values;
}

export async function exerciseScenario(db: Db, exerciseId: string) {
	const [row] = await db.select().from(exerciseScenarios).where(eq(exerciseScenarios.exerciseId, exerciseId)).limit(1);
	return row ? { ...row, package: row.package as ScenarioPackage } : null;
}
