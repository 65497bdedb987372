/**
 * The control document (`exercise/<id>/control`), written only by the server and read by every member:
 *
 *   injects    Y.Map<DeliveredInject>   delivered injects, player-safe fields only, keyed by inject id
 *   acks       Y.Map<InjectAckView>     inject acknowledgements, keyed `<inject id>|<agency>`
 *   log        Y.Map<LogEntry>          mirror of the command-chain log, keyed by sequence number
 *   clock      Y.Map                    status, running, speed, anchorWallMs, anchorScenarioMs
 *   monitoring Y.Map<PointState>        live changes of monitoring points, keyed by point id
 *   setup      Y.Map                    `layersOf`: the scenario whose initial map layers are on the board
 *
 * Every write is keyed, so writing the same fact twice (a retry, a restart's reconciliation) is harmless.
 */
import * as Y from 'yjs';
import type { ClockState } from '../domain/clock';
import type { LogEntry } from '../domain/commandlog/entry';
import type { ExerciseStatus } from '../domain/lifecycle';
import type { PublicInject } from '../domain/scenario/public';

export interface DeliveredInject extends PublicInject {
	source: string;
	scenarioMs: number;
	deliveredAt: string;
	late: boolean;
}

export interface InjectAckView {
	injectId: string;
	agency: string;
	userId: string;
	at: string;
	scenarioMs: number;
}

export interface PointState {
	value?: number;
	fault?: 'offline' | 'frozen' | 'transmission_lost' | null;
	scenarioMs: number;
}

export interface ControlClock extends ClockState {
	status: ExerciseStatus;
}

const injects = (doc: Y.Doc) => doc.getMap<DeliveredInject>('injects');
const acks = (doc: Y.Doc) => doc.getMap<InjectAckView>('acks');
const log = (doc: Y.Doc) => doc.getMap<LogEntry>('log');
const clock = (doc: Y.Doc) => doc.getMap<unknown>('clock');
const monitoring = (doc: Y.Doc) => doc.getMap<PointState>('monitoring');

export function putInject(doc: Y.Doc, i: DeliveredInject): void {
	injects(doc).set(i.id, i);
}
export function putAck(doc: Y.Doc, a: InjectAckView): void {
	acks(doc).set(`${a.injectId}|${a.agency}`, a);
}
export function putLogEntry(doc: Y.Doc, e: LogEntry): void {
	log(doc).set(String(e.seq), e);
}
export function putClock(doc: Y.Doc, c: ControlClock): void {
	const m = clock(doc);
	for (const [k, v] of Object.entries(c)) if (m.get(k) !== v) m.set(k, v);
}
export function putPointState(doc: Y.Doc, pointId: string, s: PointState): void {
	monitoring(doc).set(pointId, s);
}

const setup = (doc: Y.Doc) => doc.getMap<string>('setup');
export const initialLayersOf = (doc: Y.Doc): string | null => setup(doc).get('layersOf') ?? null;
export function markInitialLayers(doc: Y.Doc, scenarioId: string): void {
	setup(doc).set('layersOf', scenarioId);
}

export const readInjects = (doc: Y.Doc): DeliveredInject[] =>
	[...injects(doc).values()].sort((a, b) => a.deliveredAt.localeCompare(b.deliveredAt) || a.id.localeCompare(b.id));
export const readAcks = (doc: Y.Doc): InjectAckView[] => [...acks(doc).values()];
export const readLog = (doc: Y.Doc): LogEntry[] => [...log(doc).values()].sort((a, b) => a.seq - b.seq);
export const readPointStates = (doc: Y.Doc): Map<string, PointState> => new Map(monitoring(doc).entries());

export function readClock(doc: Y.Doc): ControlClock | null {
	const m = clock(doc);
	if (!m.has('status')) return null;
	return {
		status: m.get('status') as ExerciseStatus,
		running: m.get('running') === true,
		speed: Number(m.get('speed') ?? 1),
		anchorWallMs: Number(m.get('anchorWallMs') ?? 0),
		anchorScenarioMs: Number(m.get('anchorScenarioMs') ?? 0)
	};
}
