import type { Libp2p } from 'libp2p'
import type { AbortOptions } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { sendBytes, sendMessage } from '../net/stream-io.ts'
import { RequestStream } from '../net/request-stream.ts'
import { MAX_STORE_MESSAGE_BYTES, STORE_PROTOCOL } from '../protocol/constants.ts'
import { StoreRequest, StoreResponse } from '../protocol/store.ts'
import { ChunkTransferError, IntegrityError, NoCapacityError, NotFoundError, ProtocolError } from '../errors.ts'

function failure (peer: string, response: StoreResponse): Error {
  const message = `node ${peer}: ${response.message}`
  switch (response.status) {
    case StoreResponse.Status.NOT_FOUND: return new NotFoundError(message)
    case StoreResponse.Status.HASH_MISMATCH: return new IntegrityError(message)
    case StoreResponse.Status.FULL: return new NoCapacityError(message)
    default: return new ChunkTransferError(message)
  }
}

/**
 * Streams kept open to each node. Two let one chunk be sent while the node
 * verifies and fsyncs the previous one.
 */
const STREAMS_PER_NODE = 2

/** Client side of /dfs/store/1.0.0 for one storage node. */
export class StoreClient {
  private readonly pool: RequestStream[]

  constructor (libp2p: Libp2p, readonly peerId: string, addrs: () => Multiaddr[]) {
    this.pool = Array.from({ length: STREAMS_PER_NODE }, () => new RequestStream(libp2p, addrs, STORE_PROTOCOL))
  }

  /** The stream with the fewest requests waiting. */
  private get requests (): RequestStream {
    return this.pool.reduce((best, stream) => stream.pending < best.pending ? stream : best)
  }

  /** Send a chunk; resolves when the node has verified it and made it durable. */
  async put (chunk: { id: string, size: number, pieces: Uint8Array[] }, options?: AbortOptions): Promise<void> {
    const response = await this.requests.run(async (stream, reader) => {
      await sendMessage(stream, StoreRequest.encode({ type: StoreRequest.Type.PUT, cid: chunk.id, size: chunk.size }), options)
      for (const piece of chunk.pieces) await sendBytes(stream, piece, options)
      return await this.readResponse(reader, options)
    }, options)
    if (response.status !== StoreResponse.Status.OK) throw failure(this.peerId, response)
  }

  /**
   * Fetch a chunk, handing each piece to `onPiece` as it arrives. The caller
   * verifies the bytes: a node is never trusted.
   */
  async get (id: string, onPiece: (piece: Uint8Array) => void | Promise<void>, options?: AbortOptions): Promise<number> {
    return await this.requests.run(async (stream, reader) => {
      await sendMessage(stream, StoreRequest.encode({ type: StoreRequest.Type.GET, cid: id, size: 0 }), options)
      const response = await this.readResponse(reader, options)
      if (response.status !== StoreResponse.Status.OK) {
        // the stream is still in step: nothing follows a refusal
        throw failure(this.peerId, response)
      }
      for await (const piece of reader.readBytes(response.size, options)) await onPiece(piece)
      return response.size
    }, options).catch((err) => {
      if (err.name === 'NotFoundError' || err.name === 'IntegrityError') throw err
      throw new ChunkTransferError(`cannot fetch chunk ${id} from node ${this.peerId}: ${err.message}`)
    })
  }

  async has (id: string, options?: AbortOptions): Promise<number | undefined> {
    const response = await this.requests.run(async (stream, reader) => {
      await sendMessage(stream, StoreRequest.encode({ type: StoreRequest.Type.HAS, cid: id, size: 0 }), options)
      return await this.readResponse(reader, options)
    }, options)
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
    await Promise.all(this.pool.map(async (stream) => { await stream.close() }))
  }
}
