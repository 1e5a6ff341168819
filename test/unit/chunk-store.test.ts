import assert from 'node:assert/strict'
import { randomBytes, createHash } from 'node:crypto'
import { appendFile, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { FsChunkStore } from '../../src/node/disk/chunk-store.ts'
import { cidFromDigest } from '../../src/content/content-id.ts'
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

  it('packs a batch of small chunks: each counted once, served, listed, and found again after a reopen', async () => {
    let store = await FsChunkStore.open(dir.path)
    const chunks = Array.from({ length: 40 }, (_, i) => randomBytes(100 + i * 97))
    const batch = chunks.map((bytes) => ({ id: idOf(bytes), bytes }))
    // one chunk twice in the batch, and one the store held already as a file
    await store.put(batch[3].id, chunks[3].byteLength, fromBuffers(chunks[3]))
    await store.putMany([...batch, batch[7]])
    await store.putMany(batch.slice(0, 5))
    const total = chunks.reduce((n, bytes) => n + bytes.byteLength, 0)
    for (let reopened = 0; reopened < 2; reopened++) {
      for (const [i, bytes] of chunks.entries()) {
        assert.equal(await store.has(batch[i].id), bytes.byteLength)
        assert.deepEqual(await collect((await store.get(batch[i].id))!.bytes), bytes)
        assert.deepEqual(await store.getSmall(batch[i].id, 64 * 1024), bytes)
      }
      assert.equal(await store.getSmall(batch[39].id, 100), undefined, 'bigger than asked for')
      const listed = new Set<string>()
      for await (const id of store.list()) listed.add(id)
      assert.deepEqual(listed, new Set(batch.map((chunk) => chunk.id)))
      // the chunk held as a file is stored (and counted) a second time in the pack
      const usage = await store.usage()
      assert.deepEqual([usage.chunks, usage.used], [41, total + chunks[3].byteLength])
      assert.deepEqual(await readdir(join(dir.path, 'tmp')), [])
      store.close()
      store = await FsChunkStore.open(dir.path)
    }
    store.close()
  })

  it('refuses a whole batch when one chunk does not match its ID, writing none of it', async () => {
    const store = await FsChunkStore.open(dir.path)
    const good = randomBytes(4096)
    const bad = randomBytes(4096)
    await assert.rejects(store.putMany([{ id: idOf(good), bytes: good }, { id: idOf(randomBytes(8)), bytes: bad }]), /hash to/)
    assert.equal(await store.has(idOf(good)), undefined)
    assert.equal((await store.usage()).chunks, 0)
    assert.equal((await stat(join(dir.path, 'packs', '0.pack')).catch(() => undefined))?.size ?? 0, 0)
    store.close()
  })

  it('a batch torn by a crash at the end of a pack is cut off at open; what came before stays, and appends follow it', async () => {
    let store = await FsChunkStore.open(dir.path)
    const before = Array.from({ length: 5 }, () => randomBytes(4096))
    await store.putMany(before.map((bytes) => ({ id: idOf(bytes), bytes })))
    store.close()
    const pack = join(dir.path, 'packs', '0.pack')
    const whole = (await stat(pack)).size
    // half a record: a header and a few bytes of a chunk that never finished
    const torn = Buffer.alloc(12 + 59 + 100)
    torn.writeUInt32BE(0x4446534b, 0)
    torn.writeUInt16BE(59, 4)
    torn.writeUInt32BE(4096, 8)
    await appendFile(pack, torn)
    store = await FsChunkStore.open(dir.path)
    assert.equal((await stat(pack)).size, whole)
    const after = randomBytes(4096)
    await store.putMany([{ id: idOf(after), bytes: after }])
    store.close()
    store = await FsChunkStore.open(dir.path)
    for (const bytes of [...before, after]) assert.deepEqual(await store.getSmall(idOf(bytes), 8192), bytes)
    assert.equal((await store.usage()).chunks, 6)
    store.close()
  })

  it('the pack index is a cache of the packs: without it, opening rebuilds it', async () => {
    let store = await FsChunkStore.open(dir.path)
    const chunks = Array.from({ length: 30 }, () => randomBytes(2000))
    await store.putMany(chunks.map((bytes) => ({ id: idOf(bytes), bytes })))
    await store.delete(idOf(chunks[0]))
    store.close()
    for (const name of await readdir(join(dir.path, 'packs'))) if (name.startsWith('index.sqlite')) await rm(join(dir.path, 'packs', name))
    store = await FsChunkStore.open(dir.path)
    // every record comes back, the deleted one too (a lost delete: the directory's inventory check trims it again)
    for (const bytes of chunks) assert.deepEqual(await store.getSmall(idOf(bytes), 8192), bytes)
    assert.equal((await store.usage()).chunks, 30)
    store.close()
  })

  it('deletes, verifies and quarantines packed chunks', async () => {
    const store = await FsChunkStore.open(dir.path)
    const [keep, gone, spoiled] = [randomBytes(3000), randomBytes(3000), randomBytes(3000)]
    await store.putMany([keep, gone, spoiled].map((bytes) => ({ id: idOf(bytes), bytes })))
    assert.equal(await store.delete(idOf(gone)), true)
    assert.equal(await store.has(idOf(gone)), undefined)
    assert.equal(await store.delete(idOf(gone)), false)
    assert.equal(await store.verify(idOf(keep)), true)
    // flip a byte of the third chunk inside the pack
    const pack = join(dir.path, 'packs', '0.pack')
    const bytes = await readFile(pack)
    const at = bytes.indexOf(spoiled.subarray(0, 64))
    assert.ok(at > 0)
    bytes[at + 10] ^= 0xff
    await writeFile(pack, bytes)
    assert.equal(await store.verify(idOf(spoiled)), false)
    await store.quarantine(idOf(spoiled))
    assert.equal(await store.has(idOf(spoiled)), undefined)
    const [kept] = (await readdir(join(dir.path, 'quarantine'))).filter((name) => name.startsWith(idOf(spoiled)))
    assert.equal((await readFile(join(dir.path, 'quarantine', kept))).byteLength, 3000)
    assert.deepEqual([(await store.usage()).chunks, (await store.usage()).used], [1, 3000])
    store.close()
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
