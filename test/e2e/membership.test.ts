import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { Cluster, PeerProcess, freePort, runClient, waitUntil } from '../helpers/cluster.ts'
import { tempDir } from '../helpers/tmp.ts'
import { DfsClient } from '../../src/client/client.ts'
import { createPeer } from '../../src/net/libp2p.ts'
import { openStream } from '../../src/net/dial.ts'
import { StreamReader, sendMessage } from '../../src/net/stream-io.ts'
import { CLIENT_KEY_FILE, loadOrCreatePeerKey, peerIdOfDir } from '../../src/net/peer-key.ts'
import { STORE_PROTOCOL } from '../../src/protocol/constants.ts'
import { StoreRequest, StoreResponse } from '../../src/protocol/pb/store.ts'
import { cidFromDigest } from '../../src/content/content-id.ts'

/** A chunk no node holds: a GET for it is refused or answered, never served. */
const NO_CHUNK = cidFromDigest(createHash('sha256').update('no such chunk').digest())

/** `dfs-client id` for a home folder: the real command, which creates the client's key. */
async function clientId (home: string): Promise<string> {
  const result = await runClient(['id'], { env: { DFS_HOME: home } })
  assert.equal(result.code, 0, result.stderr)
  return result.stdout.trim()
}

function openConnections (peer: Libp2p, remote: string): number {
  return peer.getConnections().filter((c) => c.remotePeer.toString() === remote && c.status === 'open').length
}

/** A GET without a grant on a fresh store stream: the node answers (FORBIDDEN), which proves the stream opened. */
async function storeRoundTrip (peer: Libp2p, addr: string): Promise<StoreResponse> {
  const stream = await openStream(peer, multiaddr(addr), STORE_PROTOCOL, 'the node', { signal: AbortSignal.timeout(10_000) })
  const reader = new StreamReader(stream)
  try {
    await sendMessage(stream, StoreRequest.encode({ type: StoreRequest.Type.GET, cid: NO_CHUNK, size: 0, forward: [] }))
    const reply = await reader.readMessage(64 * 1024, { signal: AbortSignal.timeout(10_000) })
    assert.ok(reply != null, 'the node answered')
    await stream.close()
    return StoreResponse.decode(reply)
  } finally {
    reader.release()
  }
}

/** The directory's arguments as Cluster gives them, with these access flags. */
function directoryArgs (cluster: Cluster, access: string[]): string[] {
  return ['--role', 'directory', '--data-dir', join(cluster.root, 'directory'), '--listen', `/ip4/127.0.0.1/tcp/${cluster.directoryPort}`, ...access, '--dead-after', '3s']
}

/** `--allow-node` for each ID. */
const allowNodes = (ids: string[]): string[] => ids.flatMap((id) => ['--allow-node', id])

describe('end to end: membership removal', function () {
  this.timeout(180_000)
  let dir: Awaited<ReturnType<typeof tempDir>>
  let cluster: Cluster | undefined
  const clients: DfsClient[] = []

  before(async () => { dir = await tempDir() })
  after(async () => {
    for (const client of clients) await client.close().catch(() => {})
    await cluster?.stop()
    await dir?.cleanup()
  })

  it('a peer removed from the allowlists loses its connections to every node within a heartbeat, and is refused from then on', async () => {
    const readerHome = join(dir.path, 'reader')
    const writerHome = join(dir.path, 'writer')
    const reader = await clientId(readerHome)
    const writer = await clientId(writerHome)
    let nodeIds: string[] = []
    cluster = await Cluster.start({
      nodes: 3,
      access: (ids) => { nodeIds = ids; return [...allowNodes(ids), '--allow-write', writer, '--allow-read', writer, '--allow-read', reader] }
    })
    const file = join(dir.path, 'data.bin')
    const content = randomBytes(6 * 1024 * 1024)
    await writeFile(file, content)
    const up = await runClient(['--directory', cluster.directoryAddr, 'upload', file, '--replicas', '3', '--chunk-size', '1MiB'], { env: { DFS_HOME: writerHome } })
    assert.equal(up.code, 0, up.stderr)

    // long-lived library clients: the reader, to be removed, and the writer, who stays
    const removed = await DfsClient.connect({ directory: cluster.directoryAddr, privateKey: await loadOrCreatePeerKey(readerHome, CLIENT_KEY_FILE) })
    clients.push(removed)
    const kept = await DfsClient.connect({ directory: cluster.directoryAddr, privateKey: await loadOrCreatePeerKey(writerHome, CLIENT_KEY_FILE) })
    clients.push(kept)
    const out = join(dir.path, 'out.bin')
    await removed.downloadFile('data.bin', out)
    assert.ok((await readFile(out)).equals(content), 'the reader downloads while a member')
    // a connection to every node, whichever ones the download happened to use
    for (const node of cluster.nodes) {
      await removed.libp2p.dial(multiaddr(node.addr))
      await kept.libp2p.dial(multiaddr(node.addr))
      assert.ok(openConnections(removed.libp2p, node.peerId) > 0, 'the reader is connected to each node')
    }

    // the operator drops the reader: the allowlists are read at start, so the directory restarts with the new list
    await cluster.directory.stop()
    cluster.directory = await PeerProcess.start(directoryArgs(cluster, [...allowNodes(nodeIds), '--allow-write', writer, '--allow-read', writer]))
    const upAt = Date.now()
    assert.match(cluster.directory.stderr, /access: closed: 3 node\(s\), 1 reader\(s\), 1 writer\(s\)/)

    // every node closes the reader's connection on the first heartbeat the new directory answers
    for (const node of cluster.nodes) {
      await node.waitFor(new RegExp(`closing the connection of peer ${reader}: no longer a member`), 30_000)
      // the close comes with the new list, the first answer of the new directory: the line before it says so
      const lines = node.stderr.split('\n')
      const closing = lines.findIndex((line) => line.includes(`closing the connection of peer ${reader}`))
      let before = closing - 1
      while (before >= 0 && lines[before].includes('closing the connection of peer')) before--
      assert.match(lines[before] ?? '', /membership \S+: 4 members/, `the close follows the new membership:\n${node.stderr}`)
    }
    const bound = 30_000
    await waitUntil('the reader\'s connections to every node closing', () => cluster!.nodes.every((node) => openConnections(removed.libp2p, node.peerId) === 0), bound)
    const tookMs = Date.now() - upAt
    // the member who stays keeps its connections
    for (const node of cluster.nodes) {
      assert.ok(openConnections(kept.libp2p, node.peerId) > 0, `the writer is still connected to node ${node.peerId}`)
      assert.doesNotMatch(node.stderr, new RegExp(`closing the connection of peer ${writer}`))
    }

    // from now on: refused by the directory and by every node, with the refusal error
    await assert.rejects(removed.list(), { name: 'ForbiddenError', message: new RegExp(`^the directory closed the connection right after the handshake, as it does to peers that are not members of the cluster: this peer is ${reader}`) })
    for (const node of cluster.nodes) {
      await assert.rejects(storeRoundTrip(removed.libp2p, node.addr), { name: 'ForbiddenError' }, `node ${node.peerId} refuses the reader`)
      assert.match(node.stderr, new RegExp(`refused a connection from peer ${reader}: it is not a member of the cluster`))
    }
    const ls = await runClient(['--directory', cluster.directoryAddr, 'ls'], { env: { DFS_HOME: readerHome } })
    assert.equal(ls.code, 1)
    assert.match(ls.stderr, new RegExp(`^error: the directory closed the connection right after the handshake, as it does to peers that are not members of the cluster: this peer is ${reader}`))
    assert.match(cluster.directory.stderr, new RegExp(`refused a connection from peer ${reader}: it is not on the directory's allowlists`))
    // and the writer still works, through the new directory
    assert.deepEqual((await kept.list()).map((f) => f.name), ['data.bin'])
    // a heartbeat is 1 s here; the slack covers the node's retry backoff while the directory was down, and a loaded machine
    assert.ok(tookMs < 10_000, `closed ${tookMs} ms after the directory came back`)
  })
})

