/**
 * The y-websocket wire format (y-protocols sync, awareness and auth messages in binary frames) and our
 * close codes. Decoding is strict: the stock client never sends trailing bytes, unknown message types
 * or auth messages, so anything like that is a broken or hostile client.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_AUTH = 2;
const MESSAGE_QUERY_AWARENESS = 3;

const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;

const AUTH_PERMISSION_DENIED = 0;

/**
 * Close codes. The stock WebsocketProvider treats 4400–4499 as final (stops reconnecting, emits
 * `closed`); every other code makes it reconnect with backoff.
 */
export const CLOSE = {
	/** Server shutting down: reconnect later. */
	goingAway: 1001,
	/** A frame larger than the limit (sent by `ws` itself): reconnect. */
	tooBig: 1009,
	/** Persistence failed or the room could not load: reconnect and resync. */
	internalError: 1011,
	/** A write on a read-only connection was dropped: discard the local copy, reconnect and resync. */
	writeRefused: 4003,
	/** Too many messages per second: reconnect after backoff. */
	rateLimited: 4008,
	/** Undecodable frame or a message type the protocol does not allow from a client: final. */
	malformed: 4400,
	/** No valid session: final (sign in again). */
	unauthenticated: 4401,
	/** Not a member, no read permission, unknown document or foreign origin: final. */
	forbidden: 4403
} as const;

export type ClientMessage =
	| { type: 'sync-step1'; stateVector: Uint8Array }
	| { type: 'sync-step2'; update: Uint8Array }
	| { type: 'update'; update: Uint8Array }
	| { type: 'awareness'; update: Uint8Array }
	| { type: 'query-awareness' };

export class MalformedMessage extends Error {}

/** Decodes one client frame; throws MalformedMessage for anything but a well-formed known message. */
export function decodeClientMessage(data: Uint8Array): ClientMessage {
	try {
		const decoder = decoding.createDecoder(data);
		const message = read(decoder);
		if (decoding.hasContent(decoder)) throw new MalformedMessage('trailing bytes');
		return message;
	} catch (e) {
		if (e instanceof MalformedMessage) throw e;
		throw new MalformedMessage(e instanceof Error ? e.message : 'undecodable');
	}
}

function read(decoder: decoding.Decoder): ClientMessage {
	const type = decoding.readVarUint(decoder);
	if (type === MESSAGE_SYNC) {
		const step = decoding.readVarUint(decoder);
		// lib0's readVarUint8Array throws when the length runs past the frame.
		const payload = decoding.readVarUint8Array(decoder);
		if (step === SYNC_STEP1) return { type: 'sync-step1', stateVector: payload };
		if (step === SYNC_STEP2) return { type: 'sync-step2', update: payload };
		if (step === SYNC_UPDATE) return { type: 'update', update: payload };
		throw new MalformedMessage(`unknown sync message ${step}`);
	}
	if (type === MESSAGE_AWARENESS) return { type: 'awareness', update: decoding.readVarUint8Array(decoder) };
	if (type === MESSAGE_QUERY_AWARENESS) return { type: 'query-awareness' };
	throw new MalformedMessage(`unknown message type ${type}`);
}

function message(write: (encoder: encoding.Encoder) => void): Uint8Array {
	const encoder = encoding.createEncoder();
	write(encoder);
	return encoding.toUint8Array(encoder);
}

export const encodeSyncStep1 = (stateVector: Uint8Array) =>
	message((e) => {
		encoding.writeVarUint(e, MESSAGE_SYNC);
		encoding.writeVarUint(e, SYNC_STEP1);
		encoding.writeVarUint8Array(e, stateVector);
	});

export const encodeSyncStep2 = (update: Uint8Array) =>
	message((e) => {
		encoding.writeVarUint(e, MESSAGE_SYNC);
		encoding.writeVarUint(e, SYNC_STEP2);
		encoding.writeVarUint8Array(e, update);
	});

export const encodeUpdate = (update: Uint8Array) =>
	message((e) => {
		encoding.writeVarUint(e, MESSAGE_SYNC);
		encoding.writeVarUint(e, SYNC_UPDATE);
		encoding.writeVarUint8Array(e, update);
	});

export const encodeAwareness = (update: Uint8Array) =>
	message((e) => {
		encoding.writeVarUint(e, MESSAGE_AWARENESS);
		encoding.writeVarUint8Array(e, update);
	});

/** y-protocols' auth "permission denied"; the stock client logs the reason with console.warn. */
export const encodePermissionDenied = (reason: string) =>
	message((e) => {
		encoding.writeVarUint(e, MESSAGE_AUTH);
		encoding.writeVarUint(e, AUTH_PERMISSION_DENIED);
		encoding.writeVarString(e, reason);
	});
