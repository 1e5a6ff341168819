import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chunkStream } from '../../src/content/chunker.ts'
import { fileChunkReads, fileChunks, RECENTLY_MODIFIED_MS } from '../../src/client/file-chunks.ts'
import { SlabPool } from '../../src/util/slab-pool.ts'
import { directCapable } from '../../src/util/direct-io.ts'
import { fromBuffers, tempDir } from '../helpers/tmp.ts'
import { fileSystemDoesDirectIO } from './direct-probe.ts'

describe('reading a file into pooled chunk buffers', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let supported: boolean
  before(async () => {
    dir = await tempDir()
    // found out independently of dfs: where the file system does direct I/O, dfs must use it
    supported = fileSystemDoesDirectIO(dir.path)
  })
  after(async () => { await dir.cleanup() })

  for (const direct of [false, true]) {
    it(`gives the same chunks as the stream chunker, for sizes around the chunk boundary${direct ? ', read with direct I/O' : ''}`, async () => {
      await sameChunksAsTheChunker(direct)
    })
  }

  async function sameChunksAsTheChunker (direct: boolean): Promise<void> {
    const chunkSize = 64 * 1024
    for (const size of [0, 1, 4095, 4096, 4097, chunkSize - 1, chunkSize, chunkSize + 1, 3 * chunkSize, 3 * chunkSize + 777]) {
      const bytes = randomBytes(size)
      const path = join(dir.path, `f${size}`)
      await writeFile(path, bytes)
      // a file written just now would be read through the page cache (see below)
      if (direct) await writtenAnHourAgo(path)
      const expected = []
      for await (const chunk of chunkStream(fromBuffers(bytes), chunkSize)) expected.push({ index: chunk.index, offset: chunk.offset, size: chunk.size, id: chunk.id })
      const got = []
      const directBefore = fileChunkReads.direct
      const pool = new SlabPool(Math.max(1, Math.min(chunkSize, size)), 2, { direct })
      for await (const chunk of fileChunks(path, chunkSize, pool)) {
        // with direct I/O the chunks are read into page-aligned slabs (direct reads need them)
        if (chunk.size > 0) assert.equal(directCapable(chunk.pieces[0], 4096), direct)
        got.push({ index: chunk.index, offset: chunk.offset, size: chunk.size, id: chunk.id })
        assert.deepEqual(Buffer.concat(chunk.pieces), bytes.subarray(chunk.offset, chunk.offset + chunk.size))
        chunk.release?.()
      }
      assert.deepEqual(got, expected, `a ${size}-byte file`)
      // where the file system does direct I/O, every read of a non-empty file took it
      const directReads = fileChunkReads.direct - directBefore
      if (!direct || !supported) assert.equal(directReads, 0)
      else if (size > 0) assert.ok(directReads > 0, `a ${size}-byte file was read with direct I/O`)
    }
  }

  it('reads a file modified in the last two minutes through the page cache, an older one with direct I/O', async function () {
    if (!supported) {
      // no O_DIRECT on this file system: every read goes through the cache; CI must run it on one that has it
      if (process.env.DFS_CI_REQUIRE_ALL === '1') assert.fail(`DFS_CI_REQUIRE_ALL=1 and ${dir.path} does not take O_DIRECT (set TMPDIR to a disk)`)
      this.skip()
    }
    const chunkSize = 64 * 1024
    const bytes = randomBytes(3 * chunkSize)
    const path = join(dir.path, 'aged')
    await writeFile(path, bytes)
    const read = async (): Promise<{ direct: number, buffered: number, bytes: Buffer }> => {
      const before = { ...fileChunkReads }
      const parts: Buffer[] = []
      for await (const chunk of fileChunks(path, chunkSize, new SlabPool(chunkSize, 2, { direct: true }))) {
        parts.push(Buffer.concat(chunk.pieces))
        chunk.release?.()
      }
      return { direct: fileChunkReads.direct - before.direct, buffered: fileChunkReads.buffered - before.buffered, bytes: Buffer.concat(parts) }
    }
    // just written: 3 chunks and the read that finds the end, all through the cache
    const fresh = await read()
    assert.deepEqual([fresh.direct, fresh.buffered], [0, 4])
    assert.deepEqual(fresh.bytes, bytes)
    await utimes(path, new Date(), new Date(Date.now() - RECENTLY_MODIFIED_MS - 1000))
    const older = await read()
    assert.deepEqual([older.direct, older.buffered], [4, 0])
    assert.deepEqual(older.bytes, bytes)
  })

  it('reuses its buffers: a reader waits until a chunk is released', async () => {
    const path = join(dir.path, 'two-chunks')
    await writeFile(path, randomBytes(2048))
    const pool = new SlabPool(1024, 1)
    const chunks = fileChunks(path, 1024, pool)
    const first = (await chunks.next()).value!
    let second: { pieces: Uint8Array[] } | undefined
    const next = chunks.next().then((result) => { second = result.value as { pieces: Uint8Array[] } })
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal(second, undefined, 'no buffer free, so no second chunk yet')
    const firstBytes = Buffer.from(first.pieces[0])
    first.release!()
    await next
    assert.notEqual(second, undefined)
    // the second chunk was read into the first one's buffer
    assert.equal(second!.pieces[0].buffer, first.pieces[0].buffer)
    assert.notDeepEqual(Buffer.from(second!.pieces[0]), firstBytes)
    await chunks.return(undefined)
  })
})

async function writtenAnHourAgo (path: string): Promise<void> {
  const anHourAgo = new Date(Date.now() - 3600_000)
  await utimes(path, anHourAgo, anHourAgo)
}
