import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXERCISE_STATUSES, allowedTransitions } from '../../src/lib/domain/lifecycle';
import { EXERCISE_ROLES, SYSTEM_ROLES } from '../../src/lib/domain/roles';
import { FIELD_MESSAGE_KEYS, PROBLEM_MESSAGE_KEYS, fieldMessage } from '../../src/lib/i18n/errors';
import { CATALOGS, messageKeys, translator } from '../../src/lib/i18n/index';
import { LOCALES } from '../../src/lib/i18n/locales';

const ROOT = join(import.meta.dirname, '..', '..');
const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

describe('i18n catalogs', () => {
	it('has at least one catalog per area and registers the foundation areas', () => {
		for (const area of ['common', 'domain', 'auth', 'exercises', 'admin']) expect(CATALOGS, area).toHaveProperty(area);
	});

	for (const [area, catalog] of Object.entries(CATALOGS)) {
		describe(area, () => {
			it('has every key in every language', () => {
				const all = new Set(LOCALES.flatMap((l) => Object.keys(catalog[l] ?? {})));
				for (const locale of LOCALES) {
					const missing = [...all].filter((k) => !(k in (catalog[locale] ?? {})));
					expect(missing, `${area}: keys missing in ${locale}`).toEqual([]);
				}
			});

			it('has no empty values', () => {
				for (const locale of LOCALES) {
					const empty = Object.entries(catalog[locale] ?? {})
						.filter(([, v]) => typeof v !== 'string' || v.trim() === '')
						.map(([k]) => k);
					expect(empty, `${area}: empty values in ${locale}`).toEqual([]);
				}
			});

			it('uses the same {placeholders} in every language', () => {
				const [first, ...rest] = LOCALES;
				const differing: string[] = [];
				for (const [key, text] of Object.entries(catalog[first] ?? {})) {
					for (const other of rest) {
						const theirs = catalog[other]?.[key];
						if (theirs !== undefined && placeholders(text).join() !== placeholders(theirs).join()) {
							differing.push(`${key}: ${first} {${placeholders(text)}} vs ${other} {${placeholders(theirs)}}`);
						}
					}
				}
				expect(differing, `${area}: placeholder sets differ`).toEqual([]);
			});
		});
	}

	it('does not define one key in two areas (a later area would silently win)', () => {
		const seen = new Map<string, string>();
		const duplicates: string[] = [];
		for (const [area, catalog] of Object.entries(CATALOGS)) {
			for (const key of Object.keys(catalog[LOCALES[0]] ?? {})) {
				if (seen.has(key)) duplicates.push(`${key} (${seen.get(key)} and ${area})`);
				else seen.set(key, area);
			}
		}
		expect(duplicates).toEqual([]);
	});
});

describe('domain names', () => {
	const keys = new Set(messageKeys('zh-CN'));
	it('names every exercise role, status, system role and lifecycle transition', () => {
		const wanted = [
			...EXERCISE_ROLES.map((r) => `role.${r}`),
			...EXERCISE_STATUSES.map((s) => `status.${s}`),
			...SYSTEM_ROLES.map((r) => `systemRole.${r}`),
			...EXERCISE_STATUSES.flatMap((from) => allowedTransitions(from).map((to) => `transition.${from}.${to}`)),
			...LOCALES.map((l) => `locale.${l}`),
			...FIELD_MESSAGE_KEYS,
			...PROBLEM_MESSAGE_KEYS
		];
		expect(wanted.filter((k) => !keys.has(k))).toEqual([]);
	});

	it('uses the agreed Chinese role and status names', () => {
		const t = translator('zh-CN');
		expect(EXERCISE_ROLES.map((r) => t(`role.${r}`))).toEqual(['导调', '总指挥', '参演', '评估', '观摩']);
		expect(EXERCISE_STATUSES.map((s) => t(`status.${s}`))).toEqual(['草稿', '简报', '进行中', '已暂停', '已结束', '已复盘']);
	});

	it('translates known server validation messages and fills their numbers', () => {
		const zh = translator('zh-CN');
		expect(fieldMessage(zh, 'zh-CN', 'At least 8 characters.')).toBe('至少 8 个字符。');
		expect(fieldMessage(zh, 'zh-CN', 'Something new.')).toBe(zh('field.invalid'));
		expect(fieldMessage(translator('en'), 'en', 'Something new.')).toBe('Something new.');
	});
});

/** All .svelte files under src/. */
function svelteFiles(dir: string): string[] {
	return readdirSync(dir, { recursive: true, withFileTypes: true })
		.filter((d) => d.isFile() && d.name.endsWith('.svelte'))
		.map((d) => join(d.parentPath, d.name));
}

/** The first argument of every `i18n.t(` call: its quoted keys, and the static prefix of template keys. */
function usedKeys(source: string): { keys: string[]; prefixes: string[] } {
	const keys: string[] = [];
	const prefixes: string[] = [];
	for (const m of source.matchAll(/\bi18n\.t\(/g)) {
		// Read up to the first top-level `,` or `)` of the call.
		let depth = 0;
		let quote = '';
		let end = m.index + m[0].length;
		for (; end < source.length; end++) {
			const c = source[end];
			if (quote) {
				if (c === '\\') end++;
				else if (c === quote) quote = '';
			} else if (c === "'" || c === '"' || c === '`') quote = c;
			else if (c === '(' || c === '{' || c === '[') depth++;
			else if (c === ')' || c === '}' || c === ']') {
				if (depth === 0) break;
				depth--;
			} else if (c === ',' && depth === 0) break;
		}
		const arg = source.slice(m.index + m[0].length, end);
		for (const q of arg.matchAll(/'([^'\\]+)'|"([^"\\]+)"/g)) {
			const text = q[1] ?? q[2];
			if (/^[a-zA-Z][\w-]*(\.[\w-]+)+$/.test(text)) keys.push(text);
		}
		for (const tpl of arg.matchAll(/`([^`$]*)\$\{/g)) if (tpl[1]) prefixes.push(tpl[1]);
	}
	return { keys, prefixes };
}

describe('keys used in components', () => {
	const files = svelteFiles(join(ROOT, 'src'));
	const known = new Set(messageKeys('zh-CN'));

	it('finds the components to scan', () => {
		expect(files.length).toBeGreaterThan(5);
	});

	it('every i18n.t(\'…\') key exists in the catalogs', () => {
		const missing: string[] = [];
		for (const file of files) {
			const { keys, prefixes } = usedKeys(readFileSync(file, 'utf8'));
			for (const k of keys) if (!known.has(k)) missing.push(`${relative(ROOT, file)}: ${k}`);
			for (const p of prefixes) if (![...known].some((k) => k.startsWith(p))) missing.push(`${relative(ROOT, file)}: ${p}…`);
		}
		expect(missing).toEqual([]);
	});

	it('the scanner sees literal, conditional and template keys', () => {
		const found = usedKeys("{i18n.t('a.b', { n: 1 })} {i18n.t(x ? 'c.d' : 'e.f')} {i18n.t(`status.${s}`)}");
		expect(found.keys).toEqual(['a.b', 'c.d', 'e.f']);
		expect(found.prefixes).toEqual(['status.']);
	});
});
