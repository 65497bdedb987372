/**
 * One client socket in one room: enforces the frame rules (binary only, rate, decodable) and hands
 * decoded messages to the room. A client that breaks a rule is closed; nobody else notices.
 */
import { WebSocket, type RawData } from 'ws';
import type { Principal } from './access';
import type { AwarenessOwner } from './awareness';
import { TokenBucket } from './limits';
import type { ResolvedOptions } from './options';
import type { PacedOutput, SendPacer } from './pacer';
import { CLOSE, decodeClientMessage, encodePermissionDenied, MalformedMessage } from './protocol';
import type { Room } from './room';
import type { CollabCounters } from './stats';

export class Connection implements AwarenessOwner, PacedOutput {
	readonly clientIds = new Set<number>();
	/** Whether a pong arrived since the last ping. */
	alive = true;
	private closing = false;
	private readonly bucket: TokenBucket;
	/** Messages waiting for the pacer (a large one, and whatever was sent after it). */
	private queue: Uint8Array[] = [];
	private queueBytes = 0;

	constructor(
		private readonly ws: WebSocket,
		readonly principal: Principal,
		private readonly room: Room,
		private readonly options: ResolvedOptions,
		private readonly counters: CollabCounters,
		private readonly pacer: SendPacer,
		onClosed: (conn: Connection) => void
	) {
		this.bucket = new TokenBucket(options.messagesPerSecond, options.messageBurst);
		ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
		ws.on('pong', () => (this.alive = true));
		ws.on('error', (e) => this.onError(e));
		ws.on('close', () => onClosed(this));
	}

	/** Bytes sent but still queued in this process (waiting for the pacer, or for a peer that reads slower than we write). */
	get queuedBytes(): number {
		return this.queueBytes + this.ws.bufferedAmount;
	}

	get userId(): string {
		return this.principal.userId;
	}

	/** For the pacer; a connection that closed meanwhile drops its queue here and reports nothing queued. */
	get nextSize(): number | null {
		if (this.closing || this.ws.readyState !== WebSocket.OPEN) this.dropQueue();
		return this.queue[0]?.length ?? null;
	}

	/** Sends now, or queues behind what is queued; a large message waits for the pacer. */
	send(message: Uint8Array): void {
		if (this.closing || this.ws.readyState !== WebSocket.OPEN) return;
		if (!this.queue.length && message.length < this.pacer.largeBytes) {
			this.ws.send(message);
			return;
		}
		this.queue.push(message);
		this.queueBytes += message.length;
		this.pacer.schedule(this);
	}

	writeNext(): void {
		const message = this.queue.shift();
		if (!message) return;
		this.queueBytes -= message.length;
		this.ws.send(message);
	}

	/** Closes after whatever is queued (a refusal's reason must reach the client before its close code). */
	close(code: number, reason: string): void {
		if (this.closing) return;
		while (this.nextSize !== null) this.writeNext();
		this.closing = true;
		this.ws.close(code, reason);
	}

	/** Drops the socket without the close handshake (shutdown of a peer that does not answer). */
	terminate(): void {
		this.closing = true;
		this.dropQueue();
		this.ws.terminate();
	}

	private dropQueue(): void {
		this.queue = [];
		this.queueBytes = 0;
	}

	/** Called by the ping timer: drop a peer that did not answer the previous ping. */
	ping(): void {
		if (!this.alive) {
			this.ws.terminate();
			return;
		}
		this.alive = false;
		this.ws.ping();
	}

	/**
	 * A changing update from a connection that may not write: it is not applied, stored or relayed.
	 * The client is told (y-protocols permission-denied, then close 4003) and reconnects as a reader;
	 * our UI discards its local copy on 4003 first, since Yjs cannot un-apply the refused change.
	 */
	refuseWrite(reason: string): void {
		this.counters.refusedWrites++;
		this.options.log.warn(`[collab] refused a write by ${this.principal.username} to ${this.room.name}: ${reason}`);
		this.send(encodePermissionDenied(reason));
		this.close(CLOSE.writeRefused, 'write refused');
	}

	private onMessage(data: RawData, isBinary: boolean): void {
		if (this.closing) return;
		if (!this.bucket.take()) {
			this.counters.rateLimited++;
			this.options.log.warn(`[collab] ${this.principal.username} exceeded the message rate on ${this.room.name}`);
			this.close(CLOSE.rateLimited, 'rate limit exceeded');
			return;
		}
		try {
			if (!isBinary) throw new MalformedMessage('text frame');
			this.room.receive(this, decodeClientMessage(toBytes(data)));
		} catch (e) {
			if (!(e instanceof MalformedMessage)) {
				this.options.log.error(`[collab] ${this.room.name}: message from ${this.principal.username} failed:`, e);
				this.close(CLOSE.internalError, 'internal error');
				return;
			}
			this.counters.malformed++;
			this.options.log.warn(`[collab] malformed message from ${this.principal.username} on ${this.room.name}: ${e.message}`);
			this.close(CLOSE.malformed, 'malformed message');
		}
	}

	/** `ws` reports frame-level violations here and closes the socket itself (1009 for size, 1002 otherwise). */
	private onError(e: Error & { code?: string }): void {
		if (e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.counters.tooBig++;
		else this.counters.malformed++;
		this.closing = true;
		this.options.log.warn(`[collab] ${this.principal.username} on ${this.room.name}: ${e.message}`);
	}
}

function toBytes(data: RawData): Uint8Array {
	if (Array.isArray(data)) return Buffer.concat(data);
	return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
