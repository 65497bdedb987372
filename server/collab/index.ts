/**
 * The collaboration server: the standard y-websocket protocol at `/collab/<document name>` on the
 * app's own port, with our authentication, per-document permissions, attributed persistence and
 * limits. See docs/api.md, "Collaboration documents", for the wire contract and close codes.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type * as Y from 'yjs';
import { controlDocName, docName, parseDocName } from '../../src/lib/board/docs';
import type { AppContext } from '../context';
import { ExerciseStatuses } from './access';
import { AdmissionFacts, SessionChecks, YieldingQueue } from './admission';
import { Connection } from './connection';
import { resolveOptions, type CollabOptions } from './options';
import { SendPacer } from './pacer';
import { CLOSE } from './protocol';
import { Rooms } from './rooms';
import { SessionWatch } from './session-watch';
import { newCounters, type CollabStats } from './stats';
import { isCollabRequest, upgradeCollab, type UpgradeDeps } from './upgrade';

export type { CollabOptions } from './options';
export type { CollabStats } from './stats';
export { CLOSE } from './protocol';
export { COLLAB_PATH, isCollabRequest } from './upgrade';

export interface Collab {
	/** Takes an upgrade request for `/collab/…` and returns true; leaves any other request alone. */
	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
	/**
	 * Applies a server-authored change to a document (loading it if needed): logged with user null,
	 * then relayed. `fn` runs inside one Yjs transaction and must be synchronous. `scenarioMs` stamps
	 * the change with the scenario time it belongs to (a delivery's due time) instead of the clock now.
	 */
	transact(docName: string, fn: (doc: Y.Doc) => void, scenarioMs?: number): Promise<void>;
	/** `transact` on the exercise's control document. */
	writeControl(exerciseId: string, fn: (doc: Y.Doc) => void, scenarioMs?: number): Promise<void>;
	stats(): CollabStats;
	/** Closes every socket (1001), stores pending updates, writes snapshots, frees the rooms. */
	close(): Promise<void>;
}

/** Admissions in flight at once; more wait their turn (see admission.ts). Their sessions are read together. */
const ADMISSION_CONCURRENCY = 32;
/** How long a session check waits for others to share its read (a few ms on a join; see SessionChecks). */
const SESSION_BATCH_WINDOW_MS = 5;

/**
 * Paced writes (pacer.ts): messages from 64 KB (a board's sync reply, not edits or presence) wait
 * for a later turn, and a turn writes at most 4 MB of them (two replies of a 10 000-feature board).
 */
const PACE_FROM_BYTES = 64 * 1024;
const PACED_BYTES_PER_TURN = 4 * 1024 * 1024;

/** How long shutdown waits for clients to answer the close handshake before dropping them. */
const CLOSE_GRACE_MS = 1000;

