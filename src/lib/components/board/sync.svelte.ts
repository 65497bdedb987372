/**
 * Browser side of the board's documents: one Y.Doc per layer, kept in IndexedDB (edits survive a
 * reload and work offline) and synced with the collab server by the stock y-websocket provider.
 *
 * Refused writes: when the server drops a write on a read-only connection it closes the socket with
 * 4003 (see server/collab/protocol.ts). The refused edit is still in the local doc and would be sent
 * again on every reconnect, so the layer drops its local copy (provider, undo history and its
 * IndexedDB database), marks itself read-only and resyncs from a fresh document.
 * 4401/4403 are final (signed out / no access): the layer stays closed and says why.
 *
 * Cross-tab BroadcastChannel is off: a refused edit would otherwise flow back from another tab
 * into the fresh document; tabs still meet through the server.
 */
import * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';
import type { WebsocketProvider } from 'y-websocket';
import type { Awareness } from 'y-protocols/awareness';
import { featureMap, listFeatures, LOCAL_EDIT, type BoardFeature } from '$lib/board/features';
import { summarizeLinks } from '$lib/board/connection';
import type { BoardLayerInfo } from '$lib/board/layers';
import {
	onlineByAgency,
	POINTER_INTERVAL_MS,
	remotePointers,
	remoteSelections,
	throttle,
	type OnlineGroup,
	type PresenceUser,
	type SelectedFeature
} from '$lib/board/presence';
import { batchedReader, collabUrl, EditableLink } from '$lib/components/live/link.svelte';
import { ControlDoc } from './control.svelte';

export interface LayerEvents {
	/** Features changed (local or remote). */
	changed(layer: LayerDoc): void;
	/** The server refused a write; the layer was reset. */
	refused(layer: LayerDoc, reason: string): void;
	/** An undo stack item was added by a local edit. */
	localEdit(layer: LayerDoc): void;
	/** The document instance was replaced (after a refusal). */
	replaced(layer: LayerDoc): void;
}

export class LayerDoc extends EditableLink {
	readonly info: BoardLayerInfo;
	features = $state.raw<BoardFeature[]>([]);
	pending = $state(0);

	doc!: Y.Doc;
	provider!: WebsocketProvider;
	undo!: Y.UndoManager;
	private idb!: IndexeddbPersistence;
	private resetting = false;
	private destroyed = false;
	private readonly schedule = batchedReader(() => this.read(), () => !this.destroyed);

	constructor(
		info: BoardLayerInfo,
		private readonly userId: string,
		private readonly serverUrl: string,
		private readonly events: LayerEvents,
		/** Only the common document carries presence; the others send no awareness. */
		private readonly carriesPresence: boolean
	) {
		super();
		this.info = info;
		this.writable = info.writable;
		this.open();
	}

	/** IndexedDB database of this document for this user (two people may share a browser). */
	get storeName(): string {
		return `drillboard:${this.userId}:${this.info.docName}`;
	}

	private open() {
		const doc = new Y.Doc();
		this.doc = doc;
		this.features = [];
		this.idb = new IndexeddbPersistence(this.storeName, doc);
		const idb = this.idb;
		idb.on('synced', () => {
			void idb.get('pending').then((n) => {
				if (this.idb === idb && !this.synced && typeof n === 'number' && n > this.pending) this.pending = n;
			});
		});
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- Yjs reads this Set; it is not UI state.
		this.undo = new Y.UndoManager(featureMap(doc), { trackedOrigins: new Set([LOCAL_EDIT]), captureTimeout: 300 });
		this.undo.on('stack-item-added', (e, um) => {
			if (e.type === 'undo' && um === this.undo && !undoRedoing) this.events.localEdit(this);
		});
		featureMap(doc).observeDeep(() => this.schedule());
		doc.on('update', (_u: Uint8Array, origin: unknown) => {
			const local = origin === LOCAL_EDIT || origin === this.undo;
			// Not confirmed sent: no synced link, or the browser is offline (a dead socket may still look open).
			if (local && (!(this.link === 'connected' && this.synced) || !navigator.onLine)) {
				this.pending++;
				void this.idb.set('pending', this.pending);
			}
		});

		this.provider = this.connectProvider(this.serverUrl, this.info.docName, doc, {
			presence: this.carriesPresence,
			onSync: (isSynced) => {
				if (isSynced && this.pending) {
					this.pending = 0;
					void this.idb.set('pending', 0);
				}
			},
			onWriteRefused: (reason) => void this.resetAfterRefusal(reason)
		});
	}

