/**
 * The control document (`exercise/<id>/control`) in the browser, read-only: delivered injects,
 * acknowledgements, the exercise clock and monitoring-point changes, all written by the server only
 * (shape and accessors in $lib/board/control). Kept in IndexedDB like the layers, so the inbox and
 * clock survive a reload while offline; the collab server never accepts a write on this document.
 */
import * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import { readAcks, readClock, readInjects, readPointStates, type ControlClock, type DeliveredInject, type InjectAckView, type PointState } from '$lib/board/control';
import type { DocLink } from '$lib/board/connection';

export const CLOSE_UNAUTHENTICATED = 4401;

export class ControlDoc {
	readonly docName: string;
	injects = $state.raw<DeliveredInject[]>([]);
	acks = $state.raw<InjectAckView[]>([]);
	clock = $state.raw<ControlClock | null>(null);
	/** Replaced whole on every read (`$state.raw`), never mutated. */
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- an immutable snapshot, replaced whole.
	points = $state.raw<Map<string, PointState>>(new Map());
	link = $state<DocLink>('connecting');
	synced = $state(false);
	everConnected = $state(false);
	/** True once the server's state has been received at least once (arrivals after it raise alerts). */
	serverSynced = $state(false);
	closed = $state<'unauthenticated' | 'forbidden' | null>(null);

	private readonly doc = new Y.Doc();
	private readonly provider: WebsocketProvider;
	private readonly idb: IndexeddbPersistence;
	private scheduled = false;
	private destroyed = false;

	constructor(docName: string, userId: string, serverUrl: string) {
		this.docName = docName;
		this.idb = new IndexeddbPersistence(`drillboard:${userId}:${docName}`, this.doc);
		this.idb.on('synced', () => this.schedule());
		this.doc.on('update', () => this.schedule());
		const provider = new WebsocketProvider(serverUrl, docName, this.doc, { connect: false, disableBc: true, maxBackoffTime: 5000 });
		this.provider = provider;
		// This document carries no presence.
		provider.awareness.setLocalState(null);
		provider.on('status', ({ status }) => {
			if (!(status === 'connecting' && this.link === 'disconnected')) this.link = status;
			if (status === 'connected') this.everConnected = true;
			if (status !== 'connected') this.synced = false;
		});
		provider.on('sync', (isSynced: boolean) => {
			this.synced = isSynced;
			if (isSynced) {
				this.read();
				this.serverSynced = true;
			}
		});
		provider.on('connection-close', () => {
			if (this.link !== 'closed') this.link = 'disconnected';
			this.synced = false;
		});
		provider.on('closed', ({ code }) => {
			this.link = 'closed';
			this.closed = code === CLOSE_UNAUTHENTICATED ? 'unauthenticated' : 'forbidden';
		});
		provider.connect();
	}

	/** Reads the maps once per burst of updates. */
	private schedule() {
		if (this.scheduled) return;
		this.scheduled = true;
		queueMicrotask(() => {
			this.scheduled = false;
			if (!this.destroyed) this.read();
		});
	}

	private read() {
		this.injects = readInjects(this.doc);
		this.acks = readAcks(this.doc);
		const c = readClock(this.doc);
		if (JSON.stringify(c) !== JSON.stringify(this.clock)) this.clock = c;
		this.points = readPointStates(this.doc);
	}

	resync() {
		if (this.closed || this.destroyed) return;
		this.provider.disconnect();
		this.provider.connect();
	}

	destroy() {
		this.destroyed = true;
		this.provider.destroy();
		void this.idb.destroy();
		this.doc.destroy();
	}
}
