export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export function isLocale(v: unknown): v is Locale {
	return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

/** Remembers the language before sign-in (and mirrors the signed-in user's choice). */
export const LOCALE_COOKIE = 'drillboard_locale';
