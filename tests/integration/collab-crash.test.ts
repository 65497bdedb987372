import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { createInterface } from 'node:readline';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { docUpdates } from '../../db/schema';
import { loadDocument } from '../../server/collab/persistence';
import { agencyDocName } from '../../src/lib/board/docs';
import { cloneDemoExercise, connectClient, sessionsFor, waitFor, type Client } from './helpers/collab';
import { backend, seededDatabase, type TestDatabase } from './helpers/db';

const dataDir = backend === 'pglite' ? mkdtempSync(joinPath(tmpdir(), 'drillboard-crash-')) : undefined;
let base: TestDatabase | undefined;
let child: ChildProcess | undefined;
const clients: Client[] = [];

afterAll(async () => {
	for (const c of clients) c.destroy();
	child?.kill('SIGKILL');
	await base?.dispose().catch(() => {});
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Starts the collab server in its own process and resolves with its port. */
function serve(options: object): Promise<number> {
	child = spawn(process.execPath, ['--import', 'tsx', 'tests/integration/helpers/collab-process.ts'], {
		env: { ...process.env, COLLAB_TEST_DB: JSON.stringify(options) },
		stdio: ['ignore', 'pipe', 'inherit']
	});
	const lines = createInterface({ input: child.stdout! });
	return new Promise((resolve, reject) => {
		lines.once('line', (line) => resolve(JSON.parse(line).port));
		child!.once('exit', (code) => reject(new Error(`collab process exited with ${code}`)));
	});
}

let url: string;
let room: string;
let tokens: Record<string, string>;

beforeAll(async () => {
	base = await seededDatabase({ dataDir });
	tokens = await sessionsFor(base.db, ['fire1', 'observer']);
	room = agencyDocName(await cloneDemoExercise(base.db), 'fire');
	if (backend === 'pglite') await base.close(); // PGlite has one opener: the server process
	url = `ws://127.0.0.1:${await serve(base.options)}/collab`;
});

it(`keeps every update a client received after kill -9 (${backend})`, async () => {
	if (!base) throw new Error('no database');

	const writer = connectClient(url, room, { token: tokens.fire1 });
	const reader = connectClient(url, room, { token: tokens.observer });
	clients.push(writer, reader);
	await Promise.all([writer.synced(), reader.synced()]);
	let n = 0;
	// About 80 updates a second: under the rate limit, fast enough to have frames in flight at the kill.
	const typing = setInterval(() => writer.doc.getMap('m').set(`k${n++}`, n), 12);
	await waitFor(() => reader.doc.getMap('m').size >= 150, 'the reader to receive a good part');
	child!.kill('SIGKILL');
	clearInterval(typing);
	await waitFor(() => reader.closes.length > 0, 'the reader to notice');
	reader.provider.disconnect();
	writer.provider.disconnect();
	// Everything the reader got, including frames still in flight when the server died.
	const received = [...reader.doc.getMap('m').keys()];
	expect(received.length).toBeGreaterThanOrEqual(150);

	const database = backend === 'pglite' ? await base.reopen() : base;
	try {
		const stored = new Y.Doc();
		await loadDocument(database.db, room, stored, (seq, e) => {
			throw new Error(`row ${seq}: ${e}`);
		});
		const missing = received.filter((k) => !stored.getMap('m').has(k));
		expect(missing).toEqual([]);
		const seqs = (await database.db.select({ seq: docUpdates.seq }).from(docUpdates).where(eq(docUpdates.doc, room)).orderBy(asc(docUpdates.seq))).map((r) => r.seq);
		expect(seqs).toEqual(seqs.map((_, i) => i + 1));
	} finally {
		if (database !== base) await database.close();
	}
}, 60_000);
