import { appContext } from '$server/context';
import { accessExercise } from '$server/exercises';
import { hotwashPage } from '$server/review/views';
import { orError } from '$lib/server/form-errors';
import { requireSession } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

/**
 * Hot wash (现场点评) after the end: reviewers see, per objective, the evaluators' observations, the
 * ratings and every agency's self-assessment; players see only their own agency's self-assessment form.
 */
export const load: PageServerLoad = async ({ locals, url, params }) => {
	const { user } = requireSession(locals, url);
	const db = (await appContext()).database.db;
	const access = await orError(accessExercise(db, user, params.id));
	return orError(hotwashPage(db, access));
};
