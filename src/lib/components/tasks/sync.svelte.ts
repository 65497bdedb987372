/**
 * Live task cards: one Y.Doc + stock y-websocket provider per agency document
 * (`exercise/<id>/agency/<code>`, map `tasks`), the same documents the board draws into.
 *
 * Refused writes follow docs/board.md: when the collab server drops a write from a connection that
 * may not write (e.g. the exercise just ended), it closes with 4003. The refused change stays in the
 * local document and would be offered again on every reconnect, so the agency's document is thrown
 * away (provider and doc destroyed), marked read-only and opened afresh from the server, and the page
 * is told (it shows a notice and reloads its permissions). 4401/4403 are final. This page keeps no
 * IndexedDB copy (the board's offline store stays the board's), so there is no local store to clear.
 */
import * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import { listFeatures, type BoardFeature } from '$lib/board/features';
import { listTasks, type TaskCard } from '$lib/board/tasks';
import { summarizeLinks } from '$lib/board/connection';
import { batchedReader, collabUrl, EditableLink } from '$lib/components/live/link.svelte';
/** Origin of this page's own edits. */
export const TASK_EDIT = Symbol.for('drillboard.tasks.local-edit');

export interface AgencyDocInfo {
	agency: string;
	docName: string;
	writable: boolean;
}

export class AgencyTaskDoc extends EditableLink {
	readonly agency: string;
	readonly docName: string;
	tasks = $state.raw<TaskCard[]>([]);
	features = $state.raw<BoardFeature[]>([]);

	doc!: Y.Doc;
	private provider!: WebsocketProvider;
	private destroyed = false;
	private readonly schedule = batchedReader(() => this.read(), () => !this.destroyed);
	private resetting = false;

	constructor(
		info: AgencyDocInfo,
		private readonly url: string,
		private readonly onRefused: (d: AgencyTaskDoc, reason: string) => void
	) {
		super();
		this.agency = info.agency;
		this.docName = info.docName;
		this.writable = info.writable;
		this.open();
	}

	private open() {
		const doc = new Y.Doc();
		this.doc = doc;
		this.tasks = [];
		this.features = [];
		doc.on('update', () => this.schedule());
		this.provider = this.connectProvider(this.url, this.docName, doc, { onWriteRefused: (reason) => void this.reset(reason) });
	}

	private read() {
		this.tasks = listTasks(this.doc);
		this.features = listFeatures(this.doc);
	}

	/** Drops the refused local copy and resyncs read-only from the server. */
	private async reset(reason: string) {
		if (this.resetting || this.destroyed) return;
		this.resetting = true;
		this.markRefused();
		this.provider.destroy();
		this.doc.destroy();
		this.open();
		this.onRefused(this, reason);
		this.resetting = false;
	}

	destroy() {
		this.destroyed = true;
		this.provider.destroy();
		this.doc.destroy();
	}
}

/** Every agency's task document of one exercise. */
export class TaskSync {
	readonly docs: AgencyTaskDoc[];

	constructor(infos: AgencyDocInfo[], onRefused: (d: AgencyTaskDoc, reason: string) => void) {
		const url = collabUrl();
		this.docs = infos.map((i) => new AgencyTaskDoc(i, url, onRefused));
	}

	get tasks(): TaskCard[] {
		return this.docs.flatMap((d) => d.tasks);
	}

	get link() {
		return summarizeLinks(this.docs.map((d) => ({ link: d.link, synced: d.synced, everConnected: d.everConnected, pending: 0 })));
	}

	doc(agency: string): AgencyTaskDoc | undefined {
		return this.docs.find((d) => d.agency === agency);
	}

	destroy() {
		for (const d of this.docs) d.destroy();
	}
}
