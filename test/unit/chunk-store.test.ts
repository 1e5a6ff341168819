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

  it('stores a batch of small chunks on its writer thread: all of them, counted once each, in place and nothing left in tmp/', async () => {
    const store = await FsChunkStore.open(dir.path)
    const chunks = Array.from({ length: 40 }, (_, i) => randomBytes(100 + i * 97))
    const batch = chunks.map((bytes) => ({ id: idOf(bytes), bytes }))
    // one chunk twice in the batch, and one the store held already
    await store.put(batch[3].id, chunks[3].byteLength, fromBuffers(chunks[3]))
    await store.putMany([...batch, batch[7]])
    for (const [i, bytes] of chunks.entries()) assert.deepEqual(await readFile(store.chunkPath(batch[i].id)), bytes)
    assert.deepEqual(await readdir(join(dir.path, 'tmp')), [])
    const usage = await store.usage()
    assert.deepEqual([usage.chunks, usage.used], [40, chunks.reduce((n, bytes) => n + bytes.byteLength, 0)])
    // and a reopened store finds them
    const reopened = await FsChunkStore.open(dir.path)
    assert.equal((await reopened.usage()).chunks, 40)
  })

  it('refuses a whole batch when one chunk does not match its ID, writing none of it', async () => {
    const store = await FsChunkStore.open(dir.path)
    const good = randomBytes(4096)
    const bad = randomBytes(4096)
    await assert.rejects(store.putMany([{ id: idOf(good), bytes: good }, { id: idOf(randomBytes(8)), bytes: bad }]), /hash to/)
    assert.equal(await store.has(idOf(good)), undefined)
    assert.deepEqual(await readdir(join(dir.path, 'tmp')), [])
    assert.equal((await store.usage()).chunks, 0)
  })

  it('a batch the disk refuses fails with the reason and leaves none of its chunks nor temporary files; the next batch is stored', async () => {
    const store = await FsChunkStore.open(dir.path)
    const first = randomBytes(4096)
    const second = randomBytes(4096)
    // a file where the second chunk's shard folder should be: its rename fails
    await writeFile(join(dir.path, 'chunks', idOf(second).slice(-2)), 'in the way')
    await assert.rejects(store.putMany([{ id: idOf(first), bytes: first }, { id: idOf(second), bytes: second }]), /ENOTDIR|EEXIST|not a directory/)
    assert.deepEqual(await readdir(join(dir.path, 'tmp')), [])
    assert.equal(await store.has(idOf(first)), undefined, 'a chunk of a failed batch was left in place')
    assert.equal((await store.usage()).chunks, 0)
    const third = randomBytes(4096)
    await store.putMany([{ id: idOf(third), bytes: third }])
    assert.deepEqual(await collect((await store.get(idOf(third)))!.bytes), third)
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
