import type { AbortOptions } from '@libp2p/interface'
import { MAX_BATCH_BYTES, MAX_BATCH_FILES } from '../protocol/constants.ts'
import type { FileInfo, NodeInfo } from '../protocol/pb/directory.ts'
import type { PutOutcome, StoreClients } from '../protocol/store-client.ts'
import { grantNode } from '../security/grants.ts'
import { cidFromDigest, newHasher } from '../content/content-id.ts'
import { fileIdOf } from '../content/manifest.ts'
import { ChunkTransferError } from '../errors.ts'
import { Batcher } from '../util/batcher.ts'
import type { DirectoryClient } from './directory-client.ts'

/**
 * Batches on their way at once (see Batcher): one, so that the files asked for meanwhile make the
 * next batch as big as they can. Nodes pack a batch in one write and one fdatasync, so the
 * per-batch costs weigh more than overlapping two batches would save.
 */
const BATCHES_IN_FLIGHT = 1

/**
 * One placement serves the batches that follow it, up to this many bytes in all and for this long:
 * it saves a directory request per batch, and the cap keeps small files with fewer copies than nodes
 * spreading over the nodes and placements current with the nodes' health and room.
 */
const LEASE_BYTES = 256 * 1024
const LEASE_MS = 1_000

export interface SmallFile {
  name: string
  bytes: Uint8Array
  /** copies of it; 0: the directory's default */
  replicas: number
}

interface Hashed extends SmallFile {
  chunkId: string
  fileId: string
}

export interface SmallFileBatchesInit {
  directory: DirectoryClient
  stores: StoreClients
  /** remember the nodes a directory answer names */
  learn: (nodes: NodeInfo[]) => void
  /** the one-file upload, with its retries on other nodes: for the files of a batch that failed */
  uploadAlone: (file: SmallFile) => Promise<FileInfo>
}

/**
 * Small files (one chunk each) uploaded together: for a batch, one placement
 * from the directory (shared with the next batches, see LEASE_BYTES), one
 * PUT_MANY to each of its nodes, and one commit
 * recording every file, instead of three requests and a commit per file.
 * The batch goes to its nodes side by side (not down a replication chain).
 * Uploads running at the same time share batches without knowing it.
 *
 * A batch is all or nothing at each step. If any step fails (a node down,
 * full, refusing), each of its files is uploaded alone the usual way, which
 * retries on other nodes and reports that file's own error.
 */
export class SmallFileBatches {
  private readonly batches: Batcher<Hashed, FileInfo>

  constructor (private readonly init: SmallFileBatchesInit) {
    // files that want the same number of copies, within the batch limits
    const fits = (batch: Hashed[], file: Hashed): boolean => file.replicas === batch[0].replicas &&
      batch.reduce((bytes, other) => bytes + other.bytes.byteLength, file.bytes.byteLength) <= MAX_BATCH_BYTES
    this.batches = new Batcher(async (files) => await this.send(files), MAX_BATCH_FILES, BATCHES_IN_FLIGHT, fits)
  }

  /** Resolves once the file is recorded (in a batch, or alone). */
  async add (file: SmallFile, options: AbortOptions = {}): Promise<FileInfo> {
    const chunkId = cidFromDigest(newHasher().update(file.bytes).digest())
    return await this.batches.add({ ...file, chunkId, fileId: fileIdOf([chunkId], file.bytes.byteLength) }, options.signal)
  }

  private async send (batch: Hashed[]): Promise<Array<FileInfo | Error>> {
    try {
      return await this.store(batch)
    } catch {
      // each file alone: other nodes are tried, and each gets its own error
      return await Promise.all(batch.map(async (file) => await this.init.uploadAlone(file).catch((err: Error) => err)))
    }
  }

  /** Nodes and grants the directory gave for the batches to come (see LEASE_BYTES). */
  private lease?: { replicas: number, peers: string[], grants: Map<string, Uint8Array<ArrayBuffer>>, bytesLeft: number, until: number }

  /**
   * Where a batch of `bytes` goes: the lease's nodes while it has room and
   * time, else a new placement (with room for the batches likely to follow).
   */
  private async placement (replicas: number, bytes: number): Promise<{ peers: string[], grants: Map<string, Uint8Array<ArrayBuffer>> }> {
    const lease = this.lease
    if (lease != null && lease.replicas === replicas && lease.bytesLeft >= bytes && Date.now() < lease.until) {
      lease.bytesLeft -= bytes
      return lease
    }
    const leased = Math.max(bytes, LEASE_BYTES)
    const placed = await this.init.directory.request({ placeFiles: { bytes: leased, replicas } })
    this.init.learn(placed.nodes)
    const peers = placed.placements[0]?.peers ?? []
    if (peers.length === 0) throw new ChunkTransferError('the directory placed the batch on no node')
    const grants = new Map<string, Uint8Array<ArrayBuffer>>()
    for (const grant of placed.grants) {
      const node = grantNode(grant)
      if (node != null) grants.set(node, grant)
    }
    this.lease = { replicas, peers, grants, bytesLeft: leased - bytes, until: Date.now() + LEASE_MS }
    return this.lease
  }

  private async store (batch: Hashed[]): Promise<FileInfo[]> {
    const { directory, stores } = this.init
    const bytes = batch.reduce((total, file) => total + file.bytes.byteLength, 0)
    const { peers, grants } = await this.placement(batch[0].replicas, bytes)
    // to every node at once rather than down a chain: a batch is small, and
    // each hop down a chain would add its latency to every file in it
    const chunks = batch.map((file) => ({ cid: file.chunkId, size: file.bytes.byteLength }))
    const outcomes = await Promise.all(peers.map(async (peer) => await stores.get(peer).putMany(chunks, batch.map((file) => file.bytes), { grant: grants.get(peer) })
      .catch((err): PutOutcome => ({ stored: [], problem: `node ${peer}: ${(err as Error).message}` }))))
    const stored = peers.filter((peer, i) => outcomes[i].stored.includes(peer))
    if (stored.length < peers.length) {
      // the next batch asks the directory again (and this one's files go alone)
      this.lease = undefined
      throw new ChunkTransferError(`a batch was stored on ${stored.length} of ${peers.length} nodes: ${outcomes.map((outcome) => outcome.problem).filter((p) => p != null).join('; ')}`)
    }
    const added = await directory.request({
      addFiles: {
        replicas: peers.length,
        files: batch.map((file) => ({
          name: file.name,
          id: file.fileId,
          size: file.bytes.byteLength,
          chunks: [{ index: 0, id: file.chunkId, offset: 0, size: file.bytes.byteLength, peers: stored }]
        }))
      }
    })
    if (added.files.length !== batch.length) throw new ChunkTransferError(`the directory recorded ${added.files.length} of a batch of ${batch.length} files`)
    return added.files
  }
}
