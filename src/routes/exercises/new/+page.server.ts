import { error, redirect } from '@sveltejs/kit';
import { appContext } from '$server/context';
import { createExercise } from '$server/exercises';
import { canCreateExercise } from '$lib/domain/roles';
import { failFrom, formText } from '$lib/server/form-errors';
import { requireSession } from '$lib/server/guard';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	const { user } = requireSession(locals, url);
	if (!canCreateExercise(user.systemRole)) error(403, { message: 'Only organisers may create exercises.', code: 'forbidden' });
	return {};
};

export const actions: Actions = {
	default: async ({ request, locals, url }) => {
		const { user } = requireSession(locals, url);
		const form = formText(await request.formData(), 'title', 'description');
		let id: string;
		try {
			id = await createExercise((await appContext()).database.db, user, form);
		} catch (e) {
			return failFrom(e, 'create', form);
		}
		redirect(303, `/exercises/${id}`);
	}
};
