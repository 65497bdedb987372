import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

/** `/` has no page of its own: the exercise list, or sign-in. */
export const load: PageServerLoad = ({ locals }) => {
	redirect(303, locals.session ? '/exercises' : '/login');
};
