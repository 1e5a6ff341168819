import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { binArgv } from '../../src/util/node-command.ts'
import { CLIENT_BIN, Cluster, waitUntil } from '../helpers/cluster.ts'
import { tempDir } from '../helpers/tmp.ts'
import { cidFromDigest } from '../../src/content/content-id.ts'

const FILE_BYTES = 200 * 1024 * 1024
/** bigger than a node's buffers (4 MiB): such chunks go to a temporary file as they arrive */
const CHUNK_BYTES = 16 * 1024 * 1024

/** Every file under a folder, at any depth, with its size. */
async function filesUnder (dir: string): Promise<Array<{ path: string, size: number }>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name))
  return await Promise.all(files.map(async (path) => ({ path, size: (await stat(path).catch(() => ({ size: 0 }))).size })))
}

interface Upload { proc: ChildProcess, exited: Promise<number | null>, stderr: () => string, stdout: () => string }

function startUpload (cluster: Cluster, path: string): Upload {
  const [command, ...flags] = binArgv(CLIENT_BIN)
  const proc = spawn(command, [...flags, '--directory', cluster.directoryAddr, 'upload', path, '--replicas', '3', '--chunk-size', '16MiB'], { env: { ...process.env, DFS_HOME: cluster.clientHome }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  proc.stdout!.setEncoding('utf8').on('data', (t: string) => { out += t })
  proc.stderr!.setEncoding('utf8').on('data', (t: string) => { err += t })
  const exited = new Promise<number | null>((resolve) => { proc.on('close', (code) => { resolve(code) }) })
  return { proc, exited, stderr: () => err, stdout: () => out }
}

/** Whether `signal` is still pending for the process (not yet taken by its handler). */
async function pending (pid: number, signal: number): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const masks = [...status.matchAll(/^(?:SigPnd|ShdPnd):\s+([0-9a-f]+)$/gm)].map((m) => BigInt(`0x${m[1]}`))
  return masks.some((mask) => (mask & (1n << BigInt(signal - 1))) !== 0n)
}

/**
 * Stop the client (SIGSTOP) at a moment some node holds a chunk cut short: a
 * file in its tmp folder that stays the same while the client is stopped.
 * The signal sent next is taken when the client runs again (SIGCONT).
 */
async function freezeMidChunk (upload: Upload, tmpFiles: () => Promise<Array<{ path: string, size: number }>>): Promise<Array<{ path: string, size: number }>> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    assert.equal(upload.proc.exitCode, null, 'still uploading')
    upload.proc.kill('SIGSTOP')
    // what the nodes still had in flight drains; what stays put is waiting for the stopped client
    let previous = JSON.stringify(await tmpFiles())
    for (let polls = 0; polls < 20; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      const now = await tmpFiles()
      if (JSON.stringify(now) === previous) {
        if (now.some((file) => file.size < CHUNK_BYTES)) return now
        break
      }
      previous = JSON.stringify(now)
    }
    upload.proc.kill('SIGCONT')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('never caught a chunk cut short on a node')
}

