import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { DirectoryIndex } from '../../src/directory/index-db.ts'
import { Repairer } from '../../src/directory/repair.ts'
import { DirectoryState } from '../../src/directory/state.ts'
import { answerDirectoryRequest, DIRECTORY_REQUESTS } from '../../src/directory/requests/table.ts'
import { inventory, register } from '../../src/directory/requests/nodes.ts'
import { cidFromDigest } from '../../src/content/content-id.ts'
import { fileIdOf } from '../../src/content/manifest.ts'
import { DirectoryRequest, Status, TaskType, type RegisterRequest } from '../../src/protocol/pb/directory.ts'
import { directoryStatusOf } from '../../src/protocol/status.ts'
import { AccessPolicy } from '../../src/security/access.ts'
import { GrantSigner } from '../../src/security/grants.ts'
import { tempDir } from '../helpers/tmp.ts'

const idOf = (text: string): string => cidFromDigest(createHash('sha256').update(text).digest())
const quiet = { debug () {}, info () {}, warn () {}, error () {} }
const newPeerId = async (): Promise<string> => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()

/** The status a directory answers for what `call` threw (OK when it did not throw), and the message. */
async function outcome (call: Promise<unknown>): Promise<{ status: Status, message: string }> {
  try {
    await call
    return { status: Status.OK, message: '' }
  } catch (err) {
    return { status: directoryStatusOf(err), message: (err as Error).message }
  }
}

