import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { alignedBuffers, alignUp, directCapable } from '../../src/util/direct-io.ts'
import { SlabPool } from '../../src/util/slab-pool.ts'
import { DownloadFile, downloadFileWrites } from '../../src/client/download-file.ts'
import { FsChunkStore } from '../../src/node/disk/chunk-store.ts'
import { cidFromDigest } from '../../src/content/content-id.ts'
import { collect, fromBuffers, tempDir } from '../helpers/tmp.ts'
import { fileSystemDoesDirectIO } from './direct-probe.ts'

const idOf = (bytes: Uint8Array): string => cidFromDigest(createHash('sha256').update(bytes).digest())
const MiB = 1024 * 1024

describe('direct I/O', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let supported: boolean
  beforeEach(async () => {
    dir = await tempDir()
    // found out independently of dfs: where the file system does direct I/O, dfs must use it
    supported = fileSystemDoesDirectIO(dir.path)
  })
  afterEach(async () => { await dir.cleanup() })

  it('aligned buffers start on a page and have room for the padding', () => {
    const buffers = alignedBuffers(MiB + 5, 3)
    assert.ok(buffers != null, 'WebAssembly memory is available on Node')
    assert.equal(buffers.length, 3)
    for (const buffer of buffers) {
      assert.equal(buffer.byteLength, alignUp(MiB + 5))
      assert.ok(directCapable(buffer, alignUp(MiB + 5)))
      assert.ok(!directCapable(buffer.subarray(16), 4096), 'an unaligned view is not direct-capable')
    }
    assert.ok(!directCapable(Buffer.alloc(8192), 4096), 'a Buffer from malloc is not direct-capable')
    // slabs asked for direct come from such memory, others do not
    assert.ok(directCapable(new SlabPool(MiB, 2, { direct: true }).tryAcquire()!, MiB))
    assert.ok(!directCapable(new SlabPool(MiB, 2).tryAcquire()!, MiB))
  })

  it('a download file takes chunks in any order, aligned or not, and ends at its exact size', async () => {
    const chunkSize = 2 * MiB
    const data = randomBytes(2 * chunkSize + 1000 + 3 * MiB + 777)
    // chunks: two aligned ones, an odd-sized one in the middle, then one after it at an unaligned offset
    const bounds = [[0, chunkSize], [chunkSize, 2 * chunkSize], [2 * chunkSize, 2 * chunkSize + 1000], [2 * chunkSize + 1000, data.byteLength]]
    const path = join(dir.path, 'out.bin')
    const file = await DownloadFile.create(path, data.byteLength, true)
    assert.equal(file.directIO, supported)
    const before = { ...downloadFileWrites }
    const pool = new SlabPool(4 * MiB, 4, { direct: true })
    for (const index of [3, 1, 2, 0]) {
      const [start, end] = bounds[index]
      const slab = pool.tryAcquire()!
      slab.set(data.subarray(start, end))
      // leftovers past the chunk's end in its slab must never reach the file
      slab.fill(0xee, end - start)
      await file.writeAt(slab.subarray(0, end - start), start)
    }
    assert.equal(file.directIO, supported, 'still direct after the unaligned chunks')
    // the two aligned chunks go direct; the odd-sized one (padding would overwrite its neighbour) and the unaligned one do not
    const writes = { direct: downloadFileWrites.direct - before.direct, buffered: downloadFileWrites.buffered - before.buffered }
    assert.deepEqual(writes, supported ? { direct: 2, buffered: 2 } : { direct: 0, buffered: 4 })
    await file.finish()
    assert.equal((await stat(path)).size, data.byteLength)
    assert.ok((await readFile(path)).equals(data))
  })

  it('a download file padded at its last chunk is cut back to size', async () => {
    const data = randomBytes(3 * MiB + 123)
    const path = join(dir.path, 'out.bin')
    const file = await DownloadFile.create(path, data.byteLength, true)
    const [slab] = alignedBuffers(4 * MiB, 1)!
    slab.fill(0xee)
    slab.set(data)
    const before = downloadFileWrites.direct
    await file.writeAt(slab.subarray(0, data.byteLength), 0)
    assert.equal(downloadFileWrites.direct - before, supported ? 1 : 0, 'the padded write went direct')
    await file.finish()
    assert.equal((await stat(path)).size, data.byteLength)
    assert.ok((await readFile(path)).equals(data))
  })

  it('a download file with direct I/O off writes through the page cache', async () => {
    const data = randomBytes(MiB)
    const path = join(dir.path, 'out.bin')
    const file = await DownloadFile.create(path, data.byteLength, false)
    assert.equal(file.directIO, false)
    const [slab] = alignedBuffers(MiB, 1)!
    slab.set(data)
    await file.writeAt(slab, 0)
    await file.finish()
    assert.ok((await readFile(path)).equals(data))
  })

  for (const directIO of [true, false]) {
    it(`a chunk store ${directIO ? 'with' : 'without'} direct I/O keeps big chunks byte-exact, at their exact size`, async () => {
      const store = await FsChunkStore.open(dir.path, { directIO })
      // aligned, padded, several read blocks with a short last one, the slab size exactly
      const chunks = [256 * 1024, MiB + 123, 3 * MiB + 4096 + 5, 4 * MiB].map((size) => randomBytes(size))
      for (const data of chunks) {
        // in odd pieces, as the network delivers them
        await store.put(idOf(data), data.byteLength, fromBuffers(data.subarray(0, 1000), data.subarray(1000, 70_001), data.subarray(70_001)))
      }
      assert.equal(store.usesDirectIO, directIO && supported)
      for (const data of chunks) {
        const id = idOf(data)
        assert.equal((await stat(store.chunkPath(id))).size, data.byteLength)
        const got = await store.get(id)
        assert.ok(got != null)
        assert.ok((await collect(got.bytes)).equals(data))
        assert.equal(await store.verify(id), true)
      }
      assert.deepEqual(await readdir(join(dir.path, 'tmp')), [], 'no temporary file is left')
      // a scrub sees a flipped byte, in the first read block and in a later one
      for (const at of [10, 2 * MiB + 3]) {
        const data = chunks[2]
        const path = store.chunkPath(idOf(data))
        const copy = Buffer.from(data)
        copy[at] ^= 1
        await writeFile(path, copy)
        assert.equal(await store.verify(idOf(data)), false, `a flipped byte at ${at}`)
        await writeFile(path, data)
        assert.equal(await store.verify(idOf(data)), true)
      }
      assert.equal(await store.verify(idOf(randomBytes(10))), undefined, 'a chunk not held')
      assert.equal(store.directReadsInFlight, 0)
    })
  }

  it('serves more chunks at once than it has direct read blocks, and reads given up half-way free theirs', async () => {
    const store = await FsChunkStore.open(dir.path)
    const chunks = Array.from({ length: 3 }, () => randomBytes(2 * MiB + 512))
    for (const data of chunks) await store.put(idOf(data), data.byteLength, fromBuffers(data))
    // 20 readers that stop after the first piece: each must give back its block
    for (let i = 0; i < 20; i++) {
      const got = await store.get(idOf(chunks[i % 3]))
      // eslint-disable-next-line no-unreachable-loop -- the reader stops after its first piece on purpose
      for await (const piece of got!.bytes) { assert.ok(piece.byteLength > 0); break }
    }
    assert.equal(store.directReadsInFlight, 0)
    // then 24 at once, over the 8 blocks: the rest go through the page cache, all byte-exact
    const reads = await Promise.all(Array.from({ length: 24 }, async (_, i) => await collect((await store.get(idOf(chunks[i % 3])))!.bytes)))
    reads.forEach((bytes, i) => { assert.ok(bytes.equals(chunks[i % 3])) })
    assert.equal(store.directReadsInFlight, 0)
    // and direct reads did happen (on a file system that takes them): a reader holds a block
    const reader = ((await store.get(idOf(chunks[0])))!.bytes as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
    await reader.next()
    assert.equal(store.directReadsInFlight, supported ? 1 : 0)
    await reader.return?.()
    assert.equal(store.directReadsInFlight, 0)
  })
})
