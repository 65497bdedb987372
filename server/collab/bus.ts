/**
 * What the collaboration server needs from a cross-process relay (multi-process mode; the Redis
 * implementation is server/scale/redis-bus.ts). Only committed updates travel on it, each with its
 * log seq, so a receiver never persists them again and can spot gaps; the database stays the truth.
 */
import type { LoggedUpdate } from './persistence';

export type BusMessage =
	/** Updates already stored in doc_updates, in seq order, with their attribution. */
	| { kind: 'updates'; updates: LoggedUpdate[] }
	/** An awareness update (y-protocols encoding) from another process's clients. */
	| { kind: 'awareness'; update: Uint8Array };

export interface DocBus {
	/** Listens to one document's channel; resolves once the subscription is active (or the bus is down). Returns the unsubscriber. */
	subscribe(doc: string, onMessage: (message: BusMessage) => void): Promise<() => void>;
	/** Fire-and-forget: a message lost while the bus is down is made good by the catch-up after it returns. */
	publish(doc: string, message: BusMessage): void;
	/** False while the relay is unreachable: rooms then poll the database instead. */
	connected(): boolean;
	/** Called after the relay came back (messages may have been missed meanwhile); returns the unsubscriber. */
	onReconnect(fn: () => void): () => void;
}
