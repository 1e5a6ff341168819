import type { Libp2p } from 'libp2p'
import type { AbortOptions } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { sendMessage, sendMessageAndBytes } from '../net/stream-io.ts'
import { RequestStreamPool, type RequestStream } from '../net/request-stream.ts'
import { MAX_BATCH_BYTES, MAX_STORE_MESSAGE_BYTES, STORE_PROTOCOL } from './constants.ts'
import { StoreRequest, StoreResponse, type Target } from './pb/store.ts'
import { ChunkTransferError, ProtocolError } from '../errors.ts'
import { storeError } from './status.ts'
import { MAX_INBOUND_STREAMS } from '../net/limits.ts'

function failure (peer: string, response: StoreResponse): Error {
  return storeError(response.status, `node ${peer}: ${response.message}`)
}

/**
 * Streams to each node. A node answers the requests on one stream in turn, so
 * a request that finds every stream busy opens another, up to this many (many
 * small files in flight then wait on the node's disk side by side, not in a
 * queue); past it, requests queue on the least busy stream.
 */
const MAX_STREAMS_PER_NODE = 8
/**
 * Big chunks are limited by bandwidth, not by waiting: two streams keep a
 * node busy (one chunk sent while the previous is fsynced), and each more
 * means another chunk buffered on both sides, so they use only two.
 */
const BULK_STREAMS_PER_NODE = 2
/** A request moving at least this many bytes counts as bulk. */
const BULK_BYTES = 1024 * 1024
/**
 * Streams of their own for chain links (see noWait), at most, on top of the
 * pool: past them a link waits on a pooled stream. Together they stay well
 * under what a node accepts per connection (MAX_INBOUND_STREAMS; streams
 * being closed still count there for a moment): past that limit the node
 * resets the new stream, and the copy down the chain fails.
 */
const MAX_EXTRA_STREAMS = MAX_INBOUND_STREAMS - MAX_STREAMS_PER_NODE - 8

export interface PutOutcome {
  /** nodes that now hold a verified copy: the first, then down the forward chain */
  stored: string[]
  /** what went wrong where a node in the chain did not store it */
  problem?: string
}

export interface PutOptions extends AbortOptions {
  /**
   * Never wait behind other requests: use an idle stream, or open one just for
   * this. A node passing a chunk down a replication chain holds its upstream
   * stream while it waits, so waiting in a queue could close a cycle
   * (A forwards to B, B to C, C to A, every stream busy) and deadlock.
   */
  noWait?: boolean
  /** the directory's PUT grant for this node */
  grant?: Uint8Array<ArrayBuffer>
  /** nodes the first passes the chunk on to (pipelined replication), each with its grant */
  forward?: Target[]
}

export interface ReadOptions extends AbortOptions {
  /** the directory's GET grant for this node (not needed when reads are open) */
  grant?: Uint8Array<ArrayBuffer>
  /** bytes expected, when known: a bulk read uses the bulk streams */
  size?: number
}

/**
 * Client side of /dfs/store/1.0.0 for one storage node; used by clients, and
 * by nodes to pass chunks down a replication pipeline.
 */
export class StoreClient {
  private readonly pool: RequestStreamPool
  /** extra streams open or closing (see MAX_EXTRA_STREAMS) */
  private extras = 0

  constructor (libp2p: Libp2p, readonly peerId: string, addrs: () => Multiaddr[]) {
    this.pool = new RequestStreamPool(libp2p, addrs, STORE_PROTOCOL, `node ${peerId}`, MAX_STREAMS_PER_NODE)
  }

  /** The stream for a request moving `bytes`: bulk ones share the first few streams. */
  private requests (bytes = 0): RequestStream {
    return this.pool.pick(bytes >= BULK_BYTES ? BULK_STREAMS_PER_NODE : MAX_STREAMS_PER_NODE)
  }

