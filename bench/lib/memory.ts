/**
 * Memory figures of this process, for the soak (sampled inside the serving process) and
 * bench/pglite-memory.ts: RSS, the V8 heap, external memory, and PGlite's WebAssembly memory as the
 * kernel sees it.
 */
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const MB = 1024 * 1024;
const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;

/**
 * Resident MB of the WebAssembly memories and how many there are: V8 maps each one as a read-write
 * region (its current size) directly followed by an inaccessible reservation of gigabytes (room to grow
 * and guard pages); nothing else in a Node process is laid out that way.
 */
export function wasmResident(): { rssMb: number; sizeMb: number; count: number; execAnonRssMb: number; otherAnonRssMb: number; fileRssMb: number } {
	const maps: { a: bigint; b: bigint; perms: string; file: boolean; rssKb: number }[] = [];
	for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
		const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ (\d+)\s*(.*)$/.exec(line);
		if (m) maps.push({ a: BigInt(`0x${m[1]}`), b: BigInt(`0x${m[2]}`), perms: m[3], file: m[4] !== '0' && m[5].startsWith('/'), rssKb: 0 });
		else if (line.startsWith('Rss:') && maps.length) maps[maps.length - 1].rssKb = Number(/\d+/.exec(line)![0]);
	}
	let kb = 0;
	let size = 0n;
	let count = 0;
	const wasm = new Set<number>();
	for (let i = 0; i + 1 < maps.length; i++) {
		const [m, next] = [maps[i], maps[i + 1]];
		if (m.perms.startsWith('rw') && next.a === m.b && next.perms.startsWith('---') && next.b - next.a > 1024n * BigInt(MB) && m.rssKb > 0) {
			kb += m.rssKb;
			size += m.b - m.a;
			count++;
			wasm.add(i);
		}
	}
	// The rest: anonymous executable mappings (JIT code: JavaScript and WebAssembly), other anonymous
	// memory (V8 heap, malloc), and file-backed pages (node's binary, shared libraries).
	let execKb = 0;
	let anonKb = 0;
	let fileKb = 0;
	maps.forEach((m, i) => {
		if (wasm.has(i)) return;
		if (m.file) fileKb += m.rssKb;
		else if (m.perms.includes('x')) execKb += m.rssKb;
		else anonKb += m.rssKb;
	});
	const toMb = (k: number) => Math.round(k / 102.4) / 10;
	return { rssMb: toMb(kb), sizeMb: mb(Number(size)), count, execAnonRssMb: toMb(execKb), otherAnonRssMb: toMb(anonKb), fileRssMb: toMb(fileKb) };
}

export interface MemorySample {
	rssMb: number;
	heapTotalMb: number;
	heapUsedMb: number;
	/** Includes WebAssembly memories. */
	externalMb: number;
	arrayBuffersMb: number;
	/** Parts of heapTotal: the young generation (both semi-spaces), old space, and large objects. */
	newSpaceMb: number;
	oldSpaceMb: number;
	largeObjectSpaceMb: number;
	wasmSizeMb: number;
	wasmRssMb: number;
	/** JIT code (JavaScript and WebAssembly tiers). */
	execAnonRssMb: number;
	otherAnonRssMb: number;
	fileRssMb: number;
}

export function memorySample(): MemorySample {
	const m = process.memoryUsage();
	const w = wasmResident();
	const spaces = getHeapSpaceStatistics();
	const space = (name: string) => mb(spaces.find((s) => s.space_name === name)?.space_size ?? 0);
	return {
		rssMb: mb(m.rss),
		heapTotalMb: mb(m.heapTotal),
		heapUsedMb: mb(m.heapUsed),
		externalMb: mb(m.external),
		arrayBuffersMb: mb(m.arrayBuffers),
		newSpaceMb: space('new_space'),
		oldSpaceMb: space('old_space'),
		largeObjectSpaceMb: space('large_object_space'),
		wasmSizeMb: w.sizeMb,
		wasmRssMb: w.rssMb,
		execAnonRssMb: w.execAnonRssMb,
		otherAnonRssMb: w.otherAnonRssMb,
		fileRssMb: w.fileRssMb
	};
}
