import http from 'node:http';
import { configFromEnv, createContext, installContext } from './context';
import { scaleConfigFromEnv, scaleConfigProblem } from './scale';
import { handleHealth } from './scale/health';
import { serveApp } from './scale/serve';
import { DEMO_ACCOUNTS } from '../db/seed';
import { followLauncher } from '../scripts/serving-process.mjs';

/** Production entry: one port serves SvelteKit (adapter-node handler) and the collaboration WebSocket. */
const started = performance.now();
const config = configFromEnv();
const scaleConfig = scaleConfigFromEnv();
const scaleProblem = scaleConfigProblem(scaleConfig);
if (scaleProblem) {
	// Refuse before opening anything (several processes cannot share PGlite).
	console.error(`Drillboard cannot start: ${scaleProblem}`);
	process.exit(1);
}
const ctx = await createContext(config);
installContext(ctx);
// SvelteKit's build sits next to this bundle (`<dir>` beside `<dir>-server`), built by `vite build`.
const handlerPath = `../${process.env.BUILD_DIR ?? 'build'}/handler.js`;

// adapter-node assumes https unless told the protocol; we serve plain HTTP ourselves, so say so
// through a header only this process sets (a client-sent value is overwritten).
const protoHeader = 'x-drillboard-proto';
const trustProxy = Boolean(process.env.ORIGIN || process.env.PROTOCOL_HEADER);
if (!trustProxy) process.env.PROTOCOL_HEADER = protoHeader;
const { handler } = await import(/* @vite-ignore */ handlerPath);

const server = http.createServer();
// Collaboration WebSocket on the same port; nothing else here upgrades, so other paths are refused.
// With REDIS_URL (and DATABASE_URL) this is one of several processes: see server/scale.
const app = await serveApp(server, ctx, {
	scale: scaleConfig,
	collab: { rejectOtherUpgrades: true, allowedOrigins: process.env.ORIGIN ? [process.env.ORIGIN] : [] }
});
server.on('request', (req, res) => {
	// Load balancers probe this: 503 while the database (or, with several processes, Redis) is unreachable.
	if (handleHealth(req, res, ctx.database.db, app.scale?.bus ?? null)) return;
	if (!trustProxy) req.headers[protoHeader] = 'http';
	handler(req, res);
});
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';
server.listen(port, host, () => {
	const where = (ctx.database.kind === 'pglite' ? `PGlite at ${config.dataDir}` : 'PostgreSQL') + (app.scale ? `, multi-process via Redis as ${app.scale.bus.processId}` : '');
	console.log(`Drillboard listening on http://localhost:${port} (${where}), ready in ${Math.round(performance.now() - started)} ms`);
	if (ctx.seeded) console.log('Seeded the demo exercise "Demo".');
	console.log(`Demo accounts (password ${process.env.DEMO_PASSWORD ? 'from DEMO_PASSWORD' : '"drillboard"'}): ${DEMO_ACCOUNTS.map((a) => a.username).join(', ')}`);
});

let stopping = false;
async function shutdown(reason: string) {
	if (stopping) return;
	stopping = true;
	console.log(`${reason}: shutting down`);
	server.close();
	await app.stop(); // scheduler, then collaboration (stores pending document updates), then Redis and the leader lock
	server.closeAllConnections();
	await ctx.database.close();
	process.exit(0);
}
followLauncher(shutdown);
