import { createReadStream, createWriteStream } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { finished } from 'node:stream/promises'
import type { Libp2p } from 'libp2p'
import type { AbortOptions } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { createPeer } from '../net/libp2p.ts'
import { PLACE_BATCH_CHUNKS } from '../protocol/constants.ts'
import type { ChunkInfo, FileInfo, NodeInfo } from '../protocol/directory.ts'
import { validateName } from '../protocol/names.ts'
import { chunkStream } from '../storage/chunker.ts'
import { cidFromDigest, digestEquals, newHasher, parseContentId } from '../storage/content-id.ts'
import { ChunkTransferError, DirectoryUnreachableError, IntegrityError, InvalidInputError } from '../errors.ts'
import { errorMessage } from '../util/log.ts'
import { readAhead } from '../util/read-ahead.ts'
import { DirectoryClient } from './directory-client.ts'
import { StoreClient } from './store-client.ts'

export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024
/** Chunk records sent to the directory per batch during an upload. */
const RECORD_BATCH_CHUNKS = 256
/** Bytes per disk read when uploading a file; also the size of each stream write. */
const FILE_READ_SIZE = 256 * 1024

export interface ClientInit {
  /** the directory's multiaddr, with /p2p/<peer id> */
  directory: string
  /** bytes per chunk for uploads (default 4 MiB) */
  chunkSize?: number
  /** how long to try to reach the directory (default 5 s) */
  connectTimeoutMs?: number
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
}

export interface FileStat {
  name: string
  id: string
  size: number
  uploadedAt: number
  chunks: Array<{ index: number, id: string, offset: number, size: number, peers: string[] }>
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
  private readonly stores = new Map<string, StoreClient>()
  private readonly peerAddrs = new Map<string, Multiaddr[]>()

