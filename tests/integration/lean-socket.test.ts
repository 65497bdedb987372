/**
 * The join storm's minimal WebSocket client (bench/lib/lean-socket.ts) against a real `ws` server:
 * what it hands over must be what the server sent, or the benchmark's storm figures mean nothing.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { LeanSocket } from '../../bench/lib/lean-socket';

let wss: WebSocketServer | null = null;
let client: LeanSocket | null = null;

afterEach(async () => {
	client?.terminate();
	client = null;
	if (!wss) return;
	for (const c of wss.clients) c.terminate();
	await new Promise((r) => wss!.close(r));
	wss = null;
});

async function pair(keepBytes?: number): Promise<{ server: WebSocket; client: LeanSocket; headers: Record<string, string | string[] | undefined> }> {
	wss = new WebSocketServer({ port: 0, perMessageDeflate: false });
	await once(wss, 'listening');
	const { port } = wss.address() as AddressInfo;
	const connected = once(wss, 'connection') as Promise<[WebSocket, { headers: Record<string, string | string[] | undefined> }]>;
	const c = new LeanSocket(`ws://127.0.0.1:${port}/collab/x`, { Authorization: 'Bearer t' }, keepBytes);
	client = c;
	const [[server, req]] = await Promise.all([connected, once(c, 'open')]);
	return { server, client: c, headers: req.headers };
}

const nextMessage = (client: LeanSocket) => once(client, 'message') as Promise<[Buffer, number]>;

describe('LeanSocket', () => {
	it('sends the headers it is given and masked frames the server reads back intact', async () => {
		const { server, client, headers } = await pair();
		expect(headers.authorization).toBe('Bearer t');
		const got = once(server, 'message') as Promise<[Buffer]>;
		const sent = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256);
		client.send(sent);
		const [data] = await got;
		expect(Buffer.compare(data, Buffer.from(sent))).toBe(0);
	});

	it('hands over short messages whole and only the head and length of long ones', async () => {
		const { server, client } = await pair(1000);
		const small = Buffer.from([0, 1, 2, 3]);
		const large = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
		const first = nextMessage(client);
		server.send(small);
		const [head1, len1] = await first;
		expect([...head1]).toEqual([...small]);
		expect(len1).toBe(4);
		const second = nextMessage(client);
		server.send(large);
		const [head2, len2] = await second;
		expect(len2).toBe(300_000);
		expect(Buffer.compare(head2, large.subarray(0, 1000))).toBe(0);
	});

	it('joins a message sent in several frames', async () => {
		const { server, client } = await pair();
		const got = nextMessage(client);
		server.send(Buffer.from([1, 2]), { fin: false });
		server.send(Buffer.from([3]), { fin: false });
		server.send(Buffer.from([4, 5]), { fin: true });
		const [head, length] = await got;
		expect([...head]).toEqual([1, 2, 3, 4, 5]);
		expect(length).toBe(5);
	});

	it('reports the close code and reason the server gives', async () => {
		const { server, client } = await pair();
		const closed = once(client, 'close') as Promise<[number, Buffer]>;
		server.close(4403, 'no access');
		const [code, reason] = await closed;
		expect(code).toBe(4403);
		expect(reason.toString()).toBe('no access');
	});
});
