import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVER_ENV, SERVER_NODE_FLAGS, servingEnv } from '../../scripts/serving-process.mjs';

describe('serving process flags', () => {
	it('npm start runs the launcher, which applies them', () => {
		const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
		expect(scripts.start).toBe('node scripts/start.mjs');
	});

	it('are flags node accepts', () => {
		expect(SERVER_NODE_FLAGS.length).toBeGreaterThan(0);
		// node refuses an option it does not know ("bad option", exit 9), V8's included.
		const run = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, '-e', 'process.exit(0)'], { encoding: 'utf8' });
		expect(run.stderr).toBe('');
		expect(run.status).toBe(0);
		expect(spawnSync(process.execPath, ['--heap-growing-percentage=30', '-e', '0']).status).not.toBe(0);
	});

	it('environment defaults yield to what the operator set', () => {
		expect(servingEnv({ PORT: '1' })).toEqual({ PORT: '1', ...SERVER_ENV });
		expect(servingEnv({ MALLOC_ARENA_MAX: '4' }).MALLOC_ARENA_MAX).toBe('4');
		expect(servingEnv({ MALLOC_ARENA_MAX: '' }).MALLOC_ARENA_MAX).toBe(SERVER_ENV.MALLOC_ARENA_MAX);
	});
});

describe('launcher (scripts/start.mjs)', () => {
	// A stand-in for the server: shuts down as the real one does (followLauncher), then reports how it
	// was started; exits with 3 so the launcher's exit code can be told from a default.
	const dir = mkdtempSync(join(tmpdir(), 'drillboard-launcher-'));
	const entry = join(dir, 'entry.mjs');
	writeFileSync(
		entry,
		`import { followLauncher } from ${JSON.stringify(pathToFileURL('scripts/serving-process.mjs').href)};
followLauncher((reason) => { console.log(JSON.stringify({ shutdown: reason })); process.exit(3); });
console.log(JSON.stringify({ pid: process.pid, arenas: process.env.MALLOC_ARENA_MAX, execArgv: process.execArgv }));
setInterval(() => {}, 1000);
`
	);
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	/** Starts the launcher; `lines` yields the stand-in's JSON lines (its stdout is the launcher's). */
	function launch(env: Record<string, string> = {}) {
		const launcher = spawn(process.execPath, ['scripts/start.mjs', entry], { env: { ...process.env, MALLOC_ARENA_MAX: '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
		const lines = createInterface({ input: launcher.stdout! })[Symbol.asyncIterator]();
		const next = async () => JSON.parse((await lines.next()).value as string) as Record<string, unknown>;
		const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
		return { launcher, next, exited };
	}

	function alive(pid: number) {
		try {
			process.kill(pid, 0);
			return true;
		} catch {
			return false;
		}
	}

	async function gone(pid: number) {
		for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
		return !alive(pid);
	}

	let running: ChildProcess | undefined;
	afterAll(() => running?.kill('SIGKILL'));

	it('starts the server with the flags and environment, forwards SIGTERM and passes on its exit code', async () => {
		const { launcher, next, exited } = launch();
		running = launcher;
		const started = await next();
		expect(started.arenas).toBe(SERVER_ENV.MALLOC_ARENA_MAX);
		expect(started.execArgv).toEqual(SERVER_NODE_FLAGS);
		launcher.kill('SIGTERM');
		expect(await next()).toEqual({ shutdown: 'SIGTERM' });
		expect(await exited).toBe(3);
		expect(await gone(started.pid as number)).toBe(true);
	});

	it("keeps the operator's own MALLOC_ARENA_MAX", async () => {
		const { launcher, next, exited } = launch({ MALLOC_ARENA_MAX: '4' });
		running = launcher;
		expect((await next()).arenas).toBe('4');
		launcher.kill('SIGINT');
		expect(await next()).toEqual({ shutdown: 'SIGINT' });
		expect(await exited).toBe(3);
	});

	it('the server shuts down when the launcher is killed outright', async () => {
		const { launcher, next, exited } = launch();
		running = launcher;
		const started = await next();
		launcher.kill('SIGKILL');
		await exited;
		expect(await next()).toEqual({ shutdown: 'launcher exited' });
		expect(await gone(started.pid as number)).toBe(true);
	});
});
