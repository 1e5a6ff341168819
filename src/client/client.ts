import { readFile, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Libp2p } from 'libp2p'
import type { AbortOptions, PrivateKey } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { createPeer } from '../net/libp2p.ts'
import { MAX_BATCH_BYTES, MAX_GET_MANY, MAX_RESOLVE_MANY, PLACE_BATCH_CHUNKS, SMALL_CHUNK_BYTES } from '../protocol/constants.ts'
import { Batcher } from '../util/batcher.ts'
import { sleep } from '../util/sleep.ts'
import type { ChunkInfo, DirectoryResponse, FileInfo, HealthSummary, NodeInfo } from '../protocol/pb/directory.ts'
import { validateName } from '../protocol/names.ts'
import { chunkStream, type Chunk } from '../content/chunker.ts'
import { fileChunks } from './file-chunks.ts'
import { SlabPool } from '../util/slab-pool.ts'
import { digestEquals, newHasher, parseContentId } from '../content/content-id.ts'
import { ManifestHasher } from '../content/manifest.ts'
import { BoundedTasks } from '../util/bounded-tasks.ts'
import { Deadline } from '../util/deadline.ts'
import { ChunkTransferError, DfsError, DirectoryUnreachableError, ForbiddenError, IntegrityError, InvalidInputError, NotFoundError } from '../errors.ts'
import { errorMessage } from '../util/log.ts'
import { readAhead } from '../util/read-ahead.ts'
import { trimHeapDuringDownload } from '../util/heap-trim.ts'
import { DirectoryClient } from './directory-client.ts'
import { SmallFileBatches } from './small-files.ts'
import { DownloadFile } from './download-file.ts'
import { readOrder } from './read-order.ts'
import { StoreClients, type StoreClient } from '../protocol/store-client.ts'
import { grantNode } from '../security/grants.ts'

export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024
export const DEFAULT_PARALLEL_CHUNKS = 3
/** Chunk records sent to the directory per batch during an upload. */
const RECORD_BATCH_CHUNKS = 256
/** A chunk read may take this long plus a millisecond per kilobyte before the next copy is tried. */
const CHUNK_READ_BASE_MS = 10_000
const CHUNK_READ_MIN_BYTES_PER_MS = 1_000
/**
 * Files up to this size (and one chunk) go through SmallFileBatches: uploads
 * running at once share placements, PUTs and commits.
 */
export const SMALL_FILE_BYTES = 256 * 1024
/** Before a chunk is tried again on nodes that failed it (no others being left): this, then twice this. */
const RETRY_SAME_NODES_MS = 200

/** Tries to get every copy of a chunk stored, each on nodes not tried before. */
const PUT_ATTEMPTS = 3

export interface ClientInit {
  /** the directory's multiaddr, with /p2p/<peer id> */
  directory: string
  /**
   * the client's identity: what the directory's allowlists name. The CLI
   * keeps one in its home folder; omitted, a new one for this session (fine
   * for an open cluster only).
   */
  privateKey?: PrivateKey
  /** bytes per chunk for uploads (default 4 MiB) */
  chunkSize?: number
  /** how long to try to reach the directory (default 5 s) */
  connectTimeoutMs?: number
  /** chunks in flight at once during an upload or download (default 3) */
  parallelChunks?: number
  /** copies of each chunk for uploads; 0 or unset: the directory's default (3, or fewer when fewer nodes are alive) */
  replicas?: number
  /**
   * Small files (up to SMALL_FILE_BYTES) uploaded at the same time share
   * batches: one placement, one request per node and one commit for many
   * files (default true). False: each goes alone, down a replication chain.
   */
  batchSmallFiles?: boolean
  /**
   * Uploads read files and downloads write them with direct I/O, past the
   * page cache, where the file system allows (default true): on the VMs
   * measured, the page cache cost more CPU than decrypting the bytes. See
   * util/direct-io.ts.
   */
  directIO?: boolean
}

export interface ProgressOptions extends AbortOptions {
  /** called with the bytes done so far and the total, when known */
  onProgress?: (done: number, total?: number) => void
}

export interface UploadOptions extends ProgressOptions {
  /** name to record the file under (default: the file's base name) */
  name?: string
  /** total bytes, when known (lets the directory place the first chunks at once) */
  size?: number
  /** copies of each chunk (default: the client's `replicas`, else the directory's default) */
  replicas?: number
}

