/**
 * What the evaluation and review pages load, each behind the permission matrix. Players never receive
 * evaluator material: every function below authorizes before it reads observations or ratings.
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { exerciseScenarios, exercises, observations as observationsTable, ratings as ratingsTable, rectificationItems, reviews } from '../../db/schema';
import { can, type Action } from '../../src/lib/domain/permissions';
import { canCreateExercise, playerAgencies } from '../../src/lib/domain/roles';
import { findInject } from '../../src/lib/domain/scenario/public';
import type { ScenarioPackage } from '../../src/lib/domain/scenario/schema';
import type { SessionUser } from '../auth/sessions';
import { scenarioNow } from '../clock';
import { forbidden, notFound } from '../errors';
import { authorize, listAgencies, listExercisesFor, listMembers, type ExerciseAccess } from '../exercises';
import { deliveriesOf } from '../injects/delivery';
import { exerciseScenario } from '../scenarios';
import { listObservations, listRatings, listSelfAssessments } from './evaluation';
import { listRectifications } from './rectification';
import { taskHistory } from './history';
import { replayDocs, replayEnd, warmReplay } from './replay';
import { currentReview, reviewVersions, type SavedReview } from './reviews';

const allowed = (access: ExerciseAccess, action: Action) => can(access.memberships, action, { status: access.status });

const warmed = new Set<string>();

/**
 * After the end, replays the task history (the slow part of a cold review) in the background, once
 * per process, when someone opens the hot wash, the evaluator workspace or the replay first.
 */
async function warmReview(db: Db, access: ExerciseAccess): Promise<void> {
	if ((access.status !== 'ended' && access.status !== 'reviewed') || warmed.has(access.exercise.id)) return;
	warmed.add(access.exercise.id);
	const scenario = await exerciseScenario(db, access.exercise.id);
	const agencies = scenario?.package.agencies ?? (await listAgencies(db)).map((a) => a.code);
	void taskHistory(db, access.exercise.id, agencies).catch(() => warmed.delete(access.exercise.id));
}

async function agencyInfo(db: Db) {
	return (await listAgencies(db)).map(({ code, nameZh, nameEn, color }) => ({ code, nameZh, nameEn, color }));
}

/** The evaluation guide of a scenario: objectives → capability, targets and their critical tasks. */
export function evaluationGuide(pkg: ScenarioPackage | null) {
	return (pkg?.meta.objectives ?? []).map((o) => ({
		id: o.id,
		title: o.title,
		capability: o.capability,
		targets: o.targets.map((x) => ({ id: x.id, text: x.text, criticalTasks: x.criticalTasks })),
		injects: [...(pkg?.injects ?? []), ...(pkg?.randomPool ?? [])].filter((i) => i.objective === o.id).map((i) => i.id)
	}));
}

/** Which exercise pages this person may open (for the section tabs). */
export function reviewTabs(access: ExerciseAccess) {
	return {
		evaluate: allowed(access, 'observation.read'),
		review: allowed(access, 'review.read'),
		hotwash: allowed(access, 'review.read') || allowed(access, 'selfassessment.write') || (access.status === 'ended' && playerAgencies(access.memberships).length > 0),
		replay: allowed(access, 'review.read')
	};
}

function exerciseHead(access: ExerciseAccess) {
	const { id, title } = access.exercise;
	return { id, title, status: access.status };
}

/** Review page: the generated review, the chosen (else latest) saved version, versions, tracking state. */
export async function reviewPage(db: Db, access: ExerciseAccess, version: number | null) {
	const { generated, saved: latest } = await currentReview(db, access); // authorizes review.read
	let saved: SavedReview | null = latest;
	if (version && version !== latest?.version) {
		const [row] = await db
			.select()
			.from(reviews)
			.where(and(eq(reviews.exerciseId, access.exercise.id), eq(reviews.version, version)))
			.limit(1);
		if (!row) throw notFound('No such review version.');
		saved = row.content as SavedReview;
	}
	const [versions, agencies, scenario, tracking, members] = await Promise.all([
		reviewVersions(db, access),
		agencyInfo(db),
		exerciseScenario(db, access.exercise.id),
		db.select().from(rectificationItems).where(eq(rectificationItems.exerciseId, access.exercise.id)),
		listMembers(db, access.exercise.id)
	]);
	const names = new Map(members.map((m) => [m.userId, m.displayName]));
	// Reviewers usually go on to the replay: prepare it meanwhile.
	warmReplay(db, access.exercise.id);
	return {
		exercise: exerciseHead(access),
		tabs: reviewTabs(access),
		canEdit: allowed(access, 'review.edit'),
		generated,
		saved,
		latestVersion: latest?.version ?? null,
		versions: versions.map((v) => ({ version: v.version, createdAt: v.createdAt.toISOString(), by: names.get(v.createdBy) ?? '' })),
		agencies,
		guide: evaluationGuide(scenario?.package ?? null),
		tracking: tracking.map((r) => ({ id: r.id, status: r.status, verifiedBy: r.verifiedBy }))
	};
}