// The directory's request handlers called directly, as a future front end
// would: no streams, a real SQLite index in a temporary folder, real keys.
describe('directory request handlers over a real index, without streams', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let index: DirectoryIndex
  let state: DirectoryState
  let writer: string
  let reader: string
  let stranger: string
  const nodeIds: string[] = []
  const deadAfterMs = 30_000

  before(async () => {
    writer = await newPeerId()
    reader = await newPeerId()
    stranger = await newPeerId()
    for (let i = 0; i < 3; i++) nodeIds.push(await newPeerId())
  })

  beforeEach(async () => {
    dir = await tempDir()
    index = new DirectoryIndex(join(dir.path, 'index.sqlite'))
    const key = await generateKeyPair('Ed25519')
    state = new DirectoryState({
      index,
      repairer: new Repairer({ index, log: quiet, deadAfterMs, repairAfterMs: 300_000, gcAfterMs: 3600_000 }),
      log: quiet,
      deadAfterMs,
      heartbeatMs: 1000,
      access: new AccessPolicy({ nodes: nodeIds, readers: [reader, writer], writers: [writer] }),
      grants: new GrantSigner(key, peerIdFromPrivateKey(key).toString())
    })
  })
  afterEach(async () => {
    index.close()
    await dir.cleanup()
  })

  function heartbeat (peerId: string, overrides: Partial<RegisterRequest> = {}): RegisterRequest {
    return { addrs: ['/ip4/10.0.0.1/tcp/4001'], capacity: 1e12, used: 0, chunks: 0, results: [], corrupt: [], leaving: false, membershipVersion: '', ...overrides }
  }

  async function registerNodes (count = nodeIds.length): Promise<void> {
    for (const peerId of nodeIds.slice(0, count)) await register(state, heartbeat(peerId), peerId)
  }

  const ask = async (request: Partial<DirectoryRequest>, peer = writer): ReturnType<typeof answerDirectoryRequest> =>
    await answerDirectoryRequest(state, request as DirectoryRequest, peer)

  /** Upload a file of one chunk per text through begin and complete, as a client does. */
  async function upload (name: string, texts: string[], replicas = 2): Promise<string> {
    // a size that asks for one placement per text
    const begun = await ask({ begin: { name, size: texts.length * 1024, chunkSize: 1024, replicas } })
    let offset = 0
    const chunks = texts.map((text, i) => {
      const chunk = { index: i, id: idOf(text), offset, size: text.length, peers: begun.placements![i].peers }
      offset += text.length
      return chunk
    })
    const fileId = fileIdOf(chunks.map((chunk) => chunk.id), offset)
    const done = await ask({ complete: { uploadId: begun.uploadId!, fileId, size: offset, chunks, final: true } })
    assert.equal(done.file?.id, fileId)
    return fileId
  }

  it('has a handler for every field of a directory request', () => {
    const fields = Object.keys(DirectoryRequest.decode(DirectoryRequest.encode({
      begin: { name: 'x', chunkSize: 1, replicas: 0 },
      place: { uploadId: '', first: 0, count: 0, exclude: [], need: 0 },
      complete: { uploadId: '', fileId: '', size: 0, chunks: [], final: false },
      abort: { uploadId: '' },
      resolve: { ref: '', chunkStart: 0, chunkLimit: 0, nodesVersion: 0 },
      list: { after: '', limit: 0 },
      nodes: {},
      health: {},
      remove: { ref: '' },
      reportCorrupt: { chunkId: '', peerId: '' },
      placeFiles: { bytes: 0, replicas: 0 },
      addFiles: { files: [], replicas: 0 },
      resolveMany: { refs: [], chunkLimit: 0, nodesVersion: 0 }
    })))
    assert.deepEqual(Object.keys(DIRECTORY_REQUESTS).sort(), fields.sort())
  })

  it('refuses an empty request (INVALID), a writer\'s request from a reader and any from a stranger (FORBIDDEN)', async () => {
    await registerNodes()
    assert.equal((await outcome(ask({}))).status, Status.INVALID)
    const byReader = await outcome(ask({ begin: { name: 'a', chunkSize: 1024, replicas: 1 } }, reader))
    assert.deepEqual(byReader, { status: Status.FORBIDDEN, message: `peer ${reader} is not allowed to write` })
    assert.equal((await outcome(ask({ remove: { ref: 'a' } }, reader))).status, Status.FORBIDDEN)
    assert.equal((await outcome(ask({ list: { after: '', limit: 0 } }, stranger))).status, Status.FORBIDDEN)
    // a read and a write in one request need the write role
    assert.equal((await outcome(ask({ list: { after: '', limit: 0 }, remove: { ref: 'a' } }, reader))).status, Status.FORBIDDEN)
    assert.equal((await outcome(ask({ health: {} }, stranger))).status, Status.OK, 'health needs no role')
  })

  it('begin: an upload ID and placements on live nodes with PUT grants; bad names, chunk sizes and too many copies refused', async () => {
    assert.equal((await outcome(ask({ begin: { name: 'a', chunkSize: 1024, replicas: 0 } }))).status, Status.UNAVAILABLE, 'no live node')
    await registerNodes()
    const begun = await ask({ begin: { name: 'a.txt', size: 3000, chunkSize: 1024, replicas: 2 } })
    assert.match(begun.uploadId!, /.+/)
    assert.equal(begun.placements!.length, 3)
    for (const placement of begun.placements!) assert.equal(new Set(placement.peers).size, 2)
    assert.equal(begun.grants!.length, new Set(begun.placements!.flatMap((p) => p.peers)).size)
    assert.equal((await outcome(ask({ begin: { name: '../x', chunkSize: 1024, replicas: 1 } }))).status, Status.INVALID)
    assert.equal((await outcome(ask({ begin: { name: 'a', chunkSize: 0, replicas: 1 } }))).status, Status.INVALID)
    const tooMany = await outcome(ask({ begin: { name: 'a', chunkSize: 1024, replicas: 4 } }))
    assert.equal(tooMany.status, Status.UNAVAILABLE)
    assert.match(tooMany.message, /only 3 live nodes have room/)
  })

  it('place: more placements, or other nodes for one chunk; an unknown upload is NOT_FOUND, no node left UNAVAILABLE', async () => {
    await registerNodes()
    const begun = await ask({ begin: { name: 'a', chunkSize: 1024, replicas: 1 } })
    const more = await ask({ place: { uploadId: begun.uploadId!, first: 256, count: 10, exclude: [], need: 0 } })
    assert.deepEqual(more.placements!.map((p) => p.index), Array.from({ length: 10 }, (_, i) => 256 + i))
    const other = await ask({ place: { uploadId: begun.uploadId!, first: 3, count: 0, exclude: [nodeIds[0], nodeIds[1]], need: 1 } })
    assert.deepEqual(other.placements!.map((p) => p.peers), [[nodeIds[2]]])
    assert.equal((await outcome(ask({ place: { uploadId: begun.uploadId!, first: 3, count: 0, exclude: nodeIds, need: 1 } }))).status, Status.UNAVAILABLE)
    assert.equal((await outcome(ask({ place: { uploadId: 'no-such-upload', first: 0, count: 1, exclude: [], need: 0 } }))).status, Status.NOT_FOUND)
  })

  it('complete, resolve and list: a recorded file resolves by name with its chunks, holders and read grants, and lists', async () => {
    await registerNodes()
    const fileId = await upload('notes.txt', ['hello ', 'world'])
    const resolved = await ask({ resolve: { ref: 'notes.txt', chunkStart: 0, chunkLimit: 0, nodesVersion: 0 } }, reader)
    assert.equal(resolved.file?.id, fileId)
    assert.deepEqual(resolved.chunks!.map((chunk) => chunk.id), [idOf('hello '), idOf('world')])
    assert.equal(resolved.nodes!.length, 3, 'the whole node table for a reader without its version')
    assert.ok(resolved.grants!.length >= 2, 'a read grant per node holding a chunk')
    const again = await ask({ resolve: { ref: fileId, chunkStart: 1, chunkLimit: 0, nodesVersion: resolved.nodesVersion! } }, reader)
    assert.deepEqual([again.chunks!.length, again.nodes!.length], [1, 0], 'no node table for a reader holding its version')
    const missing = await outcome(ask({ resolve: { ref: 'nope', chunkStart: 0, chunkLimit: 0, nodesVersion: 0 } }, reader))
    assert.deepEqual(missing, { status: Status.NOT_FOUND, message: 'no file has the name or ID "nope"' })
    assert.deepEqual((await ask({ list: { after: '', limit: 0 } }, reader)).files!.map((file) => file.name), ['notes.txt'])
  })

  it('complete: an upload in parts records the file only with the final part', async () => {
    await registerNodes()
    const begun = await ask({ begin: { name: 'parts', chunkSize: 1024, replicas: 1 } })
    const first = { index: 0, id: idOf('a'), offset: 0, size: 1, peers: begun.placements![0].peers }
    const second = { index: 1, id: idOf('b'), offset: 1, size: 1, peers: begun.placements![1].peers }
    assert.equal((await ask({ complete: { uploadId: begun.uploadId!, fileId: '', size: 0, chunks: [first], final: false } })).file, undefined)
    assert.equal((await outcome(ask({ resolve: { ref: 'parts', chunkStart: 0, chunkLimit: 0, nodesVersion: 0 } }))).status, Status.NOT_FOUND)
    const fileId = fileIdOf([first.id, second.id], 2)
    assert.equal((await ask({ complete: { uploadId: begun.uploadId!, fileId, size: 2, chunks: [second], final: true } })).file?.chunkCount, 2)
  })

  it('abort: the upload is gone, and asking to place more for it is NOT_FOUND', async () => {
    await registerNodes()
    const begun = await ask({ begin: { name: 'a', chunkSize: 1024, replicas: 1 } })
    await ask({ abort: { uploadId: begun.uploadId! } })
    assert.equal((await outcome(ask({ place: { uploadId: begun.uploadId!, first: 0, count: 1, exclude: [], need: 0 } }))).status, Status.NOT_FOUND)
  })

  it('placeFiles and addFiles: one placement for a batch, then its files recorded at once; over-limit batches are INVALID', async () => {
    await registerNodes()
    const placed = await ask({ placeFiles: { bytes: 2, replicas: 2 } })
    assert.equal(placed.placements!.length, 1)
    assert.equal(placed.placements![0].peers.length, 2)
    assert.equal((await outcome(ask({ placeFiles: { bytes: 17 * 1024 * 1024, replicas: 1 } }))).status, Status.INVALID)
    const files = ['x', 'y'].map((text) => ({ name: `${text}.txt`, id: fileIdOf([idOf(text)], 1), size: 1, chunks: [{ index: 0, id: idOf(text), offset: 0, size: 1, peers: placed.placements![0].peers }] }))
    assert.deepEqual((await ask({ addFiles: { files, replicas: 2 } })).files!.map((file) => file.name), ['x.txt', 'y.txt'])
    assert.equal((await outcome(ask({ addFiles: { files, replicas: 0 } }))).status, Status.INVALID)
    assert.equal((await outcome(ask({ addFiles: { files: [{ ...files[0], name: 'a/b' }], replicas: 1 } }))).status, Status.INVALID)
  })

  it('resolveMany: each file in its place, NOT_FOUND for one missing; an empty batch is INVALID', async () => {
    await registerNodes()
    const fileId = await upload('one', ['1'])
    const answer = await ask({ resolveMany: { refs: ['one', 'missing', fileId], chunkLimit: 0, nodesVersion: 0 } }, reader)
    assert.deepEqual(answer.resolved!.map((entry) => [entry.status, entry.file?.id]), [[Status.OK, fileId], [Status.NOT_FOUND, undefined], [Status.OK, fileId]])
    assert.deepEqual(answer.resolved![0].chunks.map((chunk) => chunk.id), [idOf('1')])
    assert.equal((await outcome(ask({ resolveMany: { refs: [], chunkLimit: 0, nodesVersion: 0 } }, reader))).status, Status.INVALID)
  })

  it('remove: the file no longer resolves; removing it again is NOT_FOUND', async () => {
    await registerNodes()
    const fileId = await upload('gone', ['g'])
    assert.equal((await ask({ remove: { ref: 'gone' } })).file?.id, fileId)
    assert.equal((await outcome(ask({ resolve: { ref: fileId, chunkStart: 0, chunkLimit: 0, nodesVersion: 0 } }))).status, Status.NOT_FOUND)
    assert.equal((await outcome(ask({ remove: { ref: 'gone' } }))).status, Status.NOT_FOUND)
  })

  it('reportCorrupt: the holder gets a VERIFY task with its next heartbeat; a malformed chunk ID is ignored', async () => {
    await registerNodes()
    await ask({ reportCorrupt: { chunkId: 'not a cid', peerId: nodeIds[0] } }, reader)
    await ask({ reportCorrupt: { chunkId: idOf('bad'), peerId: nodeIds[0] } }, reader)
    const reply = await register(state, heartbeat(nodeIds[0]), nodeIds[0])
    assert.deepEqual(reply.tasks.map((task) => [task.type, task.chunkId]), [[TaskType.VERIFY, idOf('bad')]])
  })

  it('health and nodes: nodes alive and dead, and each node\'s record', async () => {
    await registerNodes(2)
    index.upsertNode({ peerId: nodeIds[2], addrs: [], capacity: 1, used: 0, chunks: 0, lastSeen: Date.now() - deadAfterMs - 1 })
    const { health } = await ask({ health: {} }, reader)
    assert.deepEqual([health?.nodesAlive, health?.nodesDead], [2, 1])
    const listed = (await ask({ nodes: {} }, reader)).nodes!
    assert.deepEqual(listed.map((node) => [node.peerId, node.alive]).sort(), [[nodeIds[0], true], [nodeIds[1], true], [nodeIds[2], false]].sort())
    assert.deepEqual(listed.find((node) => node.peerId === nodeIds[0])?.addrs, [`/ip4/10.0.0.1/tcp/4001/p2p/${nodeIds[0]}`])
  })

  it('register: a node is asked for its inventory once, gets the membership when stale, and leaving marks it dead; strangers and bad addresses refused', async () => {
    const first = await register(state, heartbeat(nodeIds[0]), nodeIds[0])
    assert.deepEqual([first.status, first.sendInventory, first.heartbeatMs], [Status.OK, true, 1000])
    assert.deepEqual(first.membership?.members, [...nodeIds, reader, writer].sort())
    const second = await register(state, heartbeat(nodeIds[0], { membershipVersion: state.access.version }), nodeIds[0])
    assert.deepEqual([second.sendInventory, second.membership], [false, undefined])
    const left = await register(state, heartbeat(nodeIds[0], { leaving: true }), nodeIds[0])
    assert.equal(left.status, Status.OK)
    assert.equal((await ask({ nodes: {} })).nodes![0].alive, false)
    assert.equal((await outcome(register(state, heartbeat(writer), writer))).status, Status.FORBIDDEN)
    assert.equal((await outcome(register(state, heartbeat(nodeIds[1], { addrs: [] }), nodeIds[1]))).status, Status.INVALID)
    assert.equal((await outcome(register(state, heartbeat(nodeIds[1], { addrs: ['not an address'] }), nodeIds[1]))).status, Status.INVALID)
    const otherPeer = await outcome(register(state, heartbeat(nodeIds[1], { addrs: [`/ip4/10.0.0.2/tcp/1/p2p/${nodeIds[2]}`] }), nodeIds[1]))
    assert.equal(otherPeer.status, Status.INVALID)
    assert.match(otherPeer.message, /names another peer/)
  })

  it('inventory: the index learns the chunks a node holds and forgets those it lost; only nodes may send one', async () => {
    await registerNodes()
    const fileId = await upload('held', ['h'], 1)
    const holder = (await ask({ resolve: { ref: fileId, chunkStart: 0, chunkLimit: 0, nodesVersion: 0 } })).chunks![0].peers[0]
    const other = nodeIds.find((peerId) => peerId !== holder)!
    // asked long enough ago that the upload's record is older than the lists
    state.inventoryAskedAt.set(holder, Date.now() + 1000)
    state.inventoryAskedAt.set(other, Date.now() + 1000)
    assert.equal((await inventory(state, { chunks: [] }, holder)).status, Status.OK)
    assert.equal((await inventory(state, { chunks: [idOf('h'), 'junk'] }, other)).status, Status.OK)
    const peers = (await ask({ resolve: { ref: fileId, chunkStart: 0, chunkLimit: 0, nodesVersion: 0 } })).chunks![0].peers
    assert.deepEqual(peers, [other])
    assert.equal((await outcome(inventory(state, { chunks: [] }, writer))).status, Status.FORBIDDEN)
  })
})
