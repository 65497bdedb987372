import admin from './catalog/admin';
import auth from './catalog/auth';
import board from './catalog/board';
import common from './catalog/common';
import consoleCatalog from './catalog/console';
import domain from './catalog/domain';
import exercises from './catalog/exercises';
import inbox from './catalog/inbox';
import scenarios from './catalog/scenarios';
import log from './catalog/log';
import review from './catalog/review';
import tasks from './catalog/tasks';
import { DEFAULT_LOCALE, type Locale } from './locales';
import type { Catalog } from './types';

/** Every catalog area. Add a file under catalog/ and list it here. */
export const CATALOGS: Record<string, Catalog> = { common, domain, auth, exercises, admin, board, review, log, tasks, console: consoleCatalog, scenarios, inbox };

const merged: Record<Locale, Record<string, string>> = { 'zh-CN': {}, en: {} };
for (const catalog of Object.values(CATALOGS)) {
	for (const locale of Object.keys(merged) as Locale[]) Object.assign(merged[locale], catalog[locale]);
}

export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** `{name}` placeholders are replaced from params; a missing key shows itself so it is noticed. */
export function translator(locale: Locale): Translate {
	const table = merged[locale] ?? merged[DEFAULT_LOCALE];
	return (key, params) => {
		const text = table[key] ?? key;
		return params ? text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m)) : text;
	};
}

export function messageKeys(locale: Locale): string[] {
	return Object.keys(merged[locale]);
}
