/** Small shared pieces of the collaboration benchmark: clock, seeded random, statistics, doc layout. */
import * as Y from 'yjs';

/** Wall-clock milliseconds with sub-millisecond resolution; comparable across worker threads of one process. */
export const now = (): number => performance.timeOrigin + performance.now();

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** mulberry32: a small deterministic PRNG so runs pick the same writers and features. */
export function rng(seed: number): () => number {
	let s = seed | 0;
	return () => {
		s = (s + 0x6d2b79f5) | 0;
		let t = Math.imul(s ^ (s >>> 15), 1 | s);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export interface Summary {
	n: number;
	p50: number;
	p90: number;
	p99: number;
	max: number;
	mean: number;
}

/** Nearest-rank percentiles over a copy of the samples (milliseconds, rounded to 0.01). */
export function summarize(samples: ArrayLike<number>): Summary {
	const n = samples.length;
	if (n === 0) return { n: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
	const a = Float64Array.from(samples).sort();
	const at = (p: number) => a[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))];
	let sum = 0;
	for (let i = 0; i < n; i++) sum += a[i];
	const r = (x: number) => Math.round(x * 100) / 100;
	return { n, p50: r(at(50)), p90: r(at(90)), p99: r(at(99)), max: r(a[n - 1]), mean: r(sum / n) };
}

/** The agencies whose layers make up the exercise's agency documents (matches db/seed.ts). */
export const AGENCY_CODES = ['em', 'fire', 'police', 'health', 'transport', 'water'] as const;

/** Document names as the collab server addresses them: `/collab/<doc name>`. */
export function exerciseDocs(exerciseId: string) {
	return {
		common: `exercise/${exerciseId}/common`,
		agency: (code: string) => `exercise/${exerciseId}/agency/${code}`,
		control: `exercise/${exerciseId}/control`,
		/** common + the six agency documents, in that order. */
		all: [`exercise/${exerciseId}/common`, ...AGENCY_CODES.map((c) => `exercise/${exerciseId}/agency/${c}`)]
	};
}

/** An edit's value: the sender's timestamp and index, read back by receivers for latency, and the run's edit number (soak: which write of a key is the last). */
export interface EditValue {
	t: number;
	c: number;
	n?: number;
}

/**
 * The board's awareness state (src/lib/board/presence.ts): `{ user, pointer: [lng, lat] | null, at }`;
 * `at` is stamped when the pointer moves, so receivers can time it.
 */
export interface PresenceUser {
	id: string;
	name: string;
	role: 'player' | 'commander' | 'facilitator';
	agency: string | null;
}

export interface PointerFields {
	pointer: [number, number];
	at: number;
}

export function presenceUser(idx: number, userId: string, agency: string | null): PresenceUser {
	return { id: userId, name: `Bench ${idx}`, role: 'player', agency };
}

/**
 * A board feature for the join storm. 'json': a compact plain-JSON value per feature (≈ 145 B, so
 * 10 000 features ≈ 1.4 MB, the size the targets were set for). 'ymap': the board's real shape
 * (src/lib/board/features.ts: one Y.Map of ten fields per feature, ≈ 450 B each, 10 000 ≈ 4.5 MB).
 */
export function makeFeature(i: number, rand: () => number, shape: 'json' | 'ymap') {
	const lng = +(121.4 + rand() * 0.2).toFixed(6);
	const lat = +(31.2 + rand() * 0.2).toFixed(6);
	const line = i % 5 === 0;
	const geometry = line
		? { type: 'LineString', coordinates: [[lng, lat], [+(lng + 0.001).toFixed(6), +(lat + 0.001).toFixed(6)], [+(lng + 0.002).toFixed(6), lat]] }
		: { type: 'Point', coordinates: [lng, lat] };
	const hex = () => Math.floor(rand() * 2 ** 32).toString(16).padStart(8, '0');
	if (shape === 'json') {
		const kinds = ['unit', 'hazard', 'route', 'area', 'note'];
		return { id: `f-${i.toString(36).padStart(4, '0')}-${hex()}`, value: { geometry, properties: { kind: kinds[i % 5], agency: AGENCY_CODES[i % 6], label: `U${i}` } } as unknown };
	}
	const actor = { id: '00000000-0000-4000-8000-00000000beef', name: '消防 刘强' };
	const t = 1_760_000_000_000 + i * 1000;
	const value = new Y.Map<unknown>([
		['kind', line ? 'route' : 'unit'],
		['geometry', geometry],
		['label', `U${i}`],
		['notes', ''],
		['status', 'active'],
		['agency', AGENCY_CODES[i % 6]],
		['createdBy', actor],
		['createdAt', t],
		['updatedBy', actor],
		['updatedAt', t]
	]);
	return { id: `f${hex()}${hex()}${hex()}`, value: value as unknown };
}

export const toB64 = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
export const fromB64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
