import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { DirectoryIndex } from '../../src/directory/index-db.ts'
import { Repairer } from '../../src/directory/repair.ts'
import { TaskType } from '../../src/protocol/pb/directory.ts'
import { cidFromDigest } from '../../src/content/content-id.ts'
import { fileIdOf } from '../../src/content/manifest.ts'
import { tempDir } from '../helpers/tmp.ts'

const idOf = (text: string): string => cidFromDigest(createHash('sha256').update(text).digest())
const quiet = { debug () {}, info () {}, warn () {}, error () {} } as any

// The repair scan sweeps the index a page at a time, so that one scan stays
// short however many chunks there are; these check that the sweep still
// reaches every chunk and that what it queues stays bounded.
describe('repair sweep over a big index (real SQLite)', function () {
  this.timeout(120_000)
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => { await dir.cleanup() })

  const now = 10_000_000
  const deadAfterMs = 15_000

  /** `count` one-chunk files of 1 KiB, each with copies on `holders` and a target of `replicas`. */
  async function fill (index: DirectoryIndex, count: number, holders: (i: number) => string[], replicas: number): Promise<string[]> {
    const chunkIds: string[] = []
    for (let start = 0; start < count; start += 1000) {
      const files: Parameters<DirectoryIndex['addFiles']>[0] = []
      for (let i = start; i < Math.min(count, start + 1000); i++) {
        const chunk = idOf(`chunk ${i}`)
        chunkIds.push(chunk)
        files.push({ name: `f${i}`, id: fileIdOf([chunk], 1024), size: 1024, chunks: [{ index: 0, id: chunk, offset: 0, size: 1024, peers: holders(i) }] })
      }
      await index.write(() => index.addFiles(files, replicas, now))
    }
    return chunkIds
  }

  function node (index: DirectoryIndex, peerId: string, lastSeen: number): void {
    index.upsertNode({ peerId, addrs: [], capacity: 1e12, used: 0, chunks: 0, lastSeen })
  }

  function drain (repairer: Repairer, peers: string[]): Array<{ peer: string, type: TaskType, chunkId: string, target?: string }> {
    const taken = []
    for (const peer of peers) {
      for (let tasks = repairer.takeTasks(peer, now); tasks.length > 0; tasks = repairer.takeTasks(peer, now)) {
        for (const task of tasks) taken.push({ peer, type: task.type, chunkId: task.chunkId, target: task.target?.peerId })
      }
    }
    return taken
  }

  it('finds every chunk below its target, past the first page, and copies each from a live holder to a node without it', async () => {
    const index = new DirectoryIndex(join(dir.path, 'index.sqlite'))
    try {
      for (const peer of ['peerA', 'peerB', 'peerC']) node(index, peer, now)
      // every 7th chunk has one copy of two (on peerA); the rest two, on peerA and peerB
      const chunkIds = await fill(index, 3000, (i) => i % 7 === 0 ? ['peerA'] : ['peerA', 'peerB'], 2)
      const expected = new Set(chunkIds.filter((_, i) => i % 7 === 0))
      const repairer = new Repairer({ index, log: quiet, deadAfterMs, repairAfterMs: 0, gcAfterMs: 3600_000 })
      const copied = new Map<string, string>()
      for (let scans = 0; repairer.sweeps < 1; scans++) {
        assert.ok(scans < 1000, 'the sweep never came to the end of the index')
        repairer.scan(now)
        for (const task of drain(repairer, ['peerA', 'peerB', 'peerC'])) {
          assert.equal(task.type, TaskType.COPY)
          assert.equal(task.peer, 'peerA', 'copies come from the chunk\'s holder')
          assert.notEqual(task.target, 'peerA')
          assert.ok(!copied.has(task.chunkId), `chunk ${task.chunkId} was queued twice`)
          copied.set(task.chunkId, task.target!)
        }
      }
      assert.deepEqual(new Set(copied.keys()), expected)
    } finally {
      index.close()
    }
  })

  it('after a node dies, queues no more than its bound at once and carries on where it stopped once tasks are done', async () => {
    const index = new DirectoryIndex(join(dir.path, 'index.sqlite'))
    try {
      for (const peer of ['peerA', 'peerB', 'peerC']) node(index, peer, now)
      const chunkIds = await fill(index, 6000, () => ['peerA', 'peerB'], 2)
      // peerB falls silent: every chunk is one copy short
      node(index, 'peerB', now - deadAfterMs - 1)
      const repairer = new Repairer({ index, log: quiet, deadAfterMs, repairAfterMs: 0, gcAfterMs: 3600_000 })
      // nobody takes the tasks: the queue fills to its bound and stops there
      for (let scans = 0; scans < 200; scans++) {
        repairer.scan(now)
        assert.ok(repairer.pending <= 4096, `${repairer.pending} tasks pending at once`)
      }
      assert.equal(repairer.pending, 4096)
      let peak = 0
      const copied = new Set<string>()
      for (let scans = 0; copied.size < chunkIds.length; scans++) {
        assert.ok(scans < 5000, `only ${copied.size} of ${chunkIds.length} chunks were queued for repair`)
        const tasks = drain(repairer, ['peerA'])
        for (const task of tasks) {
          assert.equal(task.target, 'peerC')
          assert.ok(!copied.has(task.chunkId), `chunk ${task.chunkId} was queued again while its copy was running`)
          copied.add(task.chunkId)
        }
        // the node reports every copy done: those chunks are back at target
        repairer.onResults('peerA', tasks.map((task) => ({ type: TaskType.COPY, chunkId: task.chunkId, target: task.target!, ok: true, message: '' })))
        repairer.scan(now)
        peak = Math.max(peak, repairer.pending)
      }
      assert.ok(peak <= 4096, `${peak} tasks were pending at once`)
      assert.equal(index.chunkCopiesPage('', 10_000, now - deadAfterMs, now - deadAfterMs).filter((c) => c.alive < c.target).length, 0)
    } finally {
      index.close()
    }
  })

  it('trims copies above target, on live nodes only, across pages', async () => {
    const index = new DirectoryIndex(join(dir.path, 'index.sqlite'))
    try {
      for (const peer of ['peerA', 'peerB', 'peerC']) node(index, peer, now)
      node(index, 'peerD', now - deadAfterMs - 1)
      // three live copies of a target of 2 for every 5th chunk; every chunk also on the dead peerD
      const chunkIds = await fill(index, 2000, (i) => i % 5 === 0 ? ['peerA', 'peerB', 'peerC', 'peerD'] : ['peerA', 'peerB', 'peerD'], 2)
      const repairer = new Repairer({ index, log: quiet, deadAfterMs, repairAfterMs: 60_000, gcAfterMs: 3600_000 })
      const trimmed = new Set<string>()
      for (let scans = 0; repairer.sweeps < 1; scans++) {
        assert.ok(scans < 1000)
        repairer.scan(now)
        for (const task of drain(repairer, ['peerA', 'peerB', 'peerC', 'peerD'])) {
          assert.equal(task.type, TaskType.DELETE)
          assert.notEqual(task.peer, 'peerD', 'a dead node is not asked to trim')
          trimmed.add(task.chunkId)
        }
      }
      assert.deepEqual(trimmed, new Set(chunkIds.filter((_, i) => i % 5 === 0)))
    } finally {
      index.close()
    }
  })

  it('counts every chunk by health across pages, one count shared by callers that ask at once', async () => {
    const index = new DirectoryIndex(join(dir.path, 'index.sqlite'))
    try {
      for (const peer of ['peerA', 'peerB']) node(index, peer, now)
      node(index, 'peerC', now - deadAfterMs - 1)
      // 1,500 chunks with a target of 2: at target, one live copy short, or only on the dead peerC
      await fill(index, 1500, (i) => i % 3 === 0 ? ['peerA', 'peerB'] : i % 3 === 1 ? ['peerA', 'peerC'] : ['peerC'], 2)
      const counts = await Promise.all([index.health(now - deadAfterMs), index.health(now - deadAfterMs)])
      assert.deepEqual(counts[0], { chunks: 1500, healthy: 500, underReplicated: 500, lost: 500 })
      assert.equal(counts[0], counts[1], 'two callers at once share one count')
    } finally {
      index.close()
    }
  })
})
