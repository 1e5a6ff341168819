import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DfsClient } from '../../src/index.ts'
import { Cluster } from '../helpers/cluster.ts'

const MB = 1e6
/** Files stored before the first measurement: enough for the directory's code to be compiled and warm. */
const WARM_UP_FILES = 4_000
/** Files stored between the two measurements (DFS_DIRECTORY_MEMORY_FILES for a longer run). */
const MORE_FILES = Number(process.env.DFS_DIRECTORY_MEMORY_FILES ?? 16_000)
/**
 * What the directory's live heap may grow by per file stored. Anything it kept
 * per file (a Map entry and a file ID alone are ~100 bytes) would be over it,
 * while the heap's own noise stays well under it.
 */
const MAX_GROWTH_PER_FILE_BYTES = 32

interface LiveHeap { bytes: number, byType: Record<string, number> }

/**
 * The directory's live heap: it writes a heap snapshot on SIGUSR2 (Node's
 * --heapsnapshot-signal, after a full GC), and the sizes of the objects in it
 * add up to what is alive. Compiled code is left out: V8 keeps compiling
 * the functions that run often, which says nothing about files.
 */
async function liveHeap (cluster: Cluster, snapshots: string): Promise<LiveHeap> {
  const before = new Set(await readdir(snapshots))
  cluster.directory.proc.kill('SIGUSR2')
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200))
    const name = (await readdir(snapshots)).find((file) => !before.has(file))
    if (name == null) continue
    let snapshot: { snapshot: { meta: { node_fields: string[], node_types: [string[]] } }, nodes: number[] }
    try {
      snapshot = JSON.parse(await readFile(join(snapshots, name), 'utf8'))
    } catch {
      continue // still being written
    }
    await rm(join(snapshots, name))
    const fields = snapshot.snapshot.meta.node_fields
    const typeNames = snapshot.snapshot.meta.node_types[0]
    const sizeAt = fields.indexOf('self_size')
    const typeAt = fields.indexOf('type')
    const byType: Record<string, number> = {}
    for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
      const type = typeNames[snapshot.nodes[i + typeAt]]
      byType[type] = (byType[type] ?? 0) + snapshot.nodes[i + sizeAt]
    }
    const bytes = Object.entries(byType).reduce((sum, [type, size]) => type === 'code' ? sum : sum + size, 0)
    return { bytes, byType }
  }
  throw new Error(`the directory wrote no heap snapshot within a minute\n${cluster.directory.stderr.slice(-2000)}`)
}

async function uploadSmallFiles (client: DfsClient, from: number, to: number): Promise<void> {
  let next = from
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < to) {
      const i = next++
      await client.upload([randomBytes(1024)], { name: `file-${i}`, size: 1024 })
    }
  }))
}

/** Read a few files back, so the resolve path has run the same in both measurements. */
async function readSome (client: DfsClient, count: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const name = `file-${Math.floor(Math.random() * count)}`
    const parts: Uint8Array[] = []
    for await (const part of client.download(name)) parts.push(part)
    assert.equal(Buffer.concat(parts).byteLength, 1024, name)
  }
}

describe('the directory\'s memory does not grow with the number of files stored', function () {
  this.timeout(600_000)
  let cluster: Cluster | undefined
  let client: DfsClient | undefined
  after(async () => {
    await client?.close()
    await cluster?.stop()
  })

  it(`its live heap stays flat while ${MORE_FILES} more files go into its index`, async () => {
    const snapshots = join(tmpdir(), `dfs-directory-heap-${process.pid}`)
    await mkdir(snapshots, { recursive: true })
    try {
      cluster = await Cluster.start({ nodes: 1, directoryEnv: { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshots}` } })
      client = await DfsClient.connect({ directory: cluster.directoryAddr, replicas: 1 })
      await uploadSmallFiles(client, 0, WARM_UP_FILES)
      await readSome(client, WARM_UP_FILES)
      const first = await liveHeap(cluster, snapshots)

      await uploadSmallFiles(client, WARM_UP_FILES, WARM_UP_FILES + MORE_FILES)
      await readSome(client, WARM_UP_FILES + MORE_FILES)
      // every file is in the index: the memory stayed flat because the index is in the database
      assert.equal((await client.list()).length, WARM_UP_FILES + MORE_FILES)
      const second = await liveHeap(cluster, snapshots)

      const growth = second.bytes - first.bytes
      const mb = (bytes: number): string => (bytes / MB).toFixed(2)
      console.log(`      directory live heap (without compiled code): ${mb(first.bytes)} MB at ${WARM_UP_FILES} files, ${mb(second.bytes)} MB at ${WARM_UP_FILES + MORE_FILES} ` +
        `(${(growth / MORE_FILES).toFixed(1)} bytes per file); compiled code ${mb(first.byType.code ?? 0)} -> ${mb(second.byType.code ?? 0)} MB`)
      assert.ok(growth < MORE_FILES * MAX_GROWTH_PER_FILE_BYTES,
        `the directory's live heap grew by ${mb(growth)} MB while ${MORE_FILES} files were stored (${mb(first.bytes)} -> ${mb(second.bytes)} MB): ` +
        `by type ${JSON.stringify(Object.fromEntries(Object.keys(second.byType).map((type) => [type, mb(second.byType[type] - (first.byType[type] ?? 0))])))}`)
    } finally {
      await rm(snapshots, { recursive: true, force: true })
    }
  })
})
