import { parseScenarioTime } from '../clock';
import type { RandomInject } from './schema';

/**
 * Seeded randomness for unannounced injects (不打招呼、随机出题). The seed is stored with the exercise, so
 * the review re-draws exactly what was delivered.
 */

/** 32-bit FNV-1a of the seed text: a stable numeric seed from any string. */
function hashSeed(seed: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < seed.length; i++) {
		h ^= seed.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

/** mulberry32: small, fast, good enough for drawing exercise events (not for secrets). */
export function seededRandom(seed: string): () => number {
	let a = hashSeed(seed);
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export interface RandomDraw {
	injectId: string;
	/** Scenario ms, whole minutes, inside the inject's window. */
	atMs: number;
}

/**
 * Draws `count` distinct injects from the pool (all when count ≥ pool size), each at a whole minute
 * inside its window, sorted by time. The same pool, seed and count always give the same draw.
 */
export function drawRandomInjects(pool: readonly RandomInject[], seed: string, count: number): RandomDraw[] {
	const rand = seededRandom(seed);
	const order = pool.map((_, i) => i);
	// Fisher–Yates, driven by the seeded generator.
	for (let i = order.length - 1; i > 0; i--) {
		const j = Math.floor(rand() * (i + 1));
		[order[i], order[j]] = [order[j], order[i]];
	}
	const picked = order.slice(0, Math.max(0, Math.min(count, pool.length)));
	return picked
		.map((i) => {
			const r = pool[i];
			const from = Math.ceil((parseScenarioTime(r.window.from) ?? 0) / 60_000);
			const to = Math.floor((parseScenarioTime(r.window.to) ?? 0) / 60_000);
			const minute = from + Math.floor(rand() * (Math.max(from, to) - from + 1));
			return { injectId: r.id, atMs: minute * 60_000 };
		})
		.sort((a, b) => a.atMs - b.atMs || a.injectId.localeCompare(b.injectId));
}

/** A fresh seed for a new exercise. */
export function newSeed(): string {
	const b = new Uint8Array(8);
	crypto.getRandomValues(b);
	return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
