/**
 * Our collaboration server (server/collab) in its own process, for bench/collab.ts: a fresh PGlite
 * database in a temp folder (or a fresh database on the DATABASE_URL server), the demo seed, session
 * tokens (demo accounts, and one player per benchmark client on request) handed to the parent over
 * IPC, and the collab upgrade handler on a plain http server.
 * Started as `node --import tsx bench/servers/drillboard.ts` with an IPC channel; ARGON2_TEST_FAST=1.
 */
import http from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { asc, eq, like, sql } from 'drizzle-orm';
import postgres from 'postgres';
import * as Y from 'yjs';
import { createContext, type AppContext } from '../../server/context';
import { createSession } from '../../server/auth/sessions';
import { DEMO_ACCOUNTS, DEMO_EXERCISE_TITLE, SEED_AGENCIES } from '../../db/seed';
import { docSnapshots, docUpdates, exerciseMembers, exercises, users } from '../../db/schema';
import { ProcessMetrics, listenAndAnnounce, serveIpc, type BenchUser, type BenchUserRequest } from './harness';

const metrics = new ProcessMetrics();
const dataDir = mkdtempSync(join(tmpdir(), 'drillboard-bench-'));

/**
 * With DATABASE_URL (a PostgreSQL server the benchmark may create databases on, as the integration
 * tests do) a throwaway database is created for this run and dropped at shutdown.
 */
const adminUrl = process.env.DATABASE_URL || undefined;
const pgName = `drillboard_bench_${process.pid}_${Date.now().toString(36)}`;
let databaseUrl: string | undefined;
if (adminUrl) {
	const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
	await admin.unsafe(`create database ${pgName}`);
	await admin.end();
	const url = new URL(adminUrl);
	url.pathname = `/${pgName}`;
	databaseUrl = url.toString();
}
async function dropDatabase() {
	if (!adminUrl) return rmSync(dataDir, { recursive: true, force: true });
	const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
	await admin.unsafe(`drop database if exists ${pgName} with (force)`);
	await admin.end();
	rmSync(dataDir, { recursive: true, force: true });
}

const ctx: AppContext = await createContext({ databaseUrl, dataDir, demoPassword: 'drillboard', seed: true });
const db = ctx.database.db;

const [demo] = await db.select({ id: exercises.id }).from(exercises).where(eq(exercises.title, DEMO_EXERCISE_TITLE)).orderBy(asc(exercises.createdAt)).limit(1);
if (!ctx.seeded || !demo) throw new Error('expected a freshly seeded database with the Demo exercise');
const exerciseId = demo.id;

const tokens: Record<string, string> = {};
for (const a of DEMO_ACCOUNTS) {
	const [u] = await db.select({ id: users.id }).from(users).where(eq(users.username, a.username)).limit(1);
	if (u) tokens[a.username] = await createSession(db, u.id);
}

/**
 * One player account, membership and session per benchmark client (so each connection is its own
 * person, as in a real exercise): a player of the agency whose document it opens, or for the common
 * document of an agency taken in turn. Players may write both in the 'briefing' status of the demo.
 */
const runTag = Date.now().toString(36);
const benchUsers = new Map<number, BenchUser>();
async function createBenchUsers(specs: BenchUserRequest[]): Promise<Record<number, BenchUser>> {
	const codes = SEED_AGENCIES.map((a) => a.code);
	const fresh = specs.filter((s) => !benchUsers.has(s.idx));
	const rows = fresh.map((s) => {
		const agency = s.doc.includes('/agency/') ? s.doc.slice(s.doc.lastIndexOf('/') + 1) : codes[s.idx % codes.length];
		return { idx: s.idx, id: crypto.randomUUID(), agency };
	});
	if (rows.length) {
		await db.insert(users).values(
			rows.map((r) => ({ id: r.id, username: `bench-${runTag}-${r.idx}`, displayName: `Bench ${r.idx}`, passwordHash: '!', agencyCode: r.agency, systemRole: 'member' }))
		);
		await db.insert(exerciseMembers).values(rows.map((r) => ({ exerciseId, userId: r.id, role: 'player', agencyCode: r.agency })));
		for (const r of rows) benchUsers.set(r.idx, { userId: r.id, token: await createSession(db, r.id), agency: r.agency });
	}
	return Object.fromEntries(specs.map((s) => [s.idx, benchUsers.get(s.idx) as BenchUser]));
}

const server = http.createServer((_req, res) => {
	res.writeHead(404).end();
});

