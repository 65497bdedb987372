import { redirect } from '@sveltejs/kit';
import { appContext } from '$server/context';
import { setLocale } from '$server/users';
import { isLocale, LOCALE_COOKIE } from '$lib/i18n/locales';
import { formText } from '$lib/server/form-errors';
import { localPath } from '$lib/server/guard';
import { isSecureRequest } from '$lib/server/http';
import { localeCookieOptions } from '$lib/server/locale';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => {
	redirect(303, '/');
};

/** The language switch: saved to the account when signed in, and always to the cookie. */
export const actions: Actions = {
	default: async ({ request, locals, cookies, url }) => {
		const form = formText(await request.formData(), 'locale', 'redirectTo');
		if (isLocale(form.locale)) {
			if (locals.session) {
				const ctx = await appContext();
				await setLocale(ctx.database.db, locals.session.user.id, form.locale);
			}
			cookies.set(LOCALE_COOKIE, form.locale, localeCookieOptions(isSecureRequest(url)));
		}
		redirect(303, localPath(form.redirectTo, '/'));
	}
};