export type Health = 'healthy' | 'under-replicated' | 'lost'

export interface FileStat {
  name: string
  id: string
  size: number
  uploadedAt: number
  /** copies each chunk should have */
  replicas: number
  /** the worst of its chunks' health */
  health: Health
  /** `peers`: the live nodes holding a copy */
  chunks: Array<{ index: number, id: string, offset: number, size: number, peers: string[], health: Health }>
}

function healthOf (live: number, target: number): Health {
  return live >= target ? 'healthy' : live > 0 ? 'under-replicated' : 'lost'
}

/**
 * The dfs client library: upload and download files, list and inspect them,
 * through a directory. The CLI is a thin shell over this.
 *
 *   const client = await DfsClient.connect({ directory })
 *   await client.uploadFile('path/to/file.txt')
 *   await client.downloadFile('file.txt', 'path/to/download')
 *   await client.close()
 */
export class DfsClient {
  private readonly stores: StoreClients

  private readonly alivePeers = new Set<string>()
  /** big chunks being read from each node now: a chunk is read from its least busy copy (read-order.ts) */
  private readonly readsInFlight = new Map<string, number>()
  /** the version of the directory's node table that alivePeers and the stores' addresses come from (0: none yet) */
  private nodesVersion = 0
  /** the directory's read grants, by node, from the latest resolve */
  private readonly readGrants = new Map<string, Uint8Array<ArrayBuffer>>()

  private readonly smallFiles: SmallFileBatches

  private constructor (readonly libp2p: Libp2p, readonly directory: DirectoryClient, private readonly chunkSize: number, private readonly parallelChunks: number, private readonly replicas: number, private readonly batchSmallFiles: boolean, private readonly directIO: boolean) {
    this.stores = new StoreClients(libp2p)
    this.smallFiles = new SmallFileBatches({
      directory,
      stores: this.stores,
      learn: (nodes) => { this.learn(nodes) },
      uploadAlone: async ({ name, bytes, replicas }) => await this.uploadChunks(chunkStream([bytes], this.chunkSize), { name, size: bytes.byteLength, replicas })
    })
  }

  /** Resolves for downloads, several in one request when downloads run at once. */
  private readonly resolves = new Batcher<string, { file: FileInfo, chunks: ChunkInfo[] }>(async (refs) => {
    const response = await this.directory.request({ resolveMany: { refs, chunkLimit: 0, nodesVersion: this.nodesVersion } })
    this.learnForReading(response)
    return response.resolved.map((entry) => entry.file == null
      ? new NotFoundError(entry.message !== '' ? entry.message : 'the directory answered without the file')
      : { file: entry.file, chunks: entry.chunks })
  }, MAX_RESOLVE_MANY)

  /** Small chunks fetched at the same time from one node go in one GET_MANY. */
  private readonly smallGets = new Map<string, Batcher<ChunkInfo, Uint8Array>>()

  private smallGetsFrom (peer: string): Batcher<ChunkInfo, Uint8Array> {
    let batcher = this.smallGets.get(peer)
    if (batcher == null) {
      batcher = new Batcher(async (chunks) => {
        const deadline = new Deadline(Math.ceil(CHUNK_READ_BASE_MS + chunks.length * SMALL_CHUNK_BYTES / CHUNK_READ_MIN_BYTES_PER_MS))
        const bodies = await this.store(peer).getMany(chunks.map((chunk) => chunk.id), { grant: this.readGrants.get(peer), signal: deadline.signal })
          .finally(() => { deadline.clear() })
        return bodies.map((body, i) => body ?? new NotFoundError(`node ${peer} does not hold chunk ${chunks[i].id}`))
      }, MAX_GET_MANY, 1, (batch, chunk) => batch.reduce((bytes, other) => bytes + other.size, chunk.size) <= MAX_BATCH_BYTES)
      this.smallGets.set(peer, batcher)
    }
    return batcher
  }

  /** Whether a file of `size` bytes goes in a batch of small files. */
  private isSmall (size: number | undefined): size is number {
    return this.batchSmallFiles && size != null && size > 0 && size <= SMALL_FILE_BYTES && size <= this.chunkSize
  }

