import { rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { AbortOptions } from '@libp2p/interface'
import { MAX_BATCH_BYTES, MAX_GET_MANY, SMALL_CHUNK_BYTES } from '../protocol/constants.ts'
import type { ChunkInfo, FileInfo } from '../protocol/pb/directory.ts'
import { validateName } from '../protocol/names.ts'
import { digestEquals, newHasher, parseContentId } from '../content/content-id.ts'
import { ManifestHasher } from '../content/manifest.ts'
import { Batcher } from '../util/batcher.ts'
import { BoundedTasks } from '../util/bounded-tasks.ts'
import { Deadline } from '../util/deadline.ts'
import { SlabPool } from '../util/slab-pool.ts'
import { trimHeapDuringDownload } from '../util/heap-trim.ts'
import { errorMessage } from '../util/log.ts'
import { ChunkTransferError, DfsError, IntegrityError, InvalidInputError, NotFoundError } from '../errors.ts'
import type { ClusterView } from './cluster-view.ts'
import { DownloadFile } from './download-file.ts'
import { readOrder } from './read-order.ts'

/** A chunk read may take this long plus a millisecond per kilobyte before the next copy is tried. */
const CHUNK_READ_BASE_MS = 10_000
const CHUNK_READ_MIN_BYTES_PER_MS = 1_000

export interface ProgressOptions extends AbortOptions {
  /** called with the bytes done so far and the total, when known */
  onProgress?: (done: number, total?: number) => void
}

/** A file and the first page of its chunks, as a resolve gives them. */
export interface Resolved {
  file: FileInfo
  chunks: ChunkInfo[]
}

/**
 * Where a download learns what to read: the directory over the network for a
 * client, the directory's own index for its HTTP downloads. Whatever answers
 * also keeps the cluster view current (nodes, liveness, read grants).
 */
export interface ChunkSource {
  /** a file by ID or name, with the first page of its chunks */
  resolve: (ref: string, options?: AbortOptions) => Promise<Resolved>
  /** the next page of a file's chunks, from chunk `start` */
  chunksFrom: (fileId: string, start: number, options?: AbortOptions) => Promise<ChunkInfo[]>
  /** a node returned bytes that do not match a chunk's ID: have it check its copy (never throws) */
  reportCorrupt: (chunkId: string, peerId: string) => void
}

/** A chunk's bytes, verified against its ID. */
export interface VerifiedChunk {
  chunk: ChunkInfo
  pieces: Uint8Array[]
  /** gives the chunk's slab back to its pool (see VerifiedChunkOptions.slabs) once its bytes are used */
  release: () => void
}

export interface VerifiedChunkOptions extends AbortOptions {
  /**
   * In read order (for a stream of the file's bytes), or as each arrives (for
   * writes at their offsets: a slow node holds up only its own chunk).
   */
  inOrder: boolean
  /** chunks that fit are fetched into a slab of this pool, given back by `release` */
  slabs?: SlabPool
}

/** A fetch in flight, and how it ended. */
interface Fetch {
  chunk: ChunkInfo
  /** resolves (never rejects) once the fetch has ended */
  ended: Promise<Fetch>
  slab?: Uint8Array
  pieces?: Uint8Array[]
  error?: unknown
}

export interface DownloaderInit {
  view: ClusterView
  source: ChunkSource
  /** chunks fetched at once */
  parallelChunks: number
  /** write downloads with direct I/O where the file system allows */
  directIO: boolean
}

/**
 * Downloads: every chunk read from its nodes in read order with fallbacks,
 * verified against its ID, and the chunk list against the file's ID, in one
 * iterator (verifiedChunks) that streams and file downloads both consume.
 */
export class Downloader {
  private readonly view: ClusterView
  private readonly source: ChunkSource
  private readonly parallelChunks: number
  private readonly directIO: boolean

  /** Small chunks fetched at the same time from one node go in one GET_MANY. */
  private readonly smallGets = new Map<string, Batcher<ChunkInfo, Uint8Array>>()

  constructor (init: DownloaderInit) {
    this.view = init.view
    this.source = init.source
    this.parallelChunks = Math.max(1, init.parallelChunks)
    this.directIO = init.directIO
  }

  private smallGetsFrom (peer: string): Batcher<ChunkInfo, Uint8Array> {
    let batcher = this.smallGets.get(peer)
    if (batcher == null) {
      batcher = new Batcher(async (chunks) => {
        const deadline = new Deadline(Math.ceil(CHUNK_READ_BASE_MS + chunks.length * SMALL_CHUNK_BYTES / CHUNK_READ_MIN_BYTES_PER_MS))
        const bodies = await this.view.store(peer).getMany(chunks.map((chunk) => chunk.id), { grant: this.view.readGrants.get(peer), signal: deadline.signal })
          .finally(() => { deadline.clear() })
        return bodies.map((body, i) => body ?? new NotFoundError(`node ${peer} does not hold chunk ${chunks[i].id}`))
      }, MAX_GET_MANY, 1, (batch, chunk) => batch.reduce((bytes, other) => bytes + other.size, chunk.size) <= MAX_BATCH_BYTES)
      this.smallGets.set(peer, batcher)
    }
    return batcher
  }

  /** Every chunk of a file, page by page. */
  async * allChunks (file: FileInfo, firstPage: ChunkInfo[], options?: AbortOptions): AsyncGenerator<ChunkInfo> {
    let page = firstPage
    let next = 0
    while (next < file.chunkCount) {
      if (page.length === 0) throw new ChunkTransferError(`the directory has no record of chunk ${next} of ${file.id}`)
      for (const chunk of page) {
        if (chunk.index !== next) throw new ChunkTransferError(`the directory skipped chunk ${next} of ${file.id}`)
        yield chunk
        next++
      }
      if (next < file.chunkCount) page = await this.source.chunksFrom(file.id, next, options)
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
    for (const peer of readOrder(chunk.peers, this.view.alivePeers, chunk.index, this.view.readsInFlight)) {
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
          this.view.countRead(peer, 1)
          try {
            size = await this.view.store(peer).get(chunk.id, onPiece, { signal, grant: this.view.readGrants.get(peer), size: chunk.size })
          } finally {
            this.view.countRead(peer, -1)
          }
        }
        if (size !== chunk.size || filled !== chunk.size || !digestEquals(hasher.digest(), digest)) {
          // let the directory have that node check its copy, and repair it if it is bad
          this.source.reportCorrupt(chunk.id, peer)
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
   * A file's chunks, each verified against its ID, `parallelChunks` fetched at
   * once; the chunk list is checked against the file ID at the end (throws
   * IntegrityError instead of finishing if it does not match), so a consumer
   * that reaches the end of the loop has every byte of the file verified.
   * Stopped early, it gives up the fetches still in flight.
   */
  async * verifiedChunks (file: FileInfo, firstPage: ChunkInfo[], options: VerifiedChunkOptions): AsyncGenerator<VerifiedChunk> {
    parseContentId(file.id, 'file')
    const { slabs, inOrder } = options
    const manifest = new ManifestHasher()
    // on a failure or an early stop, chunks still in flight are given up at once
    const giveUp = new AbortController()
    const fetchOptions = { signal: options.signal != null ? AbortSignal.any([options.signal, giveUp.signal]) : giveUp.signal }
    const inFlight: Fetch[] = []
    // gives a fetch's slab back, once however often it is called
    const releaseSlab = (fetch: Fetch): void => {
      if (fetch.slab == null) return
      slabs?.release(fetch.slab)
      fetch.slab = undefined
    }
    const start = (chunk: ChunkInfo): Fetch => {
      const fetch = { chunk } as Fetch
      fetch.ended = (async () => {
        try {
          if (slabs != null && chunk.size <= slabs.slabSize) fetch.slab = await slabs.acquire()
          fetch.pieces = await this.fetchChunk(chunk, fetchOptions, fetch.slab)
        } catch (err) {
          fetch.error = err ?? new Error('a chunk fetch failed')
          releaseSlab(fetch)
        }
        return fetch
      })()
      return fetch
    }
    const endTrim = this.trimHeapDuring(file)
    let listed = 0
    try {
      const chunks = this.allChunks(file, firstPage, options)[Symbol.asyncIterator]()
      let listing = true
      while (true) {
        while (listing && inFlight.length < this.parallelChunks) {
          const next = await chunks.next()
          if (next.done === true) {
            listing = false
            break
          }
          const chunk = next.value
          // offsets come from the directory: they must tile the file, as the verified sizes do
          if (chunk.offset !== listed) throw new IntegrityError(`the directory placed chunk ${chunk.index} of ${file.id} at byte ${chunk.offset}, not ${listed}`)
          manifest.addChunk(chunk.id)
          listed += chunk.size
          inFlight.push(start(chunk))
        }
        if (inFlight.length === 0) break
        const ended = inOrder ? await inFlight[0].ended : await Promise.race(inFlight.map((fetch) => fetch.ended))
        inFlight.splice(inFlight.indexOf(ended), 1)
        if (ended.error != null) throw ended.error
        yield { chunk: ended.chunk, pieces: ended.pieces!, release: () => { releaseSlab(ended) } }
      }
      if (listed !== file.size || manifest.finish(file.size) !== file.id) {
        throw new IntegrityError(`the chunks the directory listed do not make up file ${file.id}`)
      }
    } finally {
      if (inFlight.length > 0) {
        giveUp.abort()
        for (const fetch of await Promise.all(inFlight.map((fetch) => fetch.ended))) releaseSlab(fetch)
      }
      endTrim()
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

  /** A file's bytes, in order, each chunk verified before it is yielded (see verifiedChunks). */
  async * download (ref: string, options: ProgressOptions = {}): AsyncGenerator<Uint8Array> {
    const { file, chunks } = await this.source.resolve(ref, options)
    let done = 0
    options.onProgress?.(0, file.size)
    for await (const verified of this.verifiedChunks(file, chunks, { signal: options.signal, inOrder: true })) {
      for (const piece of verified.pieces) yield piece
      done += verified.chunk.size
      options.onProgress?.(done, file.size)
    }
  }

  /**
   * Download to `dest`: a file path, or an existing folder (the file keeps its
   * name). The bytes go to a temporary file beside the destination, which is
   * renamed into place only after every byte has been verified.
   */
  async downloadFile (ref: string, dest: string, options: ProgressOptions = {}): Promise<{ path: string, file: FileInfo }> {
    const into = await destinationFolder(dest)
    const { file, chunks } = await this.source.resolve(ref, options)
    // the name comes from the directory: check it again before using it as a path
    const target = into != null ? join(into, validateName(file.name !== '' ? file.name : file.id)) : dest
    const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.dfs-part`)
    const out = await DownloadFile.create(tmp, file.size, this.directIO)
    // each chunk is written at its offset as soon as it is verified, in whatever order chunks
    // arrive. A chunk in flight costs a slab and its stream's buffers: parallelChunks + 1 slabs
    // let the next chunk be fetched while the last is written, within the client's memory bound
    const pool = new SlabPool(Math.max(1, ...chunks.map((chunk) => chunk.size)), this.parallelChunks + 1, { direct: out.directIO })
    const writes = new BoundedTasks(this.parallelChunks + 1)
    try {
      let done = 0
      options.onProgress?.(0, file.size)
      for await (const { chunk, pieces, release } of this.verifiedChunks(file, chunks, { signal: options.signal, inOrder: false, slabs: pool })) {
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
              release()
            }
            done += chunk.size
            options.onProgress?.(done, file.size)
          })
        } finally {
          // an earlier write failed, so this one never ran: its slab must still go back
          if (!queued) release()
        }
      }
      await writes.done()
      await out.finish()
      await rename(tmp, target)
    } catch (err) {
      await writes.done().catch(() => {})
      await out.abandon()
      await rm(tmp, { force: true })
      throw err
    }
    return { path: target, file }
  }
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
