#!/usr/bin/env -S node --max-semi-space-size=1 --heap-growing-percent=100 --initial-old-space-size=48
// V8 flags (read by scripts and tests through src/util/node-command.ts): a 1 MiB young generation keeps
// memory flat; letting the old generation grow to twice what survived its last full GC, instead of V8's
// tighter default for small heaps, spares a node several full GCs a second during transfers (README,
// Performance). The client does without it: it raised a download's peak RSS by ~10 MB and saved no time.
// V8 counts buffers allocated outside its heap (every Noise message, every chunk piece) against the old
// generation's limit until a GC frees them: with only twice a ~16 MB live heap as that limit, a node
// whose sends queue up can fall into a full GC every ~150 ms for as long as it runs; a 48 MB floor
// (--initial-old-space-size) keeps the room above what a node allocates between two scavenges.
// dfs needs a current Node: libp2p 3 uses Promise.withResolvers (Node 22+).
// `npm`/`npx` put the Node pinned in node_modules/.bin first on PATH.
if (Number(process.versions.node.split('.')[0]) < 22) {
  process.stderr.write(`error: dfs needs Node.js 22 or newer, this is ${process.version}; run it with npx (which uses the Node pinned in node_modules) or install a current Node\n`)
  process.exit(1)
}
// cache compiled code on disk (in the OS temp dir): a CLI run starts in about half the time
const { enableCompileCache } = await import('node:module')
enableCompileCache?.()
// the bundled command (scripts/bundle.ts): the compiled tree's ~1,000 modules took most of the start-up
await import('../dist/bundle/dfs-peer.js')