  private async uploadSmall (bytes: Uint8Array, options: UploadOptions & { name: string }): Promise<FileInfo> {
    const name = validateName(options.name)
    const replicas = options.replicas ?? this.replicas
    if (!Number.isSafeInteger(replicas) || replicas < 0) throw new InvalidInputError(`replicas must be a whole number of copies, got ${replicas}`)
    options.onProgress?.(0, bytes.byteLength)
    const file = await this.smallFiles.add({ name, bytes, replicas }, options)
    options.onProgress?.(bytes.byteLength, bytes.byteLength)
    return file
  }

  static async connect (init: ClientInit): Promise<DfsClient> {
    let address: Multiaddr
    try {
      address = multiaddr(init.directory)
    } catch {
      throw new InvalidInputError(`the directory address "${init.directory}" is not a multiaddr`)
    }
    if (address.getComponents().find((c) => c.name === 'p2p') == null) {
      throw new InvalidInputError(`the directory address ${init.directory} has no /p2p/<peer id> part; use the full address the directory prints`)
    }
    const chunkSize = init.chunkSize ?? DEFAULT_CHUNK_SIZE
    if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) throw new InvalidInputError(`chunk size must be a positive number of bytes, got ${chunkSize}`)
    const libp2p = await createPeer({ privateKey: init.privateKey })
    try {
      await libp2p.dial(address, { signal: AbortSignal.timeout(init.connectTimeoutMs ?? 5_000) })
    } catch (err) {
      await libp2p.stop()
      throw new DirectoryUnreachableError(`cannot reach the directory at ${init.directory}: ${errorMessage(err)}. Is the directory running, and is the address right?`)
    }
    return new DfsClient(libp2p, new DirectoryClient(libp2p, address), chunkSize, Math.max(1, init.parallelChunks ?? DEFAULT_PARALLEL_CHUNKS), init.replicas ?? 0, init.batchSmallFiles ?? true, init.directIO ?? true)
  }

  private learn (nodes: NodeInfo[]): void {
    for (const node of nodes) {
      this.stores.learn(node.peerId, node.addrs)
      if (node.alive) this.alivePeers.add(node.peerId)
      else this.alivePeers.delete(node.peerId)
    }
  }

  /** The grants in a directory response, by the node each is for. */
  private static grantsByNode (grants: Array<Uint8Array<ArrayBuffer>>): Map<string, Uint8Array<ArrayBuffer>> {
    const byNode = new Map<string, Uint8Array<ArrayBuffer>>()
    for (const grant of grants) {
      const node = grantNode(grant)
      if (node != null) byNode.set(node, grant)
    }
    return byNode
  }

  private store (peerId: string): StoreClient {
    return this.stores.get(peerId)
  }

  // ---- upload

  async uploadFile (path: string, options: UploadOptions = {}): Promise<FileInfo> {
    let info
    try {
      info = await stat(path)
    } catch (err: any) {
      throw new InvalidInputError(err.code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${err.message}`)
    }
    if (!info.isFile()) throw new InvalidInputError(`${path} is not a regular file`)
    const name = options.name ?? basename(path)
    if (this.isSmall(info.size)) {
      const bytes = await readFile(path)
      // changed since the stat: the general path handles any size
      if (bytes.byteLength === info.size) return await this.uploadSmall(bytes, { ...options, name })
      return await this.uploadChunks(chunkStream([bytes], this.chunkSize), { ...options, name, size: bytes.byteLength })
    }
    // each chunk read whole into one of a few reused buffers (see SlabPool): chunks in flight, the next one, and one being read
    const pool = new SlabPool(Math.max(1, Math.min(this.chunkSize, info.size)), this.parallelChunks + 2, { direct: this.directIO })
    return await this.uploadChunks(fileChunks(path, this.chunkSize, pool), { ...options, name, size: info.size })
  }

  /** Upload a byte stream under a name. Resolves once the directory has recorded the file. */
  async upload (source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: UploadOptions & { name: string }): Promise<FileInfo> {
    if (!this.isSmall(options.size)) return await this.uploadChunks(chunkStream(source, this.chunkSize), options)
    // said to be small: gathered whole, unless it turns out bigger than small files get
    const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()
    const head: Uint8Array[] = []
    let size = 0
    let next = await iterator.next()
    for (; next.done !== true && size <= SMALL_FILE_BYTES; next = await iterator.next()) {
      head.push(next.value)
      size += next.value.byteLength
    }
    if (next.done === true && this.isSmall(size)) return await this.uploadSmall(head.length === 1 ? head[0] : Buffer.concat(head), options)
    const rest = async function * (): AsyncGenerator<Uint8Array> {
      yield * head
      for (; next.done !== true; next = await iterator.next()) yield next.value
    }
    return await this.uploadChunks(chunkStream(rest(), this.chunkSize), options)
  }

  private async uploadChunks (chunks: AsyncIterable<Chunk>, options: UploadOptions & { name: string }): Promise<FileInfo> {
    const name = validateName(options.name)
    const replicas = options.replicas ?? this.replicas
    if (!Number.isSafeInteger(replicas) || replicas < 0) throw new InvalidInputError(`replicas must be a whole number of copies, got ${replicas}`)
    const begin = await this.directory.request({ begin: { name, size: options.size, chunkSize: this.chunkSize, replicas } }, options)
    const uploadId = begin.uploadId
    const placements = new Map<number, Placed>()
    const remember = (response: { placements: Array<{ index: number, peers: string[] }>, nodes: NodeInfo[], grants: Array<Uint8Array<ArrayBuffer>> }): void => {
      this.learn(response.nodes)
      const grants = DfsClient.grantsByNode(response.grants)
      for (const p of response.placements) placements.set(p.index, { peers: p.peers, grants })
    }
    remember(begin)

    try {
      const manifest = new ManifestHasher()
      const puts = new BoundedTasks(this.parallelChunks)
      let total = 0
      let stored = 0
      let recorded: ChunkInfo[] = []
      // read and hash the next chunk while this one is being sent
      for await (const chunk of readAhead(chunks, 1)) {
        options.signal?.throwIfAborted()
        manifest.addChunk(chunk.id)
        total += chunk.size
        if (!placements.has(chunk.index)) {
          remember(await this.directory.request({ place: { uploadId, first: chunk.index, count: PLACE_BATCH_CHUNKS, exclude: [], need: 0 } }, options))
        }
        const placed = placements.get(chunk.index)
        if (placed == null || placed.peers.length === 0) throw new ChunkTransferError(`the directory gave no node for chunk ${chunk.index}`)
        placements.delete(chunk.index)
        await puts.add(async () => {
          try {
            const holders = await this.putChunk(uploadId, chunk, placed, options)
            recorded.push({ index: chunk.index, id: chunk.id, offset: chunk.offset, size: chunk.size, peers: holders })
            stored += chunk.size
            options.onProgress?.(stored, options.size)
          } finally {
            chunk.release?.()
          }
        })
        if (recorded.length >= RECORD_BATCH_CHUNKS) {
          const batch = recorded
          recorded = []
          await this.directory.request({ complete: { uploadId, fileId: '', size: 0, chunks: batch, final: false } }, options)
        }
      }
      await puts.done()
      const fileId = manifest.finish(total)
      const done = await this.directory.request({ complete: { uploadId, fileId, size: total, chunks: recorded, final: true } }, options)
      if (done.file == null) throw new ChunkTransferError('the directory did not confirm the upload')
      return done.file
    } catch (err) {
      await this.directory.request({ abort: { uploadId } }, { signal: AbortSignal.timeout(2_000) }).catch(() => {})
      throw err
    }
  }

  /**
   * Store a chunk on `peers.length` distinct nodes, sending it once: the first
   * node passes it down the chain as it stores it (pipelined replication, as
   * HDFS does). Nodes that fail are replaced by others the directory picks,
   * a few times over; the chunk counts only with every copy verified.
   * Resolves with the nodes that hold it.
   */
  private async putChunk (uploadId: string, chunk: Chunk, placed: Placed, options?: AbortOptions): Promise<string[]> {
    const target = placed.peers.length
    const stored = new Set<string>()
    // where a chain broke: the first node in it that did not store the chunk
    const failed = new Set<string>()
    const problems: string[] = []
    const refusals: ForbiddenError[] = []
    let targets = placed.peers
    let grants = placed.grants
    for (let attempt = 0; attempt < PUT_ATTEMPTS; attempt++) {
      if (attempt > 0) {
        const place = async (exclude: string[]): Promise<DirectoryResponse | undefined> => await this.directory.request({
          place: { uploadId, first: chunk.index, count: 1, exclude, need: target - stored.size }
        }, options).catch((err) => { problems.push(errorMessage(err)); return undefined })
        // other nodes first; with none left (as many nodes as copies), the same ones again a moment
        // later: a node that failed may have been refusing streams for an instant, not be gone
        let replacement = await place([...stored, ...failed])
        if (replacement == null && failed.size > 0) {
          await sleep(RETRY_SAME_NODES_MS * attempt, options?.signal)
          replacement = await place([...stored])
        }
        if (replacement == null || replacement.placements.length === 0) break
        this.learn(replacement.nodes)
        targets = replacement.placements[0].peers
        grants = DfsClient.grantsByNode(replacement.grants)
      }
      const [head, ...rest] = targets
      try {
        const outcome = await this.store(head).put(chunk, chunk.pieces, {
          ...options,
          grant: grants.get(head),
          forward: rest.map((peerId) => ({ peerId, addrs: this.stores.addrsOf(peerId), grant: grants.get(peerId) }))
        })
        for (const peer of outcome.stored) if (targets.includes(peer)) stored.add(peer)
        if (outcome.problem != null) problems.push(outcome.problem)
      } catch (err) {
        options?.signal?.throwIfAborted()
        // a node that refuses a client the directory accepted is stopping, or has not heard of
        // a membership change yet: like a node that is down, another one takes the chunk
        if (err instanceof ForbiddenError) refusals.push(err)
        problems.push(`node ${head}: ${errorMessage(err)}`)
      }
      const broke = targets.find((peer) => !stored.has(peer))
      if (broke != null) failed.add(broke)
      if (stored.size >= target) return [...stored]
    }
    // refused everywhere: say so plainly, it is for the operator to fix
    if (refusals.length > 0 && refusals.length === problems.length) throw refusals[0]
    throw new ChunkTransferError(`could store only ${stored.size} of ${target} copies of chunk ${chunk.index}: ${problems.join('; ')}`)
  }

  // ---- download

  /** Look a file up by ID or name, with one page of its chunks. */
  async resolve (ref: string, chunkStart = 0, options?: AbortOptions): Promise<{ file: FileInfo, chunks: ChunkInfo[] }> {
    const response = await this.directory.request({ resolve: { ref, chunkStart, chunkLimit: 0, nodesVersion: this.nodesVersion } }, options)
    if (response.file == null) throw new ChunkTransferError('the directory answered without the file')
    this.learnForReading(response)
    return { file: response.file, chunks: response.chunks }
  }

  /**
   * Where the nodes are and which are alive, when the directory sent its node
   * table (it does when ours is not its current version), and the read grants
   * for the nodes a resolve names.
   */
  private learnForReading (response: { nodes: NodeInfo[], grants: Array<Uint8Array<ArrayBuffer>>, nodesVersion: number }): void {
    this.learn(response.nodes)
    // an answer with nodes is the whole table of that version; one without confirms ours
    if (response.nodes.length > 0) this.nodesVersion = response.nodesVersion
    for (const [node, grant] of DfsClient.grantsByNode(response.grants)) this.readGrants.set(node, grant)
  }

  /** A resolve to download: batched with others running at once; the first chunks only (allChunks pages on). */
  private async resolveToRead (ref: string, options?: AbortOptions): Promise<{ file: FileInfo, chunks: ChunkInfo[] }> {
    return await this.resolves.add(ref, options?.signal)
  }

  /** Every chunk of a file, page by page. */
  private async * allChunks (file: FileInfo, firstPage: ChunkInfo[], options?: AbortOptions): AsyncGenerator<ChunkInfo> {
    let page = firstPage
    let next = 0
    while (next < file.chunkCount) {
      if (page.length === 0) throw new ChunkTransferError(`the directory has no record of chunk ${next} of ${file.id}`)
      for (const chunk of page) {
        if (chunk.index !== next) throw new ChunkTransferError(`the directory skipped chunk ${next} of ${file.id}`)
        yield chunk
        next++
      }
      if (next < file.chunkCount) page = (await this.resolve(file.id, next, options)).chunks
    }
  }

  /**
   * Fetch one chunk from the first node that returns bytes matching its ID.
   * With `into` (a buffer at least chunk.size long), the bytes are copied
   * there as they arrive, so the stream's own buffers die young (see
   * SlabPool), and the result is one view of it.
   */
  private async fetchChunk (chunk: ChunkInfo, options?: AbortOptions, into?: Uint8Array): Promise<Uint8Array[]> {
    const { digest } = parseContentId(chunk.id, 'chunk')
    const problems: string[] = []
    for (const peer of readOrder(chunk.peers, this.alivePeers, chunk.index, this.readsInFlight)) {
      const pieces: Uint8Array[] = []
      let filled = 0
      const hasher = newHasher()
      // a node that stalls is given up on, and the next copy tried
      const deadline = new Deadline(Math.ceil(CHUNK_READ_BASE_MS + chunk.size / CHUNK_READ_MIN_BYTES_PER_MS), options?.signal)
      const signal = deadline.signal
      const onPiece = (piece: Uint8Array): void => {
        hasher.update(piece)
        if (into == null) {
          pieces.push(piece)
        } else if (filled + piece.byteLength <= into.byteLength) {
          into.set(piece, filled)
        }
        filled += piece.byteLength
      }
      try {
        let size: number
        if (chunk.size <= SMALL_CHUNK_BYTES) {
          // with other small reads from that node, in one request
          const bytes = await this.smallGetsFrom(peer).add(chunk, signal)
          onPiece(bytes)
          size = bytes.byteLength
        } else {
          this.readsInFlight.set(peer, (this.readsInFlight.get(peer) ?? 0) + 1)
          try {
            size = await this.store(peer).get(chunk.id, onPiece, { signal, grant: this.readGrants.get(peer), size: chunk.size })
          } finally {
            const left = this.readsInFlight.get(peer)! - 1
            if (left > 0) this.readsInFlight.set(peer, left)
            else this.readsInFlight.delete(peer)
          }
        }
        if (size !== chunk.size || filled !== chunk.size || !digestEquals(hasher.digest(), digest)) {
          // let the directory have that node check its copy, and repair it if it is bad
          this.directory.request({ reportCorrupt: { chunkId: chunk.id, peerId: peer } }).catch(() => {})
          throw new IntegrityError(`node ${peer} returned corrupt bytes for chunk ${chunk.index} (${chunk.id})`)
        }
        return into == null ? pieces : [into.subarray(0, filled)]
      } catch (err) {
        options?.signal?.throwIfAborted()
        problems.push(deadline.expired ? `node ${peer} was too slow` : errorMessage(err))
      } finally {
        deadline.clear()
      }
    }
    if (chunk.peers.length === 0) problems.push('no node holds it')
    const corrupt = problems.some((p) => p.includes('corrupt') || p.includes('returned'))
    const message = `cannot get chunk ${chunk.index} (${chunk.id}): ${problems.join('; ')}`
    throw corrupt ? new IntegrityError(message) : new ChunkTransferError(message)
  }

  /**
   * A file's bytes, in order. Chunks are fetched several at a time from their
   * nodes; each is verified against its ID before it is yielded, and the chunk
   * list against the file ID at the end (the generator throws IntegrityError
   * instead of finishing if it does not match).
   */
  async * download (ref: string, options: ProgressOptions = {}): AsyncGenerator<Uint8Array> {
    const { file, chunks } = await this.resolveToRead(ref, options)
    yield * this.downloadResolved(file, chunks, options)
  }

  private async * downloadResolved (file: FileInfo, firstPage: ChunkInfo[], options: ProgressOptions): AsyncGenerator<Uint8Array> {
    let done = 0
    options.onProgress?.(0, file.size)
    for await (const fetched of this.fetchInOrder(file, firstPage, options)) {
      for (const piece of fetched.pieces) yield piece
      done += fetched.size
      options.onProgress?.(done, file.size)
    }
  }

  /**
   * A file's chunks in order, each verified against its ID, several fetched
   * at once; the chunk list is checked against the file ID at the end (throws
   * IntegrityError instead of finishing if it does not match).
   */
  private async * fetchInOrder (file: FileInfo, firstPage: ChunkInfo[], options: AbortOptions): AsyncGenerator<{ pieces: Uint8Array[], size: number }> {
    parseContentId(file.id, 'file')
    const manifest = new ManifestHasher()
    const ahead: Array<{ fetching: Promise<Uint8Array[]>, size: number }> = []
    let done = 0
    const endTrim = this.trimHeapDuring(file)
    try {
      for await (const chunk of this.allChunks(file, firstPage, options)) {
        manifest.addChunk(chunk.id)
        const fetching = this.fetchChunk(chunk, options)
        fetching.catch(() => {}) // handled when its turn comes
        ahead.push({ fetching, size: chunk.size })
        if (ahead.length >= this.parallelChunks) {
          const head = ahead.shift()!
          yield { pieces: await head.fetching, size: head.size }
          done += head.size
        }
      }
      while (ahead.length > 0) {
        const head = ahead.shift()!
        yield { pieces: await head.fetching, size: head.size }
        done += head.size
      }
    } finally {
      // also when the reader stops early (the generator is returned)
      endTrim()
    }
    if (done !== file.size || manifest.finish(file.size) !== file.id) {
      throw new IntegrityError(`the chunks the directory listed do not make up file ${file.id}`)
    }
  }

  /**
   * Full GCs on a clock while `file` downloads (see heap-trim.ts); the
   * function returned ends them. Not for a file of one chunk: it is over
   * before the first would come, and many small downloads side by side
   * would keep the clock going for nothing.
   */
  private trimHeapDuring (file: FileInfo): () => void {
    return file.chunkCount > 1 ? trimHeapDuringDownload() : () => {}
  }

  /**
   * Download to `dest`: a file path, or an existing folder (the file keeps its
   * name). The bytes go to a temporary file beside the destination, which is
   * renamed into place only after every byte has been verified.
   */
  async downloadFile (ref: string, dest: string, options: ProgressOptions = {}): Promise<{ path: string, file: FileInfo }> {
    const into = await destinationFolder(dest)
    const { file, chunks } = await this.resolveToRead(ref, options)
    // the name comes from the directory: check it again before using it as a path
    const target = into != null ? join(into, validateName(file.name !== '' ? file.name : file.id)) : dest
    const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.dfs-part`)
    const out = await DownloadFile.create(tmp, file.size, this.directIO)
    // each chunk is written at its offset as soon as it is verified, in whatever order chunks
    // arrive: a slow node or a write holds up only its own chunk, not those behind it. Each chunk
    // in flight costs ~20 MiB of peak RSS (its slab, and the buffers its stream goes through):
    // one more than parallelChunks was 10-20 % faster but took the client past 150 MB. A write
    // holds its slab but not its fetch's place, so the next chunk is asked for while the last is
    // written: one spare slab (4 MiB) instead of a stream idle for the length of a write
    const pool = new SlabPool(Math.max(1, ...chunks.map((chunk) => chunk.size)), this.parallelChunks + 1, { direct: out.directIO })
    const fetches = new BoundedTasks(this.parallelChunks)
    const writes = new BoundedTasks(this.parallelChunks + 1)
    const endTrim = this.trimHeapDuring(file)
    // on a failure, chunks still in flight are given up at once
    const giveUp = new AbortController()
    const fetchOptions = { signal: options.signal != null ? AbortSignal.any([options.signal, giveUp.signal]) : giveUp.signal }
    try {
      parseContentId(file.id, 'file')
      const manifest = new ManifestHasher()
      let listed = 0
      let done = 0
      options.onProgress?.(0, file.size)
      for await (const chunk of this.allChunks(file, chunks, options)) {
        // offsets come from the directory: they must tile the file, as the verified sizes do
        if (chunk.offset !== listed) throw new IntegrityError(`the directory placed chunk ${chunk.index} of ${file.id} at byte ${chunk.offset}, not ${listed}`)
        manifest.addChunk(chunk.id)
        listed += chunk.size
        await fetches.add(async () => {
          const slab = chunk.size <= pool.slabSize ? await pool.acquire() : undefined
          let pieces: Uint8Array[]
          try {
            pieces = await this.fetchChunk(chunk, fetchOptions, slab)
          } catch (err) {
            if (slab != null) pool.release(slab)
            throw err
          }
          let queued = false
          try {
            await writes.add(async () => {
              queued = true
              try {
                let position = chunk.offset
                for (const piece of pieces) {
                  await out.writeAt(piece, position)
                  position += piece.byteLength
                }
              } catch (err: any) {
                throw new DfsError(`cannot write ${target}: ${err.code === 'ENOSPC' ? 'the disk is full' : err.code === 'EFBIG' ? 'the file is larger than this system allows' : errorMessage(err)}`, { cause: err })
              } finally {
                if (slab != null) pool.release(slab)
              }
              done += chunk.size
              options.onProgress?.(done, file.size)
            })
          } finally {
            // an earlier write failed, so this one never ran: its slab must still go back
            if (!queued && slab != null) pool.release(slab)
          }
        })
      }
      await fetches.done()
      await writes.done()
      if (listed !== file.size || manifest.finish(file.size) !== file.id) {
        throw new IntegrityError(`the chunks the directory listed do not make up file ${file.id}`)
      }
      await out.finish()
      await rename(tmp, target)
    } catch (err) {
      // chunks still in flight stop before their file goes
      giveUp.abort()
      await fetches.done().catch(() => {})
      await writes.done().catch(() => {})
      await out.abandon()
      await rm(tmp, { force: true })
      throw err
    } finally {
      endTrim()
    }
    return { path: target, file }
  }

  // ---- inspection

  async stat (ref: string, options?: AbortOptions): Promise<FileStat> {
    const { file, chunks: firstPage } = await this.resolve(ref, 0, options)
    const chunks: FileStat['chunks'] = []
    let worst = 0
    const order: Health[] = ['healthy', 'under-replicated', 'lost']
    for await (const chunk of this.allChunks(file, firstPage, options)) {
      const live = chunk.peers.filter((peer) => this.alivePeers.has(peer))
      const health = healthOf(live.length, file.replicas)
      worst = Math.max(worst, order.indexOf(health))
      chunks.push({ index: chunk.index, id: chunk.id, offset: chunk.offset, size: chunk.size, peers: live, health })
    }
    return { name: file.name, id: file.id, size: file.size, uploadedAt: file.uploadedAt, replicas: file.replicas, health: order[worst], chunks }
  }

  async list (options?: AbortOptions): Promise<FileInfo[]> {
    const files: FileInfo[] = []
    let after = ''
    while (true) {
      const page = (await this.directory.request({ list: { after, limit: 0 } }, options)).files
      files.push(...page)
      if (page.length === 0) return files
      after = page[page.length - 1].name
    }
  }

  /**
   * Delete a file by name (the file goes when no other name points to it) or
   * by ID (with all its names). Its chunks are deleted from the nodes after
   * the directory's grace period, unless another file uses them.
   */
  async remove (ref: string, options?: AbortOptions): Promise<FileInfo> {
    const file = (await this.directory.request({ remove: { ref } }, options)).file
    if (file == null) throw new ChunkTransferError('the directory answered without the removed file')
    return file
  }

  /** Chunks across the cluster by health, and nodes alive and dead. */
  async health (options?: AbortOptions): Promise<HealthSummary> {
    const summary = (await this.directory.request({ health: {} }, options)).health
    if (summary == null) throw new ChunkTransferError('the directory answered without a health summary')
    return summary
  }

  async nodes (options?: AbortOptions): Promise<NodeInfo[]> {
    return (await this.directory.request({ nodes: {} }, options)).nodes
  }

  async close (): Promise<void> {
    await this.stores.close()
    await this.directory.close().catch(() => {})
    await this.libp2p.stop()
  }
}

/** Placements for one chunk, and the grants that came with them. */
interface Placed {
  peers: string[]
  grants: Map<string, Uint8Array<ArrayBuffer>>
}

/**
 * Where a download goes: the folder to put it in (when `dest` is an existing
 * folder), or undefined when `dest` names the file itself, whose folder must
 * exist. Checked before anything is fetched.
 */
async function destinationFolder (dest: string): Promise<string | undefined> {
  const info = await stat(dest).catch(() => undefined)
  if (info?.isDirectory() === true) return dest
  if (info != null && !info.isFile()) throw new InvalidInputError(`${dest} exists and is not a regular file or a folder`)
  if (info == null && /[/\\]$/.test(dest)) throw new InvalidInputError(`folder ${dest} does not exist`)
  const parent = await stat(dirname(dest)).catch(() => undefined)
  if (parent?.isDirectory() !== true) throw new InvalidInputError(`cannot write ${dest}: folder ${dirname(dest)} does not exist`)
  return undefined
}
