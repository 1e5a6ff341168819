import type { Libp2p } from 'libp2p'
import type { AbortOptions, PrivateKey } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { createPeer } from '../net/libp2p.ts'
import { MAX_RESOLVE_MANY } from '../protocol/constants.ts'
import type { ChunkInfo, FileInfo, HealthSummary, NodeInfo } from '../protocol/pb/directory.ts'
import { Batcher } from '../util/batcher.ts'
import { errorMessage } from '../util/log.ts'
import { ChunkTransferError, DirectoryUnreachableError, InvalidInputError, NotFoundError } from '../errors.ts'
import { DirectoryClient } from './directory-client.ts'
import { ClusterView } from './cluster-view.ts'
import { Downloader, type ProgressOptions, type Resolved } from './downloader.ts'
import { Uploader, type UploadOptions } from './uploader.ts'

export { SMALL_FILE_BYTES, type UploadOptions } from './uploader.ts'
export type { ProgressOptions } from './downloader.ts'

export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024
export const DEFAULT_PARALLEL_CHUNKS = 3

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
   * page cache, where the file system allows (default true): filling the page
   * cache can cost more CPU than decrypting the bytes. See util/direct-io.ts.
   */
  directIO?: boolean
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
  /** what this client knows of the nodes, shared by its uploads and downloads */
  private readonly view: ClusterView
  private readonly uploader: Uploader
  private readonly downloader: Downloader

  /** Resolves for downloads, several in one request when downloads run at once. */
  private readonly resolves = new Batcher<string, Resolved>(async (refs) => {
    const response = await this.directory.request({ resolveMany: { refs, chunkLimit: 0, nodesVersion: this.view.nodesVersion } })
    this.view.learnForReading(response)
    return response.resolved.map((entry) => entry.file == null
      ? new NotFoundError(entry.message !== '' ? entry.message : 'the directory answered without the file')
      : { file: entry.file, chunks: entry.chunks })
  }, MAX_RESOLVE_MANY)

  private constructor (readonly libp2p: Libp2p, readonly directory: DirectoryClient, settings: Required<Omit<ClientInit, 'directory' | 'privateKey' | 'connectTimeoutMs'>>) {
    this.view = new ClusterView(libp2p)
    this.uploader = new Uploader({ directory, view: this.view, ...settings })
    this.downloader = new Downloader({
      view: this.view,
      parallelChunks: settings.parallelChunks,
      directIO: settings.directIO,
      source: {
        // batched with other downloads starting at once; the first chunks only (the rest page on)
        resolve: async (ref, options) => await this.resolves.add(ref, options?.signal),
        chunksFrom: async (fileId, start, options) => (await this.resolve(fileId, start, options)).chunks,
        reportCorrupt: (chunkId, peerId) => { this.directory.request({ reportCorrupt: { chunkId, peerId } }).catch(() => {}) }
      }
    })
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
    return new DfsClient(libp2p, new DirectoryClient(libp2p, address), {
      chunkSize,
      parallelChunks: Math.max(1, init.parallelChunks ?? DEFAULT_PARALLEL_CHUNKS),
      replicas: init.replicas ?? 0,
      batchSmallFiles: init.batchSmallFiles ?? true,
      directIO: init.directIO ?? true
    })
  }

  // ---- upload

  /** Upload a file (by default under its base name). Resolves once the directory has recorded it. */
  async uploadFile (path: string, options: UploadOptions = {}): Promise<FileInfo> {
    return await this.uploader.uploadFile(path, options)
  }

  /** Upload a byte stream under a name. Resolves once the directory has recorded the file. */
  async upload (source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: UploadOptions & { name: string }): Promise<FileInfo> {
    return await this.uploader.upload(source, options)
  }

  // ---- download

  /** Look a file up by ID or name, with one page of its chunks. */
  async resolve (ref: string, chunkStart = 0, options?: AbortOptions): Promise<{ file: FileInfo, chunks: ChunkInfo[] }> {
    const response = await this.directory.request({ resolve: { ref, chunkStart, chunkLimit: 0, nodesVersion: this.view.nodesVersion } }, options)
    if (response.file == null) throw new ChunkTransferError('the directory answered without the file')
    this.view.learnForReading(response)
    return { file: response.file, chunks: response.chunks }
  }

  /**
   * A file's bytes, in order. Chunks are fetched several at a time from their
   * nodes; each is verified against its ID before it is yielded, and the chunk
   * list against the file ID at the end (the generator throws IntegrityError
   * instead of finishing if it does not match).
   */
  download (ref: string, options: ProgressOptions = {}): AsyncGenerator<Uint8Array> {
    return this.downloader.download(ref, options)
  }

  /**
   * Download to `dest`: a file path, or an existing folder (the file keeps its
   * name). The bytes go to a temporary file beside the destination, which is
   * renamed into place only after every byte has been verified.
   */
  async downloadFile (ref: string, dest: string, options: ProgressOptions = {}): Promise<{ path: string, file: FileInfo }> {
    return await this.downloader.downloadFile(ref, dest, options)
  }

  // ---- inspection

  async stat (ref: string, options?: AbortOptions): Promise<FileStat> {
    const { file, chunks: firstPage } = await this.resolve(ref, 0, options)
    const chunks: FileStat['chunks'] = []
    let worst = 0
    const order: Health[] = ['healthy', 'under-replicated', 'lost']
    for await (const chunk of this.downloader.allChunks(file, firstPage, options)) {
      const live = chunk.peers.filter((peer) => this.view.alivePeers.has(peer))
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
    await this.view.close()
    await this.directory.close().catch(() => {})
    await this.libp2p.stop()
  }
}
