// V8 flags of every serving process: `npm start` (package.json passes them; a unit test keeps the two
// in step), the browser tests' server, the soak and the benchmarks' servers.
//
// --max-semi-space-size=32 (MB; Node 20's default is 16): the collaboration server makes a buffer or two
// per message, and with the default young generation those still held after two scavenges (waiting for
// a commit or a socket write) were promoted. Their backing stores then piled up to ≈ 60 MB between full
// collections, and the C allocator kept that peak: +17.8 % RSS over the 20-minute soak. With 32 MB they
// die young (bench/README.md, "Soak").
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=32'];
