#!/usr/bin/env -S node --max-semi-space-size=1 --initial-old-space-size=32 --expose-gc
// V8 flags (read by scripts and tests through src/util/node-command.ts): a 1 MiB young generation keeps
// memory flat; --expose-gc lets a long download ask for a full GC every 2 s (src/util/heap-trim.ts),
// and the 32 MB floor under the old generation keeps V8 from following each of those with its own.
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
await import('../dist/bundle/dfs-client.js')
