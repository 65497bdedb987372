import { appContext } from '$server/context';
import { trackingPage } from '$server/review/views';
import { orError } from '$lib/server/form-errors';
import { requireSession } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

/**
 * Rectification tracking (成果转化) across exercises: organisers and administrators see every item;
 * others see the items of exercises they review (facilitator, commander, evaluator).
 */
export const load: PageServerLoad = async ({ locals, url }) => {
	const { user } = requireSession(locals, url);
	const db = (await appContext()).database.db;
	const filters = Object.fromEntries(url.searchParams);
	return { filters, today: new Date().toISOString().slice(0, 10), ...(await orError(trackingPage(db, user, filters))) };
};
