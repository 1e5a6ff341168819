import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { Cluster } from '../helpers/cluster.ts'
import { stalledPut } from '../helpers/stalled-put.ts'
import { createPeer } from '../../src/net/libp2p.ts'
import { openStream } from '../../src/net/dial.ts'
import { StreamReader, sendMessage } from '../../src/net/stream-io.ts'
import { DIRECTORY_PROTOCOL, STORE_PROTOCOL } from '../../src/protocol/constants.ts'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { StoreRequest } from '../../src/protocol/pb/store.ts'
import { cidFromDigest } from '../../src/content/content-id.ts'
import { DfsClient } from '../../src/index.ts'
import { MAX_CONNECTIONS_PER_PEER, MAX_INBOUND_STREAMS } from '../../src/net/limits.ts'

/** Resolves once the remote ends the stream (closed or reset); the time it took. */
async function untilEnded (reader: StreamReader, limitMs: number): Promise<number> {
  const started = Date.now()
  try {
    while (await reader.readMessage(1024 * 1024, { signal: AbortSignal.timeout(limitMs) }) != null) { /* discard: only the stream's end matters */ }
  } catch (err) {
    if ((err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError') throw new Error(`the peer kept a quiet stream open for over ${limitMs} ms`)
  }
  return Date.now() - started
}

describe('end to end: stalled peers, hostile names, a full disk', function () {
  this.timeout(120_000)

  describe('stalled streams time out', () => {
    let cluster: Cluster
    let peer: Libp2p
    before(async () => {
      cluster = await Cluster.start({ nodes: 1, access: () => ['--open', '--idle-timeout', '1s'], nodeArgs: ['--idle-timeout', '1s'] })
      peer = await createPeer({})
    })
    after(async () => {
      await peer?.stop()
      await cluster?.stop()
    })

    it('the directory closes a stream that never asks anything', async () => {
      const stream = await openStream(peer, multiaddr(cluster.directoryAddr), DIRECTORY_PROTOCOL, 'the directory')
      const took = await untilEnded(new StreamReader(stream), 10_000)
      assert.ok(took >= 900, `closed after ${took} ms, not before the idle timeout`)
    })

    it('a node drops a PUT that stalls mid-chunk, and leaves no partial file', async () => {
      const { stream, directory } = await stalledPut(cluster, peer)
      const reader = new StreamReader(stream)
      // the partial file appears once the node has read the request, and goes after 1 s of silence: poll closely
      const tmp = join(cluster.nodeDataDir(0), 'store', 'tmp')
      await cluster.waitFor('the chunk being written', async () => (await readdir(tmp).catch(() => [])).length === 1, 10_000, 20)
      await untilEnded(reader, 10_000)
      await cluster.waitFor('the partial chunk file to go', async () => (await readdir(join(cluster.nodeDataDir(0), 'store', 'tmp'))).length === 0, 5_000)
      assert.match(cluster.nodes[0].stderr, /the peer sent nothing for 1000 ms/)
      directory.abort(new Error('done'))
    })
  })

  describe('per-peer limits', () => {
    let cluster: Cluster
    before(async () => { cluster = await Cluster.start({ nodes: 1 }) })
    after(async () => { await cluster?.stop() })

    it(`a connection gets at most ${MAX_INBOUND_STREAMS} store streams at once; the node serves the rest of the world`, async () => {
      const peer = await createPeer({})
      try {
        const target = multiaddr(cluster.nodes[0].addr)
        const streams = []
        for (let i = 0; i < MAX_INBOUND_STREAMS + 4; i++) streams.push(await openStream(peer, target, STORE_PROTOCOL, 'the node'))
        // a stream past the limit is reset by the node: its first read fails; those within it get answers
        const outcomes = await Promise.all(streams.map(async (stream) => {
          const reader = new StreamReader(stream)
          try {
            await sendMessage(stream, StoreRequest.encode({ type: StoreRequest.Type.HAS, cid: cidFromDigest(createHash('sha256').update('x').digest()), size: 0, forward: [] }))
            return await reader.readMessage(4096, { signal: AbortSignal.timeout(10_000) }) != null ? 'answered' : 'closed'
          } catch (err) {
            return (err as Error).name
          }
        }))
        assert.equal(outcomes.filter((o) => o === 'answered').length, MAX_INBOUND_STREAMS, outcomes.join(', '))
        assert.ok(outcomes.slice(MAX_INBOUND_STREAMS).every((o) => o !== 'answered'))
        for (const stream of streams) stream.abort(new Error('done'))
      } finally {
        await peer.stop()
      }
      const file = join(cluster.root, 'after-limits.bin')
      await writeFile(file, randomBytes(100_000))
      const up = await cluster.client(['upload', file])
      assert.equal(up.code, 0, up.stderr)
    })

    it(`one peer gets at most ${MAX_CONNECTIONS_PER_PEER} connections to a node`, async () => {
      // several processes' worth of the same identity: the same key in separate libp2p peers
      const key = await generateKeyPair('Ed25519')
      const peers = await Promise.all(Array.from({ length: MAX_CONNECTIONS_PER_PEER + 2 }, async () => await createPeer({ privateKey: key })))
      try {
        const target = multiaddr(cluster.nodes[0].addr)
        const outcomes: string[] = []
        for (const peer of peers) {
          outcomes.push(await openStream(peer, target, STORE_PROTOCOL, 'the node', { signal: AbortSignal.timeout(10_000) }).then(() => 'open', (err: Error) => err.name))
        }
        assert.deepEqual(outcomes.slice(0, MAX_CONNECTIONS_PER_PEER), Array(MAX_CONNECTIONS_PER_PEER).fill('open'))
        assert.ok(outcomes.slice(MAX_CONNECTIONS_PER_PEER).every((o) => o === 'ForbiddenError'), outcomes.join(', '))
      } finally {
        await Promise.all(peers.map(async (peer) => { await peer.stop() }))
      }
    })
  })

  describe('names', () => {
    let cluster: Cluster
    let work: string
    before(async () => {
      cluster = await Cluster.start({ nodes: 1 })
      work = join(cluster.root, 'work')
      await mkdir(work)
      await writeFile(join(work, 'ok.txt'), 'fine\n')
    })
    after(async () => { await cluster?.stop() })

    it('refuses ../x, absolute paths and 10 kB names with exit 1 and a clear error, recording nothing', async () => {
      // whatever other tests in this cluster recorded stays as it was, and nothing is added
      const listedBefore = JSON.parse((await cluster.client(['ls', '--json'])).stdout)
      for (const name of ['../x', '/etc/passwd', 'a/../../b', '..', 'x'.repeat(10_000)]) {
        const up = await cluster.client(['upload', join(work, 'ok.txt'), '--name', name])
        assert.equal(up.code, 1, name.slice(0, 20))
        assert.match(up.stderr, /^error: (file name .* contains a path separator|".*" is not a valid file name|file name is longer than 255 bytes)/)
        assert.equal(up.stderr.trim().split('\n').length, 1)
      }
      assert.deepEqual(JSON.parse((await cluster.client(['ls', '--json'])).stdout), listedBefore)
    })

    it('refuses a NUL in a name, in the library and at the directory', async () => {
      const client = await DfsClient.connect({ directory: cluster.directoryAddr })
      try {
        await assert.rejects(client.upload((async function * () { yield Buffer.from('x') })(), { name: 'a\u0000b' }), { name: 'InvalidInputError', message: /control character/ })
        // a client that skips its own check meets the directory's
        await assert.rejects(client.directory.request({ begin: { name: 'a\u0000b', chunkSize: 1024, replicas: 1 } }), { name: 'InvalidInputError', message: /control character/ })
      } finally {
        await client.close()
      }
    })

    it('never writes outside DEST, even when the index holds a hostile name', async () => {
      const up = await cluster.client(['upload', join(work, 'ok.txt'), '--name', 'innocent.txt'])
      assert.equal(up.code, 0, up.stderr)
      // as if the index had been tampered with: a name that climbs out of the folder
      await cluster.directory.stop()
      const db = new DatabaseSync(join(cluster.root, 'directory', 'index.sqlite'))
      db.prepare('UPDATE names SET name = ? WHERE name = ?').run('../escaped.txt', 'innocent.txt')
      db.close()
      await cluster.restartDirectory()
      const dest = join(work, 'dest')
      await mkdir(dest)
      const down = await cluster.client(['download', '../escaped.txt', dest])
      assert.equal(down.code, 1)
      assert.match(down.stderr, /^error: file name "\.\.\/escaped\.txt" contains a path separator/)
      assert.deepEqual(await readdir(dest), [])
      assert.ok(!(await readdir(work)).includes('escaped.txt'))
    })
  })

  describe('a full disk', () => {
    let cluster: Cluster
    let work: string
    before(async () => {
      cluster = await Cluster.start({ nodes: 2 })
      // a third node with room for three 1 MiB chunks
      cluster.nodeExtra = ['--capacity', '3MiB']
      await cluster.startNode(2)
      cluster.nodeExtra = []
      work = join(cluster.root, 'work')
      await mkdir(work)
    })
    after(async () => { await cluster?.stop() })

    it('sends chunks elsewhere when a node fills, keeps what it has, and the full node still serves reads', async () => {
      const small = randomBytes(1024 * 1024)
      await writeFile(join(work, 'small.bin'), small)
      const first = await cluster.client(['upload', join(work, 'small.bin'), '--replicas', '3', '--chunk-size', '1MiB'])
      assert.equal(first.code, 0, first.stderr)

      const big = randomBytes(12 * 1024 * 1024)
      await writeFile(join(work, 'big.bin'), big)
      const up = await cluster.client(['upload', join(work, 'big.bin'), '--replicas', '2', '--chunk-size', '1MiB'])
      assert.equal(up.code, 0, up.stderr)
      const stat = await cluster.json(['stat', up.stdout.trim()])
      assert.equal(stat.health, 'healthy')
      const fullNode = cluster.nodes[2]
      const onFull = stat.chunks.filter((c: { peers: string[] }) => c.peers.includes(fullNode.peerId)).length
      assert.ok(onFull <= 2, `the 3 MiB node took ${onFull} more 1 MiB chunks`)
      assert.deepEqual(await readdir(join(cluster.nodeDataDir(2), 'store', 'tmp')), [], 'nothing half-written')

      // it says it is full, and the directory counts it out
      await cluster.waitFor('the full node to report itself full', async () => {
        const nodes = await cluster.json(['nodes'])
        const node = nodes.find((n: { peerId: string }) => n.peerId === fullNode.peerId)
        return node.capacity - node.used < 1024 * 1024
      })
      const tooMany = await cluster.client(['upload', join(work, 'small.bin'), '--name', 'again.bin', '--replicas', '3', '--chunk-size', '1MiB'])
      assert.equal(tooMany.code, 1)
      assert.match(tooMany.stderr, /asked for 3 copies of each chunk, but only 2 live nodes have room/)

      // with the others gone, the full node alone serves what it holds
      await cluster.nodes[0].stop()
      await cluster.nodes[1].stop()
      const out = join(work, 'small.out')
      const down = await cluster.client(['download', 'small.bin', out])
      assert.equal(down.code, 0, down.stderr)
      assert.ok((await readFile(out)).equals(small))
    })
  })
})
