import { error } from '@sveltejs/kit';
import { appContext } from '$server/context';
import { listAgencies } from '$server/exercises';
import { getScenario, listScenarios } from '$server/scenarios';
import { orError } from '$lib/server/form-errors';
import { requireSession } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

/** One package of the library, read-only (organisers and administrators; others 403). */
export const load: PageServerLoad = async ({ locals, url, params }) => {
	const { user } = requireSession(locals, url);
	const db = (await appContext()).database.db;
	const list = await orError(listScenarios(db, user));
	const row = list.find((s) => s.id === params.id);
	if (!row) error(404, { message: 'No such scenario.', code: 'not_found' });
	const [pkg, agencies] = await Promise.all([orError(getScenario(db, user, params.id)), listAgencies(db)]);
	return {
		pkg,
		builtin: row.builtin,
		updatedAt: row.updatedAt.toISOString(),
		agencies: agencies.map(({ code, nameZh, nameEn, color }) => ({ code, nameZh, nameEn, color })),
		imported: url.searchParams.get('imported'),
		saved: url.searchParams.has('saved')
	};
};
