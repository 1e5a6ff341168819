import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Libp2p } from 'libp2p'
import { multiaddr } from '@multiformats/multiaddr'
import { createPeer } from '../../src/net/libp2p.ts'
import { DirectoryClient } from '../../src/client/directory-client.ts'
import { ClusterView } from '../../src/client/cluster-view.ts'
import { Downloader, type ChunkSource, type Resolved, type VerifiedChunk, type VerifiedChunkOptions } from '../../src/client/downloader.ts'
import { SlabPool } from '../../src/util/slab-pool.ts'
import { Cluster } from '../helpers/cluster.ts'

const CHUNK = 256 * 1024

/**
 * A downloader in this process, over a libp2p node of its own, reading what
 * the cluster's directory resolves; `lie` may rewrite a resolve, as a
 * directory that lists the wrong chunks would.
 */
class Reader {
  readonly reports: Array<{ chunkId: string, peerId: string }> = []
  readonly downloader: Downloader
  /** what the downloader is told: the directory's answers, perhaps rewritten */
  readonly source: ChunkSource

  private constructor (private readonly libp2p: Libp2p, private readonly directory: DirectoryClient, readonly view: ClusterView, lie?: (resolved: Resolved) => Promise<Resolved>) {
    this.source = {
      resolve: async (ref) => {
        const resolved = await this.resolve(ref, 0)
        return lie != null ? await lie(resolved) : resolved
      },
      chunksFrom: async (fileId, start) => (await this.resolve(fileId, start)).chunks,
      reportCorrupt: (chunkId, peerId) => { this.reports.push({ chunkId, peerId }) }
    }
    this.downloader = new Downloader({ view, source: this.source, parallelChunks: 3, directIO: false })
  }

  static async connect (cluster: Cluster, lie?: (resolved: Resolved) => Promise<Resolved>): Promise<Reader> {
    const libp2p = await createPeer({})
    const address = multiaddr(cluster.directoryAddr)
    await libp2p.dial(address)
    return new Reader(libp2p, new DirectoryClient(libp2p, address), new ClusterView(libp2p), lie)
  }

  async resolve (ref: string, chunkStart: number): Promise<Resolved> {
    const response = await this.directory.request({ resolve: { ref, chunkStart, chunkLimit: 0, nodesVersion: this.view.nodesVersion } })
    this.view.learnForReading(response)
    return { file: response.file!, chunks: response.chunks }
  }

  /** Every chunk the iterator yields before it ends or throws, and what it threw. */
  async collect (ref: string, options: VerifiedChunkOptions): Promise<{ chunks: VerifiedChunk[], error?: Error }> {
    const { file, chunks: firstPage } = await this.source.resolve(ref)
    const chunks: VerifiedChunk[] = []
    try {
      for await (const verified of this.downloader.verifiedChunks(file, firstPage, options)) chunks.push(verified)
      return { chunks }
    } catch (err) {
      return { chunks, error: err as Error }
    }
  }

  async close (): Promise<void> {
    await this.view.close()
    await this.directory.close()
    await this.libp2p.stop()
  }
}

/** Flip a bit of chunk `chunkId` in node `node`'s store, on disk. */
async function alter (cluster: Cluster, node: number, chunkId: string): Promise<void> {
  const path = join(cluster.nodeDataDir(node), 'store', 'chunks', chunkId.slice(-2), chunkId)
  const bytes = await readFile(path)
  bytes[1234] ^= 0x01
  await writeFile(path, bytes)
}

