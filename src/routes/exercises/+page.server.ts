import { appContext } from '$server/context';
import { listAgencies, listExercisesFor } from '$server/exercises';
import { canCreateExercise } from '$lib/domain/roles';
import { requireSession } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const { user } = requireSession(locals, url);
	const db = (await appContext()).database.db;
	const [exercises, agencies] = await Promise.all([listExercisesFor(db, user.id), listAgencies(db)]);
	// Formatted here so server render and hydration agree (one clock, one time zone).
	const fmt = new Intl.DateTimeFormat(locals.locale, { dateStyle: 'medium', timeStyle: 'short' });
	return {
		exercises: exercises.map((e) => ({ id: e.id, title: e.title, status: e.status, roles: e.roles, created: fmt.format(e.createdAt) })),
		agencies: agencies.map(({ code, nameZh, nameEn, color }) => ({ code, nameZh, nameEn, color })),
		canCreate: canCreateExercise(user.systemRole)
	};
};
