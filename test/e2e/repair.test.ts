import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { Cluster } from '../helpers/cluster.ts'

/**
 * Self-healing, with short clocks: nodes are dead after 2 s of silence and
 * repaired 1 s later; nodes scrub everything every second.
 */
describe('end to end: repair, inventory and scrubbing', function () {
  this.timeout(180_000)
  let cluster: Cluster | undefined
  afterEach(async () => { await cluster?.stop() })

  async function upload (c: Cluster, name: string, content: Buffer, replicas: number): Promise<string> {
    return await c.upload(name, content, ['--chunk-size', '256KiB', '--replicas', String(replicas)])
  }

  async function allAtTarget (c: Cluster, ids: string[]): Promise<boolean> {
    for (const id of ids) {
      const info = await c.json(['stat', id])
      if (info.health !== 'healthy' || info.chunks.some((chunk: any) => chunk.peers.length !== info.replicas)) return false
    }
    return true
  }

  async function downloadsIntact (c: Cluster, files: Map<string, Buffer>): Promise<void> {
    for (const [id, content] of files) {
      const down = await c.client(['download', id, '-'])
      assert.equal(down.code, 0, down.stderr)
      assert.ok(down.stdoutBytes.equals(content), `file ${id} byte for byte`)
    }
  }

  it('copies a dead node\'s chunks back to their target, and trims the extra copies when it returns', async () => {
    cluster = await Cluster.start({ nodes: 4, deadAfter: '2s', repairAfter: '1s' })
    const files = new Map<string, Buffer>()
    for (const replicas of [2, 3]) {
      const content = randomBytes(2 * 1024 * 1024 + replicas)
      files.set(await upload(cluster, `r${replicas}.bin`, content, replicas), content)
    }
    const victim = cluster.nodes[0]
    const held = (await cluster.json(['nodes'])).find((n: any) => n.peerId === victim.peerId)
    assert.ok(held.chunks > 0, 'the victim holds chunks')
    await victim.kill9()
    await downloadsIntact(cluster, files)

    // until the directory calls the victim dead, its copies still count: every chunk looks at target
    await cluster.waitFor('the victim counted dead', async () => (await cluster!.json(['nodes'])).some((n: any) => n.peerId === victim.peerId && !n.alive))
    await cluster.waitFor('every chunk back at its target on the remaining nodes', async () => await allAtTarget(cluster!, [...files.keys()]))
    for (const id of files.keys()) {
      const info = await cluster.json(['stat', id])
      assert.ok(info.chunks.every((chunk: any) => !chunk.peers.includes(victim.peerId)))
    }
    const health = await cluster.json(['health'])
    assert.deepEqual([health.underReplicated, health.lost, health.nodesDead], [0, 0, 1], `health ${JSON.stringify(health)}; directory log:\n${cluster.directory.stderr.slice(-4000)}`)
    await downloadsIntact(cluster, files)
    // the operator's log tells the story
    assert.match(cluster.directory.stderr, new RegExp(`node ${victim.peerId} is dead`))
    assert.match(cluster.directory.stderr, /repair started: copying \d+ chunk\(s\) below their target/)
    await cluster.waitFor('the repair logged as done', async () => /repair done: \d+ copies made, 0 failed/.test(cluster!.directory.stderr))

    // the dead node comes back with its data: its copies count again, and the extras go
    await cluster.startNode(0)
    await cluster.waitFor('the victim logged as back', async () => cluster!.directory.stderr.includes(`node ${victim.peerId} is back`))
    await cluster.waitFor('no chunk above its target', async () => {
      if (!(await allAtTarget(cluster!, [...files.keys()]))) return false
      const nodes = await cluster!.json(['nodes'])
      return nodes.every((n: any) => n.alive)
    })
    await downloadsIntact(cluster, files)
  })

  it('the scrubber finds a chunk altered on a node\'s disk and gets it repaired; reads still get the right bytes', async () => {
    cluster = await Cluster.start({ nodes: 2, nodeArgs: ['--scrub-rate', '1GiB', '--scrub-interval', '1s'] })
    const content = randomBytes(1024 * 1024)
    const id = await upload(cluster, 'scrubbed.bin', content, 2)
    const info = await cluster.json(['stat', id])
    const chunkId: string = info.chunks[2].id
    const victim = 1
    const chunkFile = join(cluster.nodeDataDir(victim), 'store', 'chunks', chunkId.slice(-2), chunkId)
    const bytes = await readFile(chunkFile)
    bytes[100] ^= 0x01
    await writeFile(chunkFile, bytes)

    // no read touches the chunk before the scrubber does (a read would find it first: the next test)
    await cluster.waitFor('the corrupt copy quarantined', async () => {
      const quarantined = await readdir(join(cluster!.nodeDataDir(victim), 'store', 'quarantine')).catch(() => [])
      return quarantined.some((name) => name.startsWith(chunkId))
    })
    assert.match(cluster.nodes[victim].stderr, /found chunk .* corrupt: quarantined/)
    // reads fall back to the good copy, whichever node the client tries first
    await downloadsIntact(cluster, new Map([[id, content]]))

    // the index may still list the quarantined copy until the node's next heartbeat: wait for the copy itself
    const good = content.subarray(2 * 256 * 1024, 3 * 256 * 1024)
    await cluster.waitFor('the chunk copied back from the good replica', async () => (await readFile(chunkFile).catch(() => undefined))?.equals(good) === true)
    await cluster.waitFor('the chunk at its target again', async () => await allAtTarget(cluster!, [id]))
    assert.ok((await readFile(chunkFile)).equals(good), 'the repaired copy has the right bytes')

    // the good copy back here replaces the quarantined one, which is deleted and no longer counted
    await cluster.waitFor('the quarantine emptied', async () => (await readdir(join(cluster!.nodeDataDir(victim), 'store', 'quarantine'))).length === 0)
    assert.match(cluster.nodes[victim].stderr, new RegExp(`deleted the quarantined copy of chunk ${chunkId} .*a good copy is stored here again`))
    await cluster.waitFor('the node to report each chunk once in its used space', async () =>
      (await cluster!.json(['nodes'])).find((n: any) => n.peerId === cluster!.nodes[victim].peerId)?.used === content.byteLength)
  })

  it('a reader that gets corrupt bytes has that node check its copy, and the chunk is repaired', async () => {
    cluster = await Cluster.start({ nodes: 2, nodeArgs: ['--scrub-rate', '0'] })
    const content = randomBytes(1024 * 1024)
    const id = await upload(cluster, 'read-path.bin', content, 2)
    const info = await cluster.json(['stat', id])
    // spoil every copy on one node: reads rotate over copies, so some read hits a bad one first
    const store = join(cluster.nodeDataDir(0), 'store', 'chunks')
    for (const chunk of info.chunks) {
      const file = join(store, chunk.id.slice(-2), chunk.id)
      const bytes = await readFile(file)
      bytes[7] ^= 0x80
      await writeFile(file, bytes)
    }
    // to a file too: a chunk refetched from the other node lands in the same place, and only verified bytes do
    const into = join(cluster.root, 'read-path.out')
    const toFile = await cluster.client(['download', id, into])
    assert.equal(toFile.code, 0, toFile.stderr)
    assert.ok((await readFile(into)).equals(content), 'the downloaded file byte for byte')
    await downloadsIntact(cluster, new Map([[id, content]]))
    await cluster.waitFor('the node to quarantine what readers reported', async () => {
      const quarantined = await readdir(join(cluster!.nodeDataDir(0), 'store', 'quarantine')).catch(() => [])
      return quarantined.length > 0
    })
    assert.match(cluster.nodes[0].stderr, /is corrupt on disk: quarantined/)
    await cluster.waitFor('the reported chunks copied back', async () => await allAtTarget(cluster!, [id]))
    await downloadsIntact(cluster, new Map([[id, content]]))
  })

  it('rm, then garbage collection, frees the space on every node but keeps chunks another file uses', async () => {
    cluster = await Cluster.start({ nodes: 3, gcAfter: '1s' })
    const chunk = 256 * 1024
    const shared = randomBytes(3 * chunk)
    const a = Buffer.concat([shared, randomBytes(chunk)])
    const b = Buffer.concat([shared, randomBytes(100)])
    const idA = await upload(cluster, 'a.bin', a, 2)
    const idB = await upload(cluster, 'b.bin', b, 2)
    const used = async (): Promise<number[]> => (await cluster!.json(['nodes'])).map((n: any) => n.used)
    const total = async (): Promise<number> => (await used()).reduce((x, y) => x + y, 0)
    // deduplication: shared chunks are stored once per node
    await cluster.waitFor('nodes to report what they hold', async () => await total() === 2 * (a.byteLength + 100))
    assert.equal(await upload(cluster, 'b-again.bin', b, 2), idB, 'same bytes, same ID')
    // a node stores a chunk once however often it is sent; placement may put the second upload's
    // copies on another node, and trimming then takes each chunk back to its two copies
    await cluster.waitFor('the same chunks uploaded again to take no more space', async () => await total() === 2 * (a.byteLength + 100))

    const removed = await cluster.client(['rm', 'a.bin'])
    assert.equal(removed.code, 0, removed.stderr)
    assert.equal(removed.stdout, `removed a.bin (${idA})\n`)
    assert.equal((await cluster.client(['download', idA, '-'])).code, 1, 'gone by ID too')
    await cluster.waitFor('a.bin\'s own chunk freed on every node', async () => await total() === 2 * b.byteLength)
    await downloadsIntact(cluster, new Map([[idB, b]]))

    // one of two names for the same file: the file stays. A file removed just after it is collected
    // by the same or a later sweep, so once its space is freed, collection has run past b-again.bin's removal
    const c = randomBytes(chunk)
    await upload(cluster, 'c.bin', c, 2)
    await cluster.waitFor('nodes to report c.bin', async () => await total() === 2 * (b.byteLength + c.byteLength))
    assert.equal((await cluster.client(['rm', 'b-again.bin'])).code, 0)
    assert.equal((await cluster.client(['rm', 'c.bin'])).code, 0)
    await cluster.waitFor('garbage collection to free c.bin', async () => await total() <= 2 * b.byteLength)
    assert.equal(await total(), 2 * b.byteLength)
    await downloadsIntact(cluster, new Map([[idB, b]]))

    assert.equal((await cluster.client(['rm', idB])).code, 0)
    await cluster.waitFor('every node empty', async () => (await used()).every((n) => n === 0))
    for (let i = 0; i < 3; i++) {
      const shards: string[] = await readdir(join(cluster.nodeDataDir(i), 'store', 'chunks'))
      for (const shard of shards) assert.deepEqual(await readdir(join(cluster!.nodeDataDir(i), 'store', 'chunks', shard)), [])
    }
    assert.deepEqual(await cluster.json(['ls']), [])
    const missing = await cluster.client(['rm', 'a.bin'])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /^error: no file has the name or ID "a\.bin"/)
  })

  it('small files packed on a node survive its kill -9 and restart; rm and garbage collection leave its packs empty', async () => {
    cluster = await Cluster.start({ nodes: 1, gcAfter: '1s' })
    const files = new Map<string, Buffer>()
    // one upload of many small files: they go in batches, which a node packs (see PackStore)
    const contents = Array.from({ length: 24 }, (_, i) => randomBytes(1000 + i * 300))
    const paths = contents.map((_, i) => join(cluster!.root, `small-${i}.bin`))
    await Promise.all(contents.map(async (content, i) => { await writeFile(paths[i], content) }))
    const up = await cluster.client(['upload', ...paths, '--replicas', '1', '--json'])
    assert.equal(up.code, 0, up.stderr)
    for (const [i, file] of (JSON.parse(up.stdout) as Array<{ id: string }>).entries()) files.set(file.id, contents[i])
    const packed = (): number => {
      const db = new DatabaseSync(join(cluster!.nodeDataDir(0), 'store', 'packs', 'index.sqlite'), { readOnly: true })
      try {
        return (db.prepare('SELECT COUNT(*) AS n FROM chunks').get() as { n: number }).n
      } finally {
        db.close()
      }
    }
    assert.ok(packed() > 0, 'no chunk went into a pack')
    await cluster.nodes[0].kill9()
    await cluster.startNode(0)
    await cluster.waitFor('the node back', async () => (await cluster!.json(['nodes'])).some((n: any) => n.alive))
    await downloadsIntact(cluster, files)
    for (const id of files.keys()) assert.equal((await cluster.client(['rm', id])).code, 0)
    await cluster.waitFor('the node empty', async () => (await cluster!.json(['nodes']))[0].used === 0)
    assert.equal(packed(), 0)
  })

  it('resumes repair after the directory is killed in the middle of it', async () => {
    cluster = await Cluster.start({ nodes: 3, deadAfter: '2s', repairAfter: '1s' })
    const files = new Map<string, Buffer>()
    // enough chunks that repair takes several heartbeats (a node takes a few tasks per heartbeat)
    const content = randomBytes(8 * 1024 * 1024)
    files.set(await upload(cluster, 'resume.bin', content, 2), content)
    await cluster.nodes[2].kill9()
    // cut repair short as soon as it has started
    const first = cluster.directory
    await first.waitFor(/repair started: copying \d+ chunk/, 30_000)
    await first.kill9()
    assert.doesNotMatch(first.stderr, /repair done/, 'the directory was killed in the middle of repair')
    await cluster.restartDirectory()
    await cluster.directory.waitFor(/repair started: copying \d+ chunk/, 30_000)
    await cluster.waitFor('every chunk back at its target after the restart', async () => await allAtTarget(cluster!, [...files.keys()]), 60_000)
    await downloadsIntact(cluster, files)
  })
})
