import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { chunkStream } from '../../src/content/chunker.ts'
import { cidFromDigest, parseContentId } from '../../src/content/content-id.ts'

function sha256Cid (bytes: Uint8Array): string {
  return cidFromDigest(createHash('sha256').update(bytes).digest())
}

async function * pieces (data: Buffer, sizes: number[]): AsyncGenerator<Uint8Array> {
  let offset = 0
  let i = 0
  while (offset < data.byteLength) {
    const size = sizes[i++ % sizes.length]
    yield data.subarray(offset, offset + size)
    offset += size
  }
}

describe('chunker', () => {
  it('splits into fixed-size chunks whatever the read sizes, with correct IDs and offsets', async () => {
    const data = randomBytes(10_000)
    for (const sizes of [[1], [7, 13], [1000], [4096], [10_000], [3333, 1]]) {
      const chunks = []
      for await (const chunk of chunkStream(pieces(data, sizes), 4096)) chunks.push(chunk)
      assert.deepEqual(chunks.map((c) => c.size), [4096, 4096, 1808], `read sizes ${sizes.join(',')}`)
      assert.deepEqual(chunks.map((c) => c.offset), [0, 4096, 8192])
      assert.deepEqual(chunks.map((c) => c.index), [0, 1, 2])
      for (const chunk of chunks) {
        const bytes = Buffer.concat(chunk.pieces)
        assert.deepEqual(bytes, data.subarray(chunk.offset, chunk.offset + chunk.size))
        assert.equal(chunk.id, sha256Cid(bytes))
      }
    }
  })

  it('yields nothing for an empty stream and sees every byte once through onBytes', async () => {
    const seen: Uint8Array[] = []
    const chunks = []
    for await (const chunk of chunkStream(pieces(Buffer.alloc(0), [1]), 16, (p) => seen.push(p))) chunks.push(chunk)
    assert.equal(chunks.length, 0)
    const data = randomBytes(100)
    for await (const _ of chunkStream(pieces(data, [30]), 16, (p) => seen.push(p))) { /* drain */ }
    assert.deepEqual(Buffer.concat(seen), data)
  })

  it('does not copy: chunk pieces are views of the input buffers', async () => {
    const data = randomBytes(64)
    for await (const chunk of chunkStream(pieces(data, [64]), 16)) {
      for (const piece of chunk.pieces) assert.equal(piece.buffer, data.buffer)
    }
  })

  it('rejects a bad chunk size', async () => {
    await assert.rejects(async () => { for await (const _ of chunkStream(pieces(Buffer.alloc(1), [1]), 0)) { /* drain */ } }, RangeError)
  })
})

describe('content IDs', () => {
  it('names a file by the DAG-JSON manifest of its chunk IDs', async () => {
    const { fileIdOf, ManifestHasher } = await import('../../src/content/manifest.ts')
    const a = sha256Cid(Buffer.from('a'))
    const b = sha256Cid(Buffer.from('b'))
    const manifest = `{"chunks":[{"/":"${a}"},{"/":"${b}"}],"size":2}`
    const expected = cidFromDigest(createHash('sha256').update(manifest).digest(), 0x0129)
    assert.equal(fileIdOf([a, b], 2), expected)
    assert.match(expected, /^bagu/)
    const incremental = new ManifestHasher()
    incremental.addChunk(a)
    incremental.addChunk(b)
    assert.equal(incremental.finish(2), expected)
    assert.notEqual(fileIdOf([b, a], 2), expected, 'order matters')
    assert.equal(parseContentId(expected, 'file').digest.byteLength, 32)
    assert.throws(() => parseContentId(expected, 'chunk'), /not a dfs chunk ID/)
    assert.throws(() => parseContentId(a, 'file'), /not a dfs file ID/)
  })

  it('is the CIDv1 raw sha2-256 of the bytes, matching sha256sum', () => {
    const id = sha256Cid(Buffer.from('hello\n'))
    assert.match(id, /^bafkrei[a-z2-7]+$/)
    const { digest } = parseContentId(id)
    assert.equal(Buffer.from(digest).toString('hex'), '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03')
  })

  it('refuses IDs that are not CIDv1 raw sha2-256', () => {
    assert.throws(() => parseContentId('../../etc/passwd'), { name: 'InvalidInputError' })
    assert.throws(() => parseContentId('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'), { name: 'InvalidInputError' })
    assert.throws(() => parseContentId(''), { name: 'InvalidInputError' })
  })
})
