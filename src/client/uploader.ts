import { readFile, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { AbortOptions } from '@libp2p/interface'
import { pipe } from 'it-pipe'
import { PLACE_BATCH_CHUNKS } from '../protocol/constants.ts'
import type { ChunkInfo, DirectoryResponse, FileInfo } from '../protocol/pb/directory.ts'
import { validateName } from '../protocol/names.ts'
import { chunkStream, type Chunk } from '../content/chunker.ts'
import { ManifestHasher } from '../content/manifest.ts'
import { BoundedTasks } from '../util/bounded-tasks.ts'
import { SlabPool } from '../util/slab-pool.ts'
import { readAhead } from '../util/read-ahead.ts'
import { sleep } from '../util/sleep.ts'
import { errorMessage } from '../util/log.ts'
import { ChunkTransferError, ForbiddenError, InvalidInputError } from '../errors.ts'
import type { DirectoryClient } from './directory-client.ts'
import { grantsByNode, PlacementCache, type ClusterView, type Placed } from './cluster-view.ts'
import type { ProgressOptions } from './downloader.ts'
import { fileChunks } from './file-chunks.ts'
import { SmallFileBatches } from './small-files.ts'

/** Chunk records sent to the directory per batch during an upload. */
const RECORD_BATCH_CHUNKS = 256
/**
 * Files up to this size (and one chunk) go through SmallFileBatches: uploads
 * running at once share placements, PUTs and commits.
 */
export const SMALL_FILE_BYTES = 256 * 1024
/** Before a chunk is tried again on nodes that failed it (no others being left): this, then twice this. */
const RETRY_SAME_NODES_MS = 200

/** Tries to get every copy of a chunk stored, each on nodes not tried before. */
const PUT_ATTEMPTS = 3

export interface UploadOptions extends ProgressOptions {
  /** name to record the file under (default: the file's base name) */
  name?: string
  /** total bytes, when known (lets the directory place the first chunks at once) */
  size?: number
  /** copies of each chunk (default: the client's `replicas`, else the directory's default) */
  replicas?: number
}

export interface UploaderInit {
  directory: DirectoryClient
  view: ClusterView
  /** bytes per chunk */
  chunkSize: number
  /** chunks sent at once */
  parallelChunks: number
  /** copies of each chunk unless an upload says; 0: the directory's default */
  replicas: number
  /** small files uploaded at the same time share batches (see SmallFileBatches) */
  batchSmallFiles: boolean
  /** read files with direct I/O where the file system allows */
  directIO: boolean
}

/**
 * Uploads: a file or stream cut into chunks, each chunk sent once down a
 * chain of the nodes the directory placed it on (retried on others when a
 * node fails), and recorded with the directory; small files in batches.
 */
export class Uploader {
  private readonly directory: DirectoryClient
  private readonly view: ClusterView
  private readonly chunkSize: number
  private readonly parallelChunks: number
  private readonly replicas: number
  private readonly batchSmallFiles: boolean
  private readonly directIO: boolean
  private readonly smallFiles: SmallFileBatches

  constructor (init: UploaderInit) {
    this.directory = init.directory
    this.view = init.view
    this.chunkSize = init.chunkSize
    this.parallelChunks = Math.max(1, init.parallelChunks)
    this.replicas = init.replicas
    this.batchSmallFiles = init.batchSmallFiles
    this.directIO = init.directIO
    this.smallFiles = new SmallFileBatches({
      directory: init.directory,
      stores: init.view.stores,
      learn: (nodes) => { this.view.learn(nodes) },
      uploadAlone: async ({ name, bytes, replicas }) => await this.uploadChunks(chunkStream([bytes], this.chunkSize), { name, size: bytes.byteLength, replicas })
    })
  }

  /** Whether a file of `size` bytes goes in a batch of small files. */
  private isSmall (size: number | undefined): size is number {
    return this.batchSmallFiles && size != null && size > 0 && size <= SMALL_FILE_BYTES && size <= this.chunkSize
  }

  private replicasFor (options: UploadOptions): number {
    const replicas = options.replicas ?? this.replicas
    if (!Number.isSafeInteger(replicas) || replicas < 0) throw new InvalidInputError(`replicas must be a whole number of copies, got ${replicas}`)
    return replicas
  }

  private async uploadSmall (bytes: Uint8Array, options: UploadOptions & { name: string }): Promise<FileInfo> {
    const name = validateName(options.name)
    const replicas = this.replicasFor(options)
    options.onProgress?.(0, bytes.byteLength)
    const file = await this.smallFiles.add({ name, bytes, replicas }, options)
    options.onProgress?.(bytes.byteLength, bytes.byteLength)
    return file
  }

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

  /**
   * The upload pipeline: chunks (cut and hashed as they are read) → the next
   * one read ahead while this one is sent → placed, sent and recorded.
   */
  private async uploadChunks (chunks: AsyncIterable<Chunk>, options: UploadOptions & { name: string }): Promise<FileInfo> {
    const name = validateName(options.name)
    const replicas = this.replicasFor(options)
    const begin = await this.directory.request({ begin: { name, size: options.size, chunkSize: this.chunkSize, replicas } }, options)
    const uploadId = begin.uploadId
    const placements = new PlacementCache(this.view)
    placements.remember(begin)
    try {
      return await pipe(
        chunks,
        (source) => readAhead(source, 1),
        async (source) => await this.storeChunks(uploadId, source, placements, options)
      )
    } catch (err) {
      await this.directory.request({ abort: { uploadId } }, { signal: AbortSignal.timeout(2_000) }).catch(() => {})
      throw err
    }
  }

  /** Send each chunk to its nodes, `parallelChunks` at once, recording them in batches; then commit the file. */
  private async storeChunks (uploadId: string, chunks: AsyncIterable<Chunk>, placements: PlacementCache, options: UploadOptions): Promise<FileInfo> {
    const manifest = new ManifestHasher()
    const puts = new BoundedTasks(this.parallelChunks)
    let total = 0
    let stored = 0
    let recorded: ChunkInfo[] = []
    for await (const chunk of chunks) {
      options.signal?.throwIfAborted()
      manifest.addChunk(chunk.id)
      total += chunk.size
      if (!placements.has(chunk.index)) {
        placements.remember(await this.directory.request({ place: { uploadId, first: chunk.index, count: PLACE_BATCH_CHUNKS, exclude: [], need: 0 } }, options))
      }
      const placed = placements.take(chunk.index)
      if (placed == null || placed.peers.length === 0) throw new ChunkTransferError(`the directory gave no node for chunk ${chunk.index}`)
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
        this.view.learn(replacement.nodes)
        targets = replacement.placements[0].peers
        grants = grantsByNode(replacement.grants)
      }
      const [head, ...rest] = targets
      try {
        const outcome = await this.view.store(head).put(chunk, chunk.pieces, {
          ...options,
          grant: grants.get(head),
          forward: rest.map((peerId) => ({ peerId, addrs: this.view.stores.addrsOf(peerId), grant: grants.get(peerId) }))
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
}
