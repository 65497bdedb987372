// Builds the app when build output is missing or older than any source file.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.BUILD_DIR ?? 'build';
const outputs = [`${dir}/handler.js`, `${dir}-server/index.js`];
const sources = ['src', 'server', 'db', 'static', 'package.json', 'svelte.config.js', 'vite.config.ts'];

function newest(path) {
	if (!existsSync(path)) return 0;
	const s = statSync(path);
	if (!s.isDirectory()) return s.mtimeMs;
	return Math.max(0, ...readdirSync(path).map((n) => newest(join(path, n))));
}

export function buildIsStale() {
	if (!outputs.every(existsSync)) return true;
	const built = Math.min(...outputs.map((o) => statSync(o).mtimeMs));
	return sources.some((s) => newest(s) > built);
}

if (buildIsStale()) {
	console.log('Building Drillboard (first start or sources changed)…');
	execSync('npm run build', { stdio: 'inherit' });
}
