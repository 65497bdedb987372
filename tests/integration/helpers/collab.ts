import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import WebSocket from 'ws';
import { readAuthMessage } from 'y-protocols/auth';
import { messageAuth as MESSAGE_AUTH, WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { Database, Db } from '../../../db/client';
import { exerciseMembers, exercises, users } from '../../../db/schema';
import { DEMO_EXERCISE_TITLE } from '../../../db/seed';
import { createLoginLimiters } from '../../../server/auth/rate-limit';
import { createSession, SESSION_COOKIE } from '../../../server/auth/sessions';
import { attachCollab, type AttachOptions, type Collab } from '../../../server/collab';
import { AppEvents, type AppContext } from '../../../server/context';
import type { ExerciseStatus } from '../../../src/lib/domain/lifecycle';

/** Log lines of a test server; warnings are expected (refusals), errors are not. */
export interface CapturedLog {
	warn: string[];
	error: string[];
}

export interface RunningCollab {
	url: string;
	collab: Collab;
	/** The context's events, for emitting what the API would (e.g. `exerciseChanged`). */
	events: AppEvents;
	log: CapturedLog;
	stop(): Promise<void>;
}

/** A plain http server on a free port with the collab upgrade attached, as server/index.ts does. */
export async function startCollab(database: Database, options: AttachOptions = {}): Promise<RunningCollab> {
	const server = http.createServer((_req, res) => res.writeHead(404).end());
	const ctx: AppContext = { database, limiters: createLoginLimiters(), seeded: true, events: new AppEvents() };
	const log: CapturedLog = { warn: [], error: [] };
	const text = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
	const collab = attachCollab(server, ctx, {
		unloadDelayMs: 0,
		log: { info: () => {}, warn: (...a: unknown[]) => log.warn.push(text(a)), error: (...a: unknown[]) => log.error.push(text(a)) },
		...options
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `ws://127.0.0.1:${port}/collab`,
		collab,
		events: ctx.events,
		log,
		async stop() {
			await collab.close();
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		}
	};
}

export interface Auth {
	token?: string;
	cookie?: string;
	origin?: string;
}

function headersOf(auth: Auth | null): Record<string, string> {
	const h: Record<string, string> = {};
	if (auth?.token) h.authorization = `Bearer ${auth.token}`;
	if (auth?.cookie) h.cookie = `${SESSION_COOKIE}=${auth.cookie}`;
	if (auth?.origin) h.origin = auth.origin;
	return h;
}

/** A `ws` class the stock provider can construct, sending our session the way a browser or bot would. */
function webSocketWith(auth: Auth | null): typeof globalThis.WebSocket {
	const headers = headersOf(auth);
	class AuthedWebSocket extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, { headers });
		}
	}
	return AuthedWebSocket as unknown as typeof globalThis.WebSocket;
}

export interface Client {
	doc: Y.Doc;
	provider: WebsocketProvider;
	/** Every close the provider saw, in order. */
	closes: { code: number; reason: string }[];
	/** Reasons of y-protocols "permission denied" messages (the stock client would console.warn them). */
	denied: string[];
	synced(): Promise<void>;
	destroy(): void;
}

/** The stock y-websocket provider in Node, exactly as the browser uses it (no BroadcastChannel). */
export function connectClient(url: string, room: string, auth: Auth | null, doc = new Y.Doc()): Client {
	const provider = new WebsocketProvider(url, room, doc, { WebSocketPolyfill: webSocketWith(auth), disableBc: true, maxBackoffTime: 300 });
	const closes: Client['closes'] = [];
	provider.on('connection-close', (e) => {
		if (e) closes.push({ code: e.code, reason: e.reason });
	});
	// Handlers are per provider, so an app (like this test) can take over the auth message.
	const denied: string[] = [];
	provider.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder) => readAuthMessage(decoder, doc, (_doc, reason) => denied.push(reason));
	return {
		doc,
		provider,
		closes,
		denied,
		synced: () => waitFor(() => provider.synced, `${room} to sync`),
		destroy() {
			provider.destroy();
			doc.destroy();
		}
	};
}

export interface RawClient {
	ws: WebSocket;
	received: Uint8Array[];
	opened: Promise<void>;
	closed: Promise<{ code: number; reason: string }>;
}

/** A bare socket for sending frames the stock client never would. */
export function rawClient(url: string, room: string, auth: Auth | null): RawClient {
	const ws = new WebSocket(`${url}/${room}`, { headers: headersOf(auth) });
	const received: Uint8Array[] = [];
	ws.on('message', (data) => received.push(new Uint8Array(data as Buffer)));
	ws.on('error', () => {});
	return {
		ws,
		received,
		opened: new Promise((resolve) => ws.once('open', () => resolve())),
		closed: new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
	};
}

export async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 8000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await predicate())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 10));
	}
}

export async function userId(db: Db, username: string): Promise<string> {
	const [u] = await db.select({ id: users.id }).from(users).where(eq(users.username, username)).limit(1);
	if (!u) throw new Error(`no user ${username}`);
	return u.id;
}

/** Session tokens for the named demo accounts. */
export async function sessionsFor(db: Db, usernames: string[]): Promise<Record<string, string>> {
	const tokens: Record<string, string> = {};
	for (const name of usernames) tokens[name] = await createSession(db, await userId(db, name));
	return tokens;
}

/** A new exercise with the demo exercise's members (so tests do not share documents), in `status`. */
export async function cloneDemoExercise(db: Db, status: ExerciseStatus = 'briefing', without: string[] = []): Promise<string> {
	const [demo] = await db.select().from(exercises).where(eq(exercises.title, DEMO_EXERCISE_TITLE)).limit(1);
	const id = crypto.randomUUID();
	await db.insert(exercises).values({ id, title: `Copy ${id.slice(0, 8)}`, status, createdBy: demo.createdBy });
	const excluded = await Promise.all(without.map((u) => userId(db, u)));
	const members = await db.select().from(exerciseMembers).where(eq(exerciseMembers.exerciseId, demo.id));
	for (const m of members) {
		if (!excluded.includes(m.userId)) await db.insert(exerciseMembers).values({ exerciseId: id, userId: m.userId, role: m.role, agencyCode: m.agencyCode });
	}
	return id;
}

export async function setStatus(db: Db, exerciseId: string, status: ExerciseStatus): Promise<void> {
	await db.update(exercises).set({ status }).where(eq(exercises.id, exerciseId));
}
