import assert from 'node:assert/strict'
import { randomBytes, createHash } from 'node:crypto'
import { streamPair } from '@libp2p/utils'
import { storeHandler } from '../../src/node/store-handler.ts'
import { StreamReader, sendBytes, sendMessage } from '../../src/net/stream-io.ts'
import { StoreRequest, StoreResponse } from '../../src/protocol/store.ts'
import { FsChunkStore } from '../../src/storage/chunk-store.ts'
import { cidFromDigest } from '../../src/storage/content-id.ts'
import { tempDir } from '../helpers/tmp.ts'

const idOf = (bytes: Uint8Array): string => cidFromDigest(createHash('sha256').update(bytes).digest())

describe('/dfs/store/1.0.0 handler over an in-process stream pair', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let store: FsChunkStore
  let client: Awaited<ReturnType<typeof streamPair>>[0]
  let reader: StreamReader
  const problems: string[] = []

  beforeEach(async () => {
    dir = await tempDir()
    store = await FsChunkStore.open(dir.path)
    const [outbound, inbound] = await streamPair()
    void storeHandler({ store, peerId: 'self', onProblem: (m) => problems.push(m) })(inbound)
    client = outbound
    reader = new StreamReader(client)
  })
  afterEach(async () => { await dir.cleanup() })

  async function request (req: Partial<StoreRequest>, body?: Uint8Array): Promise<StoreResponse> {
    await sendMessage(client, StoreRequest.encode({ type: StoreRequest.Type.PUT, cid: '', size: 0, forward: [], ...req }))
    if (body != null) await sendBytes(client, body)
    const bytes = await reader.readMessage(4096)
    assert.ok(bytes != null, 'the handler answered')
    return StoreResponse.decode(bytes)
  }

  it('serves put, has and get in sequence on one stream', async () => {
    const data = randomBytes(700_000)
    const id = idOf(data)
    assert.equal((await request({ type: StoreRequest.Type.HAS, cid: id })).status, StoreResponse.Status.NOT_FOUND)
    assert.equal((await request({ type: StoreRequest.Type.PUT, cid: id, size: data.byteLength }, data)).status, StoreResponse.Status.OK)
    const has = await request({ type: StoreRequest.Type.HAS, cid: id })
    assert.deepEqual([has.status, has.size], [StoreResponse.Status.OK, data.byteLength])
    const get = await request({ type: StoreRequest.Type.GET, cid: id })
    assert.deepEqual([get.status, get.size], [StoreResponse.Status.OK, data.byteLength])
    const parts: Uint8Array[] = []
    for await (const piece of reader.readBytes(get.size)) parts.push(piece)
    assert.deepEqual(Buffer.concat(parts), data)
  })

  it('rejects a corrupted put and keeps serving the same stream', async () => {
    const data = randomBytes(10_000)
    const wrong = Buffer.from(data)
    wrong[5000] ^= 1
    const refused = await request({ type: StoreRequest.Type.PUT, cid: idOf(data), size: wrong.byteLength }, wrong)
    assert.equal(refused.status, StoreResponse.Status.HASH_MISMATCH)
    assert.equal(await store.has(idOf(data)), undefined)
    assert.ok(problems.some((p) => p.includes('refused chunk')))
    assert.equal((await request({ type: StoreRequest.Type.PUT, cid: idOf(data), size: data.byteLength }, data)).status, StoreResponse.Status.OK)
  })

  it('answers NOT_FOUND for a missing chunk and INVALID for a bad ID', async () => {
    assert.equal((await request({ type: StoreRequest.Type.GET, cid: idOf(Buffer.from('nope')) })).status, StoreResponse.Status.NOT_FOUND)
    assert.equal((await request({ type: StoreRequest.Type.GET, cid: 'not a cid' })).status, StoreResponse.Status.INVALID)
  })

  it('refuses an oversized put without reading it, and ends the stream', async () => {
    const response = await request({ type: StoreRequest.Type.PUT, cid: idOf(Buffer.from('x')), size: 2 ** 40 })
    assert.equal(response.status, StoreResponse.Status.INVALID)
    assert.match(response.message, /over the .* limit/)
  })

  it('answers a malformed message with an error and closes', async () => {
    await sendMessage(client, Uint8Array.from([0xff, 0xff, 0xff]))
    const bytes = await reader.readMessage(4096)
    assert.ok(bytes != null)
    assert.equal(StoreResponse.decode(bytes).status, StoreResponse.Status.INVALID)
  })
})