describe('the downloader\'s verified-chunk iterator (a real directory and nodes)', function () {
  this.timeout(120_000)
  let cluster: Cluster
  let reader: Reader | undefined

  before(async () => {
    // no scrubbing: altered copies stay on disk for the reads to find
    cluster = await Cluster.start({ nodes: 2, nodeArgs: ['--scrub-rate', '0'] })
  })
  after(async () => {
    await cluster?.stop()
  })
  afterEach(async () => {
    await reader?.close()
    reader = undefined
  })

  async function upload (name: string, content: Buffer, replicas: number): Promise<{ id: string, chunks: Array<{ index: number, id: string, peers: string[] }> }> {
    const id = await cluster.upload(name, content, ['--chunk-size', '256KiB', '--replicas', String(replicas)])
    return { id, chunks: (await cluster.json(['stat', id])).chunks }
  }

  it('yields every chunk once, in read order or as each arrives, and gives every slab back', async () => {
    const content = randomBytes(10 * CHUNK + 12_345)
    const { id } = await upload('whole.bin', content, 2)
    reader = await Reader.connect(cluster)

    const ordered = await reader.collect(id, { inOrder: true })
    assert.equal(ordered.error, undefined)
    assert.deepEqual(ordered.chunks.map((c) => c.chunk.index), Array.from({ length: 11 }, (_, i) => i))
    assert.ok(Buffer.concat(ordered.chunks.flatMap((c) => c.pieces)).equals(content), 'in order, byte for byte')

    // as they arrive, each copied to its offset and its slab given back, as a file download does
    const pool = new SlabPool(CHUNK, 4)
    const { file, chunks } = await reader.resolve(id, 0)
    const assembled = Buffer.alloc(content.byteLength)
    const indexes: number[] = []
    for await (const { chunk, pieces, release } of reader.downloader.verifiedChunks(file, chunks, { inOrder: false, slabs: pool })) {
      indexes.push(chunk.index)
      let at = chunk.offset
      for (const piece of pieces) {
        assembled.set(piece, at)
        at += piece.byteLength
      }
      release()
    }
    assert.deepEqual(indexes.sort((a, b) => a - b), Array.from({ length: 11 }, (_, i) => i))
    assert.ok(assembled.equals(content), 'at their offsets, byte for byte')
    assert.equal(pool.inUse, 0, 'every slab back in the pool')
    assert.deepEqual(reader.reports, [])
  })

  it('stopped early, gives back the slabs of the chunks fetched but not yet handed out', async () => {
    const content = randomBytes(8 * CHUNK)
    const { id } = await upload('early.bin', content, 1)
    reader = await Reader.connect(cluster)
    const { file, chunks } = await reader.resolve(id, 0)
    const pool = new SlabPool(CHUNK, 4)
    const verified = reader.downloader.verifiedChunks(file, chunks, { inOrder: false, slabs: pool })[Symbol.asyncIterator]()
    const { value: first, done } = await verified.next()
    assert.equal(done, false)
    assert.ok(first.pieces.length > 0)
    // the chunks fetched alongside it arrive meanwhile, each into a slab
    const deadline = Date.now() + 10_000
    while (reader.view.readsInFlight.size > 0) {
      assert.ok(Date.now() < deadline, 'the other fetches never ended')
      await new Promise((resolve) => setImmediate(resolve))
    }
    assert.equal(pool.inUse, 3)
    // stopping early, as a `break` out of for-await does
    await verified.return?.(undefined)
    assert.equal(pool.inUse, 1, 'only the chunk handed out still holds a slab')
  })

  it('a node serving altered bytes: the chunk is read from its other copy, the node is reported, no altered byte is yielded', async () => {
    const content = randomBytes(6 * CHUNK)
    const { id, chunks } = await upload('spoilt-copy.bin', content, 2)
    const badPeer = cluster.nodes[0].peerId
    // every copy on one node: reads rotate over copies, so some chunks are read from it first
    for (const chunk of chunks) await alter(cluster, 0, chunk.id)
    reader = await Reader.connect(cluster)

    const read = await reader.collect(id, { inOrder: true })
    assert.equal(read.error, undefined, read.error?.message)
    assert.ok(Buffer.concat(read.chunks.flatMap((c) => c.pieces)).equals(content), 'byte for byte')
    assert.ok(reader.reports.length > 0, 'the altered copies were read and reported')
    for (const report of reader.reports) {
      assert.equal(report.peerId, badPeer)
      assert.ok(chunks.some((chunk) => chunk.id === report.chunkId), `a chunk of the file: ${report.chunkId}`)
    }
  })

  it('with the only copy of a chunk altered: an IntegrityError, after the chunks before it only', async () => {
    const content = randomBytes(5 * CHUNK)
    const { id, chunks } = await upload('spoilt-chunk.bin', content, 1)
    const victim = chunks[2]
    await alter(cluster, cluster.nodes.findIndex((node) => node.peerId === victim.peers[0]), victim.id)
    reader = await Reader.connect(cluster)

    const read = await reader.collect(id, { inOrder: true })
    assert.equal(read.error?.name, 'IntegrityError')
    assert.match(read.error.message, new RegExp(`^cannot get chunk 2 \\(${victim.id}\\): node ${victim.peers[0]} returned corrupt bytes`))
    assert.deepEqual(read.chunks.map((c) => c.chunk.index), [0, 1])
    assert.ok(Buffer.concat(read.chunks.flatMap((c) => c.pieces)).equals(content.subarray(0, 2 * CHUNK)))
    assert.deepEqual(reader.reports, [{ chunkId: victim.id, peerId: victim.peers[0] }])
  })

  it('checks the chunk list against the file: another file\'s chunks, or offsets that do not tile it, end in an IntegrityError', async () => {
    const size = 3 * CHUNK
    const theFile = await upload('listed.bin', randomBytes(size), 1)
    const other = await upload('other.bin', randomBytes(size), 1)
    // a directory that answers with the other file's chunks: each verifies against its own ID
    let liar = await Reader.connect(cluster, async (resolved) => ({ file: resolved.file, chunks: (await liar.resolve(other.id, 0)).chunks }))
    reader = liar
    const swapped = await liar.collect(theFile.id, { inOrder: true })
    assert.equal(swapped.chunks.length, 3, 'every chunk verified on its own')
    assert.equal(swapped.error?.name, 'IntegrityError')
    assert.match(swapped.error.message, new RegExp(`the chunks the directory listed do not make up file ${theFile.id}`))
    await liar.close()

    // one that moves a chunk: the bytes would land in the wrong place of a file
    liar = await Reader.connect(cluster, async (resolved) => ({ file: resolved.file, chunks: resolved.chunks.map((chunk) => chunk.index === 1 ? { ...chunk, offset: chunk.offset + 1 } : chunk) }))
    reader = liar
    const moved = await liar.collect(theFile.id, { inOrder: false })
    assert.equal(moved.error?.name, 'IntegrityError')
    assert.match(moved.error.message, /placed chunk 1 of .* at byte 262145, not 262144/)
  })
})
