/**
 * A live, read-only view of an exercise's control document (`exercise/<id>/control`): the mirrored
 * command-chain log, delivered injects and the clock. Only the server writes that document, so this
 * client never changes it and never keeps a local copy (no IndexedDB); BroadcastChannel is off as on
 * the board.
 */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { controlDocName } from '$lib/board/docs';
import { readClock, readInjects, readLog, type ControlClock, type DeliveredInject } from '$lib/board/control';
import type { DocLink } from '$lib/board/connection';
import type { LogEntry } from '$lib/domain/commandlog/entry';
import { collabUrl, CLOSE_UNAUTHENTICATED } from '$lib/components/board/sync.svelte';

export class ControlFeed {
	entries = $state.raw<LogEntry[]>([]);
	injects = $state.raw<DeliveredInject[]>([]);
	clock = $state.raw<ControlClock | null>(null);
	link = $state<DocLink>('connecting');
	synced = $state(false);
	closed = $state<'unauthenticated' | 'forbidden' | null>(null);

	private readonly doc = new Y.Doc();
	private readonly provider: WebsocketProvider;
	private scheduled = false;
	private destroyed = false;

	constructor(exerciseId: string) {
		this.provider = new WebsocketProvider(collabUrl(), controlDocName(exerciseId), this.doc, { disableBc: true, maxBackoffTime: 5000 });
		this.provider.awareness.setLocalState(null);
		this.provider.on('status', ({ status }) => {
			if (this.link !== 'closed') this.link = status;
			if (status !== 'connected') this.synced = false;
		});
		this.provider.on('sync', (s: boolean) => (this.synced = s));
		this.provider.on('closed', ({ code }) => {
			this.link = 'closed';
			this.closed = code === CLOSE_UNAUTHENTICATED ? 'unauthenticated' : 'forbidden';
		});
		this.doc.on('update', () => this.schedule());
	}

	private schedule() {
		if (this.scheduled) return;
		this.scheduled = true;
		queueMicrotask(() => {
			this.scheduled = false;
			if (this.destroyed) return;
			this.entries = readLog(this.doc);
			this.injects = readInjects(this.doc);
			this.clock = readClock(this.doc);
		});
	}

	destroy() {
		this.destroyed = true;
		this.provider.destroy();
		this.doc.destroy();
	}
}
