/**
 * Worker thread hosting the sample of real y-websocket `WebsocketProvider` clients (full Y.Doc
 * replicas). They run apart from the lightweight clients so that applying a large document (the join
 * storm) does not hold up the main thread's sockets and skew its timings. Driven by ProviderPool.
 */
import { parentPort } from 'node:worker_threads';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { now, toB64, type EditValue, type PointerFields, type PresenceUser } from './common';

export interface ProviderSpec {
	idx: number;
	doc: string;
	token?: string;
	/** Presence user to set before connecting (otherwise the stock default awareness state `{}`). */
	user?: PresenceUser;
}

export interface ProviderFinal {
	idx: number;
	doc: string;
	/** Y.encodeStateVector, base64. */
	stateVector: string;
	editKeys: string[];
	/** Each edit key's run number (`EditValue.n`), where the writer gave one. */
	editNumbers: Record<string, number>;
	featureCount: number;
	permissionDenied: string[];
	closes: number[];
}

interface Entry {
	spec: ProviderSpec;
	doc: Y.Doc;
	provider: WebsocketProvider;
	permissionDenied: string[];
	closes: number[];
}

const port = parentPort;
if (!port) throw new Error('provider-worker must run in a worker thread');

// Each WebsocketProvider adds a process 'exit' listener.
process.setMaxListeners(0);
const eld = monitorEventLoopDelay({ resolution: 5 });
eld.enable();
let cpu0 = process.cpuUsage();
const entries = new Map<number, Entry>();
const latency = { edit: [] as number[], pointer: [] as number[] };

/** ws with the session token in an Authorization header, in the shape WebsocketProvider expects. */
function socketClass(token?: string) {
	return class AuthWebSocket extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
		}
	};
}

function open(url: string, spec: ProviderSpec, measure: boolean): Promise<{ entry: Entry; connectAt: number; syncedAt: number }> {
	const doc = new Y.Doc();
	const connectAt = now();
	const provider = new WebsocketProvider(url, spec.doc, doc, {
		disableBc: true,
		WebSocketPolyfill: socketClass(spec.token) as unknown as typeof globalThis.WebSocket
	});
	if (spec.user) provider.awareness.setLocalState({ user: spec.user, pointer: null });
	const entry: Entry = { spec, doc, provider, permissionDenied: [], closes: [] };
	provider.on('connection-close', (event) => {
		if (event) entry.closes.push(event.code);
	});
	// y-websocket logs and reports permission-denied auth messages through this hook.
	(provider as unknown as { on(e: string, f: (...a: unknown[]) => void): void }).on('closed', (ev) => {
		entry.permissionDenied.push(`closed ${JSON.stringify(ev)}`);
	});
	if (measure) {
		const edits = doc.getMap<EditValue>('edits');
		edits.observe((ev, tr) => {
			if (tr.local) return;
			const t = now();
			for (const [key, change] of ev.changes.keys) {
				if (change.action !== 'add') continue;
				const v = edits.get(key);
				if (v && v.c !== spec.idx) latency.edit.push(t - v.t);
			}
		});
		const lastAt = new Map<number, number>();
		provider.awareness.on('change', ({ added, updated }: { added: number[]; updated: number[] }, origin: unknown) => {
			if (origin === 'local') return;
			const t = now();
			const states = provider.awareness.getStates();
			for (const id of added.concat(updated)) {
				const at = (states.get(id) as Partial<PointerFields> | undefined)?.at;
				if (typeof at === 'number' && lastAt.get(id) !== at) {
					lastAt.set(id, at);
					latency.pointer.push(t - at);
				}
			}
		});
	}
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`provider ${spec.idx} (${spec.doc}) not synced in 120 s; closes ${entry.closes.join(',')}`)), 120_000);
		provider.once('sync', () => {
			clearTimeout(timer);
			resolve({ entry, connectAt, syncedAt: now() });
		});
	});
}

function editNumbers(edits: Y.Map<EditValue>): Record<string, number> {
	const out: Record<string, number> = {};
	for (const [key, v] of edits) if (typeof v.n === 'number') out[key] = v.n;
	return out;
}

function final(e: Entry): ProviderFinal {
	return {
		idx: e.spec.idx,
		doc: e.spec.doc,
		stateVector: toB64(Y.encodeStateVector(e.doc)),
		editKeys: [...e.doc.getMap('edits').keys()].sort(),
		editNumbers: editNumbers(e.doc.getMap<EditValue>('edits')),
		featureCount: e.doc.getMap('features').size,
		permissionDenied: e.permissionDenied,
		closes: e.closes
	};
}

type Msg = { rid: number; cmd: string; arg: unknown };

const commands: Record<string, (arg: never) => unknown> = {
	async connect(arg: { url: string; specs: ProviderSpec[] }) {
		const opened = await Promise.all(arg.specs.map((s) => open(arg.url, s, true)));
		for (const o of opened) entries.set(o.entry.spec.idx, o.entry);
		return opened.map((o) => ({ idx: o.entry.spec.idx, connectAt: o.connectAt, syncedAt: o.syncedAt }));
	},
	edit(arg: { idx: number; key: string; n?: number }) {
		const e = entries.get(arg.idx);
		e?.doc.getMap<EditValue>('edits').set(arg.key, { t: now(), c: arg.idx, n: arg.n });
	},
	pointer(arg: { idx: number; lng: number; lat: number }) {
		const aw = entries.get(arg.idx)?.provider.awareness;
		aw?.setLocalState({ ...aw.getLocalState(), pointer: [arg.lng, arg.lat], at: now() } satisfies Partial<PointerFields>);
	},
	markMetrics() {
		eld.reset();
		cpu0 = process.cpuUsage();
		latency.edit = [];
		latency.pointer = [];
	},
	collect() {
		const cpu = process.cpuUsage(cpu0);
		return {
			editLatency: latency.edit,
			pointerLatency: latency.pointer,
			eldMaxMs: Math.max(0, eld.max / 1e6 - 5),
			cpuMs: Math.round((cpu.user + cpu.system) / 1000),
			finals: [...entries.values()].map(final)
		};
	},
	/** Fresh providers, one per document, that sync once and report what the server holds. */
	async verify(arg: { url: string; specs: ProviderSpec[] }) {
		const opened = await Promise.all(arg.specs.map((s) => open(arg.url, s, false)));
		const out = opened.map((o) => final(o.entry));
		for (const o of opened) {
			o.entry.provider.destroy();
			o.entry.doc.destroy();
		}
		return out;
	},
	close() {
		for (const e of entries.values()) {
			e.provider.destroy();
			e.doc.destroy();
		}
		entries.clear();
	}
};

port.on('message', async (msg: Msg) => {
	try {
		const result = await commands[msg.cmd](msg.arg as never);
		if (msg.rid) port.postMessage({ rid: msg.rid, ok: true, result });
	} catch (err) {
		if (msg.rid) port.postMessage({ rid: msg.rid, ok: false, error: err instanceof Error ? err.message : String(err) });
	}
});
