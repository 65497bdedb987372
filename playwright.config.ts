import { defineConfig } from '@playwright/test';

/** 4173 by default; E2E_PORT lets two runs (e.g. two engineers) share the machine. */
const PORT = Number(process.env.E2E_PORT ?? 4173);
const DATA_DIR = PORT === 4173 ? 'test-results/e2e-data' : `test-results/e2e-data-${PORT}`;
const baseURL = `http://localhost:${PORT}`;

/**
 * Browser tests against the production build (`npm run test:e2e` builds first when sources changed).
 * Debian's Chromium is used directly: `npx playwright install` cannot work offline.
 */
export default defineConfig({
	testDir: 'tests/e2e',
	outputDir: PORT === 4173 ? 'test-results/e2e' : `test-results/e2e-${PORT}`,
	fullyParallel: false,
	workers: 1,
	retries: 0,
	timeout: 60_000,
	expect: { timeout: 10_000 },
	reporter: [['list']],
	use: {
		baseURL,
		viewport: { width: 1920, height: 1080 },
		locale: 'zh-CN',
		trace: 'retain-on-failure',
		screenshot: 'only-on-failure',
		launchOptions: {
			executablePath: '/usr/bin/chromium',
			// No --disable-gpu: SwiftShader keeps WebGL available for the map board.
			args: [
				'--no-sandbox',
				'--use-angle=swiftshader',
				'--enable-unsafe-swiftshader',
				'--disable-background-networking',
				'--disable-component-update',
				'--no-first-run'
			]
		}
	},
	projects: [{ name: 'chromium' }],
	webServer: {
		// A fresh database every run (scripts/e2e-server.mjs empties test-results/e2e-data first), served
		// through `npm start`'s launcher, as it ships.
		command: 'node scripts/start.mjs scripts/e2e-server.mjs',
		url: `${baseURL}/login`,
		env: { PORT: String(PORT), E2E_DATA_DIR: DATA_DIR },
		reuseExistingServer: false,
		timeout: 180_000,
		stdout: 'pipe',
		stderr: 'pipe'
	}
});