  /**
   * Send a chunk; resolves when the node (and those it forwarded to) answered.
   * Rejects only when this node could not be talked to.
   */
  async put (chunk: { id: string, size: number }, pieces: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<PutOutcome> {
    const request = StoreRequest.encode({ type: StoreRequest.Type.PUT, cid: chunk.id, size: chunk.size, forward: options.forward ?? [], grant: options.grant, chunks: [] })
    return await this.send(request, chunk.size, pieces, options)
  }

  /** A PUT or PUT_MANY: the request, then `size` bytes; the outcome down the chain. */
  private async send (request: Uint8Array, size: number, pieces: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options: PutOptions): Promise<PutOutcome> {
    const pooled = this.requests(size)
    // a chain link must not wait behind others (see noWait): a stream of its own if the pool is full and busy
    const extra = options.noWait === true && pooled.pending > 0 && this.extras < MAX_EXTRA_STREAMS ? this.pool.extra() : undefined
    if (extra != null) this.extras++
    let response: StoreResponse
    try {
      response = await (extra ?? pooled).run(async (stream, reader) => {
        await sendMessageAndBytes(stream, request, size, pieces, options)
        return await this.readResponse(reader, options)
      }, { ...options, rerunnable: Array.isArray(pieces) })
    } finally {
      if (extra != null) {
        void extra.close().catch(() => {}).finally(() => { this.extras-- })
      }
    }
    // an older node, or none forwarded: OK alone means this node stored it
    const stored = response.stored.length > 0 || response.status !== StoreResponse.Status.OK ? response.stored : [this.peerId]
    const expected = 1 + (options.forward?.length ?? 0)
    if (response.status === StoreResponse.Status.OK && stored.length >= expected) return { stored }
    const problem = response.status !== StoreResponse.Status.OK ? failure(this.peerId, response).message : `node ${this.peerId}: ${response.message}`
    return { stored, problem }
  }

  /**
   * Send a batch of small chunks in one request (PUT_MANY), `pieces` being
   * their bytes back to back. Stored means every one of them was.
   */
  async putMany (chunks: Array<{ cid: string, size: number }>, pieces: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options: Omit<PutOptions, 'forward'> = {}): Promise<PutOutcome> {
    const size = chunks.reduce((total, chunk) => total + chunk.size, 0)
    const request = StoreRequest.encode({ type: StoreRequest.Type.PUT_MANY, cid: '', size, chunks: chunks.map((chunk) => ({ ...chunk, absent: false })), forward: [], grant: options.grant })
    return await this.send(request, size, pieces, options)
  }

  /**
   * Fetch a chunk, handing each piece to `onPiece` as it arrives. The caller
   * verifies the bytes: a node is never trusted.
   */
  async get (id: string, onPiece: (piece: Uint8Array) => void | Promise<void>, options?: ReadOptions): Promise<number> {
    return await this.requests(options?.size).run(async (stream, reader) => {
      await sendMessage(stream, StoreRequest.encode({ type: StoreRequest.Type.GET, cid: id, size: 0, forward: [], grant: options?.grant, chunks: [] }), options)
      const response = await this.readResponse(reader, options)
      if (response.status !== StoreResponse.Status.OK) {
        // the stream is still in step: nothing follows a refusal
        throw failure(this.peerId, response)
      }
      for await (const piece of reader.readBytes(response.size, options)) await onPiece(piece)
      return response.size
    }, { ...options, rerunnable: true }).catch((err) => {
      if (err.name === 'NotFoundError' || err.name === 'IntegrityError' || err.name === 'ForbiddenError') throw err
      throw new ChunkTransferError(`cannot fetch chunk ${id} from node ${this.peerId}: ${err.message}`)
    })
  }

  /**
   * Fetch several small chunks in one request (GET_MANY). Resolves with the
   * bytes of each, in order, or undefined for one the node did not send. The
   * caller verifies them.
   */
  async getMany (ids: string[], options?: ReadOptions): Promise<Array<Uint8Array | undefined>> {
    return await this.requests().run(async (stream, reader) => {
      await sendMessage(stream, StoreRequest.encode({ type: StoreRequest.Type.GET_MANY, cid: '', size: 0, forward: [], grant: options?.grant, chunks: ids.map((cid) => ({ cid, size: 0, absent: false })) }), options)
      const response = await this.readResponse(reader, options)
      if (response.status !== StoreResponse.Status.OK) throw failure(this.peerId, response)
      if (response.chunks.length !== ids.length) throw new ProtocolError(`node ${this.peerId} answered for ${response.chunks.length} of ${ids.length} chunks`)
      const total = response.chunks.reduce((sum, chunk) => sum + (chunk.absent ? 0 : chunk.size), 0)
      // a node answers at most MAX_BATCH_BYTES: more would be buffered here for nothing
      if (total > MAX_BATCH_BYTES) throw new ProtocolError(`node ${this.peerId} announced ${total} bytes for a batch of small chunks`)
      const bodies = response.chunks.map((chunk) => chunk.absent ? undefined : new Uint8Array(chunk.size))
      let index = 0
      let filled = 0
      for await (const piece of reader.readBytes(total, options)) {
        // a piece may hold the end of one chunk and the start of the next
        for (let at = 0; at < piece.byteLength;) {
          while (bodies[index] == null || filled === bodies[index]!.byteLength) { index++; filled = 0 }
          const body = bodies[index]!
          const take = Math.min(body.byteLength - filled, piece.byteLength - at)
          body.set(piece.subarray(at, at + take), filled)
          filled += take
          at += take
        }
      }
      return bodies
    }, { ...options, rerunnable: true })
  }

  async has (id: string, options?: ReadOptions): Promise<number | undefined> {
    const response = await this.requests().run(async (stream, reader) => {
      await sendMessage(stream, StoreRequest.encode({ type: StoreRequest.Type.HAS, cid: id, size: 0, forward: [], grant: options?.grant, chunks: [] }), options)
      return await this.readResponse(reader, options)
    }, { ...options, rerunnable: true })
    if (response.status === StoreResponse.Status.NOT_FOUND) return undefined
    if (response.status !== StoreResponse.Status.OK) throw failure(this.peerId, response)
    return response.size
  }

  private async readResponse (reader: { readMessage: (max: number, options?: AbortOptions) => Promise<Uint8Array | undefined> }, options?: AbortOptions): Promise<StoreResponse> {
    const bytes = await reader.readMessage(MAX_STORE_MESSAGE_BYTES, options)
    if (bytes == null) throw new ProtocolError(`node ${this.peerId} closed the stream without answering`)
    return StoreResponse.decode(bytes)
  }

  async close (): Promise<void> {
    await this.pool.close()
  }
}

/** Store clients by peer, dialling the addresses last heard for each. */
export class StoreClients {
  private readonly clients = new Map<string, StoreClient>()
  private readonly addrs = new Map<string, Multiaddr[]>()

  constructor (private readonly libp2p: Libp2p) {}

  /** the addresses last learned for each peer, as given: most answers repeat them, and parsing is not free */
  private readonly given = new Map<string, string[]>()

  /** Remember where a peer listens; unparseable addresses are skipped. */
  learn (peerId: string, addrs: string[]): void {
    const known = this.given.get(peerId)
    if (known != null && known.length === addrs.length && known.every((addr, i) => addr === addrs[i])) return
    this.given.set(peerId, addrs)
    const parsed: Multiaddr[] = []
    for (const addr of addrs) {
      try { parsed.push(multiaddr(addr)) } catch { /* use the others */ }
    }
    this.addrs.set(peerId, parsed)
  }

  addrsOf (peerId: string): string[] {
    return (this.addrs.get(peerId) ?? []).map((ma) => ma.toString())
  }

  get (peerId: string): StoreClient {
    let client = this.clients.get(peerId)
    if (client == null) {
      client = new StoreClient(this.libp2p, peerId, () => this.addrs.get(peerId) ?? [])
      this.clients.set(peerId, client)
    }
    return client
  }

  async close (): Promise<void> {
    await Promise.allSettled([...this.clients.values()].map(async (client) => { await client.close() }))
  }
}
