import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from '../../scripts/node-flags.mjs';

describe('serving process flags', () => {
	it('npm start passes every flag the tests and benchmarks run the server with', () => {
		const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
		expect(scripts.start).toBe(`node ${SERVER_NODE_FLAGS.join(' ')} scripts/start.mjs`);
	});

	it('are flags node accepts', () => {
		expect(SERVER_NODE_FLAGS.length).toBeGreaterThan(0);
		// node refuses an option it does not know ("bad option", exit 9), V8's included.
		const run = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, '-e', 'process.exit(0)'], { encoding: 'utf8' });
		expect(run.stderr).toBe('');
		expect(run.status).toBe(0);
		expect(spawnSync(process.execPath, ['--heap-growing-percentage=30', '-e', '0']).status).not.toBe(0);
	});
});