	private read() {
		this.features = listFeatures(this.doc);
		this.events.changed(this);
	}

	/** Drops the local copy (document, undo history, IndexedDB) and resyncs from the server. */
	private async resetAfterRefusal(reason: string) {
		if (this.resetting || this.destroyed) return;
		this.resetting = true;
		this.markRefused();
		const { provider, idb, doc, undo } = this;
		provider.destroy();
		undo.destroy();
		try {
			await idb.clearData();
		} catch {
			// A store that cannot be cleared is replaced below all the same.
		}
		doc.destroy();
		this.pending = 0;
		if (!this.destroyed) {
			this.open();
			this.events.replaced(this);
			this.events.refused(this, reason);
		}
		this.resetting = false;
	}

	/**
	 * Reconnects so the sync exchange sends whatever is pending: after the browser comes back
	 * online the old socket may be dead without having noticed.
	 */
	resync() {
		if (this.closed || this.resetting || this.destroyed) return;
		this.provider.disconnect();
		this.provider.connect();
	}

	destroy() {
		this.destroyed = true;
		this.provider.destroy();
		this.undo.destroy();
		void this.idb.destroy();
		this.doc.destroy();
	}
}

/** True while the board runs an undo/redo, so those stack items are not taken for new edits. */
let undoRedoing = false;

export interface Pointer {
	clientId: number;
	user: PresenceUser;
	at: [number, number];
}

/** All layers of one board, the (read-only) control document, their joint connection state, cross-layer undo and presence. */
export class BoardSync {
	readonly layers: LayerDoc[];
	/** Clock, delivered injects, acknowledgements, monitoring changes; null when not asked for. */
	readonly control: ControlDoc | null;
	browserOnline = $state(true);
	online = $state.raw<OnlineGroup[]>([]);
	pointers = $state.raw<Pointer[]>([]);
	/** What other people have selected on the board. */
	selections = $state.raw<{ user: PresenceUser; selection: SelectedFeature }[]>([]);
	private undoOrder = $state<string[]>([]);
	private redoOrder = $state<string[]>([]);
	get link() {
		const docs = this.layers.map((l) => ({ link: l.link, synced: l.synced, everConnected: l.everConnected, pending: l.pending }));
		const c = this.control;
		if (c) docs.push({ link: c.link, synced: c.synced, everConnected: c.everConnected, pending: 0 });
		return summarizeLinks(docs, this.browserOnline);
	}
	get canUndo() {
		return this.undoOrder.length > 0;
	}
	get canRedo() {
		return this.redoOrder.length > 0;
	}

	private awareness: Awareness | null = null;
	private mySelection: SelectedFeature | null = null;
	private readonly setPointer: ReturnType<typeof throttle<[[number, number] | null]>>;
	private readonly onAwareness = () => this.readAwareness();
	private readonly onOnline = () => {
		this.browserOnline = navigator.onLine;
		if (navigator.onLine) for (const l of this.layers) if (l.pending > 0) l.resync();
	};

