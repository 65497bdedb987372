/**
 * The multi-process benchmark (bench/scale.ts) in CI, as a short variant: 1 and 2 serving processes on
 * PostgreSQL and Redis, 12 real providers, 4 s each. The benchmark exits non-zero when a delivery is
 * missing or the clients' documents differ; the full variant is `npm run bench:scale`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { backend } from './helpers/db';

const out = mkdtempSync(join(tmpdir(), 'drillboard-scale-bench-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function bench(env: Record<string, string | undefined>) {
	return spawnSync(process.execPath, ['--import', 'tsx', 'bench/scale.ts', '--quick', '--processes=1,2'], {
		env: { ...process.env, BENCH_SECONDS: '4', BENCH_SCALE_CLIENTS: '12', BENCH_RESULTS_DIR: out, ...env },
		encoding: 'utf8',
		timeout: 120_000
	});
}

it('refuses to run without PostgreSQL, saying why', () => {
	const r = bench({ DATABASE_URL: '' });
	expect(r.status).not.toBe(0);
	expect(r.stderr).toContain('multi-process mode needs PostgreSQL');
});

if (backend === 'postgres') {
	it('delivers every edit to every client across 1 and 2 processes, and the documents end equal', () => {
		const r = bench({});
		expect(r.stderr).not.toMatch(/Error/);
		expect(r.status).toBe(0);
		const [file] = readdirSync(out).filter((f) => f.startsWith('scale-quick-'));
		const { results } = JSON.parse(readFileSync(join(out, file), 'utf8')) as {
			results: { processes: number; editsSent: number; deliveriesReceived: number; deliveriesExpected: number; finalStatesEqual: boolean; crossProcess: { n: number } }[];
		};
		expect(results.map((x) => x.processes)).toEqual([1, 2]);
		for (const x of results) {
			expect(x.editsSent).toBeGreaterThan(0);
			expect(x.deliveriesReceived).toBe(x.deliveriesExpected);
			expect(x.finalStatesEqual).toBe(true);
		}
		// With two processes some deliveries crossed the Redis hop.
		expect(results[1].crossProcess.n).toBeGreaterThan(0);
	}, 150_000);
}
