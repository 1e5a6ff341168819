import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p } from 'libp2p'
import type { PrivateKey } from '@libp2p/interface'
import { Cluster, PeerProcess, runClient } from '../helpers/cluster.ts'
import { tempDir } from '../helpers/tmp.ts'
import { createPeer } from '../../src/net/libp2p.ts'
import { openStream } from '../../src/net/dial.ts'
import { StreamReader, sendBytes, sendMessage } from '../../src/net/stream-io.ts'
import { CLIENT_KEY_FILE, loadOrCreatePeerKey } from '../../src/net/peer-key.ts'
import { DIRECTORY_PROTOCOL, INVENTORY_PROTOCOL, REGISTER_PROTOCOL, STORE_PROTOCOL } from '../../src/protocol/constants.ts'
import { DirectoryRequest, DirectoryResponse, RegisterRequest, RegisterResponse, Status } from '../../src/protocol/pb/directory.ts'
import { StoreRequest, StoreResponse } from '../../src/protocol/pb/store.ts'
import { GrantOp, GrantSigner, grantNode } from '../../src/security/grants.ts'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'

/** `dfs-client id` for a home folder: the real command, which creates the client's key. */
async function clientId (home: string): Promise<string> {
  const result = await runClient(['id'], { env: { DFS_HOME: home } })
  assert.equal(result.code, 0, result.stderr)
  return result.stdout.trim()
}

/** One request and its answer on a fresh stream. */
async function ask (peer: Libp2p, addr: string, protocol: string, message: Uint8Array, body?: Uint8Array): Promise<Uint8Array> {
  const stream = await openStream(peer, multiaddr(addr), protocol, 'the peer', { signal: AbortSignal.timeout(10_000) })
  const reader = new StreamReader(stream)
  try {
    await sendMessage(stream, message)
    if (body != null) await sendBytes(stream, body)
    const reply = await reader.readMessage(1024 * 1024, { signal: AbortSignal.timeout(10_000) })
    assert.ok(reply != null, `${protocol} answered`)
    await stream.close()
    return reply
  } finally {
    reader.release()
  }
}

