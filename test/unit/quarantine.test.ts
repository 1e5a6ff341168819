import assert from 'node:assert/strict'
import { randomBytes, createHash } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { FsChunkStore } from '../../src/node/disk/chunk-store.ts'
import { cidFromDigest } from '../../src/content/content-id.ts'
import { fromBuffers, tempDir } from '../helpers/tmp.ts'

const idOf = (bytes: Uint8Array): string => cidFromDigest(createHash('sha256').update(bytes).digest())
const HOUR = 3600_000

describe('FsChunkStore quarantine: counted until purged', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => { await dir.cleanup() })

  /** Flip a byte of a stored chunk's file, as a failing disk would, and quarantine it as the scrubber does. */
  async function spoilAndQuarantine (store: FsChunkStore, id: string): Promise<void> {
    const bytes = await readFile(store.chunkPath(id))
    bytes[10] ^= 0xff
    await writeFile(store.chunkPath(id), bytes)
    assert.equal(await store.verify(id), false)
    await store.quarantine(id)
  }

  it('deletes a quarantined copy once the chunk is held again, or after the retention; counted until then, across a restart', async () => {
    let store = await FsChunkStore.open(dir.path)
    const [replaced, expired] = [randomBytes(5000), randomBytes(7000)]
    for (const bytes of [replaced, expired]) await store.put(idOf(bytes), bytes.byteLength, fromBuffers(bytes))
    await spoilAndQuarantine(store, idOf(replaced))
    await spoilAndQuarantine(store, idOf(expired))
    assert.deepEqual(store.quarantineUsage(), { bytes: 12_000, copies: 2 })
    assert.equal((await store.usage()).used, 0, 'no longer held as chunks')
    assert.equal((await readdir(join(dir.path, 'quarantine'))).length, 2)

    // neither held again nor old: both stay
    assert.deepEqual(await store.purgeQuarantine(HOUR), [])
    assert.deepEqual(store.quarantineUsage(), { bytes: 12_000, copies: 2 })

    // a restart finds them again, still counted
    store.close()
    store = await FsChunkStore.open(dir.path)
    assert.deepEqual(store.quarantineUsage(), { bytes: 12_000, copies: 2 })

    // repair copies a good copy back here: the quarantined one goes
    await store.put(idOf(replaced), replaced.byteLength, fromBuffers(replaced))
    assert.deepEqual(await store.purgeQuarantine(HOUR), [{ chunkId: idOf(replaced), bytes: 5000, reason: 'replaced' }])
    assert.deepEqual(store.quarantineUsage(), { bytes: 7000, copies: 1 })
    assert.deepEqual((await readdir(join(dir.path, 'quarantine'))).map((name) => name.split('.')[0]), [idOf(expired)])

    // the other is never replaced here: it goes once older than the retention
    assert.deepEqual(await store.purgeQuarantine(HOUR, Date.now() + HOUR), [{ chunkId: idOf(expired), bytes: 7000, reason: 'retention' }])
    assert.deepEqual(store.quarantineUsage(), { bytes: 0, copies: 0 })
    assert.deepEqual(await readdir(join(dir.path, 'quarantine')), [])
    assert.equal((await store.usage()).used, 5000)
    store.close()
  })

  it('counts quarantined copies against the capacity until they are deleted', async () => {
    const store = await FsChunkStore.open(dir.path, { capacity: 1000 })
    const [first, second] = [randomBytes(600), randomBytes(600)]
    await store.put(idOf(first), 600, fromBuffers(first))
    await spoilAndQuarantine(store, idOf(first))
    await assert.rejects(store.put(idOf(second), 600, fromBuffers(second)), (err: Error) => err.name === 'NoCapacityError' && /600 by quarantined copies/.test(err.message))
    await store.purgeQuarantine(0)
    await store.put(idOf(second), 600, fromBuffers(second))
    assert.equal(await store.has(idOf(second)), 600)
    store.close()
  })
})
