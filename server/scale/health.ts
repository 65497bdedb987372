/**
 * `GET /healthz`: whether this process can do its job now. 200 `{"status":"ok",…}` or 503
 * `{"status":"degraded",…}` naming what is down: the database (writes are refused: document updates
 * close their room with 1011, API writes fail) or, in multi-process mode, Redis (this process still
 * serves its own clients and reads other processes' changes from the database, about once a second).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import type { DocBus } from '../collab/bus';

export const HEALTH_PATH = '/healthz';

export interface Health {
	status: 'ok' | 'degraded';
	database: 'ok' | 'unreachable';
	redis: 'ok' | 'unreachable' | 'not used';
}

export async function checkHealth(db: Db, bus: DocBus | null, timeoutMs = 1500): Promise<Health> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const database = await Promise.race([
		db.execute(sql`select 1`).then(
			() => 'ok' as const,
			() => 'unreachable' as const
		),
		new Promise<'unreachable'>((resolve) => (timer = setTimeout(() => resolve('unreachable'), timeoutMs)))
	]);
	clearTimeout(timer);
	const redis = bus ? (bus.connected() ? 'ok' : 'unreachable') : 'not used';
	return { status: database === 'ok' && redis !== 'unreachable' ? 'ok' : 'degraded', database, redis };
}

/** Answers `GET /healthz` and returns true; leaves any other request alone. */
export function handleHealth(req: IncomingMessage, res: ServerResponse, db: Db, bus: DocBus | null): boolean {
	if (req.method !== 'GET' || req.url?.split('?')[0] !== HEALTH_PATH) return false;
	void checkHealth(db, bus).then((h) => {
		res.writeHead(h.status === 'ok' ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(h));
	});
	return true;
}
