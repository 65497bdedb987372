import { appContext } from '$server/context';
import { accessExercise } from '$server/exercises';
import { reportFor, reviewExport } from '$server/review/export';
import { isLocale } from '$lib/i18n/locales';
import { orError } from '$lib/server/form-errors';
import { requireSession } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

/** The evaluation report as a printable page (the same model as the DOCX export). */
export const load: PageServerLoad = async ({ locals, url, params }) => {
	const { user } = requireSession(locals, url);
	const db = (await appContext()).database.db;
	const access = await orError(accessExercise(db, user, params.id));
	const v = Number(url.searchParams.get('version'));
	const data = await orError(reviewExport(db, access, Number.isInteger(v) && v > 0 ? v : undefined));
	const wanted = url.searchParams.get('lang');
	const lang = isLocale(wanted) ? wanted : locals.locale;
	return { exercise: { id: access.exercise.id, title: access.exercise.title }, report: reportFor(data, lang), lang, version: data.saved?.version ?? null };
};
