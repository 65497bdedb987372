// `npm start`: build if needed, then run the production server as a child process started with the
// serving flags and environment (scripts/serving-process.mjs; MALLOC_ARENA_MAX has to be there before the
// process starts, so this process cannot apply it to itself). `node scripts/start.mjs <entry>` starts
// another entry the same way and leaves building to the caller (the browser tests' server).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { SERVER_NODE_FLAGS, servingEnv } from './serving-process.mjs';

const given = process.argv[2];
if (!given) await import('./ensure-build.mjs');
const entry = given ?? `${process.env.BUILD_DIR ?? 'build'}-server/index.js`;

const server = spawn(process.execPath, [...SERVER_NODE_FLAGS, resolve(entry)], {
	env: servingEnv(process.env),
	// The IPC channel tells the server when this process is gone (followLauncher).
	stdio: ['inherit', 'inherit', 'inherit', 'ipc']
});
// A supervisor's signal reaches only this process; a terminal's Ctrl-C reaches both, and the server
// shuts down once either way.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => server.kill(signal));
server.on('error', (e) => {
	console.error(`Drillboard could not start its server process: ${e.message}`);
	process.exit(1);
});
server.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
