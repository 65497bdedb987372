/**
 * The reference: @y/websocket-server 0.1.1 as its own bin runs it (setupWSConnection on a ws server,
 * no auth, no persistence), mounted at /collab/<doc name> so the same clients reach both servers.
 * Started by bench/collab.ts as `node --import tsx bench/servers/reference.ts` with an IPC channel.
 */
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { docs, setupWSConnection } from '@y/websocket-server/utils';
import { docNameFromUrl, ProcessMetrics, listenAndAnnounce, serveIpc, type BenchUser, type BenchUserRequest } from './harness';

const metrics = new ProcessMetrics();
const server = http.createServer((_req, res) => {
	res.writeHead(404).end();
});
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
	const docName = docNameFromUrl(req.url);
	if (!docName) {
		socket.destroy();
		return;
	}
	wss.handleUpgrade(req, socket, head, (ws) => setupWSConnection(ws, req, { docName, gc: true }));
});

serveIpc(
	metrics,
	{
		/** No accounts here: a made-up user id per client (used in presence states). */
		'bench.users': (arg) =>
			Object.fromEntries(
				(arg as BenchUserRequest[]).map((r): [number, BenchUser] => [r.idx, { userId: `user-${r.idx}`, agency: r.doc.includes('/agency/') ? r.doc.slice(r.doc.lastIndexOf('/') + 1) : null }])
			),
		/** Documents held in memory and their connection counts. */
		docs: () => [...docs.values()].map((d) => ({ name: d.name, conns: d.conns.size }))
	},
	async () => {
		for (const c of wss.clients) c.terminate();
		server.close();
	}
);

listenAndAnnounce(server, {
	kind: 'reference',
	exerciseId: crypto.randomUUID(),
	tokens: {},
	info: { server: '@y/websocket-server 0.1.1', auth: 'none', persistence: 'none' }
});
