import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { DirectoryIndex } from '../../src/directory/index-db.ts'
import { Repairer } from '../../src/directory/repair.ts'
import { FsChunkStore } from '../../src/node/disk/chunk-store.ts'
import { Reports, TaskRunner } from '../../src/node/maintenance.ts'
import { TaskType, type Task } from '../../src/protocol/pb/directory.ts'
import type { StoreClients } from '../../src/protocol/store-client.ts'
import { cidFromDigest } from '../../src/content/content-id.ts'
import { fileIdOf } from '../../src/content/manifest.ts'
import { fromBuffers, tempDir } from '../helpers/tmp.ts'

const idOf = (bytes: Uint8Array | string): string => cidFromDigest(createHash('sha256').update(bytes).digest())
const quiet = { debug () {}, info () {}, warn () {}, error () {} } as any
const MiB = 1024 * 1024

// README: "At most 8 tasks per node per heartbeat, two at a time on the node". A repair after a node
// dies must not swamp the survivors: these force a big backlog and measure both limits.
describe('repair pacing', function () {
  this.timeout(120_000)
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => { await dir.cleanup() })

  it('the directory hands a node at most 8 tasks per heartbeat, however many chunks are under-replicated', async () => {
    const now = 10_000_000
    const deadAfterMs = 15_000
    const index = new DirectoryIndex(join(dir.path, 'index.sqlite'))
    try {
      for (const peer of ['peerA', 'peerB', 'peerC', 'peerD']) index.upsertNode({ peerId: peer, addrs: [], capacity: 1e12, used: 0, chunks: 0, lastSeen: now })
      // 500 one-chunk files, each on peerD and one of peerA or peerB, with a target of 2
      const files: Parameters<DirectoryIndex['addFiles']>[0] = []
      for (let i = 0; i < 500; i++) {
        const chunk = idOf(`chunk ${i}`)
        files.push({ name: `f${i}`, id: fileIdOf([chunk], 1024), size: 1024, chunks: [{ index: 0, id: chunk, offset: 0, size: 1024, peers: [i % 2 === 0 ? 'peerA' : 'peerB', 'peerD'] }] })
      }
      await index.write(() => index.addFiles(files, 2, now))
      // peerD dies: every chunk is one copy short, with peerA or peerB the only source
      index.upsertNode({ peerId: 'peerD', addrs: [], capacity: 1e12, used: 0, chunks: 0, lastSeen: now - deadAfterMs - 1 })
      // the directory's own default, as DirectoryPeer builds it when no limit is configured
      const repairer = new Repairer({ index, log: quiet, deadAfterMs, repairAfterMs: 0, gcAfterMs: 3600_000 })
      repairer.scan(now)
      assert.equal(repairer.pending, 500, 'every chunk is queued for repair')
      const handed = new Map<string, number>()
      for (let beat = 1; repairer.pending > 0; beat++) {
        assert.ok(beat <= 100, `repair not done after ${beat} heartbeats`)
        for (const peer of ['peerA', 'peerB', 'peerC']) {
          // one heartbeat: the node takes its tasks, runs them, and reports them with the next one
          const tasks = repairer.takeTasks(peer, now)
          assert.ok(tasks.length <= 8, `heartbeat ${beat} gave ${peer} ${tasks.length} tasks`)
          if (peer === 'peerC') assert.equal(tasks.length, 0, 'peerC holds nothing to copy from')
          handed.set(peer, (handed.get(peer) ?? 0) + tasks.length)
          // while the backlog lasts, a heartbeat carries exactly the limit: the limit, not the backlog, is what paces repair
          if (beat <= 31 && peer !== 'peerC') assert.equal(tasks.length, 8, `heartbeat ${beat} to ${peer}`)
          repairer.onResults(peer, tasks.map((task) => ({ type: task.type, chunkId: task.chunkId, target: task.target?.peerId ?? '', ok: true, message: '' })))
        }
      }
      assert.deepEqual([handed.get('peerA'), handed.get('peerB'), handed.get('peerC')], [250, 250, 0])
      // and every copy went to the one live node without the chunk
      assert.equal(index.chunkCopiesPage('', 10_000, now - deadAfterMs, now - deadAfterMs).filter((c) => c.alive < c.target).length, 0)
    } finally {
      index.close()
    }
  })

  it('a node runs at most two tasks at once, however many it was handed', async () => {
    const real = await FsChunkStore.open(join(dir.path, 'store'))
    // big chunks: re-hashing each takes real time, so the tasks overlap if the node lets them
    const ids: string[] = []
    for (let i = 0; i < 10; i++) {
      const bytes = randomBytes(4 * MiB)
      const id = idOf(bytes)
      await real.put(id, bytes.byteLength, fromBuffers(bytes))
      ids.push(id)
    }
    // the real store, with the tasks in flight counted around its calls
    let inFlight = 0
    let peak = 0
    const counts: number[] = []
    const counted = <T>(work: () => Promise<T>): Promise<T> => {
      inFlight++
      peak = Math.max(peak, inFlight)
      counts.push(inFlight)
      return work().finally(() => { inFlight-- })
    }
    const store = new Proxy(real, {
      get (target, prop, receiver) {
        if (prop === 'verify') return async (id: string, options?: any) => await counted(async () => await target.verify(id, options))
        if (prop === 'delete') return async (id: string) => await counted(async () => await target.delete(id))
        const value = Reflect.get(target, prop, receiver)
        return typeof value === 'function' ? value.bind(target) : value
      }
    })
    const reports = new Reports()
    // VERIFY and DELETE tasks never dial another node
    const runner = new TaskRunner(store, undefined as unknown as StoreClients, reports, quiet)
    // three heartbeats' worth at once: 8 verifies, then 2 deletes, then the remaining 8 verifies again
    const tasks: Task[] = [
      ...ids.slice(0, 8).map((chunkId) => ({ type: TaskType.VERIFY, chunkId })),
      ...ids.slice(8).map((chunkId) => ({ type: TaskType.DELETE, chunkId })),
      ...ids.slice(0, 8).map((chunkId) => ({ type: TaskType.VERIFY, chunkId }))
    ]
    runner.add(tasks.slice(0, 8))
    runner.add(tasks.slice(8))
    const deadline = Date.now() + 90_000
    while (reports.results.length < tasks.length) {
      assert.ok(Date.now() < deadline, `only ${reports.results.length} of ${tasks.length} tasks reported`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    assert.ok(reports.results.every((result) => result.ok), JSON.stringify(reports.results.filter((result) => !result.ok)))
    assert.equal(counts.length, tasks.length, 'every task did its work on the store')
    // two, not one: the tasks do overlap, so the limit is what held them at two
    assert.equal(peak, 2, `at most two tasks at once (in flight as each started: ${counts.join(' ')})`)
    assert.equal(await real.has(ids[8]), undefined, 'the deletes ran')
  })
})
