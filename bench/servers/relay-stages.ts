/**
 * Where a server spends an edit's relay, seen from inside the server process: for every message a
 * socket hands to its handler that makes the handler write to many sockets before it returns, the time
 * from the message to the first write and to the last. Both servers relay synchronously in the
 * message handler (ours after a synchronous commit on idle PGlite), so this splits the end-to-end
 * latency into "before the first send" (checks, persistence, Yjs) and "fan-out" (the socket writes).
 *
 * It wraps `ws`'s WebSocket.prototype.emit and .send in the server process, so it is opt-in
 * (`npm run bench:collab -- --stages`, env BENCH_STAGES=1): the wrappers add two clock reads per send.
 */
import { WebSocket } from 'ws';
import { summarize, type Summary } from '../lib/common';

/** A handler that writes at least this many frames is a relay (an edit reaches ≈ 28 clients). */
const MIN_SENDS = 10;

export interface StageSummary {
	/** Milliseconds from the incoming message to the first relayed frame (n: relays timed). */
	toFirstSend: Summary;
	/** … and to the last. */
	toLastSend: Summary;
}

export class RelayStages {
	private toFirst: number[] = [];
	private toLast: number[] = [];
	private inMessage = false;
	private first = 0;
	private last = 0;
	private sends = 0;

	install(): void {
		const emit = WebSocket.prototype.emit;
		const send = WebSocket.prototype.send;
		// eslint-disable-next-line @typescript-eslint/no-this-alias -- the wrappers need both `this`es
		const stages = this;
		WebSocket.prototype.emit = function (this: WebSocket, event: string | symbol, ...args: unknown[]): boolean {
			if (event !== 'message' || stages.inMessage) return emit.call(this, event, ...args);
			stages.inMessage = true;
			stages.sends = 0;
			const t = performance.now();
			try {
				return emit.call(this, event, ...args);
			} finally {
				stages.inMessage = false;
				if (stages.sends >= MIN_SENDS) {
					stages.toFirst.push(stages.first - t);
					stages.toLast.push(stages.last - t);
				}
			}
		};
		// `send` is overloaded; the wrapper passes whatever it was given.
		const sendAny = send as (this: WebSocket, ...args: unknown[]) => void;
		WebSocket.prototype.send = function (this: WebSocket, ...args: unknown[]): void {
			if (stages.inMessage && stages.sends++ === 0) stages.first = performance.now();
			sendAny.apply(this, args);
			if (stages.inMessage) stages.last = performance.now();
		} as WebSocket['send'];
	}

	mark(): void {
		this.toFirst = [];
		this.toLast = [];
	}

	read(): StageSummary {
		return { toFirstSend: summarize(this.toFirst), toLastSend: summarize(this.toLast) };
	}
}
