/**
 * What every live document in the browser shares: a stock y-websocket provider (BroadcastChannel off,
 * so tabs meet only through the server; reconnect backoff capped at 5 s) and its connection state as
 * the pages show it. Subclasses own their Y.Doc and any local store and call `connectProvider`; a
 * subclass that replaces its provider (after a refused write) calls it again, and events of the
 * replaced provider are ignored from then on.
 */
import type * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import * as decoding from 'lib0/decoding';
import type { DocLink } from '$lib/board/connection';

/** Close codes of server/collab/protocol.ts that the client acts on. */
export const CLOSE_WRITE_REFUSED = 4003;
export const CLOSE_UNAUTHENTICATED = 4401;
export const CLOSE_FORBIDDEN = 4403;

/** y-protocols' auth message: the server's reason for refusing a write comes in one. */
const MESSAGE_AUTH = 2;

/** Same host, ws or wss as the page (the collaboration server shares the app's port). */
export function collabUrl(loc: Location = location): string {
	return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/collab`;
}

export interface ProviderOptions {
	/** Only the board's common document carries presence; every other document sends no awareness. */
	presence?: boolean;
	/** The provider's sync state changed (true: the server's state is in). */
	onSync?(isSynced: boolean): void;
	/** The server refused a write and closed with 4003; `reason` is what it said. */
	onWriteRefused?(reason: string): void;
}

export class LiveLink {
	link = $state<DocLink>('connecting');
	synced = $state(false);
	everConnected = $state(false);
	/** Why the server closed this document for good (4401/4403 are final), if it did. */
	closed = $state<'unauthenticated' | 'forbidden' | null>(null);

	private current: WebsocketProvider | null = null;
	private lastDenial = '';

	protected connectProvider(url: string, name: string, doc: Y.Doc, options: ProviderOptions = {}): WebsocketProvider {
		const provider = new WebsocketProvider(url, name, doc, { connect: false, disableBc: true, maxBackoffTime: 5000 });
		this.current = provider;
		this.synced = false;
		this.lastDenial = '';
		const mine = () => this.current === provider;
		if (!options.presence) provider.awareness.setLocalState(null);
		// Keep the server's reason for a refusal (the stock handler only logs it).
		provider.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder) => {
			this.lastDenial = decoding.readVarUint(decoder) === 0 ? decoding.readVarString(decoder) : '';
		};
		provider.on('status', ({ status }) => {
			if (!mine() || this.link === 'closed') return;
			// A retry after a failed attempt stays "disconnected" until it succeeds.
			if (!(status === 'connecting' && this.link === 'disconnected')) this.link = status;
			if (status === 'connected') this.everConnected = true;
			if (status !== 'connected') this.synced = false;
		});
		provider.on('sync', (isSynced: boolean) => {
			if (!mine()) return;
			this.synced = isSynced;
			options.onSync?.(isSynced);
		});
		provider.on('connection-close', (event) => {
			if (!mine()) return;
			if (this.link !== 'closed') this.link = 'disconnected';
			this.synced = false;
			if (event?.code === CLOSE_WRITE_REFUSED) options.onWriteRefused?.(this.lastDenial || event.reason);
		});
		provider.on('closed', ({ code }) => {
			if (!mine()) return;
			this.link = 'closed';
			this.closed = code === CLOSE_UNAUTHENTICATED ? 'unauthenticated' : 'forbidden';
		});
		provider.connect();
		return provider;
	}
}

/**
 * A live document the user may edit while the server lets them. A refused write makes this instance
 * read-only (the subclass drops its copy and reopens); `refusals` counts them for the page.
 */
export abstract class EditableLink extends LiveLink {
	writable = $state(false);
	refusals = $state(0);
	abstract doc: Y.Doc;

	/** Runs a local edit only while this document may be written; null otherwise. */
	edit<T>(fn: (doc: Y.Doc) => T): T | null {
		if (!this.writable || this.closed) return null;
		return fn(this.doc);
	}

	/** Marks the document read-only after a refused write. */
	protected markRefused() {
		this.writable = false;
		this.refusals++;
	}
}

/** Calls `read` once per burst of updates (a sync or a delivery changes many maps in a row), while `alive()`. */
export function batchedReader(read: () => void, alive: () => boolean): () => void {
	let scheduled = false;
	return () => {
		if (scheduled) return;
		scheduled = true;
		queueMicrotask(() => {
			scheduled = false;
			if (alive()) read();
		});
	};
}
