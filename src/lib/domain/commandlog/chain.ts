import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { canonicalJson } from './canonical';
import type { EntryContent, LogEntry } from './entry';

/** The previous hash of the first entry of every exercise. */
export const GENESIS_HASH = '0'.repeat(64);

export function entryHash(content: EntryContent): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(canonicalJson(content))));
}

export function sealEntry(content: EntryContent): LogEntry {
	return { ...content, hash: entryHash(content) };
}

export type ChainVerdict = { ok: true; count: number; head: string } | { ok: false; brokenSeq: number; reason: string; count: number };

/**
 * Re-walks the chain in sequence order: numbers must run 1, 2, 3…, each entry must name its
 * predecessor's hash and hash to its own stored value. Names the first sequence number that fails.
 */
export function verifyChain(entries: readonly LogEntry[]): ChainVerdict {
	let prev = GENESIS_HASH;
	for (let i = 0; i < entries.length; i++) {
		const e = entries[i];
		const expectedSeq = i + 1;
		const fail = (reason: string): ChainVerdict => ({ ok: false, brokenSeq: expectedSeq, reason, count: entries.length });
		if (e.seq !== expectedSeq) return fail(`expected sequence ${expectedSeq}, found ${e.seq}`);
		if (e.prevHash !== prev) return fail('does not link to the previous entry');
		const { hash, ...content } = e;
		if (entryHash(content) !== hash) return fail('content does not match its hash');
		prev = hash;
	}
	return { ok: true, count: entries.length, head: prev };
}
