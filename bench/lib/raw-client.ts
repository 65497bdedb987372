/**
 * A lightweight y-websocket protocol client: a `ws` socket speaking y-protocols sync and awareness by
 * hand, without a full replica of the document. It keeps a tiny local Y.Doc holding only its own
 * writes (so its updates are genuine Yjs updates), and reads incoming updates with Y.decodeUpdate to
 * time the edits it sees, without applying them.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { now, type EditValue, type PointerFields, type PresenceUser } from './common';
import { LeanSocket } from './lean-socket';

const MSG_SYNC = 0;
const MSG_AWARENESS = 1;
const MSG_AUTH = 2;
const MSG_QUERY_AWARENESS = 3;

export interface LatencySink {
	/** Milliseconds from an edit's send to its arrival at another client. */
	edit: number[];
	/** Milliseconds from a pointer move to its arrival at another client. */
	pointer: number[];
}

export interface RawClientOptions {
	/** ws://host:port/collab */
	url: string;
	doc: string;
	idx: number;
	token?: string;
	/** Decode incoming updates to time edits and count deliveries (off for the join storm). */
	decodeUpdates: boolean;
	/**
	 * Receive over LeanSocket instead of `ws`: large messages are counted as they stream in, never
	 * assembled (the join storm; only with `decodeUpdates` off).
	 */
	lean?: boolean;
	/**
	 * 'none': no awareness state at all. 'stock': behave like y-websocket's WebsocketProvider: a
	 * y-protocols Awareness with a local state (renewed every 15 s by its own 3 s check), and every
	 * newer remote awareness entry re-broadcast to the server, as the stock provider does.
	 */
	awareness: 'none' | 'stock';
	sink: LatencySink;
}

export class RawClient {
	readonly local = new Y.Doc();
	readonly edits = this.local.getMap<EditValue>('edits');
	private ws!: WebSocket | LeanSocket;
	private awareness: Awareness | null = null;
	/** Awareness clocks and state strings of other clients, as a stock provider would hold them. */
	private clocks = new Map<number, number>();
	private states = new Map<number, string>();
	private lastAt = new Map<number, number>();

	synced = false;
	connectedAt = 0;
	/** When the WebSocket handshake completed. */
	openedAt = 0;
	syncedAt = 0;
	/** Size of the SyncStep2 the server sent on join. */
	step2Bytes = 0;
	/** Edit key -> number of times it arrived (own echoes included). */
	received = new Map<string, number>();
	/** Distinct edits of other clients that arrived. */
	othersSeen = 0;
	msgsIn = 0;
	bytesIn = 0;
	msgsOut = 0;
	awarenessIn = 0;
	authDenied: string[] = [];
	closeCode: number | null = null;

	constructor(readonly opts: RawClientOptions) {}

	/** Opens the socket; resolves when the server's SyncStep2 has arrived. */
	connect(): Promise<void> {
		const { url, doc, token } = this.opts;
		const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
		if (this.opts.lean && this.opts.decodeUpdates) throw new Error('a lean client cannot decode updates');
		this.ws = this.opts.lean ? new LeanSocket(`${url}/${doc}`, headers) : new WebSocket(`${url}/${doc}`, { headers });
		this.connectedAt = now();
		this.local.on('update', (update: Uint8Array, origin: unknown) => {
			if (origin === this) return;
			const enc = encoding.createEncoder();
			encoding.writeVarUint(enc, MSG_SYNC);
			syncProtocol.writeUpdate(enc, update);
			this.send(encoding.toUint8Array(enc));
		});
		return new Promise<void>((resolve, reject) => {
			this.ws.on('open', () => {
				this.openedAt = now();
				const enc = encoding.createEncoder();
				encoding.writeVarUint(enc, MSG_SYNC);
				syncProtocol.writeSyncStep1(enc, this.local);
				this.send(encoding.toUint8Array(enc));
				if (this.awareness) this.sendAwareness([this.local.clientID]);
			});
			// ws: (data, isBinary); LeanSocket: (head, length).
			this.ws.on('message', (data: Buffer, length: unknown) => {
				this.onMessage(data, typeof length === 'number' ? length : data.length);
				if (this.synced) resolve();
			});
			this.ws.on('unexpected-response', (_req: unknown, res: { statusCode?: number }) => {
				reject(new Error(`${doc}: upgrade refused with HTTP ${res.statusCode}`));
				this.ws.terminate();
			});
			this.ws.on('error', (err: Error) => reject(err));
			this.ws.on('close', (code: number, reason: Buffer) => {
				this.closeCode = code;
				if (!this.synced) reject(new Error(`${doc}: closed ${code} ${reason.toString()} before sync`));
			});
		});
	}

