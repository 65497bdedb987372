import type { Locale } from './locales';

/** One area's strings in every locale; a test checks both locales have the same keys. */
export type Catalog = Record<Locale, Record<string, string>>;
