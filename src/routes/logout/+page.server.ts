import { redirect } from '@sveltejs/kit';
import { endSession } from '$server/auth/end-session';
import { SESSION_COOKIE } from '$server/auth/sessions';
import { appContext } from '$server/context';
import { isSecureRequest } from '$lib/server/http';
import type { Actions, PageServerLoad } from './$types';

/** Signing out is a POST only; opening the address just goes home. */
export const load: PageServerLoad = () => {
	redirect(303, '/');
};

export const actions: Actions = {
	default: async ({ locals, cookies, url }) => {
		if (locals.session) await endSession(await appContext(), locals.session);
		cookies.delete(SESSION_COOKIE, { path: '/', secure: isSecureRequest(url) });
		redirect(303, '/login');
	}
};
