/**
 * Runs every benchmark, one after another, each in its own Node process so that none measures the
 * leftovers of another. Arguments are passed on (e.g. `npm run bench -- --quick`, `-- --minutes=5` for
 * the soak). The multi-process benchmark (scale.ts) needs PostgreSQL and Redis: set DATABASE_URL (and
 * REDIS_URL unless Redis is on 127.0.0.1:6379); without DATABASE_URL it says so and counts as failed.
 * To add a benchmark, add its file to BENCHES.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHES = ['collab.ts', 'storm-floor.ts', 'review.ts', 'scale.ts', 'soak.ts'];

const args = process.argv.slice(2);
let failed = 0;
for (const file of BENCHES) {
	const path = fileURLToPath(new URL(file, import.meta.url));
	console.log(`\n=== bench/${file} ${args.join(' ')}`);
	const r = spawnSync(process.execPath, ['--import', 'tsx', path, ...args], { stdio: 'inherit' });
	if (r.status !== 0) {
		failed++;
		console.error(`bench/${file} failed (exit ${r.status ?? r.signal})`);
	}
}
process.exit(failed ? 1 : 0);
