// Starts the production build for the browser tests on a fresh, throwaway database: a new PGlite
// folder, or with DATABASE_URL a PostgreSQL database created for this run (dropped and re-created).
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import postgres from 'postgres';

process.env.PORT ??= '4173';
if (process.env.DATABASE_URL) {
	const admin = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} });
	const name = `drillboard_e2e_${process.env.PORT}`;
	await admin.unsafe(`drop database if exists ${name} with (force)`);
	await admin.unsafe(`create database ${name}`);
	await admin.end();
	const url = new URL(process.env.DATABASE_URL);
	url.pathname = `/${name}`;
	process.env.DATABASE_URL = url.toString();
} else {
	const dataDir = resolve(process.env.E2E_DATA_DIR ?? 'test-results/e2e-data');
	rmSync(dataDir, { recursive: true, force: true });
	mkdirSync(dataDir, { recursive: true });
	process.env.DATA_DIR = dataDir;
}
const buildDir = process.env.BUILD_DIR ?? 'build';
await import(`../${buildDir}-server/index.js`);
