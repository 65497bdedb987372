import { env } from '$env/dynamic/private';
import { appContext } from '$server/context';
import { accessExercise, listAgencies } from '$server/exercises';
import { boardLayersFor } from '$lib/board/layers';
import { primaryRole } from '$lib/board/presence';
import { playerAgencies } from '$lib/domain/roles';
import { orError } from '$lib/server/form-errors';
import { requireSession } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

/**
 * A deployment may replace the built-in offline demo-city basemap with its own MapLibre style
 * (served by its own tile server, or a style whose sources use `pmtiles://` archives next to the app):
 * BASEMAP_STYLE_URL=/basemap/style.json (same-origin path or full URL). Unset: the demo city.
 */
function basemapStyleUrl(): string | null {
	const v = env.BASEMAP_STYLE_URL?.trim();
	if (!v) return null;
	return v.startsWith('/') || /^https?:\/\//.test(v) ? v : null;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	const { user } = requireSession(locals, url);
	const db = (await appContext()).database.db;
	// Non-members get the same 404 as a missing exercise.
	const access = await orError(accessExercise(db, user, params.id));
	const agencies = (await listAgencies(db)).map(({ code, nameZh, nameEn, color }) => ({ code, nameZh, nameEn, color }));
	const { id, title } = access.exercise;
	return {
		exercise: { id, title, status: access.status },
		agencies,
		/** One layer per document, with whether this person may write it now (the server checks every write). */
		layers: boardLayersFor(id, agencies, access.memberships, access.status),
		me: {
			id: user.id,
			name: user.displayName,
			role: primaryRole(access.memberships.map((m) => m.role)),
			// Presence groups people by the agency they play for here; control roles have none.
			agency: playerAgencies(access.memberships)[0] ?? null
		},
		/** Every role held here (the inbox filters injects and offers 签收 from these; the server re-checks). */
		memberships: access.memberships.map(({ role, agencyCode }) => ({ role, agencyCode })),
		basemapStyleUrl: basemapStyleUrl()
	};
};
