// Bundles server/index.ts (plain TypeScript) into build-server/index.js; npm packages stay external.
import { build } from 'esbuild';

await build({
	entryPoints: ['server/index.ts'],
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	packages: 'external',
	outfile: `${process.env.BUILD_DIR ?? 'build'}-server/index.js`,
	sourcemap: true,
	logLevel: 'warning'
});
