import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Cluster, waitUntil } from '../helpers/cluster.ts'
import { DfsClient } from '../../src/index.ts'
import { multiaddr } from '@multiformats/multiaddr'
import { createPeer } from '../../src/net/libp2p.ts'
import { DirectoryClient } from '../../src/client/directory-client.ts'
import { MAX_INBOUND_STREAMS } from '../../src/net/limits.ts'

async function collect (source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const part of source) parts.push(part)
  return Buffer.concat(parts)
}

/** How many files are under a folder, at any depth (0 if it does not exist yet). */
async function filesUnder (dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter((entry) => entry.isFile()).length
}

describe('end to end: replication and losing a node', function () {
  this.timeout(180_000)
  let cluster: Cluster | undefined
  afterEach(async () => { await cluster?.stop() })

  async function upload (c: Cluster, name: string, content: Buffer, ...flags: string[]): Promise<{ code: number | null, id: string, stderr: string }> {
    const path = join(c.root, name)
    await writeFile(path, content)
    const up = await c.client(['upload', path, '--chunk-size', '1MiB', ...flags])
    return { code: up.code, id: up.stdout.trim(), stderr: up.stderr }
  }

  async function stat (c: Cluster, ref: string): Promise<any> {
    const result = await c.client(['stat', ref, '--json'])
    assert.equal(result.code, 0, result.stderr)
    return JSON.parse(result.stdout)
  }

  it('keeps each chunk on N distinct nodes, and every file downloads after one node is killed', async () => {
    cluster = await Cluster.start({ nodes: 3 })
    const files = new Map<string, Buffer>()
    for (const replicas of [2, 3]) {
      const content = randomBytes(5 * 1024 * 1024 + 123)
      const up = await upload(cluster, `r${replicas}.bin`, content, '--replicas', String(replicas))
      assert.equal(up.code, 0, up.stderr)
      files.set(up.id, content)
      const info = await stat(cluster, up.id)
      assert.equal(info.replicas, replicas)
      assert.equal(info.health, 'healthy')
      assert.equal(info.chunks.length, 6)
      for (const chunk of info.chunks) {
        assert.equal(new Set(chunk.peers).size, replicas, 'copies on distinct nodes')
        assert.equal(chunk.health, 'healthy')
      }
      if (replicas === 2) {
        const heads = new Set(info.chunks.map((c: any) => c.peers.join()))
        assert.ok(heads.size > 1, 'one file\'s chunks are spread, not all on the same nodes')
      }
    }

    const victim = cluster.nodes[1]
    await victim.kill9()
    for (const [id, content] of files) {
      const down = await cluster.client(['download', id, '-'])
      assert.equal(down.code, 0, down.stderr)
      assert.ok(down.stdoutBytes.equals(content), 'byte for byte with a node gone')
    }

    // once the directory has noticed (dead after 3 s here), stat shows live copies only
    const victimAlive = async (): Promise<boolean> => (await cluster!.json(['nodes'])).find((n: any) => n.peerId === victim.peerId).alive
    await cluster.waitFor('the directory to count the killed node dead', async () => !(await victimAlive()))
    const r2 = await stat(cluster, [...files.keys()][0])
    assert.ok(r2.chunks.every((c: any) => !c.peers.includes(victim.peerId)))
    assert.ok(r2.chunks.some((c: any) => c.health === 'under-replicated'))
    assert.equal(r2.health, 'under-replicated')
    const health = JSON.parse((await cluster.client(['health', '--json'])).stdout)
    assert.equal(health.nodesDead, 1)
    assert.equal(health.nodesAlive, 2)
    assert.equal(health.lost, 0)
    assert.ok(health.underReplicated > 0)
    assert.equal(health.chunks, health.healthy + health.underReplicated + health.lost)
    const nodes = JSON.parse((await cluster.client(['nodes', '--json'])).stdout)
    assert.equal(nodes.find((n: any) => n.peerId === victim.peerId).alive, false)

    // and alive again when it returns
    await cluster.startNode(1)
    await cluster.waitFor('the node counted alive again', async () => await victimAlive())
    const back = JSON.parse((await cluster.client(['nodes', '--json'])).stdout)
    assert.ok(back.every((n: any) => n.alive))
    assert.equal((await stat(cluster, [...files.keys()][0])).health, 'healthy')
  })

  it('resolves carry the node table only when the client\'s version is not the current one: a long-lived client learns of a dead node, and of its return, and reads the live copies', async () => {
    cluster = await Cluster.start({ nodes: 3 })
    const content = randomBytes(3 * 1024 * 1024 + 7)
    const fileId = await cluster.upload('versioned.bin', content, ['--replicas', '2', '--chunk-size', '512KiB'])
    const peer = await createPeer({})
    const client = await DfsClient.connect({ directory: cluster.directoryAddr })
    try {
      const directory = new DirectoryClient(peer, multiaddr(cluster.directoryAddr))
      const resolve = async (nodesVersion: number) => await directory.request({ resolve: { ref: fileId, chunkStart: 0, chunkLimit: 0, nodesVersion } })
      const first = await resolve(0)
      assert.equal(first.nodes.length, 3, 'a client with no table gets every node')
      assert.ok(first.nodesVersion > 0)
      assert.ok(first.nodes.every((node) => node.alive && node.addrs.length > 0))
      const again = await resolve(first.nodesVersion)
      assert.equal(again.nodes.length, 0, 'a client holding the current table gets no node records')
      assert.equal(again.nodesVersion, first.nodesVersion)
      assert.deepEqual(again.chunks.map((chunk) => chunk.id), first.chunks.map((chunk) => chunk.id))
      assert.equal((await resolve(first.nodesVersion + 1)).nodes.length, 3, 'any other version gets the table')
      // the long-lived client reads once, holding that table from now on
      assert.equal((await client.stat(fileId)).health, 'healthy')
      assert.ok((await collect(client.download(fileId))).equals(content))

      const victim = cluster.nodes[2]
      await victim.kill9()
      // dead after 3 s here; the directory checks every second
      let after = await resolve(first.nodesVersion)
      await cluster.waitFor('a resolve to show the killed node dead', async () => {
        after = await resolve(first.nodesVersion)
        return after.nodes.find((node) => node.peerId === victim.peerId)?.alive === false
      })
      assert.notEqual(after.nodesVersion, first.nodesVersion, 'a death is a new version')
      assert.equal(after.nodes.length, 3)
      assert.equal(after.nodes.find((node) => node.peerId === victim.peerId)?.alive, false)
      const stat = await client.stat(fileId)
      assert.ok(stat.chunks.every((chunk) => !chunk.peers.includes(victim.peerId)), 'the client counts only live copies')
      assert.equal(stat.health, 'under-replicated')
      assert.ok((await collect(client.download(fileId))).equals(content), 'byte for byte from the live copies')

      await cluster.startNode(2)
      let back = await resolve(after.nodesVersion)
      await cluster.waitFor('a resolve to show the node back', async () => {
        back = await resolve(after.nodesVersion)
        return back.nodes.find((node) => node.peerId === victim.peerId)?.alive === true
      })
      assert.notEqual(back.nodesVersion, after.nodesVersion, 'a return is a new version')
      assert.ok(back.nodes.length === 3 && back.nodes.every((node) => node.alive))
      assert.equal((await client.stat(fileId)).health, 'healthy')
      await directory.close()
    } finally {
      await client.close()
      await peer.stop()
    }
  })

  it('many small files at once, 3 copies each down a chain: every one stored (nodes keep their streams to each other under the limit)', async () => {
    cluster = await Cluster.start({ nodes: 3 })
    // each file alone, down a chain (batches do not use chains)
    const client = await DfsClient.connect({ directory: cluster.directoryAddr, replicas: 3, batchSmallFiles: false })
    try {
      // more chain links in flight between two nodes than a connection takes streams
      const contents = Array.from({ length: 600 }, () => randomBytes(4096))
      const ids: string[] = []
      let next = 0
      await Promise.all(Array.from({ length: 2 * MAX_INBOUND_STREAMS }, async () => {
        while (next < contents.length) {
          const i = next++
          ids[i] = (await client.upload((async function * () { yield contents[i] })(), { name: `many-${i}`, size: 4096 })).id
        }
      }))
      for (const i of [0, 299, 599]) {
        const info = await client.stat(ids[i])
        assert.equal(info.chunks[0].peers.length, 3)
        const parts: Uint8Array[] = []
        for await (const piece of client.download(ids[i])) parts.push(piece)
        assert.ok(Buffer.concat(parts).equals(contents[i]))
      }
    } finally {
      await client.close()
    }
  })

  it('small files uploaded at once share batches: a few directory requests for many files, every file on 3 nodes, byte for byte', async () => {
    cluster = await Cluster.start({ nodes: 3 })
    const client = await DfsClient.connect({ directory: cluster.directoryAddr, replicas: 3 })
    try {
      const contents = Array.from({ length: 200 }, (_, i) => randomBytes(1 + (i * 997) % 9000))
      const ids: string[] = []
      let next = 0
      await Promise.all(Array.from({ length: 32 }, async () => {
        while (next < contents.length) {
          const i = next++
          ids[i] = (await client.upload([contents[i]], { name: `batched-${i}`, size: contents[i].byteLength })).id
        }
      }))
      // alone, each file costs a begin and a complete: 400 requests
      assert.ok(client.directory.requestsSent < contents.length, `${client.directory.requestsSent} directory requests for ${contents.length} files`)
      const listed = await client.list()
      assert.equal(listed.filter((f) => f.name.startsWith('batched-')).length, contents.length)
      for (const [i] of contents.entries()) {
        const info = await client.stat(`batched-${i}`)
        assert.equal(info.id, ids[i])
        assert.equal(info.health, 'healthy')
        assert.equal(new Set(info.chunks[0].peers).size, 3)
      }

      // downloads at once share resolves (ResolveMany) and reads (GET_MANY); a name that is not there fails alone
      const before = client.directory.requestsSent
      const refs = [...ids.map((id, i) => i % 2 === 0 ? id : `batched-${i}`), 'batched-none']
      const results: Array<Buffer | Error> = []
      next = 0
      await Promise.all(Array.from({ length: 32 }, async () => {
        while (next < refs.length) {
          const i = next++
          try {
            const parts: Uint8Array[] = []
            for await (const piece of client.download(refs[i])) parts.push(piece)
            results[i] = Buffer.concat(parts)
          } catch (err) {
            results[i] = err as Error
          }
        }
      }))
      for (const [i, content] of contents.entries()) assert.ok(Buffer.isBuffer(results[i]) && results[i].equals(content), `file ${i} byte for byte`)
      const missing = results[contents.length]
      assert.ok(missing instanceof Error && missing.name === 'NotFoundError', String(missing))
      assert.match(missing.message, /no file has the name or ID "batched-none"/)
      // one at a time, each download costs a resolve: 201 requests
      assert.ok(client.directory.requestsSent - before < refs.length / 2, `${client.directory.requestsSent - before} directory requests for ${refs.length} downloads`)
    } finally {
      await client.close()
    }
  })

  it('a batch placed on a node that just died: each of its files is uploaded alone on live nodes instead', async () => {
    cluster = await Cluster.start({ nodes: 3 })
    const victim = cluster.nodes[0]
    await victim.kill9()
    // still alive to the directory (dead after 3 s): two placements in three pair it with another node
    const client = await DfsClient.connect({ directory: cluster.directoryAddr, replicas: 2 })
    try {
      // each big enough to use up a placement alone (see LEASE_BYTES), so each gets a placement of its own
      const contents = Array.from({ length: 6 }, () => randomBytes(200 * 1024))
      for (const [i, content] of contents.entries()) {
        const file = await client.upload([content], { name: `after-death-${i}`, size: content.byteLength })
        const info = await client.stat(file.id)
        assert.deepEqual(info.chunks[0].peers.filter((peer) => peer === victim.peerId), [], 'not recorded on the dead node')
        assert.equal(new Set(info.chunks[0].peers).size, 2)
        const parts: Uint8Array[] = []
        for await (const piece of client.download(file.id)) parts.push(piece)
        assert.ok(Buffer.concat(parts).equals(content))
      }
    } finally {
      await client.close()
    }
  })

  it('gives up on a node that stalls and reads the other copy', async () => {
    cluster = await Cluster.start({ nodes: 2, deadAfter: '30s' })
    const content = randomBytes(2 * 1024 * 1024)
    const up = await upload(cluster, 'stall.bin', content, '--replicas', '2')
    assert.equal(up.code, 0, up.stderr)
    // frozen, not dead: connections open, nothing answers
    cluster.nodes[0].proc.kill('SIGSTOP')
    try {
      const down = await cluster.client(['download', up.id, '-'])
      assert.equal(down.code, 0, down.stderr)
      assert.ok(down.stdoutBytes.equals(content))
    } finally {
      cluster.nodes[0].proc.kill('SIGCONT')
    }
  })

  it('refuses more copies than there are live nodes, recording nothing', async () => {
    cluster = await Cluster.start({ nodes: 2 })
    const up = await upload(cluster, 'too-many.bin', randomBytes(1000), '--replicas', '3')
    assert.equal(up.code, 1)
    assert.match(up.stderr, /^error: asked for 3 copies of each chunk, but only 2 live nodes have room/)
    const ls = JSON.parse((await cluster.client(['ls', '--json'])).stdout)
    assert.deepEqual(ls, [])
    const bad = await cluster.client(['upload', join(cluster.root, 'too-many.bin'), '--replicas', 'lots'])
    assert.equal(bad.code, 2)
  })

  it('a node killed in the middle of an upload: the upload succeeds whole or fails clearly, recording nothing', async () => {
    cluster = await Cluster.start({ nodes: 3 })
    const content = randomBytes(48 * 1024 * 1024)
    const path = join(cluster.root, 'during.bin')
    await writeFile(path, content)
    const uploading = cluster.client(['upload', path, '--chunk-size', '1MiB', '--replicas', '2'])
    // killed once the upload has reached it (a chunk being written or stored), not at a guessed moment
    const store = join(cluster.nodeDataDir(2), 'store')
    await waitUntil('the upload reaching node 2', async () => await filesUnder(join(store, 'tmp')) + await filesUnder(join(store, 'chunks')) > 0, 60_000, 10)
    await cluster.nodes[2].kill9()
    const up = await uploading
    if (up.code === 0) {
      const down = await cluster.client(['download', up.stdout.trim(), '-'])
      assert.equal(down.code, 0, down.stderr)
      assert.ok(down.stdoutBytes.equals(content))
      const info = await stat(cluster, up.stdout.trim())
      assert.ok(info.chunks.every((c: any) => c.peers.length >= 1))
    } else {
      assert.equal(up.code, 1)
      assert.match(up.stderr, /^error: /)
      assert.deepEqual(JSON.parse((await cluster.client(['ls', '--json'])).stdout), [])
    }
  })
})