describe('end to end: a closed cluster (allowlists, connection gate, signed grants)', function () {
  this.timeout(120_000)
  let dir: Awaited<ReturnType<typeof tempDir>>
  let cluster: Cluster
  let writerHome: string
  let readerHome: string
  let writer: string
  let reader: string
  let file: string
  let fileId: string

  before(async () => {
    dir = await tempDir()
    writerHome = join(dir.path, 'writer')
    readerHome = join(dir.path, 'reader')
    writer = await clientId(writerHome)
    reader = await clientId(readerHome)
    cluster = await Cluster.start({
      nodes: 2,
      access: (nodeIds) => [...nodeIds.flatMap((id) => ['--allow-node', id]), '--allow-write', writer, '--allow-read', reader]
    })
    file = join(dir.path, 'data.bin')
    await writeFile(file, randomBytes(3 * 1024 * 1024 + 5))
    const upload = await runClient(['--directory', cluster.directoryAddr, 'upload', file, '--replicas', '2', '--chunk-size', '1MiB'], { env: { DFS_HOME: writerHome } })
    assert.equal(upload.code, 0, upload.stderr)
    fileId = upload.stdout.trim()
  })
  after(async () => {
    await cluster?.stop()
    await dir?.cleanup()
  })

  const as = async (home: string, args: string[]) => await runClient(['--directory', cluster.directoryAddr, ...args], { env: { DFS_HOME: home } })

  it('says loudly at startup how the cluster is guarded', () => {
    assert.match(cluster.directory.stderr, /access: closed: 2 node\(s\), 1 reader\(s\), 1 writer\(s\) allowed; reads need a grant/)
  })

  it('lets the writer upload and the reader download, and neither do the other', async () => {
    const out = join(dir.path, 'out.bin')
    const download = await as(readerHome, ['download', fileId, out])
    assert.equal(download.code, 0, download.stderr)
    assert.ok((await readFile(out)).equals(await readFile(file)), 'same bytes')

    const refusedUpload = await as(readerHome, ['upload', file])
    assert.equal(refusedUpload.code, 1)
    assert.equal(refusedUpload.stderr.trim(), `error: peer ${reader} is not allowed to write`)
    const refusedRm = await as(readerHome, ['rm', fileId])
    assert.equal(refusedRm.code, 1)
    assert.match(refusedRm.stderr, /is not allowed to write/)

    const refusedDownload = await as(writerHome, ['download', fileId, join(dir.path, 'nope.bin')])
    assert.equal(refusedDownload.code, 1)
    assert.equal(refusedDownload.stderr.trim(), `error: peer ${writer} is not allowed to read`)
    const refusedLs = await as(writerHome, ['ls'])
    assert.equal(refusedLs.code, 1)
    assert.match(refusedLs.stderr, /is not allowed to read/)
    assert.match(cluster.directory.stderr, /refused: peer .* is not allowed to write/)
  })

  it('does not let a stranger past the handshake: the CLI says so, and no protocol opens on the directory or a node', async () => {
    const strangerHome = join(dir.path, 'stranger')
    const ls = await as(strangerHome, ['ls'])
    assert.equal(ls.code, 1)
    const stranger = await clientId(strangerHome)
    assert.match(ls.stderr, new RegExp(`^error: the directory closed the connection right after the handshake, as it does to peers that are not members of the cluster: this peer is ${stranger}`))
    assert.doesNotMatch(ls.stderr, /at .*\.js:\d+/, 'no stack trace')

    const peer = await createPeer({ privateKey: await generateKeyPair('Ed25519') })
    try {
      for (const protocol of [DIRECTORY_PROTOCOL, REGISTER_PROTOCOL, INVENTORY_PROTOCOL]) {
        await assert.rejects(openStream(peer, multiaddr(cluster.directoryAddr), protocol, 'the directory', { signal: AbortSignal.timeout(10_000) }), { name: 'ForbiddenError' }, protocol)
      }
      for (const node of cluster.nodes) {
        await assert.rejects(openStream(peer, multiaddr(node.addr), STORE_PROTOCOL, 'the node', { signal: AbortSignal.timeout(10_000) }), { name: 'ForbiddenError' })
      }
    } finally {
      await peer.stop()
    }
    assert.match(cluster.directory.stderr, /refused a connection from peer .*: it is not on the directory's allowlists/)
    assert.match(cluster.nodes[0].stderr, /refused a connection from peer .*: it is not a member of the cluster/)
  })

  it('does not let a node that is not on the allowlist register', async () => {
    const node = PeerProcess.spawn(['--role', 'node', '--directory', cluster.directoryAddr, '--data-dir', join(dir.path, 'rogue-node'), '--listen', '/ip4/127.0.0.1/tcp/0'])
    assert.equal(await node.exited, 1)
    assert.match(node.stderr, /^error: the directory closed the connection right after the handshake, as it does to peers that are not members of the cluster/m)
    const nodes = JSON.parse((await as(readerHome, ['nodes', '--json'])).stdout)
    assert.deepEqual(nodes.map((n: { peerId: string }) => n.peerId).sort(), cluster.nodes.map((n) => n.peerId).sort())

    // a member that is a client, not a node, gets in but may not register
    const readerKey = await loadOrCreatePeerKey(readerHome, CLIENT_KEY_FILE)
    const peer = await createPeer({ privateKey: readerKey })
    try {
      const reply = RegisterResponse.decode(await ask(peer, cluster.directoryAddr, REGISTER_PROTOCOL, RegisterRequest.encode({ addrs: ['/ip4/127.0.0.1/tcp/9'], capacity: 1e9, used: 0, chunks: 0, results: [], corrupt: [], membershipVersion: '' })))
      assert.equal(reply.status, Status.FORBIDDEN)
      assert.equal(reply.message, `peer ${reader} is not allowed to register as a storage node (the directory's --allow-node list)`)
    } finally {
      await peer.stop()
    }
  })

  describe('nodes obey only grants signed by their directory', () => {
    let peer: Libp2p
    let directoryKey: PrivateKey
    let grants: Map<string, Uint8Array<ArrayBuffer>>
    let chunkId: string
    let holder: string

    before(async () => {
      // a member (the reader) talking to nodes directly, with what the directory gave it
      peer = await createPeer({ privateKey: await loadOrCreatePeerKey(readerHome, CLIENT_KEY_FILE) })
      const response = DirectoryResponse.decode(await ask(peer, cluster.directoryAddr, DIRECTORY_PROTOCOL, DirectoryRequest.encode({ resolve: { ref: fileId, chunkStart: 0, chunkLimit: 0, nodesVersion: 0 } })))
      assert.equal(response.status, Status.OK, response.message)
      grants = new Map(response.grants.map((g) => [grantNode(g)!, g]))
      assert.equal(grants.size, 2, 'a read grant for each node')
      chunkId = response.chunks[0].id
      holder = response.chunks[0].peers[0]
      // the test plays a forger who has stolen nothing but knows the directory's ID,
      // and, for the expired grant, the operator with the directory's key
      directoryKey = await loadOrCreatePeerKey(join(cluster.root, 'directory'))
    })
    after(async () => { await peer?.stop() })

    const addrOf = (peerId: string): string => cluster.nodes.find((n) => n.peerId === peerId)!.addr
    const get = async (node: string, grant?: Uint8Array<ArrayBuffer>): Promise<StoreResponse> =>
      StoreResponse.decode(await ask(peer, addrOf(node), STORE_PROTOCOL, StoreRequest.encode({ type: StoreRequest.Type.GET, cid: chunkId, size: 0, forward: [], grant })))

    it('serves a read with the directory\'s grant for that node', async () => {
      const response = await get(holder, grants.get(holder))
      assert.equal(response.status, StoreResponse.Status.OK, response.message)
    })

    it('refuses a member without a grant, for a read and for a write', async () => {
      const noGrant = await get(holder)
      assert.equal(noGrant.status, StoreResponse.Status.FORBIDDEN)
      assert.match(noGrant.message, /sent no grant/)
      const data = Buffer.from('written without asking the directory')
      const put = StoreResponse.decode(await ask(peer, addrOf(holder), STORE_PROTOCOL, StoreRequest.encode({ type: StoreRequest.Type.PUT, cid: chunkId, size: data.byteLength, forward: [] }), data))
      assert.equal(put.status, StoreResponse.Status.FORBIDDEN)
    })

    it('refuses a grant for one node at another', async () => {
      const other = cluster.nodes.map((n) => n.peerId).find((id) => id !== holder)!
      const response = await get(holder, grants.get(other))
      assert.equal(response.status, StoreResponse.Status.FORBIDDEN)
      assert.match(response.message, /the grant is for node .*, not this one/)
    })

    it('refuses a forged grant and an expired one', async () => {
      const directoryId = peerIdFromPrivateKey(directoryKey).toString()
      const forged = new GrantSigner(await generateKeyPair('Ed25519'), directoryId).issue({ op: GrantOp.GET, node: holder, holder: reader, ttlMs: 60_000 })
      const forgedReply = await get(holder, forged)
      assert.equal(forgedReply.status, StoreResponse.Status.FORBIDDEN)
      assert.match(forgedReply.message, /signature is not the directory's/)
      const expired = new GrantSigner(directoryKey, directoryId).issue({ op: GrantOp.GET, node: holder, holder: reader, ttlMs: 1_000 }, Date.now() - 60_000)
      const expiredReply = await get(holder, expired)
      assert.equal(expiredReply.status, StoreResponse.Status.FORBIDDEN)
      assert.match(expiredReply.message, /expired/)
      assert.match(cluster.nodes.find((n) => n.peerId === holder)!.stderr, /refused a GET of chunk/)
    })
  })

  it('nodes learn a change of membership from the directory: a newly allowed reader gets in', async () => {
    const laterHome = join(dir.path, 'later')
    const later = await clientId(laterHome)
    const before = await as(laterHome, ['download', fileId, join(dir.path, 'later.bin')])
    assert.equal(before.code, 1)
    await cluster.directory.stop()
    await cluster.restartDirectory(['--allow-read', later])
    assert.match(cluster.directory.stderr, /access: closed: 2 node\(s\), 2 reader\(s\), 1 writer\(s\)/)
    // each node takes the new list with its next heartbeat (every second here)
    for (const node of cluster.nodes) await node.waitFor(/membership .*: 5 members/, 15_000)
    const after = await as(laterHome, ['download', fileId, join(dir.path, 'later.bin')])
    assert.equal(after.code, 0, after.stderr)
    assert.ok((await readFile(join(dir.path, 'later.bin'))).equals(await readFile(file)))
  })

  it('takes the allowlists from the config file too, and an open cluster says so loudly', async () => {
    const configDir = join(dir.path, 'configured')
    const init = PeerProcess.spawn(['init', '--role', 'directory', '--data-dir', configDir])
    assert.equal(await init.exited, 0)
    const config = JSON.parse(await readFile(join(configDir, 'config.json'), 'utf8'))
    config.allow = { nodes: [cluster.nodes[0].peerId], read: [reader], write: [writer] }
    config.listen = ['/ip4/127.0.0.1/tcp/0']
    await writeFile(join(configDir, 'config.json'), JSON.stringify(config))
    const configured = await PeerProcess.start(['--role', 'directory', '--config', join(configDir, 'config.json'), '--allow-read', writer])
    try {
      assert.match(configured.stderr, /access: closed: 1 node\(s\), 2 reader\(s\), 1 writer\(s\) allowed/)
    } finally {
      await configured.stop()
    }
    const open = await PeerProcess.start(['--role', 'directory', '--open', '--data-dir', join(dir.path, 'open-directory'), '--listen', '/ip4/127.0.0.1/tcp/0'])
    try {
      assert.match(open.stderr, /"level":"warn".*THIS CLUSTER IS OPEN: any peer may connect, register as a node, read and write/)
    } finally {
      await open.stop()
    }
  })

  it('dfs-peer init makes a key and a commented config, and prints the peer ID', async () => {
    const initDir = join(dir.path, 'init-directory')
    const init = PeerProcess.spawn(['init', '--role', 'directory', '--data-dir', initDir])
    assert.equal(await init.exited, 0, init.stderr)
    const id = init.stdout.trim()
    const idAgain = PeerProcess.spawn(['id', '--data-dir', initDir])
    assert.equal(await idAgain.exited, 0)
    assert.equal(idAgain.stdout.trim(), id)
    const config = JSON.parse(await readFile(join(initDir, 'config.json'), 'utf8'))
    assert.deepEqual(config.allow, { nodes: [], read: [], write: [] })
    assert.ok(Array.isArray(config.$comment))
    // with empty allowlists it refuses to start, and says how to fix it
    const closed = PeerProcess.spawn(['--role', 'directory', '--config', join(initDir, 'config.json'), '--listen', '/ip4/127.0.0.1/tcp/0'])
    assert.equal(await closed.exited, 2)
    assert.match(closed.stderr, /no peer is allowed into this cluster: allow nodes and clients by peer ID/)
  })
})
