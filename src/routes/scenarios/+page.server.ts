import { fail, redirect } from '@sveltejs/kit';
import { appContext } from '$server/context';
import { AppError } from '$server/errors';
import { importMselFile, importPackageFile, previewMselFile, type UploadedFile } from '$server/scenario-library';
import { getScenario, listScenarios } from '$server/scenarios';
import { guessMapping, mappingFromForm, MSEL_FIELDS, type ImportProblem } from '$lib/domain/scenario/msel-import';
import { orError } from '$lib/server/form-errors';
import { requireSession } from '$lib/server/guard';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

/** The scenario library (场景库): organisers and administrators only (others get 403, like the API). */
export const load: PageServerLoad = async ({ locals, url }) => {
	const { user } = requireSession(locals, url);
	const db = (await appContext()).database.db;
	const list = await orError(listScenarios(db, user));
	// Counts for the table come from the packages themselves (a handful of JSON documents).
	const rows = await Promise.all(
		list.map(async (s) => {
			const p = await getScenario(db, user, s.id);
			return {
				id: s.id,
				hazard: s.hazard,
				titleZh: s.titleZh,
				titleEn: s.titleEn,
				builtin: s.builtin,
				updatedAt: s.updatedAt.toISOString(),
				injects: p.injects.length,
				pool: p.randomPool.length,
				points: p.monitoringPoints.length,
				agencies: p.agencies
			};
		})
	);
	return { scenarios: rows, fields: [...MSEL_FIELDS] };
};

async function fileOf(data: FormData, name: string): Promise<UploadedFile | null> {
	const f = data.get(name);
	if (!(f instanceof File) || f.size === 0) return null;
	return { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
}

async function ctx(event: RequestEvent) {
	const { user } = requireSession(event.locals, event.url);
	return { user, db: (await appContext()).database.db };
}

/** An AppError as the library page shows it: the code, the message, and any errors by path. */
function libraryFailure(form: string, e: unknown, values: Record<string, string> = {}) {
	if (!(e instanceof AppError)) throw e;
	const errors = Object.entries(e.details ?? {}).map(([path, message]) => ({ path, message }));
	return fail(e.status, { problem: { form, status: e.status, code: e.code, message: e.message, fields: e.details ?? {}, errors, values } });
}

const text = (data: FormData, name: string) => {
	const v = data.get(name);
	return typeof v === 'string' ? v.trim() : '';
};

export const actions: Actions = {
	importPackage: async (event) => {
		const { user, db } = await ctx(event);
		const data = await event.request.formData();
		const replace = data.get('replace') === 'on';
		try {
			const pkg = await importPackageFile(db, user, await fileOf(data, 'package'), replace);
			return { done: { form: 'importPackage', id: pkg.id, title: pkg.meta.title } };
		} catch (e) {
			return libraryFailure('importPackage', e, { replace: replace ? 'on' : '' });
		}
	},

	/** Step 1 of an MSEL import: read the file's columns and guess the mapping. */
	mselPreview: async (event) => {
		const { user, db } = await ctx(event);
		const data = await event.request.formData();
		try {
			const r = await previewMselFile(db, user, await fileOf(data, 'msel'));
			if (!r.ok) return fail(400, { msel: { problems: r.problems as ImportProblem[], preview: null, mapping: null } });
			return { msel: { problems: [] as ImportProblem[], preview: r.value, mapping: guessMapping(r.value.headers) } };
		} catch (e) {
			return libraryFailure('mselPreview', e);
		}
	},

	/** Step 2: the same file with the mapping, into a new package based on an existing one. */
	mselImport: async (event) => {
		const { user, db } = await ctx(event);
		const data = await event.request.formData();
		const file = await fileOf(data, 'msel');
		const values = { baseId: text(data, 'baseId'), id: text(data, 'id'), titleZh: text(data, 'titleZh'), titleEn: text(data, 'titleEn'), mode: text(data, 'mode') };
		let result;
		try {
			const preview = await previewMselFile(db, user, file);
			const columns = preview.ok ? preview.value.headers.length : 0;
			const mapping = mappingFromForm((k) => (typeof data.get(k) === 'string' ? (data.get(k) as string) : null), columns);
			if (!values.id) throw new AppError(400, 'invalid_input', 'The request has invalid fields.', { id: 'Required.' });
			if (!values.baseId) throw new AppError(400, 'invalid_input', 'The request has invalid fields.', { baseId: 'Required.' });
			const title = values.titleZh || values.titleEn ? { zh: values.titleZh || values.titleEn, en: values.titleEn || values.titleZh } : undefined;
			result = await importMselFile(db, user, file, { baseId: values.baseId, id: values.id, title, mode: values.mode === 'append' ? 'append' : 'replace', mapping });
			if (!result.ok) {
				return fail(400, { msel: { problems: result.problems, preview: preview.ok ? preview.value : null, mapping, values } });
			}
		} catch (e) {
			return libraryFailure('mselImport', e, values);
		}
		redirect(303, `/scenarios/${encodeURIComponent(result.value.id)}?imported=msel`);
	}
};
