/**
 * Awareness (presence) for one room. Clients renew their state every 15 s and move pointers often;
 * relaying each message to every client is N² work. Instead changed client ids are collected and sent
 * as one message per room per window: a real change at once if the room sent none in the last ~100 ms
 * (else at the end of that window), bare renewals a few seconds later (clients drop a peer only after
 * 30 s without news, so a late renewal is harmless).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { applyAwarenessUpdate, Awareness, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { encodeAwareness, MalformedMessage } from './protocol';

/** The side of a connection that awareness needs: who it is and which client ids it has claimed. */
export interface AwarenessOwner {
	userId: string;
	clientIds: Set<number>;
}

export interface AwarenessTiming {
	changeMs: number;
	renewalMs: number;
}

/** A tab has one Yjs client id; a few more allow for id changes after a clash. */
const MAX_IDS_PER_CONNECTION = 4;
/** Presence is a name and a pointer; anything this large is not presence. */
const MAX_STATE_CHARS = 32 * 1024;

interface Entry {
	clientId: number;
	clock: number;
	json: string;
	state: unknown;
}

/**
 * Decodes an awareness update strictly (the same format y-protocols writes), except that entries
 * `isStale` rejects are dropped unparsed: stock clients echo every state they receive, so most
 * entries a server sees are ones it already has.
 */
function decodeEntries(update: Uint8Array, isStale: (clientId: number, clock: number, json: string) => boolean): { entries: Entry[]; dropped: boolean } {
	try {
		const decoder = decoding.createDecoder(update);
		const n = decoding.readVarUint(decoder);
		const entries: Entry[] = [];
		let dropped = false;
		for (let i = 0; i < n; i++) {
			const clientId = decoding.readVarUint(decoder);
			const clock = decoding.readVarUint(decoder);
			const json = decoding.readVarString(decoder);
			if (isStale(clientId, clock, json)) dropped = true;
			// applyAwarenessUpdate parses again; a bad entry must fail here, not half-way through there.
			else entries.push({ clientId, clock, json, state: JSON.parse(json) });
		}
		if (decoding.hasContent(decoder)) throw new Error('trailing bytes');
		return { entries, dropped };
	} catch (e) {
		throw new MalformedMessage(`bad awareness update: ${e instanceof Error ? e.message : 'undecodable'}`);
	}
}

function encodeEntries(entries: Entry[]): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, entries.length);
	for (const e of entries) {
		encoding.writeVarUint(encoder, e.clientId);
		encoding.writeVarUint(encoder, e.clock);
		encoding.writeVarString(encoder, e.json);
	}
	return encoding.toUint8Array(encoder);
}

/** The user a state names (`{ user: { id } }`, the board's presence shape), if it names one. */
function userNamed(state: unknown): unknown {
	const user = state && typeof state === 'object' ? (state as { user?: unknown }).user : undefined;
	return user && typeof user === 'object' ? (user as { id?: unknown }).id : undefined;
}

/** A state that names a user must name the sender. */
function claimsOtherUser(state: unknown, userId: string): boolean {
	const id = userNamed(state);
	return id !== undefined && id !== userId;
}

/** Origin of states received from other processes (multi-process mode): never published back. */
const REMOTE = Symbol('remote awareness');

export class AwarenessRelay {
	readonly awareness: Awareness;
	private readonly owners = new Map<number, AwarenessOwner>();
	private readonly dirty = new Set<number>();
	/** Changes made by this process's clients, for the other processes (multi-process mode). */
	private readonly localDirty = new Set<number>();
	/** Set in multi-process mode: sends this process's changes to the others, once per window. */
	publish: ((update: Uint8Array) => void) | null = null;
	private urgent = false;
	private timer: ReturnType<typeof setTimeout> | null = null;
	private flushAt = Infinity;
	private lastFlush = 0;

