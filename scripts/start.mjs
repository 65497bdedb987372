// `npm start`: build if needed, then run the production server (migrates and seeds on start).
await import('./ensure-build.mjs');
await import(`../${process.env.BUILD_DIR ?? 'build'}-server/index.js`);
