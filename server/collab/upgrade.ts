/**
 * The HTTP upgrade for `/collab/<document name>`. Refusals are WebSocket closes, not HTTP statuses:
 * the stock WebsocketProvider retries an HTTP refusal forever, but stops on a close code in 4400–4499.
 * So a refused client is accepted and closed at once with 4401/4403, before any document data is sent.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { admit, type Admission } from './access';
import type { AdmissionFacts, SessionChecks, YieldingQueue } from './admission';
import { withTimeout, type ResolvedOptions } from './options';
import { CLOSE } from './protocol';
import type { Room } from './room';
import type { Rooms } from './rooms';
import type { CollabCounters } from './stats';

export const COLLAB_PATH = '/collab/';

export function isCollabRequest(url: string | undefined): boolean {
	return url?.startsWith(COLLAB_PATH) ?? false;
}

/**
 * The document name in a collab URL. The provider appends the room name as is, so names keep their
 * slashes (`/collab/exercise/<id>/agency/fire`); an encoded name is decoded. Null when undecodable.
 */
export function docNameFromUrl(url: string): string | null {
	const path = url.slice(COLLAB_PATH.length).split(/[?#]/)[0];
	try {
		return decodeURIComponent(path);
	} catch {
		return null;
	}
}

export interface UpgradeDeps {
	sessions: SessionChecks;
	facts: AdmissionFacts;
	/** Admissions run through it, so a join storm does not flood the database at once. */
	admissions: YieldingQueue;
	wss: WebSocketServer;
	rooms: Rooms;
	options: ResolvedOptions;
	counters: CollabCounters;
	closing(): boolean;
	/** Turns an accepted socket into a connection of the room (which holds one reference for it). */
	connect(ws: WebSocket, admission: Extract<Admission, { ok: true }>, room: Room): void;
}

export async function upgradeCollab(deps: UpgradeDeps, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
	const { options } = deps;
	// Until `ws` owns the socket, a reset during the awaits below must not become an uncaught error.
	const ignore = () => {};
	socket.on('error', ignore);
	const acceptAndClose = (code: number, reason: string) => accept(deps.wss, req, socket, head, (ws) => ws.close(code, reason));
	try {
		if (deps.closing()) return void acceptAndClose(CLOSE.goingAway, 'server shutting down');
		let admission: Admission;
		try {
			// The timeout is inside the queue's task: a query that never settles must not hold its place for good.
			const check = () => admit(deps.sessions, deps.facts, req.headers, docNameFromUrl(req.url ?? ''), options.allowedOrigins);
			admission = await deps.admissions.run(() => withTimeout(check(), options.loadTimeoutMs, 'checking the session'));
		} catch (e) {
			options.log.error('[collab] checking an upgrade failed:', e);
			return void acceptAndClose(CLOSE.internalError, 'internal error');
		}
		if (!admission.ok) {
			deps.counters.refusedUpgrades++;
			options.log.info(`[collab] refused ${req.url}: ${admission.code} ${admission.reason}`);
			return void acceptAndClose(admission.code, admission.reason);
		}
		let room: Room;
		try {
			room = await deps.rooms.acquire(admission.name, admission.doc, admission.status);
		} catch (e) {
			if (deps.closing()) return void acceptAndClose(CLOSE.goingAway, 'server shutting down');
			options.log.error(`[collab] loading ${admission.name} failed:`, e);
			return void acceptAndClose(CLOSE.internalError, 'document unavailable');
		}
		const took = accept(deps.wss, req, socket, head, (ws) => {
			if (deps.closing()) {
				ws.close(CLOSE.goingAway, 'server shutting down');
				deps.rooms.release(room);
			} else {
				deps.connect(ws, admission, room);
			}
		});
		if (!took) deps.rooms.release(room);
	} finally {
		socket.off('error', ignore);
	}
}

/** Completes the WebSocket handshake; false when `ws` refused it (bad headers, socket already gone). */
function accept(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer, then: (ws: WebSocket) => void): boolean {
	let took = false;
	if (socket.destroyed || !socket.writable) {
		socket.destroy();
		return false;
	}
	// Without a verifyClient hook, handleUpgrade calls back synchronously or not at all.
	wss.handleUpgrade(req, socket, head, (ws) => {
		took = true;
		then(ws);
	});
	return took;
}
