import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chunkStream } from '../../src/storage/chunker.ts'
import { fileChunks } from '../../src/storage/file-chunks.ts'
import { SlabPool } from '../../src/util/slab-pool.ts'
import { directCapable } from '../../src/util/direct-io.ts'
import { fromBuffers, tempDir } from '../helpers/tmp.ts'

describe('reading a file into pooled chunk buffers', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  before(async () => { dir = await tempDir() })
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
      const expected = []
      for await (const chunk of chunkStream(fromBuffers(bytes), chunkSize)) expected.push({ index: chunk.index, offset: chunk.offset, size: chunk.size, id: chunk.id })
      const got = []
      const pool = new SlabPool(Math.max(1, Math.min(chunkSize, size)), 2, { direct })
      for await (const chunk of fileChunks(path, chunkSize, pool)) {
        // with direct I/O the chunks are read into page-aligned slabs (direct reads need them)
        if (chunk.size > 0) assert.equal(directCapable(chunk.pieces[0], 4096), direct)
        got.push({ index: chunk.index, offset: chunk.offset, size: chunk.size, id: chunk.id })
        assert.deepEqual(Buffer.concat(chunk.pieces), bytes.subarray(chunk.offset, chunk.offset + chunk.size))
        chunk.release?.()
      }
      assert.deepEqual(got, expected, `a ${size}-byte file`)
    }
  }

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
