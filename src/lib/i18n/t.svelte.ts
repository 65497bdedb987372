import { page } from '$app/state';
import { DEFAULT_LOCALE, isLocale } from './locales';
import { translator } from './index';

/** The current page's translator; reading `i18n.t` inside markup re-renders on a language switch. */
export const i18n = {
	get locale() {
		const l = page.data?.locale;
		return isLocale(l) ? l : DEFAULT_LOCALE;
	},
	get t() {
		return translator(this.locale);
	}
};
