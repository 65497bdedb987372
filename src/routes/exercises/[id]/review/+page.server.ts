import { appContext } from '$server/context';
import { accessExercise } from '$server/exercises';
import { reviewPage } from '$server/review/views';
import { orError } from '$lib/server/form-errors';
import { requireSession } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

/** The after-action review (review.read: after the end; players get 403, non-members 404). */
export const load: PageServerLoad = async ({ locals, url, params }) => {
	const { user } = requireSession(locals, url);
	const db = (await appContext()).database.db;
	const access = await orError(accessExercise(db, user, params.id));
	const v = Number(url.searchParams.get('version'));
	return orError(reviewPage(db, access, Number.isInteger(v) && v > 0 ? v : null));
};