	constructor(
		layers: BoardLayerInfo[],
		private readonly me: PresenceUser,
		private readonly agencyOrder: string[],
		private readonly hooks: { changed(layer: LayerDoc): void; refused(layer: LayerDoc, reason: string): void },
		/** Name of the exercise's control document (`exercise/<id>/control`), read-only. */
		controlDocName: string | null = null
	) {
		const url = collabUrl();
		this.control = controlDocName ? new ControlDoc(controlDocName, me.id, url) : null;
		const events: LayerEvents = {
			changed: (l) => this.hooks.changed(l),
			refused: (l, reason) => {
				this.forget(l.info.key);
				this.hooks.refused(l, reason);
			},
			localEdit: (l) => {
				this.undoOrder.push(l.info.key);
				this.redoOrder = [];
			},
			replaced: (l) => {
				if (l.info.key === 'common') this.bindPresence(l);
			}
		};
		this.layers = layers.map((info) => new LayerDoc(info, me.id, url, events, info.key === 'common'));
		const common = this.layers.find((l) => l.info.key === 'common');
		if (common) this.bindPresence(common);
		this.setPointer = throttle((p: [number, number] | null) => this.awareness?.setLocalStateField('pointer', p), POINTER_INTERVAL_MS);
		this.browserOnline = navigator.onLine;
		addEventListener('online', this.onOnline);
		addEventListener('offline', this.onOnline);
	}

	layer(key: string): LayerDoc | undefined {
		return this.layers.find((l) => l.info.key === key);
	}

	private bindPresence(common: LayerDoc) {
		this.awareness?.off('change', this.onAwareness);
		this.awareness = common.provider.awareness;
		this.awareness.setLocalState({ user: this.me, pointer: null, selection: this.mySelection });
		this.awareness.on('change', this.onAwareness);
		this.readAwareness();
	}

	private readAwareness() {
		const a = this.awareness;
		if (!a) return;
		const states = a.getStates();
		this.online = onlineByAgency(states.values(), this.agencyOrder);
		this.pointers = remotePointers(states, a.clientID);
		this.selections = remoteSelections(states, a.clientID);
	}

	/** Own selection, shown to the others (a rare change: sent as it happens). */
	select(selection: SelectedFeature | null) {
		const same = selection?.layer === this.mySelection?.layer && selection?.id === this.mySelection?.id;
		if (same) return;
		this.mySelection = selection ? { layer: selection.layer, id: selection.id } : null;
		this.awareness?.setLocalStateField('selection', this.mySelection);
	}

	/** Own pointer over the map (null when it leaves); sent at most 5 times a second. */
	pointer(at: [number, number] | null) {
		this.setPointer(at);
		if (at === null) this.setPointer.flush();
	}

	private forget(key: string) {
		this.undoOrder = this.undoOrder.filter((k) => k !== key);
		this.redoOrder = this.redoOrder.filter((k) => k !== key);
	}

	/** Undoes the person's most recent edit, whichever layer it was in. */
	undo(): boolean {
		while (this.undoOrder.length) {
			const key = this.undoOrder.pop() as string;
			const l = this.layer(key);
			if (!l || !l.writable || !l.undo.canUndo()) continue;
			undoRedoing = true;
			try {
				l.undo.undo();
			} finally {
				undoRedoing = false;
			}
			this.redoOrder.push(key);
			return true;
		}
		return false;
	}

	redo(): boolean {
		while (this.redoOrder.length) {
			const key = this.redoOrder.pop() as string;
			const l = this.layer(key);
			if (!l || !l.writable || !l.undo.canRedo()) continue;
			undoRedoing = true;
			try {
				l.undo.redo();
			} finally {
				undoRedoing = false;
			}
			this.undoOrder.push(key);
			return true;
		}
		return false;
	}

	/** Ends the current undo capture so the next edit is a separate step. */
	stopCapturing() {
		for (const l of this.layers) l.undo.stopCapturing();
	}

	destroy() {
		this.setPointer.cancel();
		this.awareness?.off('change', this.onAwareness);
		removeEventListener('online', this.onOnline);
		removeEventListener('offline', this.onOnline);
		for (const l of this.layers) l.destroy();
		this.control?.destroy();
	}
}