/** Hot wash: per objective, evaluator observations, ratings and each agency's self-assessment. */
export async function hotwashPage(db: Db, access: ExerciseAccess) {
	const reviewer = allowed(access, 'review.read');
	const mine = playerAgencies(access.memberships);
	if (!reviewer && !(access.status === 'ended' && mine.length) && !allowed(access, 'selfassessment.write')) throw forbidden('Your role in this exercise does not allow this now.');
	const scenario = await exerciseScenario(db, access.exercise.id);
	const pkg = scenario?.package ?? null;
	const guide = evaluationGuide(pkg);
	const agencies = await agencyInfo(db);
	if (reviewer) await warmReview(db, access);
	const selfAll = await listSelfAssessments(db, access.exercise.id);
	const self = (reviewer ? selfAll : selfAll.filter((s) => mine.includes(s.agencyCode))).map((s) => ({ agencyCode: s.agencyCode, objectiveId: s.objectiveId, text: s.text, updatedAt: s.updatedAt.toISOString() }));
	// Evaluator material only for those who may read it (never players).
	const observations = reviewer && allowed(access, 'observation.read') ? await listObservations(db, access) : reviewer ? await listObservationsForReview(db, access) : [];
	const ratings = reviewer ? (allowed(access, 'observation.read') ? await listRatings(db, access) : await listRatingsForReview(db, access)) : [];
	const objectiveOfInject = (injectId: string | null) => (injectId && pkg ? (findInject(pkg, injectId)?.objective ?? null) : null);
	return {
		exercise: exerciseHead(access),
		tabs: reviewTabs(access),
		reviewer,
		canWriteSelf: allowed(access, 'selfassessment.write'),
		myAgencies: mine,
		guide,
		agencies,
		scenarioTitle: pkg?.meta.title ?? null,
		selfAssessments: self,
		observations: observations.map((o) => ({
			id: o.id,
			scenarioMs: o.scenarioMs,
			kind: o.kind,
			text: o.text,
			agency: o.agencyCode,
			capability: o.capability,
			injectId: o.injectId,
			objectiveId: objectiveOfInject(o.injectId) ?? guide.find((g) => g.capability === o.capability)?.id ?? null
		})),
		ratings: ratings.map((r) => ({ objectiveId: r.objectiveId, targetId: r.targetId, agency: r.agencyCode || null, rating: r.rating }))
	};
}

/** The commander reads the review (review.read) but not raw evaluator material; after the end the review shows it. */
async function listObservationsForReview(db: Db, access: ExerciseAccess) {
	authorize(access, 'review.read');
	return db.select().from(observationsTable).where(eq(observationsTable.exerciseId, access.exercise.id));
}
async function listRatingsForReview(db: Db, access: ExerciseAccess) {
	authorize(access, 'review.read');
	return db.select().from(ratingsTable).where(eq(ratingsTable.exerciseId, access.exercise.id));
}

/** Evaluator workspace: the guide, delivered injects (with evaluator notes), observations and ratings. */
export async function evaluatePage(db: Db, access: ExerciseAccess) {
	authorize(access, 'observation.read');
	const id = access.exercise.id;
	const [scenario, agencies, observations, ratings, deliveries, members, now] = await Promise.all([
		exerciseScenario(db, id),
		agencyInfo(db),
		listObservations(db, access),
		listRatings(db, access),
		deliveriesOf(db, id),
		listMembers(db, id),
		scenarioNow(db, id)
	]);
	const pkg = scenario?.package ?? null;
	const names = new Map(members.map((m) => [m.userId, m.displayName]));
	await warmReview(db, access);
	return {
		exercise: exerciseHead(access),
		tabs: reviewTabs(access),
		canWrite: allowed(access, 'observation.write'),
		scenarioMs: now ?? 0,
		scenarioTitle: pkg?.meta.title ?? null,
		guide: evaluationGuide(pkg),
		agencies: pkg ? agencies.filter((a) => pkg.agencies.includes(a.code)) : agencies,
		injects: deliveries
			.filter((d) => d.action === 'deliver')
			.map((d) => {
				const i = pkg ? findInject(pkg, d.injectId) : undefined;
				return {
					id: d.injectId,
					scenarioMs: d.scenarioMs,
					message: i?.message ?? (d.content as { message?: { zh: string; en: string } } | null)?.message ?? null,
					to: i?.to.agencies ?? [],
					objective: i?.objective ?? null,
					capability: i?.capability ?? null,
					expectedActions: i?.expectedActions ?? [],
					evaluatorNotes: i?.evaluatorNotes ?? null
				};
			}),
		observations: observations.map((o) => ({
			id: o.id,
			scenarioMs: o.scenarioMs,
			kind: o.kind,
			text: o.text,
			agency: o.agencyCode,
			injectId: o.injectId,
			capability: o.capability,
			by: names.get(o.evaluatorId) ?? ''
		})),
		ratings: ratings.map((r) => ({ objectiveId: r.objectiveId, targetId: r.targetId, agency: r.agencyCode || null, rating: r.rating, note: r.note }))
	};
}

