import assert from 'node:assert/strict'
import { randomBytes, createHash } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { FsChunkStore } from '../../src/storage/chunk-store.ts'
import { cidFromDigest } from '../../src/storage/content-id.ts'
import { collect, fromBuffers, tempDir } from '../helpers/tmp.ts'

const idOf = (bytes: Uint8Array): string => cidFromDigest(createHash('sha256').update(bytes).digest())

describe('FsChunkStore', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => { await dir.cleanup() })

  it('puts, gets, has and deletes chunks, keeping usage', async () => {
    const store = await FsChunkStore.open(dir.path)
    const data = randomBytes(300_000)
    const id = idOf(data)
    assert.equal(await store.has(id), undefined)
    await store.put(id, data.byteLength, fromBuffers(data.subarray(0, 1000), data.subarray(1000)))
    assert.equal(await store.has(id), data.byteLength)
    const got = await store.get(id)
    assert.ok(got != null)
    assert.equal(got.size, data.byteLength)
    assert.deepEqual(await collect(got.bytes), data)
    assert.equal((await store.usage()).used, data.byteLength)
    assert.equal((await store.usage()).chunks, 1)
    // the same chunk again is stored once
    await store.put(id, data.byteLength, fromBuffers(data))
    assert.equal((await store.usage()).chunks, 1)
    assert.equal(await store.delete(id), true)
    assert.equal(await store.get(id), undefined)
    assert.equal((await store.usage()).used, 0)
  })

  it('finds its chunks again after a restart', async () => {
    const data = randomBytes(1234)
    await (await FsChunkStore.open(dir.path)).put(idOf(data), data.byteLength, fromBuffers(data))
    const reopened = await FsChunkStore.open(dir.path)
    assert.deepEqual(await reopened.usage().then((u) => [u.used, u.chunks]), [1234, 1])
    assert.deepEqual(await collect((await reopened.get(idOf(data)))!.bytes), data)
  })

  it('refuses bytes that do not match the ID and leaves nothing behind', async () => {
    const store = await FsChunkStore.open(dir.path)
    const data = randomBytes(5000)
    const other = randomBytes(5000)
    await assert.rejects(store.put(idOf(data), 5000, fromBuffers(other)), { name: 'IntegrityError' })
    assert.equal(await store.has(idOf(data)), undefined)
    assert.deepEqual(await readdir(join(dir.path, 'tmp')), [])
    assert.equal((await store.usage()).used, 0)
  })

  it('refuses a chunk shorter or longer than announced', async () => {
    const store = await FsChunkStore.open(dir.path)
    const data = randomBytes(100)
    await assert.rejects(store.put(idOf(data), 101, fromBuffers(data)), /ended after 100 of 101/)
    await assert.rejects(store.put(idOf(data), 99, fromBuffers(data)), /longer than the announced/)
    assert.deepEqual(await readdir(join(dir.path, 'tmp')), [])
  })

  it('refuses what does not fit its capacity, keeping what it has', async () => {
    const store = await FsChunkStore.open(dir.path, { capacity: 1000 })
    const a = randomBytes(600)
    const b = randomBytes(600)
    await store.put(idOf(a), 600, fromBuffers(a))
    await assert.rejects(store.put(idOf(b), 600, fromBuffers(b)), { name: 'NoCapacityError' })
    assert.equal(await store.has(idOf(a)), 600)
    assert.deepEqual(await store.usage(), { used: 600, chunks: 1, capacity: 1000 })
  })

  it('refuses IDs that are not content IDs (no path tricks)', async () => {
    const store = await FsChunkStore.open(dir.path)
    await assert.rejects(store.put('../../escape', 1, fromBuffers(Buffer.from('x'))), { name: 'InvalidInputError' })
    await assert.rejects(store.get('../peer.key'), { name: 'InvalidInputError' })
  })

  it('a partial write left by a crash is never visible and is cleared at start', async () => {
    const store = await FsChunkStore.open(dir.path)
    await writeFile(join(dir.path, 'tmp', 'leftover.part'), 'half a chunk')
    const data = randomBytes(10)
    await store.put(idOf(data), 10, fromBuffers(data))
    await FsChunkStore.open(dir.path)
    assert.deepEqual(await readdir(join(dir.path, 'tmp')), [])
    assert.deepEqual(await readFile(store.chunkPath(idOf(data))), data)
  })
})
