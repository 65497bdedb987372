/**
 * One Drillboard serving process for the multi-process tests: the real wiring of server/index.ts
 * (serveApp: collaboration, Redis relay, scheduler leadership, scheduler) on a plain http server, minus
 * SvelteKit. Reads DATABASE_URL, REDIS_URL, REDIS_PREFIX and PORT; answers GET /healthz; prints `{"port":…}` once listening
 * and every log line as `{"log":"…"}` on stdout. Run as `node --import tsx tests/integration/helpers/scale-process.ts`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openDatabase } from '../../../db/client';
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
const database = await openDatabase({ url: process.env.DATABASE_URL, dataDir: 'memory://', max: 5 });
const server = http.createServer();
const ctx = { database, limiters: createLoginLimiters(), seeded: false, events: new AppEvents() };
const app = await serveApp(server, ctx, { scale, log, schedulerIntervalMs: 200, collab: { unloadDelayMs: 60_000, loadTimeoutMs: 5000 } });
server.on('request', (req, res) => {
	if (!handleHealth(req, res, database.db, app.scale?.bus ?? null)) res.writeHead(404).end();
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => out({ port: (server.address() as AddressInfo).port }));
