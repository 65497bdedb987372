// V8 flags of every serving process: `npm start` (package.json passes them; a unit test keeps the two
// in step), the browser tests' server, the soak and the benchmarks' servers.
//
// --max-semi-space-size=32 (MB; Node 20's default is 16): the collaboration server makes a buffer or two
// per message, and with the default young generation those still held after two scavenges (waiting for
// a commit or a socket write) were promoted. Their backing stores then piled up to ≈ 60 MB between full
// collections, and the C allocator kept that peak: +17.8 % RSS over the 20-minute soak. With 32 MB they
// die young (bench/README.md, "Soak").
//
// --heap-growing-percent=30: after each full collection V8 lets the old generation grow to a multiple
// of what survived, chosen from its GC and allocation speeds (up to 4×). Late in the 20-minute soaks it
// chose a large one, and the heap and the buffers it held climbed 50–100 MB before the next full
// collection: a saw-tooth, not a leak, but it is resident memory all the same. A fixed 1.3 keeps the
// tooth small for the price of more frequent (concurrent) full collections of a 60–70 MB live heap
// (the join storm's event-loop delay varied as much between runs as with and without it).
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=32', '--heap-growing-percent=30'];
