import type { Libp2p } from 'libp2p'
import type { NodeInfo } from '../protocol/pb/directory.ts'
import { StoreClients, type StoreClient } from '../protocol/store-client.ts'
import { grantNode } from '../security/grants.ts'

/** What a directory answer says about nodes: where they are, and whether they are alive. */
export type NodeSighting = Pick<NodeInfo, 'peerId' | 'addrs' | 'alive'>

/** Grants, by the node each is for. */
export type GrantsByNode = Map<string, Uint8Array<ArrayBuffer>>

/** The grants in a directory response, by the node each is for. */
export function grantsByNode (grants: Array<Uint8Array<ArrayBuffer>>): GrantsByNode {
  const byNode: GrantsByNode = new Map()
  for (const grant of grants) {
    const node = grantNode(grant)
    if (node != null) byNode.set(node, grant)
  }
  return byNode
}

/**
 * What a client knows of the cluster: the nodes and which are alive, a store
 * client per node, the read grants of the latest resolve, and the version of
 * the directory's node table all that comes from. Shared by uploads and
 * downloads running at once.
 */
export class ClusterView {
  readonly stores: StoreClients
  readonly alivePeers = new Set<string>()
  /** big chunks being read from each node now: a chunk is read from its least busy copy (read-order.ts) */
  readonly readsInFlight = new Map<string, number>()
  /** the directory's read grants, by node, from the latest resolve */
  readonly readGrants: GrantsByNode = new Map()
  /** the version of the directory's node table that alivePeers and the stores' addresses come from (0: none yet) */
  nodesVersion = 0

  constructor (libp2p: Libp2p) {
    this.stores = new StoreClients(libp2p)
  }

  learn (nodes: NodeSighting[]): void {
    for (const node of nodes) {
      this.stores.learn(node.peerId, node.addrs)
      if (node.alive) this.alivePeers.add(node.peerId)
      else this.alivePeers.delete(node.peerId)
    }
  }

  /**
   * Where the nodes are and which are alive, when the directory sent its node
   * table (it does when ours is not its current version), and the read grants
   * for the nodes a resolve names.
   */
  learnForReading (response: { nodes: NodeInfo[], grants: Array<Uint8Array<ArrayBuffer>>, nodesVersion: number }): void {
    this.learn(response.nodes)
    // an answer with nodes is the whole table of that version; one without confirms ours
    if (response.nodes.length > 0) this.nodesVersion = response.nodesVersion
    for (const [node, grant] of grantsByNode(response.grants)) this.readGrants.set(node, grant)
  }

  store (peerId: string): StoreClient {
    return this.stores.get(peerId)
  }

  /** One more (or, with -1, one fewer) big read from `peerId` in flight. */
  countRead (peerId: string, delta: 1 | -1): void {
    const count = (this.readsInFlight.get(peerId) ?? 0) + delta
    if (count > 0) this.readsInFlight.set(peerId, count)
    else this.readsInFlight.delete(peerId)
  }

  async close (): Promise<void> {
    await this.stores.close()
  }
}

/** Placements for one chunk, and the grants that came with them. */
export interface Placed {
  peers: string[]
  grants: GrantsByNode
}

/**
 * An upload's placements not yet used, by chunk index: the directory places
 * chunks a batch ahead, and each is taken once, when its chunk is sent.
 */
export class PlacementCache {
  private readonly byIndex = new Map<number, Placed>()

  constructor (private readonly view: ClusterView) {}

  /** Keep a directory answer's placements, and learn the nodes it names. */
  remember (response: { placements: Array<{ index: number, peers: string[] }>, nodes: NodeInfo[], grants: Array<Uint8Array<ArrayBuffer>> }): void {
    this.view.learn(response.nodes)
    const grants = grantsByNode(response.grants)
    for (const placement of response.placements) this.byIndex.set(placement.index, { peers: placement.peers, grants })
  }

  has (index: number): boolean {
    return this.byIndex.has(index)
  }

  /** The placement of chunk `index`, forgotten as it is handed out. */
  take (index: number): Placed | undefined {
    const placed = this.byIndex.get(index)
    this.byIndex.delete(index)
    return placed
  }
}