describe('end to end: interrupting dfs-client upload', function () {
  this.timeout(240_000)
  let dir: Awaited<ReturnType<typeof tempDir>>
  let big: string
  let cluster: Cluster | undefined
  let upload: Upload | undefined

  before(async () => {
    dir = await tempDir()
    big = join(dir.path, 'big.bin')
    await writeFile(big, randomBytes(FILE_BYTES))
  })
  afterEach(async () => {
    // a client left stopped by a failed test would never exit
    if (upload != null && upload.proc.exitCode == null && upload.proc.signalCode == null) upload.proc.kill('SIGKILL')
    upload = undefined
    await cluster?.stop()
    cluster = undefined
  })
  after(async () => { await dir?.cleanup() })

  const chunksOn = async (c: Cluster, i: number): Promise<Array<{ path: string, size: number }>> => await filesUnder(join(c.nodeDataDir(i), 'store', 'chunks'))
  const tmpOn = async (c: Cluster, i: number): Promise<Array<{ path: string, size: number }>> => await filesUnder(join(c.nodeDataDir(i), 'store', 'tmp'))

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} once some chunks are stored: exit 130, nothing recorded, no partial chunk left on the nodes`, async () => {
      cluster = await Cluster.start({ nodes: 3 })
      const c = cluster
      const started = startUpload(c, big)
      upload = started
      // acknowledged bytes: a chunk stored whole on every node of its chain (replicas 3, three nodes)
      await waitUntil('a chunk stored on every node', async () => (await Promise.all([0, 1, 2].map(async (i) => (await chunksOn(c, i)).length))).every((n) => n > 0), 60_000)
      const partial = await freezeMidChunk(started, async () => (await Promise.all([0, 1, 2].map(async (i) => await tmpOn(c, i)))).flat())
      started.proc.kill(signal)
      started.proc.kill('SIGCONT')
      assert.equal(await started.exited, 130, started.stderr())
      assert.match(started.stderr(), new RegExp(`^error: interrupted by ${signal}: nothing was kept$`, 'm'))
      assert.equal(started.stdout(), '', 'no file ID printed')

      const files = await c.json(['ls'])
      assert.deepEqual(files.map((f: { name: string }) => f.name), [], 'nothing recorded')
      // chunks cut short are deleted by the nodes once the client's streams are gone
      await waitUntil('no partial chunk on any node', async () => (await Promise.all([0, 1, 2].map(async (i) => (await tmpOn(c, i)).length))).every((n) => n === 0), 30_000)
      assert.ok(partial.length > 0, 'there were chunks cut short to clean up')
      // what stays is whole chunks, each matching its ID, and the nodes count only those as used
      for (const i of [0, 1, 2]) {
        const whole = await chunksOn(c, i)
        for (const file of whole) {
          const bytes = await readFile(file.path)
          assert.equal(cidFromDigest(createHash('sha256').update(bytes).digest()), basename(file.path), 'a stored chunk is whole')
        }
        const bytes = whole.reduce((sum, file) => sum + file.size, 0)
        const peerId = c.nodes[i].peerId
        await waitUntil(`node ${i} reporting ${bytes} bytes used`, async () => (await c.json(['nodes'])).find((n: { peerId: string }) => n.peerId === peerId)?.used === bytes, 30_000)
      }
    })
  }

  it('the whole chunks an interrupted upload stored leave the nodes after --gc-after', async () => {
    cluster = await Cluster.start({ nodes: 3, gcAfter: '1s' })
    const c = cluster
    const started = startUpload(c, big)
    upload = started
    await waitUntil('a chunk stored on every node', async () => (await Promise.all([0, 1, 2].map(async (i) => (await chunksOn(c, i)).length))).every((n) => n > 0), 60_000)
    started.proc.kill('SIGINT')
    assert.equal(await started.exited, 130, started.stderr())
    // the abort has every node list its chunks; those no file uses are deleted a --gc-after later
    await waitUntil('no chunk left on any node', async () => (await Promise.all([0, 1, 2].map(async (i) => (await chunksOn(c, i)).length))).every((n) => n === 0), 60_000)
    for (const i of [0, 1, 2]) {
      const peerId = c.nodes[i].peerId
      await waitUntil(`node ${i} reporting no bytes used`, async () => (await c.json(['nodes'])).find((n: { peerId: string }) => n.peerId === peerId)?.used === 0, 30_000)
    }
  })

  it('a second signal while the first is still cleaning up exits at once, with 130', async () => {
    cluster = await Cluster.start({ nodes: 3 })
    const c = cluster
    const started = startUpload(c, big)
    upload = started
    await waitUntil('a chunk stored on every node', async () => (await Promise.all([0, 1, 2].map(async (i) => (await chunksOn(c, i)).length))).every((n) => n > 0), 60_000)
    // a directory that does not answer makes the clean stop slow: abandoning the upload there waits for its timeout (2 s)
    c.directory.proc.kill('SIGSTOP')
    try {
      assert.equal(started.proc.exitCode, null, 'still uploading when interrupted')
      started.proc.kill('SIGINT')
      // the first signal taken (one still pending would merge with the second)
      await waitUntil('the first SIGINT delivered', async () => !(await pending(started.proc.pid!, 2)), 10_000)
      assert.equal(started.proc.exitCode, null, 'still cleaning up after the first signal')
      const second = Date.now()
      started.proc.kill('SIGINT')
      assert.equal(await started.exited, 130, started.stderr())
      const tookMs = Date.now() - second
      assert.ok(tookMs < 1_000, `exited ${tookMs} ms after the second signal`)
    } finally {
      c.directory.proc.kill('SIGCONT')
    }
  })
})
