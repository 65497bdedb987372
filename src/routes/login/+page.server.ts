import { redirect } from '@sveltejs/kit';
import { endSession } from '$server/auth/end-session';
import { SESSION_COOKIE, sessionCookieOptions } from '$server/auth/sessions';
import { appContext } from '$server/context';
import { login } from '$server/users';
import { isLocale, LOCALE_COOKIE } from '$lib/i18n/locales';
import { failFrom, formText } from '$lib/server/form-errors';
import { safeNext } from '$lib/server/guard';
import { isSecureRequest } from '$lib/server/http';
import { localeCookieOptions } from '$lib/server/locale';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	const next = url.searchParams.get('next');
	if (locals.session) redirect(303, safeNext(next));
	return { next: next ?? '' };
};

export const actions: Actions = {
	default: async (event) => {
		const form = formText(await event.request.formData(), 'username', 'password', 'next');
		const ctx = await appContext();
		const db = ctx.database.db;
		let token: string;
		let locale: string;
		try {
			({ token, locale } = await login(db, ctx.limiters, { username: form.username, password: form.password }, event.getClientAddress()));
		} catch (e) {
			return failFrom(e, 'login', { username: form.username });
		}
		// Never keep a session that arrived with the sign-in (fixation): the new token replaces it.
		if (event.locals.session) await endSession(ctx, event.locals.session);
		const secure = isSecureRequest(event.url);
		event.cookies.set(SESSION_COOKIE, token, sessionCookieOptions(secure));
		// The account's saved language wins from now on; mirror it so the sign-in page matches later.
		if (isLocale(locale)) event.cookies.set(LOCALE_COOKIE, locale, localeCookieOptions(secure));
		redirect(303, safeNext(form.next));
	}
};