  private constructor (readonly libp2p: Libp2p, readonly directory: DirectoryClient, private readonly chunkSize: number) {}

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
    const libp2p = await createPeer({})
    try {
      await libp2p.dial(address, { signal: AbortSignal.timeout(init.connectTimeoutMs ?? 5_000) })
    } catch (err) {
      await libp2p.stop()
      throw new DirectoryUnreachableError(`cannot reach the directory at ${init.directory}: ${errorMessage(err)}. Is the directory running, and is the address right?`)
    }
    return new DfsClient(libp2p, new DirectoryClient(libp2p, address), chunkSize)
  }

  private learn (nodes: NodeInfo[]): void {
    for (const node of nodes) {
      const addrs: Multiaddr[] = []
      for (const addr of node.addrs) {
        try { addrs.push(multiaddr(addr)) } catch { /* skip a bad address, use the others */ }
      }
      this.peerAddrs.set(node.peerId, addrs)
    }
  }

  private store (peerId: string): StoreClient {
    let store = this.stores.get(peerId)
    if (store == null) {
      store = new StoreClient(this.libp2p, peerId, () => this.peerAddrs.get(peerId) ?? [])
      this.stores.set(peerId, store)
    }
    return store
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
    return await this.upload(createReadStream(path, { highWaterMark: FILE_READ_SIZE }), { ...options, name, size: info.size })
  }

  /** Upload a byte stream under a name. Resolves once the directory has recorded the file. */
  async upload (source: AsyncIterable<Uint8Array>, options: UploadOptions & { name: string }): Promise<FileInfo> {
    const name = validateName(options.name)
    const begin = await this.directory.request({ begin: { name, size: options.size, chunkSize: this.chunkSize, replicas: 1 } }, options)
    const uploadId = begin.uploadId
    const placements = new Map<number, string[]>()
    const remember = (response: { placements: Array<{ index: number, peers: string[] }>, nodes: NodeInfo[] }): void => {
      this.learn(response.nodes)
      for (const p of response.placements) placements.set(p.index, p.peers)
    }
    remember(begin)

    try {
      const fileHasher = newHasher()
      let total = 0
      let recorded: ChunkInfo[] = []
      for await (const chunk of readAhead(chunkStream(source, this.chunkSize, (piece) => fileHasher.update(piece)), 1)) {
        options.signal?.throwIfAborted()
        if (!placements.has(chunk.index)) {
          remember(await this.directory.request({ place: { uploadId, first: chunk.index, count: PLACE_BATCH_CHUNKS } }, options))
        }
        const peers = placements.get(chunk.index)
        if (peers == null || peers.length === 0) throw new ChunkTransferError(`the directory gave no node for chunk ${chunk.index}`)
        placements.delete(chunk.index)
        for (const peer of peers) {
          try {
            await this.store(peer).put(chunk, options)
          } catch (err) {
            throw new ChunkTransferError(`cannot store chunk ${chunk.index} on node ${peer}: ${errorMessage(err)}`)
          }
        }
        recorded.push({ index: chunk.index, id: chunk.id, offset: chunk.offset, size: chunk.size, peers })
        total += chunk.size
        options.onProgress?.(total, options.size)
        if (recorded.length >= RECORD_BATCH_CHUNKS) {
          await this.directory.request({ complete: { uploadId, fileId: '', size: 0, chunks: recorded, final: false } }, options)
          recorded = []
        }
      }
      const fileId = cidFromDigest(fileHasher.digest())
      const done = await this.directory.request({ complete: { uploadId, fileId, size: total, chunks: recorded, final: true } }, options)
      if (done.file == null) throw new ChunkTransferError('the directory did not confirm the upload')
      return done.file
    } catch (err) {
      await this.directory.request({ abort: { uploadId } }, { signal: AbortSignal.timeout(2_000) }).catch(() => {})
      throw err
    }
  }

  // ---- download

  /** Look a file up by ID or name, with one page of its chunks. */
  async resolve (ref: string, chunkStart = 0, options?: AbortOptions): Promise<{ file: FileInfo, chunks: ChunkInfo[] }> {
    const response = await this.directory.request({ resolve: { ref, chunkStart, chunkLimit: 0 } }, options)
    if (response.file == null) throw new ChunkTransferError('the directory answered without the file')
    this.learn(response.nodes)
    return { file: response.file, chunks: response.chunks }
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

  /** Fetch one chunk from the first node that returns bytes matching its ID. */
  private async fetchChunk (chunk: ChunkInfo, options?: AbortOptions): Promise<Uint8Array[]> {
    const { digest } = parseContentId(chunk.id)
    const problems: string[] = []
    for (const peer of chunk.peers) {
      const pieces: Uint8Array[] = []
      const hasher = newHasher()
      try {
        const size = await this.store(peer).get(chunk.id, (piece) => {
          hasher.update(piece)
          pieces.push(piece)
        }, options)
        if (size !== chunk.size) throw new IntegrityError(`node ${peer} returned ${size} bytes for chunk ${chunk.index}, expected ${chunk.size}`)
        if (!digestEquals(hasher.digest(), digest)) throw new IntegrityError(`node ${peer} returned corrupt bytes for chunk ${chunk.index} (${chunk.id})`)
        return pieces
      } catch (err) {
        options?.signal?.throwIfAborted()
        problems.push(errorMessage(err))
      }
    }
    if (chunk.peers.length === 0) problems.push('no node holds it')
    const corrupt = problems.some((p) => p.includes('corrupt') || p.includes('returned'))
    const message = `cannot get chunk ${chunk.index} (${chunk.id}): ${problems.join('; ')}`
    throw corrupt ? new IntegrityError(message) : new ChunkTransferError(message)
  }

  /**
   * A file's bytes, in order. Each chunk is verified against its ID before it
   * is yielded, and the whole file against the file ID at the end (the
   * generator throws IntegrityError instead of finishing if it does not match).
   */
  async * download (ref: string, options: ProgressOptions = {}): AsyncGenerator<Uint8Array> {
    const { file, chunks } = await this.resolve(ref, 0, options)
    yield * this.downloadResolved(file, chunks, options)
  }

  private async * downloadResolved (file: FileInfo, firstPage: ChunkInfo[], options: ProgressOptions): AsyncGenerator<Uint8Array> {
    const { digest } = parseContentId(file.id)
    const fileHasher = newHasher()
    let done = 0
    options.onProgress?.(0, file.size)
    for await (const chunk of this.allChunks(file, firstPage, options)) {
      const pieces = await this.fetchChunk(chunk, options)
      for (const piece of pieces) {
        fileHasher.update(piece)
        yield piece
      }
      done += chunk.size
      options.onProgress?.(done, file.size)
    }
    if (done !== file.size || !digestEquals(fileHasher.digest(), digest)) {
      throw new IntegrityError(`the downloaded bytes do not match file ID ${file.id}`)
    }
  }

  /**
   * Download to `dest`: a file path, or an existing folder (the file keeps its
   * name). The bytes go to a temporary file beside the destination, which is
   * renamed into place only after every byte has been verified.
   */
  async downloadFile (ref: string, dest: string, options: ProgressOptions = {}): Promise<{ path: string, file: FileInfo }> {
    const { file, chunks } = await this.resolve(ref, 0, options)
    let target = dest
    const destInfo = await stat(dest).catch(() => undefined)
    if (destInfo?.isDirectory() === true) {
      // the name comes from the directory: check it again before using it as a path
      target = join(dest, validateName(file.name !== '' ? file.name : file.id))
    }
    const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.dfs-part`)
    const out = createWriteStream(tmp, { flags: 'wx', highWaterMark: 4 * 1024 * 1024 })
    try {
      for await (const piece of this.downloadResolved(file, chunks, options)) {
        if (!out.write(piece)) await new Promise<void>((resolve, reject) => { out.once('drain', resolve); out.once('error', reject) })
      }
      out.end()
      await finished(out)
      await rename(tmp, target)
    } catch (err) {
      if (!out.closed) await new Promise<void>((resolve) => { out.once('close', () => { resolve() }); out.destroy() })
      await rm(tmp, { force: true })
      throw err
    }
    return { path: target, file }
  }

  // ---- inspection

  async stat (ref: string, options?: AbortOptions): Promise<FileStat> {
    const { file, chunks: firstPage } = await this.resolve(ref, 0, options)
    const chunks: FileStat['chunks'] = []
    for await (const chunk of this.allChunks(file, firstPage, options)) {
      chunks.push({ index: chunk.index, id: chunk.id, offset: chunk.offset, size: chunk.size, peers: chunk.peers })
    }
    return { name: file.name, id: file.id, size: file.size, uploadedAt: file.uploadedAt, chunks }
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

  async nodes (options?: AbortOptions): Promise<NodeInfo[]> {
    return (await this.directory.request({ nodes: {} }, options)).nodes
  }

  async close (): Promise<void> {
    await Promise.allSettled([...this.stores.values()].map(async (store) => { await store.close() }))
    await this.directory.close().catch(() => {})
    await this.libp2p.stop()
  }
}
