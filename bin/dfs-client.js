#!/usr/bin/env -S node --max-semi-space-size=1
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
