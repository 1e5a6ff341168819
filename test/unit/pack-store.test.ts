import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PackStore } from '../../src/node/disk/pack-store.ts'
import { cidFromDigest } from '../../src/content/content-id.ts'
import { tempDir } from '../helpers/tmp.ts'

const idOf = (bytes: Uint8Array): string => cidFromDigest(createHash('sha256').update(bytes).digest())

describe('PackStore (small chunks in append-only packs, indexed in SQLite)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => { await dir.cleanup() })

  // small limits, so that a few hundred KiB make several packs
  const options = { packLimitBytes: 64 * 1024, compactCurrentBytes: 32 * 1024 }

  it('starts a new pack when one is full, and compacts packs that are mostly deleted chunks, keeping every live one', async () => {
    let store = await PackStore.open(dir.path, options)
    const chunks = Array.from({ length: 120 }, () => randomBytes(2048))
    for (let i = 0; i < chunks.length; i += 10) {
      assert.deepEqual(await store.append(chunks.slice(i, i + 10).map((bytes) => ({ id: idOf(bytes), bytes }))), new Array(10).fill(false))
    }
    const packsBefore = (await readdir(dir.path)).filter((name) => name.endsWith('.pack'))
    assert.ok(packsBefore.length >= 3, `${packsBefore.length} packs`)
    const diskBefore = store.diskBytes()
    // delete three of every four: every pack is then mostly dead bytes
    const live = chunks.filter((_, i) => i % 4 === 0)
    for (const [i, bytes] of chunks.entries()) if (i % 4 !== 0) assert.equal(store.delete(idOf(bytes)), true)
    await store.compacted()
    assert.ok(store.compactions >= packsBefore.length - 1, `${store.compactions} compactions of ${packsBefore.length} packs`)
    assert.ok(store.diskBytes() < diskBefore / 2, `${store.diskBytes()} bytes on disk, ${diskBefore} before`)
    for (let reopened = 0; reopened < 2; reopened++) {
      assert.deepEqual([store.chunks, store.bytes], [live.length, live.length * 2048])
      for (const bytes of live) assert.deepEqual(await store.read(idOf(bytes)), bytes)
      for (const [i, bytes] of chunks.entries()) if (i % 4 !== 0) assert.equal(store.has(idOf(bytes)), undefined)
      store.close()
      store = await PackStore.open(dir.path, options)
    }
    store.close()
  })

  it('a chunk read while its pack is compacted comes back whole; one deleted meanwhile stays deleted', async () => {
    const store = await PackStore.open(dir.path, options)
    const chunks = Array.from({ length: 40 }, () => randomBytes(2048))
    await store.append(chunks.map((bytes) => ({ id: idOf(bytes), bytes })))
    // reads in flight as the deletes start the pack's compaction
    const reads = chunks.slice(0, 5).map(async (bytes) => await store.read(idOf(bytes)))
    for (const bytes of chunks.slice(5, 36)) store.delete(idOf(bytes))
    const late = chunks.slice(0, 5).map(async (bytes) => await store.read(idOf(bytes)))
    store.delete(idOf(chunks[39]))
    assert.deepEqual(await Promise.all(reads), chunks.slice(0, 5))
    assert.deepEqual(await Promise.all(late), chunks.slice(0, 5))
    await store.compacted()
    assert.equal(store.compactions, 1)
    assert.equal(store.has(idOf(chunks[39])), undefined)
    for (const bytes of [...chunks.slice(0, 5), ...chunks.slice(36, 39)]) assert.deepEqual(await store.read(idOf(bytes)), bytes)
    assert.equal(store.chunks, 8)
    store.close()
  })

  it('re-indexing past bytes gone bad in the middle of a pack keeps every whole record after them', async () => {
    let store = await PackStore.open(dir.path)
    const chunks = Array.from({ length: 10 }, () => randomBytes(3000))
    for (const bytes of chunks) await store.append([{ id: idOf(bytes), bytes }])
    store.close()
    const pack = join(dir.path, '0.pack')
    const before = await readFile(pack)
    const spoiled = Buffer.from(before)
    // one record's bytes, and another record's header (its magic), go bad
    spoiled[spoiled.indexOf(chunks[2].subarray(0, 32)) + 100] ^= 0xff
    spoiled[spoiled.indexOf(Buffer.from(idOf(chunks[6]), 'latin1')) - 12] ^= 0xff
    await writeFile(pack, spoiled)
    // the index is lost too (a power cut took its commits back): every record is read again
    for (const name of await readdir(dir.path)) if (name.startsWith('index.sqlite')) await rm(join(dir.path, name))
    store = await PackStore.open(dir.path)
    try {
      assert.equal((await stat(pack)).size, before.byteLength, 'nothing cut off')
      for (const [i, bytes] of chunks.entries()) {
        if (i === 2 || i === 6) assert.equal(store.has(idOf(bytes)), undefined)
        else assert.deepEqual(await store.read(idOf(bytes)), bytes)
      }
      assert.equal(store.chunks, 8)
    } finally {
      store.close()
    }
  })
})
