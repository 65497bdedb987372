import { error, redirect, type Handle } from '@sveltejs/kit';
import { apiUnavailable } from '$server/api/http';
import { sessionFromHeaders } from '$server/auth/resolve';
import { appContext } from '$server/context';
import { DEFAULT_LOCALE, isLocale, LOCALE_COOKIE } from '$lib/i18n/locales';
import { isPublicPath, loginUrl } from '$lib/server/guard';

export { LOCALE_COOKIE };

export const handle: Handle = async ({ event, resolve }) => {
	const ctx = await appContext();
	try {
		event.locals.session = await sessionFromHeaders(ctx.database.db, {
			authorization: event.request.headers.get('authorization'),
			cookie: event.request.headers.get('cookie')
		});
	} catch (e) {
		// Database unreachable: the API answers with its JSON 503, pages with a 503 error page.
		const unavailable = apiUnavailable(e);
		if (!unavailable) throw e;
		if (event.url.pathname.startsWith('/api/')) return unavailable;
		error(503, 'The database is unreachable. Try again in a moment.');
	}
	// A signed-in user's saved language wins; before sign-in the cookie remembers the choice.
	const cookieLocale = event.cookies.get(LOCALE_COOKIE);
	const userLocale = event.locals.session?.user.locale;
	event.locals.locale = isLocale(userLocale) ? userLocale : isLocale(cookieLocale) ? cookieLocale : DEFAULT_LOCALE;
	// Every page (and its form actions and data requests) needs a session; SvelteKit turns this
	// redirect into the JSON form that `use:enhance` and client navigation expect.
	if (!event.locals.session && !isPublicPath(event.url.pathname)) redirect(303, loginUrl(event.url));
	return resolve(event, { transformPageChunk: ({ html }) => html.replace('%lang%', event.locals.locale) });
};
