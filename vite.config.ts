import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin } from 'vite';

/**
 * Dev only: serve the collaboration WebSocket (`/collab/…`) on Vite's own port, as server/index.ts does
 * in production; other upgrades (Vite's HMR socket) are left alone. The server code is loaded through
 * Vite's SSR loader, the same module graph SvelteKit uses, so both share one context and database.
 */
function collabDevServer(): Plugin {
	return {
		name: 'drillboard-collab',
		apply: 'serve',
		configureServer(server) {
			const httpServer = server.httpServer;
			if (!httpServer) return; // middleware mode: whoever owns the http server attaches collab
			let collab: Promise<import('./server/collab/index').Collab> | null = null;
			const start = async () => {
				const [{ createCollab }, { appContext }, { ClockCache }, { startServices }] = await Promise.all([
					server.ssrLoadModule('/server/collab/index.ts') as Promise<typeof import('./server/collab/index')>,
					server.ssrLoadModule('/server/context.ts') as Promise<typeof import('./server/context')>,
					server.ssrLoadModule('/server/clock-cache.ts') as Promise<typeof import('./server/clock-cache')>,
					server.ssrLoadModule('/server/services.ts') as Promise<typeof import('./server/services')>
				]);
				const ctx = await appContext();
				const clocks = new ClockCache();
				const c = createCollab(ctx, { scenarioTime: clocks.scenarioTime });
				await startServices(ctx, c, clocks);
				return c;
			};
			httpServer.on('upgrade', (req, socket, head) => {
				if (!req.url?.startsWith('/collab/')) return;
				collab ??= start();
				collab.then(
					(c) => c.handleUpgrade(req, socket, head),
					(e) => {
						server.config.logger.error(`collab server failed to start: ${e instanceof Error ? (e.stack ?? e.message) : e}`);
						socket.destroy();
					}
				);
			});
			httpServer.once('close', () => void collab?.then((c) => c.close()).catch(() => {}));
		}
	};
}

export default defineConfig({
	plugins: [collabDevServer(), sveltekit()],
	optimizeDeps: { exclude: ['@node-rs/argon2', '@electric-sql/pglite'] },
	ssr: { external: ['@node-rs/argon2', '@electric-sql/pglite'] }
});