/** Replay page shell: layers, span and inject marks (the frames come from the replay API). */
export async function replayPage(db: Db, access: ExerciseAccess) {
	authorize(access, 'review.read');
	const id = access.exercise.id;
	await warmReview(db, access);
	const [agencies, endMs, deliveries, docs] = await Promise.all([agencyInfo(db), replayEnd(db, id), deliveriesOf(db, id), replayDocs(db, id)]);
	return {
		exercise: exerciseHead(access),
		tabs: reviewTabs(access),
		agencies,
		layers: docs.map((d) => ({ key: d.key, agency: d.agency })),
		endMs,
		marks: deliveries.filter((d) => d.action === 'deliver').map((d) => ({ id: d.injectId, scenarioMs: d.scenarioMs }))
	};
}

/** Rectification tracking: items (filtered), closure by agency, and exercises that may verify an item. */
export async function trackingPage(db: Db, user: SessionUser, filters: Record<string, string>) {
	const clean = Object.fromEntries(Object.entries(filters).filter(([k, v]) => ['agency', 'status', 'exercise'].includes(k) && v));
	const [{ items, closure }, all, agencies] = await Promise.all([listRectifications(db, user, clean), listRectifications(db, user, {}), agencyInfo(db)]);
	// Exercises the person can name as a later re-test: every exercise for organisers, else their own.
	const candidates = canCreateExercise(user.systemRole)
		? await db.select({ id: exercises.id, title: exercises.title, status: exercises.status, createdAt: exercises.createdAt }).from(exercises).orderBy(desc(exercises.createdAt))
		: (await listExercisesFor(db, user.id)).map((e) => ({ id: e.id, title: e.title, status: e.status, createdAt: e.createdAt }));
	const ids = candidates.map((c) => c.id);
	const capabilities = ids.length ? await db.select({ id: exerciseScenarios.exerciseId, pkg: exerciseScenarios.package }).from(exerciseScenarios).where(inArray(exerciseScenarios.exerciseId, ids)) : [];
	const capsOf = new Map(capabilities.map((c) => [c.id, (c.pkg as ScenarioPackage).meta.objectives.map((o) => o.capability)]));
	const exerciseTitles = new Map<string, string>();
	for (const i of all.items) exerciseTitles.set(i.exerciseId, i.exerciseTitle);
	const createdOf = new Map(candidates.map((c) => [c.id, c.createdAt.getTime()]));
	return {
		items: items.map((i) => ({
			id: i.id,
			exerciseId: i.exerciseId,
			exerciseTitle: i.exerciseTitle,
			problem: i.problem as { zh: string; en: string },
			cause: i.cause as { zh: string; en: string },
			action: i.action as { zh: string; en: string },
			capability: i.capability,
			element: i.element,
			agency: i.agencyCode,
			owner: i.owner,
			dueDate: i.dueDate,
			status: i.status,
			verifiedBy: i.verifiedBy,
			overdue: i.overdue,
			updatedAt: i.updatedAt.toISOString()
		})),
		closure,
		totals: { all: all.items.length, overdue: all.items.filter((i) => i.overdue).length, closed: all.items.filter((i) => i.status === 'done' || i.status === 'verified').length },
		exercises: [...exerciseTitles].map(([id, title]) => ({ id, title })),
		verifiers: candidates.map((c) => ({ id: c.id, title: c.title, status: c.status, createdAt: c.createdAt.getTime(), capabilities: capsOf.get(c.id) ?? [] })),
		createdOf: Object.fromEntries(createdOf),
		agencies
	};
}
