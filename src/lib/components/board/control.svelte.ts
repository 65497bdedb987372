/**
 * The control document (`exercise/<id>/control`) in the browser, read-only: delivered injects,
 * acknowledgements, the exercise clock and monitoring-point changes, all written by the server only
 * (shape and accessors in $lib/board/control). Kept in IndexedDB like the layers, so the inbox and
 * clock survive a reload while offline; the collab server never accepts a write on this document.
 */
import * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';
import type { WebsocketProvider } from 'y-websocket';
import { readAcks, readClock, readInjects, readPointStates, type ControlClock, type DeliveredInject, type InjectAckView, type PointState } from '$lib/board/control';
import { batchedReader, LiveLink } from '$lib/components/live/link.svelte';

export class ControlDoc extends LiveLink {
	readonly docName: string;
	injects = $state.raw<DeliveredInject[]>([]);
	acks = $state.raw<InjectAckView[]>([]);
	clock = $state.raw<ControlClock | null>(null);
	/** Replaced whole on every read (`$state.raw`), never mutated. */
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- an immutable snapshot, replaced whole.
	points = $state.raw<Map<string, PointState>>(new Map());
	/** True once the server's state has been received at least once (arrivals after it raise alerts). */
	serverSynced = $state(false);

	private readonly doc = new Y.Doc();
	private readonly provider: WebsocketProvider;
	private readonly idb: IndexeddbPersistence;
	private destroyed = false;
	/** Reads the maps once per burst of updates. */
	private readonly schedule = batchedReader(() => this.read(), () => !this.destroyed);

	constructor(docName: string, userId: string, serverUrl: string) {
		super();
		this.docName = docName;
		this.idb = new IndexeddbPersistence(`drillboard:${userId}:${docName}`, this.doc);
		this.idb.on('synced', () => this.schedule());
		this.doc.on('update', () => this.schedule());
		this.provider = this.connectProvider(serverUrl, docName, this.doc, {
			onSync: (isSynced) => {
				if (!isSynced) return;
				this.read();
				this.serverSynced = true;
			}
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
