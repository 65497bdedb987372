import http from 'node:http';
import { configFromEnv, createContext, installContext } from './context';
import { attachCollab } from './collab';
import { ClockCache } from './clock-cache';
import { startServices } from './services';
import { DEMO_ACCOUNTS } from '../db/seed';

/** Production entry: one port serves SvelteKit (adapter-node handler) and the collaboration WebSocket. */
const started = performance.now();
const config = configFromEnv();
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

const server = http.createServer((req, res) => {
	if (!trustProxy) req.headers[protoHeader] = 'http';
	handler(req, res);
});
// Collaboration WebSocket on the same port; nothing else here upgrades, so other paths are refused.
const clocks = new ClockCache();
const collab = attachCollab(server, ctx, {
	rejectOtherUpgrades: true,
	allowedOrigins: process.env.ORIGIN ? [process.env.ORIGIN] : [],
	scenarioTime: clocks.scenarioTime
});
const scheduler = await startServices(ctx, collab, clocks);
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';
server.listen(port, host, () => {
	const where = ctx.database.kind === 'pglite' ? `PGlite at ${config.dataDir}` : 'PostgreSQL';
	console.log(`Drillboard listening on http://localhost:${port} (${where}), ready in ${Math.round(performance.now() - started)} ms`);
	if (ctx.seeded) console.log('Seeded the demo exercise "Demo".');
	console.log(`Demo accounts (password ${process.env.DEMO_PASSWORD ? 'from DEMO_PASSWORD' : '"drillboard"'}): ${DEMO_ACCOUNTS.map((a) => a.username).join(', ')}`);
});

let stopping = false;
async function shutdown(signal: string) {
	if (stopping) return;
	stopping = true;
	console.log(`${signal}: shutting down`);
	server.close();
	await scheduler.stop();
	await collab.close(); // stores pending document updates before the database closes
	server.closeAllConnections();
	await ctx.database.close();
	process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