describe('end to end: a node admits only its directory until it has registered', function () {
  this.timeout(180_000)
  let dir: Awaited<ReturnType<typeof tempDir>>
  let cluster: Cluster | undefined
  let late: PeerProcess | undefined
  const peers: Libp2p[] = []

  before(async () => { dir = await tempDir() })
  after(async () => {
    for (const peer of peers) await peer.stop()
    await late?.stop()
    await cluster?.stop()
    await dir?.cleanup()
  })

  it('refuses a member before its first registration while letting the directory in, and admits the member once registered', async () => {
    const memberHome = join(dir.path, 'member')
    const member = await clientId(memberHome)
    const lateDir = join(dir.path, 'late-node')
    const lateId = await peerIdOfDir(lateDir)
    cluster = await Cluster.start({ nodes: 1, access: (ids) => [...allowNodes([...ids, lateId]), '--allow-read', member, '--allow-write', member] })
    const directoryAddr = cluster.directoryAddr
    const access = [...allowNodes([cluster.nodes[0].peerId, lateId]), '--allow-read', member, '--allow-write', member]

    // the directory is down: the new node starts, listens, and keeps trying to register
    await cluster.directory.stop()
    const port = await freePort()
    const lateAddr = `/ip4/127.0.0.1/tcp/${port}/p2p/${lateId}`
    late = PeerProcess.spawn(['--role', 'node', '--directory', directoryAddr, '--data-dir', lateDir, '--listen', `/ip4/127.0.0.1/tcp/${port}`])
    await late.waitFor(/cannot register with the directory .*attempt 1/, 30_000)
    assert.doesNotMatch(late.stdout, /listening on/, 'not registered yet')

    const memberPeer = await createPeer({ privateKey: await loadOrCreatePeerKey(memberHome, CLIENT_KEY_FILE) })
    peers.push(memberPeer)
    await assert.rejects(storeRoundTrip(memberPeer, lateAddr), { name: 'ForbiddenError' }, 'a member is refused before the node knows the membership')
    await late.waitFor(new RegExp(`refused a connection from peer ${member}: it is not a member of the cluster`), 10_000)

    // the directory's identity gets in (the test holds the directory's key, as its operator does)
    const directoryPeer = await createPeer({ privateKey: await loadOrCreatePeerKey(join(cluster.root, 'directory')) })
    peers.push(directoryPeer)
    const asDirectory = await storeRoundTrip(directoryPeer, lateAddr)
    assert.equal(asDirectory.status, StoreResponse.Status.FORBIDDEN)
    assert.match(asDirectory.message, /sent no grant/, 'past the connection gate: refused only for want of a grant')
    await directoryPeer.stop()
    assert.doesNotMatch(late.stdout, /listening on/, 'still not registered while the member was refused')

    // the directory comes back: the node registers, learns the membership and lets the member in
    cluster.directory = await PeerProcess.start(directoryArgs(cluster, access))
    await late.waitFor(/listening on /, 60_000)
    const reply = await storeRoundTrip(memberPeer, lateAddr)
    assert.equal(reply.status, StoreResponse.Status.FORBIDDEN)
    assert.match(reply.message, /sent no grant/, 'the member is past the gate now')
  })
})
