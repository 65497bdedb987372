/**
 * A minimal WebSocket client (RFC 6455) for the join storm's lightweight clients: the handshake over
 * `http`, masked binary frames out, and incoming frames parsed as the bytes stream in. A message longer
 * than `keepBytes` is never assembled: its first `keepBytes` arrive with its full length.
 *
 * Why not `ws`: it copies every incoming message into one fresh buffer. For 190 joiners of a 1.46 MB
 * board that is 277 MB of copies and as much garbage in the benchmark's own thread, which then spent
 * more CPU than the server it was timing (copying and collecting: ≈ 1.1 s of the storm's 2–3 s).
 * The bytes still cross the socket and are counted, so "had the board" still means "received it all".
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { Socket } from 'node:net';
import WebSocket from 'ws';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_CONTINUATION = 0x0;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

interface Frame {
	fin: boolean;
	opcode: number;
	length: number;
}

/**
 * Events: 'open'; 'message' (head: Buffer, length: number), head being the whole payload unless it is
 * longer than `keepBytes`; 'unexpected-response' (req, res); 'error' (err); 'close' (code, reason).
 */
export class LeanSocket extends EventEmitter {
	/** `ws`'s readyState values, so callers can treat both alike. */
	readyState: number = WebSocket.CONNECTING;
	private socket: Socket | null = null;
	private pending: Buffer[] = [];
	private pendingBytes = 0;
	private frame: Frame | null = null;
	private frameLeft = 0;
	/** The message being received: its kept bytes and its length so far. */
	private kept: Buffer[] = [];
	private keptBytes = 0;
	private messageLength = 0;
	private control: Buffer[] = [];
	private closed = false;

	constructor(
		url: string,
		headers: Record<string, string>,
		private readonly keepBytes = 64 * 1024
	) {
		super();
		const key = randomBytes(16).toString('base64');
		const req = http.request(url.replace(/^ws/, 'http'), {
			headers: { ...headers, Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' }
		});
		req.on('upgrade', (res, socket, head) => {
			const expected = createHash('sha1').update(key + GUID).digest('base64');
			if (res.headers['sec-websocket-accept'] !== expected) {
				socket.destroy();
				this.emit('error', new Error('bad Sec-WebSocket-Accept'));
				return;
			}
			this.socket = socket;
			socket.setNoDelay(true);
			socket.on('data', (chunk: Buffer) => this.receive(chunk));
			socket.on('error', (err) => this.emit('error', err));
			socket.on('close', () => this.finish(1006, Buffer.alloc(0)));
			this.readyState = WebSocket.OPEN;
			this.emit('open');
			if (head.length) this.receive(head);
		});
		req.on('response', (res) => this.emit('unexpected-response', req, res));
		req.on('error', (err) => this.emit('error', err));
		req.end();
	}

	send(payload: Uint8Array): void {
		this.write(OP_BINARY, payload);
	}

	close(code = 1000): void {
		if (this.readyState !== WebSocket.OPEN) return;
		const body = Buffer.alloc(2);
		body.writeUInt16BE(code);
		this.write(OP_CLOSE, body);
		this.readyState = WebSocket.CLOSING;
		this.socket?.end();
	}

	terminate(): void {
		this.socket?.destroy();
	}

	private write(opcode: number, payload: Uint8Array): void {
		if (!this.socket || this.readyState !== WebSocket.OPEN) return;
		const n = payload.length;
		const lengthBytes = n < 126 ? 0 : n < 65536 ? 2 : 8;
		const header = Buffer.alloc(2 + lengthBytes + 4);
		header[0] = 0x80 | opcode;
		header[1] = 0x80 | (lengthBytes === 0 ? n : lengthBytes === 2 ? 126 : 127);
		if (lengthBytes === 2) header.writeUInt16BE(n, 2);
		else if (lengthBytes === 8) header.writeBigUInt64BE(BigInt(n), 2);
		const mask = randomBytes(4);
		mask.copy(header, 2 + lengthBytes);
		const body = Buffer.allocUnsafe(n);
		for (let i = 0; i < n; i++) body[i] = payload[i] ^ mask[i & 3];
		this.socket.write(Buffer.concat([header, body]));
	}

	private receive(chunk: Buffer): void {
		let at = 0;
		while (at < chunk.length && !this.closed) {
			if (!this.frame) {
				// Header bytes may straddle chunks: gather them, then parse once there are enough.
				this.pending.push(chunk.subarray(at));
				this.pendingBytes += chunk.length - at;
				at = chunk.length;
				const parsed = this.parseHeader();
				if (!parsed) return;
				// Whatever followed the header goes round the loop again as the frame's payload.
				chunk = parsed.rest;
				at = 0;
				continue;
			}
			const take = Math.min(this.frameLeft, chunk.length - at);
			this.payload(chunk.subarray(at, at + take));
			at += take;
			this.frameLeft -= take;
			if (this.frameLeft === 0) this.endFrame();
		}
	}

	/** Parses a frame header from the gathered bytes; returns the bytes after it, or null if incomplete. */
	private parseHeader(): { rest: Buffer } | null {
		if (this.pendingBytes < 2) return null;
		const bytes = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
		const len7 = bytes[1] & 0x7f;
		const headerBytes = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0);
		if (bytes.length < headerBytes) {
			this.pending = [bytes];
			return null;
		}
		const length = len7 === 126 ? bytes.readUInt16BE(2) : len7 === 127 ? Number(bytes.readBigUInt64BE(2)) : len7;
		this.frame = { fin: (bytes[0] & 0x80) !== 0, opcode: bytes[0] & 0x0f, length };
		this.frameLeft = length;
		this.pending = [];
		this.pendingBytes = 0;
		const rest = bytes.subarray(headerBytes);
		if (length === 0) this.endFrame();
		return { rest };
	}

	private payload(part: Buffer): void {
		if (this.frame!.opcode >= OP_CLOSE) {
			this.control.push(Buffer.from(part));
			return;
		}
		this.messageLength += part.length;
		const room = this.keepBytes - this.keptBytes;
		if (room <= 0) return;
		// Copied: the chunk's memory is the socket's, and a slice would keep it all alive.
		const piece = Buffer.from(part.subarray(0, room));
		this.kept.push(piece);
		this.keptBytes += piece.length;
	}

	private endFrame(): void {
		const frame = this.frame!;
		this.frame = null;
		if (frame.opcode >= OP_CLOSE) {
			const body = Buffer.concat(this.control);
			this.control = [];
			if (frame.opcode === OP_PING) this.write(OP_PONG, body);
			else if (frame.opcode === OP_CLOSE) {
				const code = body.length >= 2 ? body.readUInt16BE(0) : 1005;
				if (this.readyState === WebSocket.OPEN) this.write(OP_CLOSE, body.subarray(0, 2));
				this.finish(code, body.subarray(2));
				this.socket?.end();
			}
			return;
		}
		if (frame.opcode !== OP_CONTINUATION && frame.opcode !== OP_BINARY) throw new Error(`unexpected opcode ${frame.opcode}`);
		if (!frame.fin) return;
		const head = this.kept.length === 1 ? this.kept[0] : Buffer.concat(this.kept);
		const length = this.messageLength;
		this.kept = [];
		this.keptBytes = 0;
		this.messageLength = 0;
		this.emit('message', head, length);
	}

	private finish(code: number, reason: Buffer): void {
		if (this.closed) return;
		this.closed = true;
		this.readyState = WebSocket.CLOSED;
		this.emit('close', code, reason);
	}
}
