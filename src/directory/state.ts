import { randomInt } from 'node:crypto'
import { MAX_CHUNK_SIZE } from '../content/chunker.ts'
import { NoCapacityError } from '../errors.ts'
import { GET_GRANT_TTL_MS, PUT_GRANT_TTL_MS } from '../protocol/constants.ts'
import type { DirectoryResponse, NodeInfo, Placement } from '../protocol/pb/directory.ts'
import type { AccessPolicy } from '../security/access.ts'
import { GrantOp, type GrantBytes, type GrantSigner } from '../security/grants.ts'
import type { Logger } from '../util/log.ts'
import type { ChunkRecord, DirectoryIndex, NodeRecord } from './index-db.ts'
import { placeChunks } from './placement.ts'
import type { Repairer } from './repair.ts'

/** Copies of each chunk when the client does not say: three, or as many as there are live nodes. */
export const DEFAULT_REPLICAS = 3

/** Read grants kept for reuse per (client, node); cleared wholesale past this many. */
const MAX_CACHED_READ_GRANTS = 10_000

export interface DirectoryStateInit {
  index: DirectoryIndex
  repairer: Repairer
  log: Logger
  /** a node not heard from for this long counts as dead */
  deadAfterMs: number
  /** how often nodes are asked to heartbeat */
  heartbeatMs: number
  access: AccessPolicy
  grants: GrantSigner
  /** chunks no file uses are deleted this long after they are found (default 1 h) */
  gcAfterMs?: number
}

export interface UploadState {
  rotation: number
  chunkSize: number
  startedAt: number
}

/**
 * What the directory's request handlers share: the index (where all lasting
 * state lives), the repairer, access and grants, and what is kept in memory
 * only (per-upload placement rotation, which nodes are known alive, the node
 * table's version, cached read grants), which may be lost on restart.
 */
export class DirectoryState {
  readonly index: DirectoryIndex
  readonly repairer: Repairer
  readonly log: Logger
  readonly deadAfterMs: number
  readonly heartbeatMs: number
  readonly access: AccessPolicy
  readonly grants: GrantSigner

  /** uploads in progress by ID: how their chunks are spread */
  readonly uploads = new Map<string, UploadState>()
  /** nodes seen alive since the last liveness check, so a death or a return is logged once */
  readonly knownAlive = new Set<string>()
  /**
   * The version of the node table as readers see it (each node's addresses,
   * and which are alive): bumped when either changes. A resolve that names it
   * is answered without node records, which are most of a small resolve's
   * bytes. It starts at random, so a client's version from before a restart is stale.
   */
  nodesVersion = randomInt(1, 2 ** 47)
  /** each node's addresses as the current version of the node table gives them */
  readonly announcedAddrs = new Map<string, string>()
  /** peer -> when we last asked it for its inventory: it lists its chunks after that */
  readonly inventoryAskedAt = new Map<string, number>()
  /** nodes to ask for their inventory: an upload was given up, and only their lists show the chunks it left */
  readonly inventoryWanted = new Set<string>()
  /** peer -> when it was last asked to list its chunks; asks for garbage are spaced by inventoryIntervalMs */
  readonly lastInventoryAsk = new Map<string, number>()
  /** a node lists its chunks for garbage at most this often: no more often than garbage is collected, at most once a minute */
  readonly inventoryIntervalMs: number
  /** signed read grants by client and node, reused until half their life is gone (signing is not free) */
  private readonly readGrants = new Map<string, { grant: GrantBytes, renewAt: number }>()
  /** spreads batches of small files over the nodes (with fewer copies than nodes) */
  batchRotation = Math.floor(Math.random() * 1024)

  constructor (init: DirectoryStateInit) {
    this.index = init.index
    this.repairer = init.repairer
    this.log = init.log
    this.deadAfterMs = init.deadAfterMs
    this.heartbeatMs = init.heartbeatMs
    this.access = init.access
    this.grants = init.grants
    this.inventoryIntervalMs = Math.min(60_000, init.gcAfterMs ?? 3600_000)
  }

  /** An upload was given up: every live node lists its chunks soon, so what the upload left is collected after --gc-after. */
  wantInventories (): void {
    for (const peerId of this.knownAlive) this.inventoryWanted.add(peerId)
  }

  /**
   * Whether a heartbeat from `peerId` asks for its inventory: a node new to us
   * (or back, or we restarted) tells us what it holds, as does one whose list
   * is wanted for garbage once the interval since its last list has passed.
   */
  askInventory (peerId: string, wasAlive: boolean, now = Date.now()): boolean {
    const forGarbage = this.inventoryWanted.has(peerId) && now - (this.lastInventoryAsk.get(peerId) ?? 0) >= this.inventoryIntervalMs
    if (wasAlive && !forGarbage) return false
    this.inventoryWanted.delete(peerId)
    this.lastInventoryAsk.set(peerId, now)
    // the earliest unanswered ask: a node busy sending one list ignores the next ask
    if (!this.inventoryAskedAt.has(peerId)) this.inventoryAskedAt.set(peerId, now)
    return true
  }

  isAlive (node: NodeRecord, now = Date.now()): boolean {
    return now - node.lastSeen <= this.deadAfterMs
  }

