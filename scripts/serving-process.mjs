// How every serving process is started: `npm start` (scripts/start.mjs), the browser tests' server, the
// soak's and the benchmarks' servers. One place, so what is measured is what ships.

// V8 flags.
//
// --max-semi-space-size=32 (MB; Node 20's default is 16): the collaboration server makes a buffer or two
// per message, and with the default young generation those still held after two scavenges (waiting for
// a commit or a socket write) were promoted. Their backing stores then piled up to ≈ 60 MB between full
// collections, and the C allocator kept that peak: +17.8 % RSS over the 20-minute soak. With 32 MB they
// die young (bench/README.md, "Soak").
//
// --heap-growing-percent=30: after each full collection V8 lets the old generation grow to a multiple
// of what survived, chosen from its GC and allocation speeds (up to 4×). Late in the 20-minute soaks it
// chose a large one, and the heap and the buffers it held climbed 50–100 MB before the next full
// collection: a saw-tooth, not a leak, but it is resident memory all the same. A fixed 1.3 keeps the
// tooth small for the price of more frequent (concurrent) full collections of a 60–70 MB live heap
// (the join storm's event-loop delay varied as much between runs as with and without it).
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=32', '--heap-growing-percent=30'];

// Environment defaults; a value the operator sets wins.
//
// MALLOC_ARENA_MAX=2: glibc gives each thread that allocates concurrently its own arena, up to 8 per
// core, and freed memory fragments in each. Node's GC helper and libuv threads allocate, and on
// PostgreSQL (where the server's memory is the C heap, not PGlite's WebAssembly heap) the 20-minute
// soak grew 12–13 % with the default and 9.4–9.9 % in three runs with two arenas (bench/README.md,
// "Soak"). glibc reads it once, before the process's first allocation, so it cannot be set from
// inside: the process must be started with it. Other C libraries ignore it.
export const SERVER_ENV = { MALLOC_ARENA_MAX: '2' };

/**
 * The environment to start a serving process with: `env`, plus SERVER_ENV where `env` sets nothing.
 * @param {Record<string, string | undefined>} env
 * @returns {Record<string, string | undefined>}
 */
export function servingEnv(env) {
	const out = { ...env };
	for (const [name, value] of Object.entries(SERVER_ENV)) if (out[name] === undefined || out[name] === '') out[name] = value;
	return out;
}

/**
 * In a process started by scripts/start.mjs: runs `shutdown` on SIGINT or SIGTERM, and also when the
 * launcher is gone (its IPC channel closes even when it was killed with SIGKILL), so the server never
 * outlives it holding the port and the database.
 * @param {(reason: string) => unknown} shutdown
 */
export function followLauncher(shutdown) {
	process.on('SIGINT', () => shutdown('SIGINT'));
	process.on('SIGTERM', () => shutdown('SIGTERM'));
	if (!process.channel) return;
	process.channel.unref(); // the channel alone must not keep the process alive
	process.on('disconnect', () => shutdown('launcher exited'));
}
