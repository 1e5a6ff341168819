/**
 * `npm run build`, after tsc: the two commands and the library (src/index.ts) bundled by esbuild
 * into dist/bundle/, because resolving and linking the compiled tree's ~1,000 ES modules would be most
 * of a CLI run's start-up and of `import('dfs')`. What is imported only when needed (zod, the metrics)
 * stays in chunks of its own, and pino and cli-progress load from node_modules with `createRequire`;
 * tests import the compiled tree, and test/unit/library-api.test.ts checks the bundle too.
 */
import { build } from 'esbuild'
import { rm } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const outdir = join(root, 'dist', 'bundle')

await rm(outdir, { recursive: true, force: true })
await build({
  entryPoints: {
    'dfs-client': join(root, 'dist', 'src', 'cli', 'dfs-client.js'),
    'dfs-peer': join(root, 'dist', 'src', 'cli', 'dfs-peer.js'),
    index: join(root, 'dist', 'src', 'index.js')
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // CommonJS dependencies call require(): an ES module has none of its own
  banner: { js: "import { createRequire as __dfsCreateRequire } from 'node:module'; const require = __dfsCreateRequire(import.meta.url);" },
  // minified because V8 keeps each chunk's source text in the heap (for lazy compilation); names
  // kept so that errors and logs still say which class and function
  minify: true,
  keepNames: true,
  logLevel: 'warning'
})