  nodeInfo (node: NodeRecord, now = Date.now()): NodeInfo {
    return { peerId: node.peerId, addrs: node.addrs, alive: this.isAlive(node, now), used: node.used, capacity: node.capacity, chunks: node.chunks, lastSeen: node.lastSeen }
  }

  /** Log nodes that stopped heartbeating; readers learn it through the node table's version. */
  checkLiveness (): void {
    const now = Date.now()
    for (const node of this.index.listNodes()) {
      if (this.knownAlive.has(node.peerId) && !this.isAlive(node, now)) {
        this.knownAlive.delete(node.peerId)
        this.nodesVersion++
        this.log.warn(`node ${node.peerId} is dead: no heartbeat for ${now - node.lastSeen} ms`)
      }
    }
  }

  /** Forget the placement state of uploads older than `before` (their clients are gone). */
  expireUploads (before: number): void {
    for (const [id, upload] of this.uploads) if (upload.startedAt < before) this.uploads.delete(id)
  }

  /** The replication target for a new upload: what was asked, checked against the live nodes with room. */
  replicasFor (asked: number, chunkSize: number): number {
    const now = Date.now()
    const candidates = this.index.listNodes().filter((node) => this.isAlive(node, now) && node.capacity - node.used >= chunkSize).length
    if (asked === 0) return Math.max(1, Math.min(DEFAULT_REPLICAS, candidates))
    if (asked > candidates) {
      throw new NoCapacityError(`asked for ${asked} copies of each chunk, but only ${candidates} live node${candidates === 1 ? ' has' : 's have'} room for them; ask for fewer with --replicas`)
    }
    return asked
  }

  /** Placements on live nodes with room, with those nodes' addresses and a PUT grant for each. */
  placeOnLive (options: Parameters<typeof placeChunks>[1]): Partial<DirectoryResponse> {
    const now = Date.now()
    const alive = this.index.listNodes().filter((node) => this.isAlive(node, now))
    const placements = placeChunks(alive, options)
    if (placements.length === 0) {
      throw new NoCapacityError(alive.length === 0
        ? 'no storage node is alive; start one with `dfs-peer --role node --directory <address>`'
        : 'every live storage node is full; add capacity or start another node')
    }
    const used = new Set(placements.flatMap((p) => p.peers))
    return { placements, nodes: alive.filter((node) => used.has(node.peerId)).map((node) => this.nodeInfo(node, now)), grants: this.putGrants(placements, options.chunkSize) }
  }

  /**
   * One PUT grant per node placed on: room for the chunks placed there, at
   * most a chunk size each. Not bound to the client: the first node passes
   * the chunk, and the next node's grant, down the replication chain.
   */
  putGrants (placements: Placement[], chunkSize: number): GrantBytes[] {
    const chunksPerNode = new Map<string, number>()
    for (const placement of placements) for (const peer of placement.peers) chunksPerNode.set(peer, (chunksPerNode.get(peer) ?? 0) + 1)
    const perChunk = chunkSize > 0 ? chunkSize : MAX_CHUNK_SIZE
    return [...chunksPerNode].map(([node, chunks]) => this.grants.issue({ op: GrantOp.PUT, node, maxBytes: chunks * perChunk, ttlMs: PUT_GRANT_TTL_MS }))
  }

  /** Read grants for `client` on each node, unless reads are open; reused while fresh. */
  getGrants (client: string, nodes: string[]): GrantBytes[] {
    if (this.access.openReads) return []
    const now = Date.now()
    if (this.readGrants.size > MAX_CACHED_READ_GRANTS) this.readGrants.clear()
    return nodes.map((node) => {
      const key = `${client} ${node}`
      const cached = this.readGrants.get(key)
      if (cached != null && cached.renewAt > now) return cached.grant
      const grant = this.grants.issue({ op: GrantOp.GET, node, holder: client, ttlMs: GET_GRANT_TTL_MS }, now)
      this.readGrants.set(key, { grant, renewAt: now + GET_GRANT_TTL_MS / 2 })
      return grant
    })
  }

  /**
   * A page of chunks as a reader wants it: each chunk's live holders first,
   * the grants for the nodes named, and the node table unless the reader
   * holds its current version (one read of the node table for all three).
   */
  forReaders (chunks: ChunkRecord[], client: string, knownNodesVersion: number): { chunks: ChunkRecord[], nodes: NodeInfo[], grants: GrantBytes[], nodesVersion: number } {
    const now = Date.now()
    const nodes = this.index.listNodes()
    const alive = new Set(nodes.filter((node) => this.isAlive(node, now)).map((node) => node.peerId))
    const wanted = new Set(chunks.flatMap((chunk) => chunk.peers))
    return {
      chunks: chunks.map((chunk) => ({ ...chunk, peers: [...chunk.peers].sort((a, b) => Number(alive.has(b)) - Number(alive.has(a))) })),
      nodes: knownNodesVersion === this.nodesVersion ? [] : nodes.map((node) => this.nodeInfo(node, now)),
      grants: this.getGrants(client, nodes.filter((node) => wanted.has(node.peerId)).map((node) => node.peerId)),
      nodesVersion: this.nodesVersion
    }
  }
}