export function createCollab(ctx: AppContext, options?: CollabOptions): Collab {
	const opts = resolveOptions(options);
	const db = ctx.database.db;
	const counters = newCounters();
	const statuses = new ExerciseStatuses(db, opts.statusRefreshMs, (e) => opts.log.error('[collab] re-reading exercise status failed:', e));
	const rooms = new Rooms({ database: ctx.database, options: opts, counters, statuses });
	const facts = new AdmissionFacts(db, opts.admissionCacheMs);
	const forget = (exerciseId: string) => facts.invalidate(exerciseId);
	ctx.events.on('exerciseChanged', forget);
	const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes, perMessageDeflate: false });
	const connections = new Set<Connection>();
	const pacer = new SendPacer(PACE_FROM_BYTES, PACED_BYTES_PER_TURN);
	const watch = new SessionWatch(db, () => connections, opts.sessionSweepMs, (e) => opts.log.warn('[collab] checking open sessions failed:', e));
	const sessionsEnded = (userId: string, sessionId: string | null) => watch.ended(userId, sessionId);
	ctx.events.on('sessionsEnded', sessionsEnded);
	let closing = false;
	let allClosed: (() => void) | null = null;

	const pinger = setInterval(() => {
		for (const c of connections) c.ping();
	}, opts.pingIntervalMs);
	pinger.unref();

	// Multi-process mode: what other processes logged while the bus was down (or during a reconnect) is read from the database.
	const bus = opts.bus;
	const catchUpAll = () => {
		for (const room of rooms.all()) void room.catchUp();
	};
	const stopReconnect = bus ? bus.onReconnect(catchUpAll) : () => {};
	const poller = bus
		? setInterval(() => {
				if (!bus.connected()) catchUpAll();
			}, opts.busDownPollMs)
		: null;
	poller?.unref();

	const deps: UpgradeDeps = {
		sessions: new SessionChecks(db, SESSION_BATCH_WINDOW_MS, ADMISSION_CONCURRENCY),
		facts,
		admissions: new YieldingQueue(ADMISSION_CONCURRENCY),
		wss,
		rooms,
		options: opts,
		counters,
		closing: () => closing,
		connect: (ws, admission, room) => {
			const conn = new Connection(ws, admission.principal, room, opts, counters, pacer, (c) => {
				connections.delete(c);
				room.leave(c);
				rooms.release(room);
				if (connections.size === 0) allClosed?.();
			});
			connections.add(conn);
			room.join(conn);
		}
	};

	async function transact(name: string, fn: (doc: Y.Doc) => void, scenarioMs?: number): Promise<void> {
		const ref = parseDocName(name);
		if (!ref) throw new Error(`Not a document name: ${name}`);
		const room = await rooms.acquire(docName(ref), ref, null);
		try {
			await room.transact(fn, scenarioMs);
		} finally {
			rooms.release(room);
		}
	}

	return {
		handleUpgrade(req, socket, head) {
			if (!isCollabRequest(req.url)) return false;
			void upgradeCollab(deps, req, socket, head);
			return true;
		},
		transact,
		writeControl: (exerciseId, fn, scenarioMs) => transact(controlDocName(exerciseId), fn, scenarioMs),
		stats: () => ({ ...counters, rooms: rooms.size, connections: connections.size, queuedBytes: [...connections].reduce((sum, c) => sum + c.queuedBytes, 0), busConnected: bus ? bus.connected() : null }),
		async close() {
			if (closing) return;
			closing = true;
			ctx.events.off('exerciseChanged', forget);
			ctx.events.off('sessionsEnded', sessionsEnded);
			watch.stop();
			clearInterval(pinger);
			if (poller) clearInterval(poller);
			stopReconnect();
			const gone = new Promise<void>((resolve) => (allClosed = resolve));
			for (const c of connections) c.close(CLOSE.goingAway, 'server shutting down');
			await rooms.close();
			if (connections.size) {
				let grace: ReturnType<typeof setTimeout> | undefined;
				await Promise.race([gone, new Promise((r) => (grace = setTimeout(r, CLOSE_GRACE_MS)))]);
				clearTimeout(grace);
			}
			for (const c of connections) c.terminate();
			await statuses.stop();
			wss.close();
		}
	};
}

export interface AttachOptions extends CollabOptions {
	/** Destroy upgrade requests for other paths (production, where nothing else upgrades; not in dev, where Vite's HMR does). */
	rejectOtherUpgrades?: boolean;
}

/** Serves collaboration on `server`'s port: handles `upgrade` for `/collab/…` and, by default, nothing else. */
export function attachCollab(server: Server, ctx: AppContext, options?: AttachOptions): Collab {
	const collab = createCollab(ctx, options);
	const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
		if (!collab.handleUpgrade(req, socket, head) && options?.rejectOtherUpgrades) socket.destroy();
	};
	server.on('upgrade', onUpgrade);
	return {
		...collab,
		async close() {
			server.off('upgrade', onUpgrade);
			await collab.close();
		}
	};
}
