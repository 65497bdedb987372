import { appContext } from '$server/context';
import { accessExercise } from '$server/exercises';
import { replayPage } from '$server/review/views';
import { orError } from '$lib/server/form-errors';
import { requireSession } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

/** Time-travel replay (review.read): the page shell; frames come from GET /api/v1/exercises/:id/replay. */
export const load: PageServerLoad = async ({ locals, url, params }) => {
	const { user } = requireSession(locals, url);
	const db = (await appContext()).database.db;
	const access = await orError(accessExercise(db, user, params.id));
	return orError(replayPage(db, access));
};
