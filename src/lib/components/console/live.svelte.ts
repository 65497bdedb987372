/**
 * The console's live view of an exercise: the control document (clock, delivered injects,
 * acknowledgements, the log mirror) and every agency's document (map layer and task cards), each
 * through a read-only stock y-websocket provider. Nothing is ever written: the control document is
 * the server's, and the console changes things only through the JSON API. No IndexedDB either —
 * the console always shows the server's state.
 */
import * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import { agencyDocName, commonDocName, controlDocName } from '$lib/board/docs';
import { readAcks, readClock, readInjects, readLog, type ControlClock, type DeliveredInject, type InjectAckView } from '$lib/board/control';
import { listFeatures, type BoardFeature } from '$lib/board/features';
import { listTasks } from '$lib/board/tasks';
import type { LogEntry } from '$lib/domain/commandlog/entry';
import type { TaskView } from '$lib/domain/scenario/console';
import type { DocLink } from '$lib/board/connection';
import { collabUrl, LiveLink } from '$lib/components/live/link.svelte';

class ReadOnlyDoc extends LiveLink {
	readonly doc = new Y.Doc();
	readonly provider: WebsocketProvider;
	private timer: ReturnType<typeof setTimeout> | null = null;

	constructor(url: string, name: string, onChange: () => void) {
		super();
		// An empty document sends no update: read it once it is in sync all the same.
		this.provider = this.connectProvider(url, name, this.doc, { onSync: (s) => s && onChange() });
		// Coalesce bursts (a delivery writes several maps) into one recomputation.
		this.doc.on('update', () => {
			if (this.timer) return;
			this.timer = setTimeout(() => {
				this.timer = null;
				onChange();
			}, 60);
		});
	}

	destroy() {
		if (this.timer) clearTimeout(this.timer);
		this.provider.destroy();
		this.doc.destroy();
	}
}

export interface AgencyLive {
	features: number;
	tasks: TaskView[];
}

export class LiveExercise {
	clock = $state.raw<ControlClock | null>(null);
	injects = $state.raw<DeliveredInject[]>([]);
	acks = $state.raw<InjectAckView[]>([]);
	log = $state.raw<LogEntry[]>([]);
	agencies = $state.raw<Record<string, AgencyLive>>({});
	sharedFeatures = $state(0);
	/** Marks per layer (`common` or an agency code), for the live mini-map. */
	layerFeatures = $state.raw<Record<string, BoardFeature[]>>({});
	/** Bumped whenever the control document changes (the page refreshes the server's plan then). */
	controlVersion = $state(0);

	private readonly control: ReadOnlyDoc;
	private readonly common: ReadOnlyDoc;
	private readonly agencyDocs: Record<string, ReadOnlyDoc> = {};

	get link(): DocLink {
		const all = [this.control, this.common, ...Object.values(this.agencyDocs)];
		if (all.some((d) => d.link === 'closed')) return 'closed';
		if (all.every((d) => d.link === 'connected' && d.synced)) return 'connected';
		return all.some((d) => d.link === 'disconnected') ? 'disconnected' : 'connecting';
	}

	constructor(exerciseId: string, agencyCodes: readonly string[]) {
		const url = collabUrl();
		this.control = new ReadOnlyDoc(url, controlDocName(exerciseId), () => this.readControl());
		this.common = new ReadOnlyDoc(url, commonDocName(exerciseId), () => {
			const features = listFeatures(this.common.doc);
			this.sharedFeatures = features.length;
			this.layerFeatures = { ...this.layerFeatures, common: features };
		});
		for (const code of agencyCodes) {
			const d = new ReadOnlyDoc(url, agencyDocName(exerciseId, code), () => this.readAgency(code));
			this.agencyDocs[code] = d;
		}
	}

	private readControl() {
		const doc = this.control.doc;
		this.clock = readClock(doc);
		this.injects = readInjects(doc);
		this.acks = readAcks(doc);
		this.log = readLog(doc);
		this.controlVersion++;
	}

	private readAgency(code: string) {
		const d = this.agencyDocs[code];
		if (!d) return;
		const tasks: TaskView[] = listTasks(d.doc).map((t) => ({
			id: t.id,
			agency: code,
			status: t.status,
			injectId: t.injectId,
			dueScenarioMs: t.dueScenarioMs,
			touched: t.updatedBy.id !== 'control'
		}));
		const features = listFeatures(d.doc);
		this.agencies = { ...this.agencies, [code]: { features: features.length, tasks } };
		this.layerFeatures = { ...this.layerFeatures, [code]: features };
	}

	destroy() {
		this.control.destroy();
		this.common.destroy();
		for (const d of Object.values(this.agencyDocs)) d.destroy();
	}
}