	constructor(
		doc: Y.Doc,
		private readonly timing: AwarenessTiming,
		private readonly broadcast: (message: Uint8Array) => void
	) {
		this.awareness = new Awareness(doc);
		this.awareness.setLocalState(null); // the server has no presence of its own
		this.awareness.on('change', () => {
			this.urgent = true;
		});
		this.awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
			const local = this.publish && origin !== REMOTE && origin !== 'timeout';
			for (const ids of [added, updated, removed]) {
				for (const id of ids) {
					this.dirty.add(id);
					if (local) this.localDirty.add(id);
				}
			}
			this.schedule();
		});
	}

	/**
	 * Applies a client's awareness update, keeping only entries for client ids that connection owns:
	 * ids it claimed first, or that another connection of the same user held (a reconnecting tab).
	 * Throws MalformedMessage for an undecodable update.
	 */
	apply(owner: AwarenessOwner, update: Uint8Array): void {
		const { entries, dropped } = decodeEntries(update, (id, clock, json) => this.isStale(id, clock, json));
		// Stale entries are filtered before claiming: a same-user echo (a second tab) must not take the id over.
		const kept = entries.filter((e) => e.json.length <= MAX_STATE_CHARS && !claimsOtherUser(e.state, owner.userId) && this.claim(owner, e.clientId));
		if (!kept.length) return;
		applyAwarenessUpdate(this.awareness, kept.length === entries.length && !dropped ? update : encodeEntries(kept), owner);
	}

	/** An entry applyAwarenessUpdate would ignore (same rule): not newer than the state held, an unknown client counting as clock 0. */
	private isStale(clientId: number, clock: number, json: string): boolean {
		const current = this.awareness.meta.get(clientId)?.clock ?? 0;
		if (current < clock) return false;
		return current > clock || json !== 'null' || !this.awareness.states.has(clientId);
	}

	private claim(owner: AwarenessOwner, clientId: number): boolean {
		const current = this.owners.get(clientId);
		if (current === owner) return true;
		if (current ? current.userId !== owner.userId : owner.clientIds.size >= MAX_IDS_PER_CONNECTION) return false;
		current?.clientIds.delete(clientId);
		this.owners.set(clientId, owner);
		owner.clientIds.add(clientId);
		return true;
	}

	/**
	 * The user whose presence announces a client id: the connection that claimed it here, else the
	 * user a state from another process names (checked there, see `claimsOtherUser`).
	 */
	userOf(clientId: number): string | undefined {
		const id = this.owners.get(clientId)?.userId ?? userNamed(this.awareness.states.get(clientId));
		return typeof id === 'string' ? id : undefined;
	}

	/** States from another process's clients (already checked there); relayed to ours in the next window. */
	applyRemote(update: Uint8Array): void {
		try {
			applyAwarenessUpdate(this.awareness, update, REMOTE);
		} catch {
			// a peer process sent something we cannot read: presence only, nothing to repair
		}
	}

	/** Every known state in one message, for a joiner or a query; null when there is none. */
	statesMessage(): Uint8Array | null {
		const ids = [...this.awareness.getStates().keys()];
		return ids.length ? encodeAwareness(encodeAwarenessUpdate(this.awareness, ids)) : null;
	}

	/** Removes the states a closed connection owned; peers learn of it in the next window. */
	release(owner: AwarenessOwner): void {
		const ids = [...owner.clientIds];
		for (const id of ids) this.owners.delete(id);
		owner.clientIds.clear();
		removeAwarenessStates(this.awareness, ids, 'closed');
	}

	destroy(): void {
		this.awareness.destroy(); // emits a last update; the timer it schedules is cleared next
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
	}

	/** A change goes out at once (leading edge) unless the room flushed within `changeMs`; then at the window's end. */
	private schedule(): void {
		const now = Date.now();
		const at = this.urgent ? Math.max(now, this.lastFlush + this.timing.changeMs) : now + this.timing.renewalMs;
		if (this.timer && this.flushAt <= at) return;
		if (this.timer) clearTimeout(this.timer);
		this.flushAt = at;
		this.timer = setTimeout(() => this.flush(), at - now);
	}

	private flush(): void {
		this.lastFlush = Date.now();
		this.timer = null;
		this.flushAt = Infinity;
		this.urgent = false;
		if (this.localDirty.size && this.publish) {
			this.publish(encodeAwarenessUpdate(this.awareness, [...this.localDirty]));
			this.localDirty.clear();
		}
		if (!this.dirty.size) return;
		const ids = [...this.dirty];
		this.dirty.clear();
		this.broadcast(encodeAwareness(encodeAwarenessUpdate(this.awareness, ids)));
	}
}
