import assert from 'node:assert/strict'
import { randomBytes, createHash } from 'node:crypto'
import { streamPair } from '@libp2p/utils'
import { storeHandler } from '../../src/node/store-handler.ts'
import { StreamReader, sendBytes, sendMessage } from '../../src/net/stream-io.ts'
import { StoreRequest, StoreResponse } from '../../src/protocol/pb/store.ts'
import { FsChunkStore } from '../../src/node/disk/chunk-store.ts'
import { cidFromDigest } from '../../src/content/content-id.ts'
import { tempDir } from '../helpers/tmp.ts'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Connection } from '@libp2p/interface'
import { GrantOp, GrantSigner, GrantVerifier } from '../../src/security/grants.ts'

const idOf = (bytes: Uint8Array): string => cidFromDigest(createHash('sha256').update(bytes).digest())

describe('/dfs/store/1.0.0 handler over an in-process stream pair', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let store: FsChunkStore
  let client: Awaited<ReturnType<typeof streamPair>>[0]
  let reader: StreamReader
  const problems: string[] = []
  // real keys: the directory that signs, another that forges, this node and the client
  let directory: GrantSigner
  let forger: GrantSigner
  let nodeId: string
  let otherNodeId: string
  let clientId: string
  let readsOpen = false

  before(async () => {
    const directoryKey = await generateKeyPair('Ed25519')
    directory = new GrantSigner(directoryKey, peerIdFromPrivateKey(directoryKey).toString())
    // a forger that claims to be the directory but holds another key
    forger = new GrantSigner(await generateKeyPair('Ed25519'), directory.issuer)
    nodeId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    otherNodeId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    clientId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  })

  beforeEach(async () => {
    // each test sees only the problems it caused
    problems.length = 0
    dir = await tempDir()
    store = await FsChunkStore.open(dir.path)
    readsOpen = false
    const [outbound, inbound] = await streamPair()
    const grants = new GrantVerifier(directory.issuer, nodeId)
    // the handler reads only the remote peer from the connection
    const connection = { remotePeer: { toString: () => clientId } } as unknown as Connection
    void storeHandler({ store, peerId: nodeId, grants, readsOpen: () => readsOpen, onProblem: (m) => problems.push(m) })(inbound, connection)
    client = outbound
    reader = new StreamReader(client)
  })
  afterEach(async () => { await dir.cleanup() })

  /** A valid grant for the request, unless the test gives its own. */
  function grantFor (req: Partial<StoreRequest>): Uint8Array<ArrayBuffer> {
    return req.type === StoreRequest.Type.PUT || req.type === StoreRequest.Type.PUT_MANY || req.type == null
      ? directory.issue({ op: GrantOp.PUT, node: nodeId, maxBytes: req.size ?? 0, ttlMs: 60_000 })
      : directory.issue({ op: GrantOp.GET, node: nodeId, holder: clientId, ttlMs: 60_000 })
  }

  async function request (req: Partial<StoreRequest>, body?: Uint8Array): Promise<StoreResponse> {
    await sendMessage(client, StoreRequest.encode({ type: StoreRequest.Type.PUT, cid: '', size: 0, forward: [], grant: grantFor(req), ...req }))
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
    assert.ok(problems.some((p) => p.includes(`refused chunk ${idOf(data)}`)), problems.join('\n'))
    assert.equal((await request({ type: StoreRequest.Type.PUT, cid: idOf(data), size: data.byteLength }, data)).status, StoreResponse.Status.OK)
  })

  describe('PUT_MANY (a batch of small chunks)', () => {
    const batchOf = (contents: Buffer[]): Partial<StoreRequest> => ({
      type: StoreRequest.Type.PUT_MANY,
      chunks: contents.map((c) => ({ cid: idOf(c), size: c.byteLength, absent: false })),
      size: contents.reduce((n, c) => n + c.byteLength, 0)
    })

    it('stores every chunk of a batch, each readable alone, and the stream goes on', async () => {
      const contents = Array.from({ length: 20 }, (_, i) => randomBytes(100 + i * 500))
      const response = await request(batchOf(contents), Buffer.concat(contents))
      assert.equal(response.status, StoreResponse.Status.OK, response.message)
      assert.deepEqual(response.stored, [nodeId])
      for (const content of contents) {
        const get = await request({ type: StoreRequest.Type.GET, cid: idOf(content) })
        assert.equal(get.size, content.byteLength)
        const parts: Uint8Array[] = []
        for await (const piece of reader.readBytes(get.size)) parts.push(piece)
        assert.deepEqual(Buffer.concat(parts), content)
      }
      assert.equal((await store.usage()).chunks, 20)
    })

    it('a batch with one corrupt chunk is not stored by this node (HASH_MISMATCH), and the bad chunk never lands', async () => {
      const contents = Array.from({ length: 4 }, () => randomBytes(3000))
      const body = Buffer.concat(contents)
      body[2 * 3000 + 10] ^= 1
      const response = await request(batchOf(contents), body)
      assert.equal(response.status, StoreResponse.Status.HASH_MISMATCH)
      assert.deepEqual(response.stored, [])
      assert.equal(await store.has(idOf(contents[2])), undefined)
      assert.ok(problems.some((p) => p.includes('refused a batch of 4 chunks')), problems.join('\n'))
      assert.equal((await request(batchOf(contents), Buffer.concat(contents))).status, StoreResponse.Status.OK, 'the same stream still serves')
    })

    it('refuses a chunk list that does not add up, or asks to be passed on, reading its bytes so the stream stays in step', async () => {
      const contents = [randomBytes(1000), randomBytes(2000)]
      const short = await request({ ...batchOf(contents), size: 2500 }, Buffer.concat(contents).subarray(0, 2500))
      assert.equal(short.status, StoreResponse.Status.INVALID)
      assert.match(short.message, /add up to 3000 bytes, but 2500 follow/)
      const forwarded = await request({ ...batchOf(contents), forward: [{ peerId: otherNodeId, addrs: [] }] }, Buffer.concat(contents))
      assert.equal(forwarded.status, StoreResponse.Status.INVALID)
      assert.match(forwarded.message, /not passed on/)
      const empty = await request({ type: StoreRequest.Type.PUT_MANY, chunks: [], size: 0 })
      assert.equal(empty.status, StoreResponse.Status.INVALID)
      assert.equal((await store.usage()).chunks, 0)
      assert.equal((await request(batchOf(contents), Buffer.concat(contents))).status, StoreResponse.Status.OK)
    })

    it('refuses an oversized batch without reading it', async () => {
      const over = await request({ type: StoreRequest.Type.PUT_MANY, chunks: [{ cid: idOf(Buffer.from('x')), size: 2 ** 30, absent: false }], size: 2 ** 30 })
      assert.equal(over.status, StoreResponse.Status.INVALID)
      assert.match(over.message, /batch of .* is over the .* limit/)
    })

    it('a batch over its grant\'s byte budget is refused whole', async () => {
      const contents = [randomBytes(1000), randomBytes(1000)]
      const grant = directory.issue({ op: GrantOp.PUT, node: nodeId, maxBytes: 1500, ttlMs: 60_000 })
      const refused = await request({ ...batchOf(contents), grant }, Buffer.concat(contents))
      assert.equal(refused.status, StoreResponse.Status.FORBIDDEN)
      assert.match(refused.message, /used up/)
      assert.equal((await store.usage()).chunks, 0)
    })
  })

  describe('GET_MANY (small chunks in one answer)', () => {
    const getMany = (ids: string[], grant?: Uint8Array<ArrayBuffer>): Partial<StoreRequest> =>
      ({ type: StoreRequest.Type.GET_MANY, chunks: ids.map((cid) => ({ cid, size: 0, absent: false })), ...(grant != null ? { grant } : {}) })

    it('answers each chunk in order, absent for one not held and for one too big for a batch, then the bytes of the rest', async () => {
      const held = [randomBytes(10), randomBytes(64 * 1024), randomBytes(3000)]
      const big = randomBytes(64 * 1024 + 1)
      for (const content of [...held, big]) {
        assert.equal((await request({ type: StoreRequest.Type.PUT, cid: idOf(content), size: content.byteLength }, content)).status, StoreResponse.Status.OK)
      }
      const missing = idOf(Buffer.from('not stored'))
      const ids = [idOf(held[0]), missing, idOf(held[1]), idOf(big), idOf(held[2])]
      const response = await request({ ...getMany(ids), grant: grantFor({ type: StoreRequest.Type.GET }) })
      assert.equal(response.status, StoreResponse.Status.OK, response.message)
      assert.deepEqual(response.chunks.map((c) => [c.cid, c.absent, c.size]),
        [[ids[0], false, 10], [missing, true, 0], [ids[2], false, 64 * 1024], [ids[3], true, 0], [ids[4], false, 3000]])
      const parts: Uint8Array[] = []
      for await (const piece of reader.readBytes(10 + 64 * 1024 + 3000)) parts.push(piece)
      assert.deepEqual(Buffer.concat(parts), Buffer.concat(held))
      // in step for the next request
      assert.equal((await request({ type: StoreRequest.Type.HAS, cid: idOf(big) })).size, big.byteLength)
    })

    it('sends at most 1 MiB in one answer: chunks past that are absent, to be asked for alone', async () => {
      const contents = Array.from({ length: 17 }, () => randomBytes(64 * 1024))
      for (const content of contents) await request({ type: StoreRequest.Type.PUT, cid: idOf(content), size: content.byteLength }, content)
      const response = await request({ ...getMany(contents.map(idOf)), grant: grantFor({ type: StoreRequest.Type.GET }) })
      assert.deepEqual(response.chunks.map((c) => c.absent), [...Array(16).fill(false), true])
      const parts: Uint8Array[] = []
      for await (const piece of reader.readBytes(16 * 64 * 1024)) parts.push(piece)
      assert.deepEqual(Buffer.concat(parts), Buffer.concat(contents.slice(0, 16)))
    })

    it('needs a read grant made out to the reader, and 1 to 64 chunks', async () => {
      const content = randomBytes(100)
      await request({ type: StoreRequest.Type.PUT, cid: idOf(content), size: 100 }, content)
      const refused = await request(getMany([idOf(content)], new Uint8Array(0)))
      assert.equal(refused.status, StoreResponse.Status.FORBIDDEN)
      const someoneElses = await request(getMany([idOf(content)], directory.issue({ op: GrantOp.GET, node: nodeId, holder: otherNodeId, ttlMs: 60_000 })))
      assert.equal(someoneElses.status, StoreResponse.Status.FORBIDDEN)
      const grant = grantFor({ type: StoreRequest.Type.GET })
      assert.equal((await request(getMany([], grant))).status, StoreResponse.Status.INVALID)
      assert.equal((await request(getMany(Array.from({ length: 65 }, () => idOf(content)), grant))).status, StoreResponse.Status.INVALID)
      const ok = await request(getMany([idOf(content)], grant))
      assert.deepEqual(ok.chunks.map((c) => c.size), [100])
    })
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

  describe('grants', () => {
    const data = randomBytes(20_000)
    const put = (grant: Uint8Array<ArrayBuffer> | undefined): Partial<StoreRequest> => ({ type: StoreRequest.Type.PUT, cid: idOf(data), size: data.byteLength, grant })

    async function refusedPut (grant: Uint8Array<ArrayBuffer> | undefined, why: RegExp): Promise<void> {
      const response = await request(put(grant), data)
      assert.equal(response.status, StoreResponse.Status.FORBIDDEN)
      assert.match(response.message, why)
      assert.equal(await store.has(idOf(data)), undefined, 'nothing was written')
    }

    it('refuses a put with no grant, and the stream stays usable', async () => {
      await refusedPut(new Uint8Array(0), /sent no grant/)
      assert.equal((await request(put(grantFor(put(undefined))), data)).status, StoreResponse.Status.OK)
    })

    it('refuses a forged grant (signed by another key)', async () => {
      await refusedPut(forger.issue({ op: GrantOp.PUT, node: nodeId, ttlMs: 60_000 }), /signature is not the directory's/)
    })

    it('refuses an expired grant', async () => {
      await refusedPut(directory.issue({ op: GrantOp.PUT, node: nodeId, ttlMs: 1_000 }, Date.now() - 5_000), /expired/)
    })

    it('refuses a grant for another node', async () => {
      await refusedPut(directory.issue({ op: GrantOp.PUT, node: otherNodeId, ttlMs: 60_000 }), /is for node .*, not this one/)
    })

    it('refuses a read grant for a write, and a grant for another chunk', async () => {
      await refusedPut(directory.issue({ op: GrantOp.GET, node: nodeId, ttlMs: 60_000 }), /not for a write/)
      await refusedPut(directory.issue({ op: GrantOp.PUT, node: nodeId, chunk: idOf(Buffer.from('other')), ttlMs: 60_000 }), /covers chunk/)
    })

    it('refuses a grant that is garbage', async () => {
      await refusedPut(Uint8Array.from([1, 2, 3, 4, 5]), /malformed/)
    })

    it('charges puts to the grant\'s byte budget', async () => {
      const grant = directory.issue({ op: GrantOp.PUT, node: nodeId, maxBytes: data.byteLength, ttlMs: 60_000 })
      assert.equal((await request(put(grant), data)).status, StoreResponse.Status.OK)
      const again = await request(put(grant), data)
      assert.equal(again.status, StoreResponse.Status.FORBIDDEN)
      assert.match(again.message, /used up/)
    })

    it('checks every field of a grant again when its signature is already known to be good', () => {
      const verifier = new GrantVerifier(directory.issuer, nodeId)
      const read = directory.issue({ op: GrantOp.GET, node: nodeId, holder: clientId, ttlMs: 60_000 })
      const use = { op: GrantOp.GET, remotePeer: clientId, chunk: idOf(data), size: 0 }
      verifier.check(read, use)
      verifier.check(read, use)
      assert.throws(() => { verifier.check(read, { ...use, remotePeer: otherNodeId }) }, /was given to/)
      assert.throws(() => { verifier.check(read, { ...use, op: GrantOp.PUT }) }, /not for a write/)
      assert.throws(() => { verifier.check(read, use, Date.now() + 120_000) }, /expired/)
      const write = directory.issue({ op: GrantOp.PUT, node: nodeId, maxBytes: 10, ttlMs: 60_000 })
      verifier.check(write, { op: GrantOp.PUT, remotePeer: clientId, chunk: idOf(data), size: 6 })
      assert.throws(() => { verifier.check(write, { op: GrantOp.PUT, remotePeer: clientId, chunk: idOf(data), size: 6 }) }, /used up/)
      // the same claims under another key's signature are not taken for the verified ones
      const forged = forger.issue({ op: GrantOp.GET, node: nodeId, holder: clientId, ttlMs: 60_000 })
      assert.throws(() => { verifier.check(forged, use) }, /signature is not the directory's/)
    })

    it('needs a read grant made out to the reader, unless reads are open', async () => {
      assert.equal((await request(put(grantFor(put(undefined))), data)).status, StoreResponse.Status.OK)
      const get = (grant: Uint8Array<ArrayBuffer>): Partial<StoreRequest> => ({ type: StoreRequest.Type.GET, cid: idOf(data), grant })
      const none = await request(get(new Uint8Array(0)))
      assert.equal(none.status, StoreResponse.Status.FORBIDDEN)
      const someoneElses = await request(get(directory.issue({ op: GrantOp.GET, node: nodeId, holder: otherNodeId, ttlMs: 60_000 })))
      assert.equal(someoneElses.status, StoreResponse.Status.FORBIDDEN)
      assert.match(someoneElses.message, /was given to/)
      const has = await request({ type: StoreRequest.Type.HAS, cid: idOf(data), grant: new Uint8Array(0) })
      assert.equal(has.status, StoreResponse.Status.FORBIDDEN)
      readsOpen = true
      const open = await request(get(new Uint8Array(0)))
      assert.deepEqual([open.status, open.size], [StoreResponse.Status.OK, data.byteLength])
      const parts: Uint8Array[] = []
      for await (const piece of reader.readBytes(open.size)) parts.push(piece)
      assert.deepEqual(Buffer.concat(parts), data)
    })
  })
})
