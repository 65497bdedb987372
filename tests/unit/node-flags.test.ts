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
		for (const flag of SERVER_NODE_FLAGS) expect(process.allowedNodeEnvironmentFlags.has(flag.split('=')[0])).toBe(true);
	});
});
