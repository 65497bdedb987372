import type { Handle } from '@sveltejs/kit';
import { sessionFromHeaders } from '$server/auth/resolve';
import { appContext } from '$server/context';
import { DEFAULT_LOCALE, isLocale } from '$lib/i18n/locales';

export const LOCALE_COOKIE = 'drillboard_locale';

export const handle: Handle = async ({ event, resolve }) => {
	const ctx = await appContext();
	event.locals.session = await sessionFromHeaders(ctx.database.db, {
		authorization: event.request.headers.get('authorization'),
		cookie: event.request.headers.get('cookie')
	});
	// A signed-in user's saved language wins; before sign-in the cookie remembers the choice.
	const cookieLocale = event.cookies.get(LOCALE_COOKIE);
	const userLocale = event.locals.session?.user.locale;
	event.locals.locale = isLocale(userLocale) ? userLocale : isLocale(cookieLocale) ? cookieLocale : DEFAULT_LOCALE;
	return resolve(event, { transformPageChunk: ({ html }) => html.replace('%lang%', event.locals.locale) });
};
