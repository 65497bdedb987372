import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
	preprocess: vitePreprocess(),
	kit: {
		// BUILD_DIR lets two builds live side by side (e.g. parallel browser-test runs).
		adapter: adapter({ out: process.env.BUILD_DIR ?? 'build' }),
		alias: { $server: 'server', $db: 'db' }
	}
};
