import { appContext } from '$server/context';
import { accessExercise } from '$server/exercises';
import { evaluatePage } from '$server/review/views';
import { orError } from '$lib/server/form-errors';
import { requireSession } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

/** Evaluator workspace: evaluators write, the facilitator reads; players get 403 (evaluator material). */
export const load: PageServerLoad = async ({ locals, url, params }) => {
	const { user } = requireSession(locals, url);
	const db = (await appContext()).database.db;
	const access = await orError(accessExercise(db, user, params.id));
	return orError(evaluatePage(db, access));
};
