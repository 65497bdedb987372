/**
 * Search of board features (and basemap places) by label. Case-, width- and space-insensitive
 * (NFKC, so full-width ＡＢＣ matches ABC); exact matches first, then prefixes, word starts, substrings.
 */

export interface SearchItem {
	/** Unique within its source. */
	id: string;
	/** Primary label (what the user typed). */
	label: string;
	/** Other names that also match (e.g. the English name of a place). */
	aliases?: readonly string[];
}

export interface SearchHit<T extends SearchItem> {
	item: T;
	score: number;
	/** The name that matched. */
	matched: string;
}

export function normalizeLabel(s: string): string {
	return s.normalize('NFKC').toLocaleLowerCase('en-US').replace(/\s+/gu, ' ').trim();
}

function scoreName(name: string, q: string): number {
	const n = normalizeLabel(name);
	if (!n) return -1;
	if (n === q) return 0;
	if (n.startsWith(q)) return 1;
	if (n.split(/[\s\-_/·,，、()（）]+/u).some((w) => w.startsWith(q))) return 2;
	if (n.includes(q)) return 3;
	return -1;
}

/** Items whose label or alias contains the query, best first; empty query gives nothing. */
export function searchByLabel<T extends SearchItem>(items: Iterable<T>, query: string, limit = 20): SearchHit<T>[] {
	const q = normalizeLabel(query);
	if (!q) return [];
	const hits: SearchHit<T>[] = [];
	for (const item of items) {
		let best: SearchHit<T> | null = null;
		for (const name of [item.label, ...(item.aliases ?? [])]) {
			const s = scoreName(name, q);
			if (s >= 0 && (!best || s < best.score)) best = { item, score: s, matched: name };
		}
		if (best) hits.push(best);
	}
	hits.sort((a, b) => a.score - b.score || a.matched.length - b.matched.length || a.matched.localeCompare(b.matched));
	return hits.slice(0, limit);
}
