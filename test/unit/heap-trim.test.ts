import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { binArgv } from '../../src/util/node-command.ts'
import { CLIENT_BIN, Cluster, ROOT } from '../helpers/cluster.ts'

const run = promisify(execFile)
const moduleUrl = (path: string): string => pathToFileURL(join(ROOT, 'dist', path)).href

/**
 * A program run with dfs-client's own V8 flags (its shebang) that downloads
 * a file twice (to a path, then as a stream) with full GCs asked for every
 * 25 ms, and reports what it saw: the GCs asked for after each download and
 * 300 ms later, and the full GCs V8 ran (PerformanceObserver).
 */
const PROGRAM = `
import { PerformanceObserver, constants } from 'node:perf_hooks'
import { DfsClient } from ${JSON.stringify(moduleUrl('src/client/client.js'))}
import { heapTrimCollections, setHeapTrimInterval } from ${JSON.stringify(moduleUrl('src/util/heap-trim.js'))}
const [directory, id, dest] = process.argv.slice(-3)
let fullGcs = 0
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) fullGcs++
}).observe({ entryTypes: ['gc'] })
const settle = () => new Promise((resolve) => setTimeout(resolve, 300))
setHeapTrimInterval(25)
const client = await DfsClient.connect({ directory })
const gcAvailable = typeof globalThis.gc === 'function'
const asked = []
const seen = []
const slowly = async (source) => { let bytes = 0; for await (const piece of source) { bytes += piece.byteLength; await new Promise((resolve) => setTimeout(resolve, 2)) } return bytes }
await client.downloadFile(id, dest)
asked.push(heapTrimCollections())
const streamed = await slowly(client.download(id))
asked.push(heapTrimCollections())
await settle()
seen.push(fullGcs)
asked.push(heapTrimCollections())
await client.close()
process.stdout.write(JSON.stringify({ gcAvailable, asked, seen, streamed }))
`

describe('heap trim: a download asks V8 for full GCs while it runs', function () {
  this.timeout(120_000)
  let cluster: Cluster
  before(async () => { cluster = await Cluster.start({ nodes: 2 }) })
  after(async () => { await cluster?.stop() })

  it('with dfs-client\'s flags, both kinds of download ask for full GCs, and stop asking when they end', async () => {
    const content = randomBytes(20 * 1024 * 1024 + 12345) // six chunks of the default 4 MiB
    const id = await cluster.upload('trim.bin', content)
    const dest = join(cluster.root, 'trim.out')
    // the client's V8 flags, as its shebang has them, with this program in place of the bin
    const [node, ...flags] = binArgv(CLIENT_BIN).slice(0, -1)
    const { stdout } = await run(node, [...flags, '--input-type=module', '-e', PROGRAM, cluster.directoryAddr, id, dest], { env: { ...process.env, DFS_HOME: cluster.clientHome } })
    const report = JSON.parse(stdout) as { gcAvailable: boolean, asked: number[], seen: number[], streamed: number }
    assert.equal(report.gcAvailable, true, 'dfs-client runs without --expose-gc')
    assert.ok((await readFile(dest)).equals(content))
    assert.equal(report.streamed, content.byteLength)
    const [afterFile, afterStream, settled] = report.asked
    assert.ok(afterFile >= 1, `a download to a file asked for no full GC (${afterFile})`)
    assert.ok(afterStream > afterFile, 'a streamed download asked for no full GC')
    // each one asked for ran
    assert.ok(report.seen[0] >= afterStream, `${afterStream} full GCs asked for, ${report.seen[0]} ran`)
    // nothing asked once no download runs
    assert.equal(settled, afterStream)
  })

  it('a download already running follows a new interval, and 0 stops it', async () => {
    const program = `
      import { heapTrimCollections, setHeapTrimInterval, trimHeapDuringDownload } from ${JSON.stringify(moduleUrl('src/util/heap-trim.js'))}
      const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
      const end = trimHeapDuringDownload() // on the default 2 s clock
      await wait(200)
      const onDefault = heapTrimCollections()
      setHeapTrimInterval(20)
      await wait(300)
      const onShort = heapTrimCollections()
      setHeapTrimInterval(0)
      await wait(100)
      const stopped = heapTrimCollections()
      await wait(200)
      end()
      process.stdout.write(JSON.stringify([onDefault, onShort, stopped, heapTrimCollections()]))`
    const { stdout } = await run(process.execPath, ['--expose-gc', '--input-type=module', '-e', program])
    const [onDefault, onShort, stopped, atEnd] = JSON.parse(stdout) as number[]
    assert.equal(onDefault, 0)
    assert.ok(onShort >= 3, `only ${onShort} full GCs asked for in 300 ms at 20 ms`)
    assert.ok(stopped <= onShort + 1, 'the clock kept going after the interval was set to 0')
    assert.equal(atEnd, stopped)
  })

  it('does nothing in a process without gc, and takes only sane intervals', async () => {
    const { trimHeapDuringDownload, heapTrimCollections, setHeapTrimInterval, HEAP_TRIM_INTERVAL_MS } = await import('../../src/util/heap-trim.ts')
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined')
    const before = heapTrimCollections()
    // a 10 ms clock: with gc, the wait below would see several collections (the test above shows the clock at 20 ms)
    setHeapTrimInterval(10)
    try {
      const end = trimHeapDuringDownload()
      await new Promise((resolve) => setTimeout(resolve, 100))
      end()
      end()
    } finally {
      setHeapTrimInterval(HEAP_TRIM_INTERVAL_MS)
    }
    assert.equal(heapTrimCollections(), before)
    assert.throws(() => { setHeapTrimInterval(-1) }, RangeError)
    assert.throws(() => { setHeapTrimInterval(Number.NaN) }, RangeError)
  })
})
