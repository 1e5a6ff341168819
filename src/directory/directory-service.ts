import type { Connection, Stream } from '@libp2p/interface'
import { logger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { StreamReader, sendMessage } from '../net/stream-io.ts'
import { LIST_PAGE_FILES, MAX_DIRECTORY_MESSAGE_BYTES, MAX_INVENTORY_CHUNKS, MAX_INVENTORY_MESSAGE_BYTES, MAX_REGISTER_MESSAGE_BYTES, PLACE_BATCH_CHUNKS, RESOLVE_PAGE_CHUNKS } from '../protocol/constants.ts'
import { DirectoryRequest, DirectoryResponse, InventoryPage, InventoryResponse, RegisterRequest, RegisterResponse, Status, TaskType, type NodeInfo, type Placement, type Task } from '../protocol/pb/directory.ts'
import { validateName } from '../protocol/names.ts'
import { InvalidInputError, NoCapacityError, NotFoundError } from '../errors.ts'
import { errorMessage, type Logger } from '../util/log.ts'
import type { ChunkRecord, DirectoryIndex, NodeRecord } from './index-db.ts'
import { placeChunks } from './placement.ts'
import type { Repairer } from './repair.ts'
import { isContentId } from '../content/content-id.ts'
import type { AccessPolicy, Role } from '../security/access.ts'
import { GrantOp, type GrantBytes, type GrantSigner } from '../security/grants.ts'
import { ForbiddenError } from '../errors.ts'
import { GET_GRANT_TTL_MS, MAX_PLACE_FILES_BYTES, MAX_BATCH_FILES, MAX_RESOLVE_MANY, PUT_GRANT_TTL_MS, RESOLVE_MANY_CHUNKS } from '../protocol/constants.ts'
import { Drain } from '../util/drain.ts'
import { randomInt } from 'node:crypto'
import { MAX_CHUNK_SIZE } from '../content/chunker.ts'

const trace = logger('dfs:directory')

export interface DirectoryServiceInit {
  index: DirectoryIndex
  repairer: Repairer
  log: Logger
  /** a node not heard from for this long counts as dead */
  deadAfterMs: number
  /** how often nodes are asked to heartbeat */
  heartbeatMs: number
  access: AccessPolicy
  grants: GrantSigner
  /** a client quiet this long between or within requests loses its stream */
  idleTimeoutMs: number
  /** called once per request answered (for metrics) */
  onRequest?: (protocol: 'directory' | 'register' | 'inventory', status: Status) => void
}

/** Read grants kept for reuse per (client, node); cleared wholesale past this many. */
const MAX_CACHED_READ_GRANTS = 10_000
/** Copy grants for repair tasks: a task runs within a few heartbeats. */
const COPY_GRANT_TTL_MS = 10 * 60_000

interface UploadState {
  rotation: number
  chunkSize: number
  startedAt: number
}

/** Copies of each chunk when the client does not say: three, or as many as there are live nodes. */
export const DEFAULT_REPLICAS = 3

const MAX_NODE_ADDRS = 32

function statusOf (err: unknown): Status {
  switch ((err as Error)?.name) {
    case 'InvalidInputError': return Status.INVALID
    case 'NotFoundError': return Status.NOT_FOUND
    case 'NoCapacityError': return Status.UNAVAILABLE
    case 'ForbiddenError': return Status.FORBIDDEN
    default: return Status.ERROR
  }
}

/**
 * The directory's protocol handlers: decode a message, call the index, encode
 * the reply. All state lives in the index, except per-upload placement
 * rotation, which only spreads chunks and may be lost on restart.
 */
export class DirectoryService {
  private readonly uploads = new Map<string, UploadState>()
  private readonly knownAlive = new Set<string>()
  /**
   * The version of the node table as readers see it (each node's addresses,
   * and which are alive): bumped when either changes. A resolve that names it
   * is answered without node records, which were 480 of the 794 bytes of a
   * resolve of a file with three copies; any other gets the whole table. It
   * starts at random, so a client's version from before a restart is stale.
   */
  private nodesVersion = randomInt(1, 2 ** 47)
  /** each node's addresses as the current version of the node table gives them */
  private readonly announcedAddrs = new Map<string, string>()
  /** client requests in flight: a clean stop answers them before closing */
  readonly drain = new Drain()
  /** peer -> when we last asked it for its inventory: it lists its chunks after that */
  private readonly inventoryAskedAt = new Map<string, number>()
  /** signed read grants by client and node, reused until half their life is gone (signing costs ~50 µs) */
  private readonly readGrants = new Map<string, { grant: GrantBytes, renewAt: number }>()

  constructor (private readonly init: DirectoryServiceInit) {}

  private isAlive (node: NodeRecord, now = Date.now()): boolean {
    return now - node.lastSeen <= this.init.deadAfterMs
  }

  private nodeInfo (node: NodeRecord, now = Date.now()): NodeInfo {
    return { peerId: node.peerId, addrs: node.addrs, alive: this.isAlive(node, now), used: node.used, capacity: node.capacity, chunks: node.chunks, lastSeen: node.lastSeen }
  }

  // ---- /dfs/register/1.0.0

  readonly handleRegister = async (stream: Stream, connection: Connection): Promise<void> => {
    const reader = new StreamReader(stream)
    try {
      const bytes = await reader.readMessage(MAX_REGISTER_MESSAGE_BYTES, { signal: AbortSignal.timeout(10_000) })
      if (bytes == null) {
        // the peer closed without asking anything: close our side too, or the stream lingers
        await stream.close()
        return
      }
      const request = RegisterRequest.decode(bytes)
      const peerId = connection.remotePeer.toString()
      let response: RegisterResponse
      try {
        if (!this.init.access.canRegister(peerId)) throw new ForbiddenError(`peer ${peerId} is not allowed to register as a storage node (the directory's --allow-node list)`)
        const addrs = this.checkAddrs(request.addrs, peerId)
        if (request.leaving) {
          // a clean shutdown: dead from now on, so nothing more is placed there; repair waits --repair-after as for any death
          this.init.repairer.onResults(peerId, request.results)
          this.init.index.upsertNode({ peerId, addrs, capacity: request.capacity, used: request.used, chunks: request.chunks, lastSeen: Date.now() - this.init.deadAfterMs - 1 })
          this.knownAlive.delete(peerId)
          this.nodesVersion++
          this.init.log.info(`node ${peerId} left (clean shutdown)`)
          await sendMessage(stream, RegisterResponse.encode({ status: Status.OK, message: '', heartbeatMs: 0, sendInventory: false, tasks: [] }))
          this.init.onRequest?.('register', Status.OK)
          await stream.close()
          return
        }
        const wasAlive = this.knownAlive.has(peerId)
        this.init.index.upsertNode({ peerId, addrs, capacity: request.capacity, used: request.used, chunks: request.chunks, lastSeen: Date.now() })
        const addrsKey = addrs.join(' ')
        if (!wasAlive || this.announcedAddrs.get(peerId) !== addrsKey) {
          this.announcedAddrs.set(peerId, addrsKey)
          this.nodesVersion++
        }
        if (!wasAlive) {
          this.knownAlive.add(peerId)
          const known = this.init.index.listNodes().some((node) => node.peerId === peerId && node.firstSeen < node.lastSeen)
          this.init.log.info(`node ${peerId} ${known ? 'is back: registered again' : 'registered'} (${addrs.join(', ')}; ${request.used} of ${request.capacity} bytes used)`)
        }
        this.init.repairer.onResults(peerId, request.results)
        if (request.corrupt.length > 0) this.init.repairer.onCorrupt(peerId, request.corrupt.filter((id) => isContentId(id)))
        // a node new to us (or back, or we restarted) tells us what it holds
        // (the earliest unanswered ask: a node busy sending one list ignores the next ask)
        if (!wasAlive && !this.inventoryAskedAt.has(peerId)) this.inventoryAskedAt.set(peerId, Date.now())
        const { access } = this.init
        const membership = request.membershipVersion === access.version ? undefined : { version: access.version, open: access.open, openReads: access.openReads, members: access.members }
        response = { status: Status.OK, message: '', heartbeatMs: this.init.heartbeatMs, sendInventory: !wasAlive, tasks: this.withCopyGrants(peerId, this.init.repairer.takeTasks(peerId)), membership }
      } catch (err) {
        this.init.log.warn(`refused registration from ${peerId}: ${errorMessage(err)}`)
        response = { status: statusOf(err), message: errorMessage(err), heartbeatMs: 0, sendInventory: false, tasks: [] }
      }
      await sendMessage(stream, RegisterResponse.encode(response))
      this.init.onRequest?.('register', response.status)
      await stream.close()
    } catch (err) {
      this.init.log.warn(`closed a register stream from peer ${connection.remotePeer.toString()}: ${errorMessage(err)}`)
      trace.error('register stream failed - %e', err)
      stream.abort(err as Error)
    } finally {
      reader.release()
    }
  }

  /** A repair copy is a PUT on its target: it carries the directory's grant for that one chunk. */
  private withCopyGrants (source: string, tasks: Task[]): Task[] {
    return tasks.map((task) => task.type !== TaskType.COPY || task.target == null
      ? task
      : { ...task, grant: this.init.grants.issue({ op: GrantOp.PUT, node: task.target.peerId, holder: source, chunk: task.chunkId, ttlMs: COPY_GRANT_TTL_MS }) })
  }

  private checkAddrs (addrs: string[], peerId: string): string[] {
    if (addrs.length === 0 || addrs.length > MAX_NODE_ADDRS) throw new InvalidInputError(`a node must announce 1 to ${MAX_NODE_ADDRS} addresses`)
    return addrs.map((addr) => {
      let ma
      try {
        ma = multiaddr(addr)
      } catch {
        throw new InvalidInputError(`"${addr.slice(0, 100)}" is not a multiaddr`)
      }
      const p2p = ma.getComponents().find((c) => c.name === 'p2p')
      if (p2p == null) return ma.encapsulate(`/p2p/${peerId}`).toString()
      if (p2p.value !== peerId) throw new InvalidInputError(`address ${addr} names another peer`)
      return ma.toString()
    })
  }

  // ---- /dfs/inventory/1.0.0

  readonly handleInventory = async (stream: Stream, connection: Connection): Promise<void> => {
    const reader = new StreamReader(stream)
    const peerId = connection.remotePeer.toString()
    try {
      if (!this.init.access.canRegister(peerId)) throw new ForbiddenError(`peer ${peerId} is not allowed to report an inventory: it is not an allowed storage node`)
      const chunks: string[] = []
      while (true) {
        const bytes = await reader.readMessage(MAX_INVENTORY_MESSAGE_BYTES, { signal: AbortSignal.timeout(60_000) })
        if (bytes == null) throw new InvalidInputError('the inventory ended before its last page')
        const page = InventoryPage.decode(bytes)
        for (const id of page.chunks) if (isContentId(id)) chunks.push(id)
        if (chunks.length > MAX_INVENTORY_CHUNKS) throw new InvalidInputError(`an inventory of more than ${MAX_INVENTORY_CHUNKS} chunks is not supported`)
        if (page.last) break
      }
      // changes to the index since we asked are newer than the node's list
      const { added, removed } = this.init.index.reconcileInventory(peerId, chunks, this.inventoryAskedAt.get(peerId) ?? Date.now())
      this.inventoryAskedAt.delete(peerId)
      if (added > 0 || removed > 0) this.init.log.info(`node ${peerId} holds ${chunks.length} chunks: ${added} locations added, ${removed} removed`)
      await sendMessage(stream, InventoryResponse.encode({ status: Status.OK, message: '' }))
      this.init.onRequest?.('inventory', Status.OK)
      await stream.close()
    } catch (err) {
      this.init.log.warn(`inventory from ${peerId} failed: ${errorMessage(err)}`)
      if (stream.writeStatus === 'writable') await sendMessage(stream, InventoryResponse.encode({ status: statusOf(err), message: errorMessage(err) })).catch(() => {})
      stream.abort(err as Error)
    } finally {
      reader.release()
    }
  }

  /** Forget the placement state of uploads older than `before` (their clients are gone). */
  expireUploads (before: number): void {
    for (const [id, upload] of this.uploads) if (upload.startedAt < before) this.uploads.delete(id)
  }

  /** Periodic: log nodes that stopped heartbeating. */
  checkLiveness (): void {
    const now = Date.now()
    for (const node of this.init.index.listNodes()) {
      if (this.knownAlive.has(node.peerId) && !this.isAlive(node, now)) {
        this.knownAlive.delete(node.peerId)
        this.nodesVersion++
        this.init.log.warn(`node ${node.peerId} is dead: no heartbeat for ${now - node.lastSeen} ms`)
      }
    }
  }

  // ---- /dfs/directory/1.0.0

  readonly handleDirectory = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer.toString()
    const reader = new StreamReader(stream, undefined, this.init.idleTimeoutMs)
    try {
      while (true) {
        const bytes = await reader.readMessage(MAX_DIRECTORY_MESSAGE_BYTES)
        if (bytes == null) break
        if (this.drain.draining) {
          await sendMessage(stream, DirectoryResponse.encode({ status: Status.ERROR, message: 'the directory is shutting down', uploadId: '', placements: [], nodes: [], chunks: [], files: [], grants: [] }))
          break
        }
        this.drain.begin()
        try {
          let response: Partial<DirectoryResponse>
          try {
            response = await this.dispatch(DirectoryRequest.decode(bytes), peer)
          } catch (err) {
            if (statusOf(err) === Status.ERROR) this.init.log.error(`directory request failed: ${errorMessage(err)}`)
            if (statusOf(err) === Status.FORBIDDEN) this.init.log.warn(`refused: ${errorMessage(err)}`)
            response = { status: statusOf(err), message: errorMessage(err) }
          }
          await sendMessage(stream, DirectoryResponse.encode({ status: Status.OK, message: '', uploadId: '', placements: [], nodes: [], chunks: [], files: [], grants: [], ...response }))
          this.init.onRequest?.('directory', response.status ?? Status.OK)
        } finally {
          this.drain.end()
        }
      }
      await stream.close()
    } catch (err) {
      this.init.log.warn(`closed a directory stream from peer ${peer}: ${errorMessage(err)}`)
      trace.error('directory stream failed - %e', err)
      if (stream.writeStatus === 'writable') {
        await sendMessage(stream, DirectoryResponse.encode({ status: Status.INVALID, message: errorMessage(err), uploadId: '', placements: [], nodes: [], chunks: [], files: [], grants: [] })).catch(() => {})
      }
      stream.abort(err as Error)
    } finally {
      reader.release()
    }
  }

  /** The role each request needs: writers change the namespace, readers look at it. */
  private static roleFor (request: DirectoryRequest): Role | undefined {
    if (request.begin != null || request.place != null || request.complete != null || request.abort != null || request.remove != null ||
      request.placeFiles != null || request.addFiles != null) return 'write'
    if (request.resolve != null || request.resolveMany != null || request.list != null || request.reportCorrupt != null) return 'read'
    return undefined // nodes, health: any member
  }

  private async dispatch (request: DirectoryRequest, peer: string): Promise<Partial<DirectoryResponse>> {
    const { index } = this.init
    const role = DirectoryService.roleFor(request)
    if (role != null) this.init.access.require(peer, role)
    if (request.begin != null) {
      const { name, size, chunkSize } = request.begin
      validateName(name)
      if (chunkSize <= 0 || chunkSize > MAX_CHUNK_SIZE) throw new InvalidInputError(`chunk size must be 1..${MAX_CHUNK_SIZE} bytes`)
      const replicas = this.replicasFor(request.begin.replicas, chunkSize)
      const uploadId = await index.write(() => index.beginUpload(name, replicas, Date.now()))
      this.uploads.set(uploadId, { rotation: Math.floor(Math.random() * 1024), chunkSize, startedAt: Date.now() })
      const count = size == null ? PLACE_BATCH_CHUNKS : Math.min(Math.ceil(size / chunkSize), PLACE_BATCH_CHUNKS)
      return { uploadId, ...this.place(uploadId, 0, count) }
    }
    if (request.place != null) {
      const { uploadId, first, count, exclude, need } = request.place
      if (need > 0) return this.replace(uploadId, first, need, new Set(exclude))
      return this.place(uploadId, first, Math.min(count, PLACE_BATCH_CHUNKS))
    }
    if (request.complete != null) {
      const { uploadId, fileId, size, chunks, final } = request.complete
      // the last chunks and the file in one change, so a small file costs one commit
      const file = await index.write(() => {
        if (chunks.length > 0) index.addUploadChunks(uploadId, chunks)
        return final ? index.completeUpload(uploadId, fileId, size, Date.now()) : undefined
      })
      if (file == null) return {}
      this.uploads.delete(uploadId)
      trace('recorded %s as %s (%d bytes)', file.name, file.id, file.size)
      return { file }
    }
    if (request.placeFiles != null) {
      const { bytes } = request.placeFiles
      // a client may use one placement for several batches in a row
      if (bytes > MAX_PLACE_FILES_BYTES) throw new InvalidInputError(`small files are placed at most ${MAX_PLACE_FILES_BYTES} bytes at a time`)
      return this.placeFiles(this.replicasFor(request.placeFiles.replicas, Math.max(1, bytes)), bytes)
    }
    if (request.addFiles != null) {
      const { files, replicas } = request.addFiles
      if (files.length > MAX_BATCH_FILES) throw new InvalidInputError(`a batch holds at most ${MAX_BATCH_FILES} files`)
      if (replicas <= 0) throw new InvalidInputError('replicas must be at least 1')
      for (const file of files) validateName(file.name)
      const recorded = await index.write(() => index.addFiles(files, replicas, Date.now()))
      trace('recorded %d small files', recorded.length)
      return { files: recorded }
    }
    if (request.abort != null) {
      await index.write(() => { index.abortUpload(request.abort!.uploadId) })
      this.uploads.delete(request.abort.uploadId)
      return {}
    }
    if (request.resolve != null) {
      const { ref, chunkStart } = request.resolve
      const limit = Math.min(request.resolve.chunkLimit === 0 ? RESOLVE_PAGE_CHUNKS : request.resolve.chunkLimit, RESOLVE_PAGE_CHUNKS)
      const found = index.resolveWithChunks(ref, chunkStart, limit)
      if (found == null) throw new NotFoundError(`no file has the name or ID "${ref.slice(0, 300)}"`)
      return { file: found.file, ...this.forReaders(found.chunks, peer, request.resolve.nodesVersion) }
    }
    if (request.resolveMany != null) {
      const { refs } = request.resolveMany
      if (refs.length === 0 || refs.length > MAX_RESOLVE_MANY) throw new InvalidInputError(`a batch resolves 1 to ${MAX_RESOLVE_MANY} files`)
      const limit = Math.min(request.resolveMany.chunkLimit === 0 ? RESOLVE_MANY_CHUNKS : request.resolveMany.chunkLimit, RESOLVE_MANY_CHUNKS)
      const found = refs.map((ref) => index.resolveWithChunks(ref, 0, limit))
      // every chunk's holders and grants, once for the whole batch
      const readers = this.forReaders(found.flatMap((entry) => entry?.chunks ?? []), peer, request.resolveMany.nodesVersion)
      let next = 0
      const resolved = found.map((entry, i) => {
        if (entry == null) return { status: Status.NOT_FOUND, message: `no file has the name or ID "${refs[i].slice(0, 300)}"`, chunks: [] }
        const chunks = readers.chunks.slice(next, next += entry.chunks.length)
        return { status: Status.OK, message: '', file: entry.file, chunks }
      })
      return { resolved, nodes: readers.nodes, grants: readers.grants, nodesVersion: readers.nodesVersion }
    }
    if (request.list != null) {
      const limit = Math.min(request.list.limit === 0 ? LIST_PAGE_FILES : request.list.limit, LIST_PAGE_FILES)
      return { files: index.listFiles(request.list.after, limit) }
    }
    if (request.reportCorrupt != null) {
      const { chunkId, peerId } = request.reportCorrupt
      if (isContentId(chunkId)) this.init.repairer.verify(peerId, chunkId)
      return {}
    }
    if (request.remove != null) {
      const ref = request.remove.ref
      const file = await index.write(() => index.remove(ref, Date.now()))
      if (file == null) throw new NotFoundError(`no file has the name or ID "${ref.slice(0, 300)}"`)
      this.init.log.info(`removed ${file.name !== '' ? file.name : file.id} (${file.id})`)
      return { file }
    }
    if (request.health != null) {
      const now = Date.now()
      const nodes = index.listNodes()
      const alive = nodes.filter((node) => this.isAlive(node, now)).length
      return { health: { ...(await index.health(now - this.init.deadAfterMs)), nodesAlive: alive, nodesDead: nodes.length - alive } }
    }
    if (request.nodes != null) {
      const now = Date.now()
      return { nodes: index.listNodes().map((node) => this.nodeInfo(node, now)) }
    }
    throw new InvalidInputError('empty or unknown directory request')
  }

  /** The replication target for a new upload: what was asked, checked against the live nodes with room. */
  private replicasFor (asked: number, chunkSize: number): number {
    const now = Date.now()
    const candidates = this.init.index.listNodes().filter((node) => this.isAlive(node, now) && node.capacity - node.used >= chunkSize).length
    if (asked === 0) return Math.max(1, Math.min(DEFAULT_REPLICAS, candidates))
    if (asked > candidates) {
      throw new NoCapacityError(`asked for ${asked} copies of each chunk, but only ${candidates} live node${candidates === 1 ? ' has' : 's have'} room for them; ask for fewer with --replicas`)
    }
    return asked
  }

  private place (uploadId: string, first: number, count: number): Partial<DirectoryResponse> {
    const { replicas } = this.init.index.requireUpload(uploadId)
    const upload = this.uploads.get(uploadId) ?? { rotation: 0, chunkSize: 0, startedAt: 0 }
    if (count === 0) return {}
    return this.placeOnLive({ first, count, replicas, chunkSize: upload.chunkSize, rotation: upload.rotation })
  }

  /** Placements on live nodes with room, with those nodes' addresses and a PUT grant for each. */
  private placeOnLive (options: Parameters<typeof placeChunks>[1]): Partial<DirectoryResponse> {
    const now = Date.now()
    const alive = this.init.index.listNodes().filter((node) => this.isAlive(node, now))
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
   * Nodes for batches of small files, each batch sent to all of them side by
   * side: one placement, and PUT grants for `bytes` in all (replicasFor has
   * checked that enough live nodes have room). Nothing is recorded until
   * AddFiles; chunks of a batch that never gets there are garbage the nodes'
   * inventories reveal.
   */
  private placeFiles (replicas: number, bytes: number): Partial<DirectoryResponse> {
    return this.placeOnLive({ first: 0, count: 1, replicas, chunkSize: Math.max(1, bytes), rotation: this.batchRotation++ })
  }

  /** Spreads batches of small files over the nodes (with fewer copies than nodes). */
  private batchRotation = Math.floor(Math.random() * 1024)

  /** Nodes to retry one chunk on: `need` live ones with room, none already tried. */
  private replace (uploadId: string, index: number, need: number, exclude: Set<string>): Partial<DirectoryResponse> {
    this.init.index.requireUpload(uploadId)
    const upload = this.uploads.get(uploadId) ?? { rotation: 0, chunkSize: 0, startedAt: 0 }
    const now = Date.now()
    const candidates = this.init.index.listNodes().filter((node) => this.isAlive(node, now) && !exclude.has(node.peerId))
    const placements = placeChunks(candidates, { first: index, count: 1, replicas: need, chunkSize: upload.chunkSize, rotation: upload.rotation })
    if (placements.length === 0 || placements[0].peers.length < need) {
      throw new NoCapacityError(`no other live node with room is left to hold chunk ${index}`)
    }
    const chosen = new Set(placements[0].peers)
    return { placements, nodes: candidates.filter((node) => chosen.has(node.peerId)).map((node) => this.nodeInfo(node, now)), grants: this.putGrants(placements, upload.chunkSize) }
  }

  /**
   * One PUT grant per node placed on: room for the chunks placed there, at
   * most a chunk size each. Not bound to the client: the first node passes
   * the chunk, and the next node's grant, down the replication chain.
   */
  private putGrants (placements: Placement[], chunkSize: number): GrantBytes[] {
    const chunksPerNode = new Map<string, number>()
    for (const placement of placements) for (const peer of placement.peers) chunksPerNode.set(peer, (chunksPerNode.get(peer) ?? 0) + 1)
    const perChunk = chunkSize > 0 ? chunkSize : MAX_CHUNK_SIZE
    return [...chunksPerNode].map(([node, chunks]) => this.init.grants.issue({ op: GrantOp.PUT, node, maxBytes: chunks * perChunk, ttlMs: PUT_GRANT_TTL_MS }))
  }

  /** Read grants for `client` on each node, unless reads are open; reused while fresh. */
  private getGrants (client: string, nodes: string[]): GrantBytes[] {
    if (this.init.access.openReads) return []
    const now = Date.now()
    if (this.readGrants.size > MAX_CACHED_READ_GRANTS) this.readGrants.clear()
    return nodes.map((node) => {
      const key = `${client} ${node}`
      const cached = this.readGrants.get(key)
      if (cached != null && cached.renewAt > now) return cached.grant
      const grant = this.init.grants.issue({ op: GrantOp.GET, node, holder: client, ttlMs: GET_GRANT_TTL_MS }, now)
      this.readGrants.set(key, { grant, renewAt: now + GET_GRANT_TTL_MS / 2 })
      return grant
    })
  }

  /**
   * A page of chunks as a reader wants it: each chunk's live holders first,
   * the grants for the nodes named, and the node table unless the reader
   * holds its current version (one read of the node table for all three).
   */
  private forReaders (chunks: ChunkRecord[], client: string, knownNodesVersion: number): { chunks: ChunkRecord[], nodes: NodeInfo[], grants: GrantBytes[], nodesVersion: number } {
    const now = Date.now()
    const nodes = this.init.index.listNodes()
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
