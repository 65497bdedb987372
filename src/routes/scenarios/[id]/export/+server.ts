import { appContext } from '$server/context';
import { getScenario } from '$server/scenarios';
import { orError } from '$lib/server/form-errors';
import { requireSession } from '$lib/server/guard';
import type { RequestHandler } from './$types';

/** Downloads a package as a JSON file (tab-indented like db/scenarios/); organisers only, as the library. */
export const GET: RequestHandler = async ({ locals, url, params }) => {
	const { user } = requireSession(locals, url);
	const db = (await appContext()).database.db;
	const pkg = await orError(getScenario(db, user, params.id));
	return new Response(`${JSON.stringify(pkg, null, '\t')}\n`, {
		headers: {
			'content-type': 'application/json; charset=utf-8',
			'content-disposition': `attachment; filename="${pkg.id}.json"`,
			'cache-control': 'no-store'
		}
	});
};
