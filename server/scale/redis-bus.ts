/**
 * The cross-process relay on Redis pub/sub: one channel per document. Every message carries the
 * sending process's id, so a process ignores its own. Redis holds nothing durable: a message lost
 * while Redis is down is made good by the rooms' catch-up from Postgres (see Room.catchUp).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { BusMessage, DocBus } from '../collab/bus';
import type { LoggedUpdate } from '../collab/persistence';

export interface RedisBusOptions {
	url: string;
	/** Channel prefix, so deployments (or tests) sharing one Redis stay apart. */
	prefix?: string;
	log?: Pick<Console, 'info' | 'warn' | 'error'>;
}

export interface RedisBus extends DocBus {
	readonly processId: string;
	close(): Promise<void>;
}

const KIND_UPDATES = 0;
const KIND_AWARENESS = 1;

export function encodeBusMessage(origin: string, m: BusMessage): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarString(e, origin);
	if (m.kind === 'updates') {
		encoding.writeVarUint(e, KIND_UPDATES);
		encoding.writeVarUint(e, m.updates.length);
		for (const u of m.updates) {
			encoding.writeVarUint(e, u.seq);
			encoding.writeVarUint8Array(e, u.update);
			encoding.writeVarString(e, u.userId ?? '');
			encoding.writeVarUint(e, u.scenarioMs === null ? 0 : u.scenarioMs + 1);
		}
	} else {
		encoding.writeVarUint(e, KIND_AWARENESS);
		encoding.writeVarUint8Array(e, m.update);
	}
	return encoding.toUint8Array(e);
}

export function decodeBusMessage(data: Uint8Array): { origin: string; message: BusMessage } {
	const d = decoding.createDecoder(data);
	const origin = decoding.readVarString(d);
	const kind = decoding.readVarUint(d);
	if (kind === KIND_UPDATES) {
		const n = decoding.readVarUint(d);
		const updates: LoggedUpdate[] = [];
		for (let i = 0; i < n; i++) {
			const seq = decoding.readVarUint(d);
			const update = decoding.readVarUint8Array(d);
			const userId = decoding.readVarString(d) || null;
			const ms = decoding.readVarUint(d); // scenario ms + 1; 0 for none
			updates.push({ seq, update, userId, scenarioMs: ms === 0 ? null : ms - 1 });
		}
		return { origin, message: { kind: 'updates', updates } };
	}
	if (kind === KIND_AWARENESS) return { origin, message: { kind: 'awareness', update: decoding.readVarUint8Array(d) } };
	throw new Error(`unknown bus message kind ${kind}`);
}

/** How long a subscribe may hold up loading a room while Redis is down (rooms poll meanwhile). */
const SUBSCRIBE_WAIT_MS = 1000;
const RESUBSCRIBE_SETTLE_MS = 1000;

export function createRedisBus(opts: RedisBusOptions): RedisBus {
	const log = opts.log ?? console;
	const prefix = `${opts.prefix ?? 'drillboard:'}doc:`;
	const processId = randomUUID();
	const retryStrategy = (times: number) => Math.min(100 * times, 2000);
	// The publisher fails fast while disconnected (no offline queue): the catch-up covers the loss.
	const pub = new Redis(opts.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy });
	const sub = new Redis(opts.url, { maxRetriesPerRequest: null, retryStrategy });
	const handlers = new Map<string, Set<(m: BusMessage) => void>>();
	const reconnectListeners = new Set<() => void>();
	let wasDown = false;
	let closed = false;

	const down = (why: string) => {
		if (closed || wasDown) return;
		wasDown = true;
		log.warn(`[scale] Redis unreachable (${why}): serving this process's clients only and reading other processes' changes from the database`);
	};
	for (const client of [pub, sub]) {
		client.on('error', (e: Error) => down(e.message));
		client.on('close', () => down('connection closed'));
	}
	const notify = () => {
		if (closed) return;
		for (const fn of reconnectListeners) fn();
	};
	const up = () => {
		if (!wasDown || closed || !connected()) return;
		wasDown = false;
		log.info('[scale] Redis is back: resynchronising documents from the database');
		notify();
		// ioredis re-subscribes right after 'ready': catch up once more when that has surely happened,
		// for what was published between the first catch-up's read and the re-subscription.
		setTimeout(notify, RESUBSCRIBE_SETTLE_MS).unref();
	};
	pub.on('ready', up);
	sub.on('ready', up);

	sub.on('messageBuffer', (channel: Buffer, data: Buffer) => {
		const set = handlers.get(channel.toString());
		if (!set?.size) return;
		let decoded: ReturnType<typeof decodeBusMessage>;
		try {
			decoded = decodeBusMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
		} catch (e) {
			log.error('[scale] undecodable bus message dropped:', e);
			return;
		}
		if (decoded.origin === processId) return;
		for (const fn of set) fn(decoded.message);
	});

	function connected(): boolean {
		return pub.status === 'ready' && sub.status === 'ready';
	}

	return {
		processId,
		connected,
		async subscribe(doc, onMessage) {
			const channel = prefix + doc;
			let set = handlers.get(channel);
			const first = !set;
			if (!set) handlers.set(channel, (set = new Set()));
			set.add(onMessage);
			if (first) {
				const subscribed = sub.subscribe(channel).catch((e: Error) => log.warn(`[scale] subscribing to ${doc} failed: ${e.message}`));
				let timer: ReturnType<typeof setTimeout> | undefined;
				await Promise.race([subscribed, new Promise((r) => (timer = setTimeout(r, SUBSCRIBE_WAIT_MS)))]);
				clearTimeout(timer);
			}
			return () => {
				set.delete(onMessage);
				if (set.size || handlers.get(channel) !== set) return;
				handlers.delete(channel);
				if (!closed) sub.unsubscribe(channel).catch(() => {});
			};
		},
		publish(doc, message) {
			if (closed || pub.status !== 'ready') return;
			pub.publish(prefix + doc, Buffer.from(encodeBusMessage(processId, message))).catch(() => {});
		},
		onReconnect(fn) {
			reconnectListeners.add(fn);
			return () => reconnectListeners.delete(fn);
		},
		async close() {
			closed = true;
			handlers.clear();
			reconnectListeners.clear();
			await Promise.allSettled([pub.quit(), sub.quit()]);
			pub.disconnect();
			sub.disconnect();
		}
	};
}
