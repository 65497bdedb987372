/**
 * A collab server in a process of its own, for the crash test: opens the database named by
 * COLLAB_TEST_DB (JSON DatabaseOptions), attaches collab to a plain http server on a free port and
 * prints `{"port":…}` on stdout. Run as `node --import tsx tests/integration/helpers/collab-process.ts`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openDatabase } from '../../../db/client';
import { createLoginLimiters } from '../../../server/auth/rate-limit';
import { attachCollab } from '../../../server/collab';
import { AppEvents } from '../../../server/context';

const database = await openDatabase(JSON.parse(process.env.COLLAB_TEST_DB ?? '{}'));
const server = http.createServer((_req, res) => res.writeHead(404).end());
attachCollab(server, { database, limiters: createLoginLimiters(), seeded: false, events: new AppEvents() }, { unloadDelayMs: 60_000 });
server.listen(0, '127.0.0.1', () => {
	process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
