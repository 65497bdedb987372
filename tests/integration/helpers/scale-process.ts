/**
 * One Drillboard serving process for the multi-process tests, the soak and the benchmarks: the real
 * wiring of server/index.ts (serveApp: collaboration, Redis relay, scheduler leadership, scheduler) on
 * a plain http server, minus SvelteKit's pages: the JSON API (`/api/v1/*`) goes to the same router the
 * SvelteKit catch-all route calls, with the session resolved from the headers as hooks.server.ts does.
 * Reads DATABASE_URL (else PGlite in DATA_DIR, default in memory), REDIS_URL, REDIS_PREFIX and PORT;
 * answers GET /healthz; prints `{"port":…}` once listening and every log line as `{"log":"…"}` on
 * stdout (errors with `"error":true`); SIGTERM stops it as server/index.ts does (pending updates stored).
 * MEMORY_SAMPLE_MS: also a `{"memory":{…}}` line that often (bench/lib/memory.ts, and the bytes queued
 * to collaboration sockets as `queuedMb`; the soak records them).
 * Run as `node --import tsx tests/integration/helpers/scale-process.ts`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { openDatabase } from '../../../db/client';
import { handleApi } from '../../../server/api/router';
import { apiUnavailable } from '../../../server/api/http';
import { sessionFromHeaders } from '../../../server/auth/resolve';
import { createLoginLimiters } from '../../../server/auth/rate-limit';
import { AppEvents } from '../../../server/context';
import { scaleConfigFromEnv, scaleConfigProblem } from '../../../server/scale';
import { handleHealth } from '../../../server/scale/health';
import { serveApp } from '../../../server/scale/serve';

const out = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
const text = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
const log = { info: (...a: unknown[]) => out({ log: text(a) }), warn: (...a: unknown[]) => out({ log: text(a) }), error: (...a: unknown[]) => out({ log: text(a), error: true }) };

const scale = { ...scaleConfigFromEnv(), leaderRetryMs: 300 };
const problem = scaleConfigProblem(scale);
if (problem) {
	process.stderr.write(`Drillboard cannot start: ${problem}\n`);
	process.exit(1);
}
const database = await openDatabase({ url: process.env.DATABASE_URL || undefined, dataDir: process.env.DATA_DIR || 'memory://', max: 5 });
const server = http.createServer();
const ctx = { database, limiters: createLoginLimiters(), seeded: false, events: new AppEvents() };
const app = await serveApp(server, ctx, { scale, log, schedulerIntervalMs: 200, collab: { unloadDelayMs: 60_000, loadTimeoutMs: 5000 } });

const API = '/api/v1/';
/** One API request through the router, as SvelteKit's catch-all route would pass it. */
async function api(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
	const url = new URL(req.url ?? '/', 'http://127.0.0.1');
	const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
	const request = new Request(url, {
		method: req.method,
		headers: Object.entries(req.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)] as [string, string]])),
		body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
		duplex: 'half'
	} as RequestInit);
	let response: Response;
	try {
		const session = await sessionFromHeaders(database.db, { authorization: req.headers.authorization, cookie: req.headers.cookie });
		response = await handleApi(ctx, { request, session, clientAddress: req.socket.remoteAddress ?? '', secureCookies: false }, url.pathname.slice(API.length));
	} catch (e) {
		response = apiUnavailable(e) ?? new Response(null, { status: 500 });
	}
	res.writeHead(response.status, Object.fromEntries(response.headers));
	res.end(Buffer.from(await response.arrayBuffer()));
}

server.on('request', (req, res) => {
	if (handleHealth(req, res, database.db, app.scale?.bus ?? null)) return;
	if (req.url?.startsWith(API)) return void api(req, res);
	res.writeHead(404).end();
});
if (Number(process.env.MEMORY_SAMPLE_MS) > 0) {
	const { memorySample } = await import('../../../bench/lib/memory');
	// With the bytes queued to slow sockets: array buffers held there look like growth in the figures.
	setInterval(() => out({ memory: { ...memorySample(), queuedMb: Math.round(app.collab.stats().queuedBytes / 1e5) / 10 } }), Number(process.env.MEMORY_SAMPLE_MS)).unref();
}
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => out({ port: (server.address() as AddressInfo).port }));
process.once('SIGTERM', async () => {
	server.close();
	await app.stop();
	server.closeAllConnections();
	await database.close();
	process.exit(0);
});
