import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import type { Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { openStream } from '../../src/net/dial.ts'
import { StreamReader, sendBytes, sendMessage } from '../../src/net/stream-io.ts'
import { DIRECTORY_PROTOCOL, STORE_PROTOCOL } from '../../src/protocol/constants.ts'
import { DirectoryRequest, DirectoryResponse, Status } from '../../src/protocol/pb/directory.ts'
import { StoreRequest } from '../../src/protocol/pb/store.ts'
import { cidFromDigest } from '../../src/content/content-id.ts'
import { grantNode } from '../../src/security/grants.ts'
import type { Cluster } from './cluster.ts'

/**
 * A PUT to the cluster's first node that sends 10 kB of a 5 MiB chunk and
 * then stalls, with a real grant from a real upload's placement. The chunk is
 * bigger than a node's receive buffers, so it streams to a temporary file.
 * Returns the store stream and the directory stream (abort both when done).
 */
export async function stalledPut (cluster: Cluster, peer: Libp2p): Promise<{ stream: Stream, directory: Stream }> {
  const directory = await openStream(peer, multiaddr(cluster.directoryAddr), DIRECTORY_PROTOCOL, 'the directory')
  const directoryReader = new StreamReader(directory)
  const chunkSize = 5 * 1024 * 1024
  await sendMessage(directory, DirectoryRequest.encode({ begin: { name: 'stalled', size: chunkSize, chunkSize, replicas: 1 } }))
  const placed = DirectoryResponse.decode((await directoryReader.readMessage(1024 * 1024))!)
  directoryReader.release()
  assert.equal(placed.status, Status.OK, placed.message)
  const grant = placed.grants.find((g) => grantNode(g) === placed.placements[0].peers[0])
  const data = randomBytes(chunkSize)
  const stream = await openStream(peer, multiaddr(cluster.nodes[0].addr), STORE_PROTOCOL, 'the node')
  await sendMessage(stream, StoreRequest.encode({ type: StoreRequest.Type.PUT, cid: cidFromDigest(createHash('sha256').update(data).digest()), size: data.byteLength, forward: [], grant }))
  await sendBytes(stream, data.subarray(0, 10_000))
  return { stream, directory }
}
