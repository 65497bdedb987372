import { error, fail, redirect } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import { appContext } from '$server/context';
import { AppError } from '$server/errors';
import { listAgencies } from '$server/exercises';
import { getScenario, importScenario, listScenarios, MAX_PACKAGE_BYTES } from '$server/scenarios';
import { orError } from '$lib/server/form-errors';
import { requireSession } from '$lib/server/guard';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

/** The board's basemap setting (BASEMAP_STYLE_URL, see docs/board.md); unset: the offline demo city. */
function basemapStyleUrl(): string | null {
	const v = env.BASEMAP_STYLE_URL?.trim();
	if (!v) return null;
	return v.startsWith('/') || /^https?:\/\//.test(v) ? v : null;
}

/** The scenario editor: imported packages are saved in place, built-in ones only as a copy. */
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
		agencies: agencies.map(({ code, nameZh, nameEn, color }) => ({ code, nameZh, nameEn, color })),
		basemapStyleUrl: basemapStyleUrl()
	};
};

async function packageFrom(event: RequestEvent) {
	const { user } = requireSession(event.locals, event.url);
	const db = (await appContext()).database.db;
	const data = await event.request.formData();
	const raw = data.get('package');
	if (typeof raw !== 'string' || raw.length > MAX_PACKAGE_BYTES) throw new AppError(400, 'invalid_json', 'No package in the form.');
	let pkg: Record<string, unknown>;
	try {
		pkg = JSON.parse(raw);
	} catch {
		throw new AppError(400, 'invalid_json', 'The package is not valid JSON.');
	}
	const newId = data.get('newId');
	return { user, db, pkg, newId: typeof newId === 'string' ? newId.trim() : '' };
}

function saveFailure(form: string, e: unknown, values: Record<string, string> = {}) {
	if (!(e instanceof AppError)) throw e;
	const errors = Object.entries(e.details ?? {}).map(([path, message]) => ({ path, message }));
	return fail(e.status, { problem: { form, status: e.status, code: e.code, message: e.message, fields: e.details ?? {}, errors, values } });
}

export const actions: Actions = {
	/** Saves an imported package in place (importScenario with replace; built-ins are refused there). */
	save: async (event) => {
		let id = event.params.id;
		try {
			const { user, db, pkg } = await packageFrom(event);
			// The package keeps its id: saving in place never renames.
			pkg.id = event.params.id;
			id = (await importScenario(db, user, pkg, true)).id;
		} catch (e) {
			return saveFailure('save', e);
		}
		redirect(303, `/scenarios/${encodeURIComponent(id)}?saved=1`);
	},

	/** Saves the edited package under a new id (the only way to change a built-in one). */
	saveCopy: async (event) => {
		let id = '';
		let newId = '';
		try {
			const r = await packageFrom(event);
			newId = r.newId;
			if (!newId) throw new AppError(400, 'invalid_input', 'The request has invalid fields.', { newId: 'Required.' });
			r.pkg.id = newId;
			id = (await importScenario(r.db, r.user, r.pkg, false)).id;
		} catch (e) {
			return saveFailure('saveCopy', e, { newId });
		}
		redirect(303, `/scenarios/${encodeURIComponent(id)}?saved=1`);
	}
};