/** The collab module's attach function, found by name so the bench survives small API changes. */
type Attach = (server: http.Server, ctx: AppContext, opts?: unknown) => unknown;
const collabDir = new URL('../../server/collab/', import.meta.url);
const entry = ['index.ts', 'server.ts', 'attach.ts'].map((f) => new URL(f, collabDir)).find((u) => existsSync(u));
if (!entry) throw new Error('server/collab has no index.ts yet: our collab server is not available');
const mod = (await import(pathToFileURL(entry.pathname).href)) as Record<string, unknown>;
const attachName = ['attachCollab', 'attachCollabServer', 'attach'].find((n) => typeof mod[n] === 'function');
if (!attachName) throw new Error(`server/collab/${entry.pathname.split('/').pop()} exports no attach function (exports: ${Object.keys(mod).join(', ')})`);
const handle = (await (mod[attachName] as Attach)(server, ctx)) as
	| { close?: () => Promise<void> | void; flush?: () => Promise<void>; stats?: () => Record<string, number> }
	| undefined;

const prefix = `exercise/${exerciseId}/`;
async function rowCount(): Promise<number> {
	const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(docUpdates).where(like(docUpdates.doc, `${prefix}%`));
	return n;
}

serveIpc(
	metrics,
	{
		'bench.users': (arg) => createBenchUsers(arg as BenchUserRequest[]),
		'db.rows': () => rowCount(),
		/** The collab handle's own counters (refused writes, rate-limited closes, updates logged, ...). */
		'collab.stats': () => handle?.stats?.() ?? null,
		/** Waits until the update log stops growing (batched writes flushed): `quietMs` without a new row. */
		'db.settle': async (arg) => {
			const { quietMs = 1500, timeoutMs = 30_000 } = (arg ?? {}) as { quietMs?: number; timeoutMs?: number };
			if (handle?.flush) await handle.flush();
			const start = performance.now();
			let last = await rowCount();
			let lastChange = performance.now();
			while (performance.now() - lastChange < quietMs && performance.now() - start < timeoutMs) {
				await new Promise((r) => setTimeout(r, 250));
				const n = await rowCount();
				if (n !== last) {
					last = n;
					lastChange = performance.now();
				}
			}
			return last;
		},
		/**
		 * Rebuilds each document from the database alone (newest snapshot, then every logged update) and
		 * describes it: state vector, edit keys, feature count, and edits logged in more than one row.
		 */
		'db.load': async (arg) => {
			const names = arg as string[];
			const out = [];
			for (const name of names) {
				const snaps = await db.select().from(docSnapshots).where(eq(docSnapshots.doc, name)).orderBy(asc(docSnapshots.seq));
				const rows = await db.select({ seq: docUpdates.seq, update: docUpdates.update }).from(docUpdates).where(eq(docUpdates.doc, name)).orderBy(asc(docUpdates.seq));
				const doc = new Y.Doc();
				const snap = snaps.at(-1);
				const keyRows = new Map<string, number>();
				doc.transact(() => {
					if (snap) Y.applyUpdate(doc, snap.state);
					for (const r of rows) {
						// Applying rows the snapshot already covers is harmless (Yjs is idempotent); count edits per row.
						Y.applyUpdate(doc, r.update);
						for (const s of Y.decodeUpdate(r.update).structs) {
							if (s instanceof Y.Item && (s.parent as unknown) === 'edits' && s.parentSub) keyRows.set(s.parentSub, (keyRows.get(s.parentSub) ?? 0) + 1);
						}
					}
				});
				out.push({
					doc: name,
					rows: rows.length,
					snapshots: snaps.length,
					stateVector: Buffer.from(Y.encodeStateVector(doc)).toString('base64'),
					editKeys: [...doc.getMap('edits').keys()].sort(),
					featureCount: doc.getMap('features').size,
					editsInSeveralRows: [...keyRows.values()].filter((n) => n > 1).length
				});
				doc.destroy();
			}
			return out;
		}
	},
	async () => {
		server.closeAllConnections();
		await handle?.close?.();
		server.close();
		await ctx.database.close();
		await dropDatabase();
	}
);

listenAndAnnounce(server, {
	kind: 'drillboard',
	exerciseId,
	tokens,
	info: { database: ctx.database.kind, where: adminUrl ? pgName : dataDir, collab: `server/collab/${entry.pathname.split('/').pop()} ${attachName}` }
});
