#!/usr/bin/env -S node --max-semi-space-size=1 --initial-old-space-size=32
// V8 flags (read by scripts and tests through src/util/node-command.ts): a 1 MiB young generation keeps
// memory flat; a 32 MB floor under the old generation's limit stops the back-to-back full GCs V8 fell into
// when the limit it set after one was a few MB above what survived (a 9 GiB download: 8-15 full GCs
// against 17-113, peak RSS 137.6-140.1 MiB against 136.3-142.9, five runs each; README, Performance).
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
