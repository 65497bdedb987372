/**
 * A live, read-only view of an exercise's control document (`exercise/<id>/control`): the mirrored
 * command-chain log, delivered injects and the clock. Only the server writes that document, so this
 * client never changes it and never keeps a local copy (no IndexedDB); BroadcastChannel is off as on
 * the board.
 */
import * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import { controlDocName } from '$lib/board/docs';
import { readClock, readInjects, readLog, type ControlClock, type DeliveredInject } from '$lib/board/control';
import type { LogEntry } from '$lib/domain/commandlog/entry';
import { batchedReader, collabUrl, LiveLink } from './link.svelte';

export class ControlFeed extends LiveLink {
	entries = $state.raw<LogEntry[]>([]);
	injects = $state.raw<DeliveredInject[]>([]);
	clock = $state.raw<ControlClock | null>(null);

	private readonly doc = new Y.Doc();
	private readonly provider: WebsocketProvider;
	private destroyed = false;
	private readonly schedule = batchedReader(() => this.read(), () => !this.destroyed);

	constructor(exerciseId: string) {
		super();
		this.provider = this.connectProvider(collabUrl(), controlDocName(exerciseId), this.doc);
		this.doc.on('update', () => this.schedule());
	}

	private read() {
		this.entries = readLog(this.doc);
		this.injects = readInjects(this.doc);
		this.clock = readClock(this.doc);
	}

	destroy() {
		this.destroyed = true;
		this.provider.destroy();
		this.doc.destroy();
	}
}
