// `npm test`: the whole suite — unit and integration tests (vitest), then browser tests (Playwright).
// With DATABASE_URL set, integration and browser tests run on PostgreSQL instead of PGlite.
import { spawnSync } from 'node:child_process';

const backend = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const steps = [
	['unit + integration', 'npm', ['run', 'test:node']],
	['browser', 'npm', ['run', 'test:e2e']]
];
for (const [name, cmd, args] of steps) {
	console.log(`\n--- ${name} tests on ${backend}`);
	const r = spawnSync(cmd, args, { stdio: 'inherit' });
	if (r.status !== 0) {
		console.error(`\n${name} tests failed on ${backend}.`);
		process.exit(r.status ?? 1);
	}
}