	/** Starts stock awareness: a local state, renewed by y-protocols' own timer. */
	startAwareness(user: PresenceUser): void {
		if (this.opts.awareness !== 'stock' || this.awareness) return;
		const aw = new Awareness(this.local);
		this.awareness = aw;
		aw.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
			if (origin === 'local') this.sendAwareness(added.concat(updated, removed));
		});
		aw.setLocalState({ user, pointer: null });
	}

	/** One pointer move: a single awareness update carrying the position and its time. */
	movePointer(lng: number, lat: number): void {
		const aw = this.awareness;
		if (!aw) return;
		aw.setLocalState({ ...aw.getLocalState(), pointer: [lng, lat], at: now() } satisfies Partial<PointerFields>);
	}

	/** Writes one small map edit: key -> {t, c, n}; writing a key again replaces its value. */
	edit(key: string, n?: number): void {
		this.edits.set(key, { t: now(), c: this.opts.idx, n });
	}

	/** Writes a batch of entries into another map in one transaction (used to seed the board). */
	writeBatch(map: string, entries: { id: string; value: unknown }[]): void {
		const m = this.local.getMap(map);
		this.local.transact(() => {
			for (const e of entries) m.set(e.id, e.value);
		});
	}

	/** Resolves after the server answered a SyncStep1 sent now: everything sent before was processed. */
	roundTrip(timeoutMs = 60_000): Promise<void> {
		return new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`${this.opts.doc}: no sync reply in ${timeoutMs} ms`)), timeoutMs);
			this.onStep2 = () => {
				clearTimeout(timer);
				this.onStep2 = null;
				resolve();
			};
			const enc = encoding.createEncoder();
			encoding.writeVarUint(enc, MSG_SYNC);
			// Claim to know the local state, so the reply carries only what others wrote.
			syncProtocol.writeSyncStep1(enc, this.local);
			this.send(encoding.toUint8Array(enc));
		});
	}
	private onStep2: (() => void) | null = null;

	close(): void {
		if (this.awareness) {
			this.awareness.destroy();
			this.awareness = null;
		}
		this.ws?.close();
	}

	get open(): boolean {
		return this.ws?.readyState === WebSocket.OPEN;
	}

	private send(buf: Uint8Array): void {
		if (this.ws?.readyState !== WebSocket.OPEN) return;
		this.msgsOut++;
		this.ws.send(buf);
	}

	private sendAwareness(clients: number[]): void {
		if (!this.awareness) return;
		const enc = encoding.createEncoder();
		encoding.writeVarUint(enc, MSG_AWARENESS);
		encoding.writeVarUint8Array(enc, encodeAwarenessUpdate(this.awareness, clients));
		this.send(encoding.toUint8Array(enc));
	}

	/** `length`: the message's size; a LeanSocket hands over only the head of a long message. */
	private onMessage(data: Buffer, length: number): void {
		const t = now();
		this.msgsIn++;
		this.bytesIn += length;
		const dec = decoding.createDecoder(data);
		const type = decoding.readVarUint(dec);
		// Only an update's length is read from a message that arrived cut short.
		const whole = () => {
			if (length !== data.length) throw new Error(`a ${length}-byte message of type ${type} needs reading whole`);
		};
		if (type === MSG_SYNC) {
			const sub = decoding.readVarUint(dec);
			if (sub === syncProtocol.messageYjsSyncStep1) {
				whole();
				const sv = decoding.readVarUint8Array(dec);
				const enc = encoding.createEncoder();
				encoding.writeVarUint(enc, MSG_SYNC);
				encoding.writeVarUint(enc, syncProtocol.messageYjsSyncStep2);
				encoding.writeVarUint8Array(enc, Y.encodeStateAsUpdate(this.local, sv));
				this.send(encoding.toUint8Array(enc));
				return;
			}
			const updateLength = decoding.readVarUint(dec);
			// Only the join's SyncStep2 and broadcast updates are deliveries; a later SyncStep2 answers roundTrip().
			let deliver = sub === syncProtocol.messageYjsUpdate;
			if (sub === syncProtocol.messageYjsSyncStep2) {
				if (!this.synced) {
					this.synced = true;
					this.syncedAt = t;
					this.step2Bytes = updateLength;
					deliver = true;
				}
				this.onStep2?.();
			}
			if (deliver && this.opts.decodeUpdates) {
				whole();
				this.observe(decoding.readUint8Array(dec, updateLength), t);
			}
		} else if (type === MSG_AWARENESS) {
			this.awarenessIn++;
			if (this.opts.awareness === 'stock') {
				whole();
				this.onAwareness(decoding.readVarUint8Array(dec), t);
			}
		} else if (type === MSG_AUTH) {
			whole();
			// y-protocols/auth: 0 = permission denied, then a reason.
			const kind = decoding.readVarUint(dec);
			this.authDenied.push(kind === 0 ? decoding.readVarString(dec) : `auth message ${kind}`);
		} else if (type === MSG_QUERY_AWARENESS) {
			if (this.awareness) this.sendAwareness([this.local.clientID]);
		}
	}

	/** Counts each edit key that arrives and records its latency the first time (others' edits only). */
	private observe(update: Uint8Array, t: number): void {
		const { structs } = Y.decodeUpdate(update);
		for (const s of structs) {
			// Decoded (not integrated) items name a root parent by its string key.
			if (!(s instanceof Y.Item) || (s.parent as unknown) !== 'edits' || s.parentSub === null || !(s.content instanceof Y.ContentAny)) continue;
			const key = s.parentSub;
			const n = (this.received.get(key) ?? 0) + 1;
			this.received.set(key, n);
			const v = s.content.arr[0] as EditValue;
			if (n === 1 && v.c !== this.opts.idx) {
				this.othersSeen++;
				this.opts.sink.edit.push(t - v.t);
			}
		}
	}

	/** Stock-provider awareness handling: keep newer entries, time new pointers, re-broadcast newer entries. */
	private onAwareness(update: Uint8Array, t: number): void {
		const dec = decoding.createDecoder(update);
		const len = decoding.readVarUint(dec);
		const echo = encoding.createEncoder();
		let echoed = 0;
		const body = encoding.createEncoder();
		for (let i = 0; i < len; i++) {
			const id = decoding.readVarUint(dec);
			const clock = decoding.readVarUint(dec);
			const state = decoding.readVarString(dec);
			if (id === this.local.clientID) continue;
			const cur = this.clocks.get(id) ?? 0;
			if (!(cur < clock || (cur === clock && state === 'null' && this.states.has(id)))) continue;
			this.clocks.set(id, clock);
			const prev = this.states.get(id);
			if (state === 'null') this.states.delete(id);
			else {
				this.states.set(id, state);
				if (prev !== state && state.includes('"at"')) {
					const at = (JSON.parse(state) as Partial<PointerFields>).at;
					if (typeof at === 'number' && at !== this.lastAt.get(id)) {
						this.lastAt.set(id, at);
						this.opts.sink.pointer.push(t - at);
					}
				}
			}
			encoding.writeVarUint(body, id);
			encoding.writeVarUint(body, clock);
			encoding.writeVarString(body, state);
			echoed++;
		}
		if (echoed === 0 || !this.awareness) return;
		// The stock provider re-sends every awareness change it applied (its 'update' handler ignores origin).
		encoding.writeVarUint(echo, MSG_AWARENESS);
		const inner = encoding.createEncoder();
		encoding.writeVarUint(inner, echoed);
		encoding.writeUint8Array(inner, encoding.toUint8Array(body));
		encoding.writeVarUint8Array(echo, encoding.toUint8Array(inner));
		this.send(encoding.toUint8Array(echo));
	}
}
