import type { Connection, Logger as Libp2pLogger, Stream } from '@libp2p/interface'
import { logger } from '@libp2p/logger'
import { type StreamReader, sendMessageAndBytes } from '../net/stream-io.ts'
import { serveRequests, type RequestContext } from '../net/request-loop.ts'
import { storeStatusOf } from '../protocol/status.ts'
import { MAX_BATCH_BYTES, MAX_BATCH_FILES, MAX_GET_MANY, MAX_STORE_MESSAGE_BYTES, SMALL_CHUNK_BYTES } from '../protocol/constants.ts'
import { StoreRequest, StoreResponse } from '../protocol/pb/store.ts'
import { type ChunkStore } from './disk/chunk-store.ts'
import { errorMessage } from '../util/log.ts'
import { PieceQueue } from '../util/piece-queue.ts'
import { Deadline } from '../util/deadline.ts'
import type { PutOutcome, StoreClients } from '../protocol/store-client.ts'
import { GrantOp, type GrantVerifier } from '../security/grants.ts'
import type { Drain } from '../util/drain.ts'
import { MAX_CHUNK_SIZE } from '../content/chunker.ts'

const log: Libp2pLogger = logger('dfs:node:store')

function encodeResponse (response: Partial<StoreResponse>): Uint8Array {
  return StoreResponse.encode({ status: StoreResponse.Status.OK, size: 0, message: '', stored: [], ...response })
}

/** Longest replication chain a PUT may ask a node to start. */
export const MAX_FORWARD = 8
/** What is wrong with a PUT_MANY's list of chunks, if anything. */
function batchProblem (request: StoreRequest): string | undefined {
  if (request.chunks.length === 0 || request.chunks.length > MAX_BATCH_FILES) return `a batch holds 1 to ${MAX_BATCH_FILES} chunks, not ${request.chunks.length}`
  let total = 0
  for (const chunk of request.chunks) {
    if (!Number.isSafeInteger(chunk.size) || chunk.size < 0) return `chunk ${chunk.cid.slice(0, 80)} has an impossible size`
    total += chunk.size
  }
  if (total !== request.size) return `the batch's chunks add up to ${total} bytes, but ${request.size} follow`
  if (request.forward.length > 0) return 'a batch is not passed on: send it to each node'
  return undefined
}

/** How long passing a chunk down the chain may take before that copy counts as failed. */
const FORWARD_TIMEOUT_MS = 120_000

export interface StoreHandlerInit {
  store: ChunkStore
  /** this node's peer ID, reported in `stored` */
  peerId: string
  /** where forwarded chunks go; without it, a PUT's forward list is refused */
  forwarder?: StoreClients
  /** checks the directory's grant on every PUT, and on GETs unless reads are open */
  grants: GrantVerifier
  /** true while the directory says reads need no grant */
  readsOpen: () => boolean
  /** a peer quiet this long mid-request or between requests loses the stream (default 60 s) */
  idleTimeoutMs?: number
  /** called for problems an operator should see (corrupt uploads, failed forwards, refused requests) */
  onProblem: (message: string) => void
  /** requests in flight; once draining (the node is stopping), new ones are refused */
  drain?: Drain
  /** called once per request answered, with the chunk bytes it moved (for metrics) */
  onServed?: (op: 'PUT' | 'GET' | 'HAS', status: StoreResponse.Status, bytes: number) => void
}

/**
 * Serve `/dfs/store/1.0.0`: a sequence of requests on one stream, each
 * answered in turn. PUT bytes are streamed to the store (which verifies and
 * writes atomically) and, for pipelined replication, at the same time to the
 * next node in the forward list; GET bytes are streamed from disk. On a failed
 * PUT the remaining announced bytes are read and dropped, so the stream stays
 * usable.
 */
export function storeHandler (init: StoreHandlerInit) {
  const { store, onProblem } = init

  /** Read and drop a refused PUT's bytes, so the stream stays in step for the next request. */
  async function skipPut (request: StoreRequest, reader: StreamReader): Promise<void> {
    for await (const piece of reader.readBytes(request.size)) void piece
  }

  /** Receive one PUT's bytes into the store and down the chain; the reply to send. */
  async function receivePut (request: StoreRequest, reader: StreamReader): Promise<Partial<StoreResponse>> {
    const toLocal = new PieceQueue()
    const local = store.put(request.cid, request.size, toLocal).then(() => undefined, (err: Error) => {
      toLocal.close()
      return err
    })
    let toNext: PieceQueue | undefined
    let downstream: Promise<PutOutcome> = Promise.resolve({ stored: [] })
    // ends the forward at once if the sender fails us
    const forwarding = new AbortController()
    const [next, ...rest] = request.forward
    if (next != null && init.forwarder != null) {
      const queue = toNext = new PieceQueue()
      init.forwarder.learn(next.peerId, next.addrs)
      // cleared once the forward is over (see Deadline)
      const forwardDeadline = new Deadline(FORWARD_TIMEOUT_MS, forwarding.signal)
      downstream = init.forwarder.get(next.peerId)
        .put({ id: request.cid, size: request.size }, queue, { noWait: true, grant: next.grant, forward: rest, signal: forwardDeadline.signal })
        .catch((err) => {
          queue.close()
          return { stored: [], problem: `node ${next.peerId}: ${errorMessage(err)}` }
        })
        .finally(() => { forwardDeadline.clear() })
    }
    try {
      for await (const piece of reader.readBytes(request.size)) {
        await toLocal.push(piece)
        if (toNext != null) await toNext.push(piece)
      }
    } catch (err) {
      // the sender stalled or went away mid-chunk: end the local write short
      // (the store then deletes its partial file) and the forward, then fail
      toLocal.close()
      toNext?.close()
      forwarding.abort(err)
      await Promise.all([local, downstream])
      throw err
    }
    toLocal.end()
    toNext?.end()
    const [localError, forwarded] = await Promise.all([local, downstream])
    if (forwarded.problem != null) onProblem(`could not pass chunk ${request.cid} on: ${forwarded.problem}`)
    const status = localError == null ? StoreResponse.Status.OK : storeStatusOf(localError)
    if (status === StoreResponse.Status.HASH_MISMATCH || status === StoreResponse.Status.ERROR) onProblem(`refused chunk ${request.cid}: ${errorMessage(localError)}`)
    return {
      status,
      size: request.size,
      stored: [...(localError == null ? [init.peerId] : []), ...forwarded.stored],
      message: [localError != null ? errorMessage(localError) : '', forwarded.problem ?? ''].filter((m) => m !== '').join('; ')
    }
  }

  /**
   * Receive a batch of small chunks (PUT_MANY): gathered in one buffer (at
   * most MAX_BATCH_BYTES), then verified and stored together (see putMany).
   * The node holds the batch only if it stored every chunk of it. A batch is
   * not passed on: its sender sends it to each node itself.
   */
  async function receivePutMany (request: StoreRequest, reader: StreamReader): Promise<Partial<StoreResponse>> {
    const problem = batchProblem(request)
    if (problem != null) {
      await skipPut(request, reader)
      return { status: StoreResponse.Status.INVALID, size: request.size, message: problem }
    }
    const pieces: Uint8Array[] = []
    for await (const piece of reader.readBytes(request.size)) pieces.push(piece)
    // a small batch comes in one piece (one frame with its request): no copy then
    const batch = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, request.size)
    try {
      let offset = 0
      await store.putMany(request.chunks.map((chunk) => {
        const bytes = batch.subarray(offset, offset + chunk.size)
        offset += chunk.size
        return { id: chunk.cid, bytes }
      }))
    } catch (err) {
      const status = storeStatusOf(err)
      if (status === StoreResponse.Status.HASH_MISMATCH || status === StoreResponse.Status.ERROR) onProblem(`refused a batch of ${request.chunks.length} chunks: ${errorMessage(err)}`)
      return { status, size: request.size, stored: [], message: errorMessage(err) }
    }
    return { status: StoreResponse.Status.OK, size: request.size, stored: [init.peerId] }
  }

  /** Null when the request may go ahead, else the refusal to send (and log). */
  function refusal (request: StoreRequest, op: GrantOp, remotePeer: string): Partial<StoreResponse> | undefined {
    try {
      init.grants.check(request.grant ?? new Uint8Array(0), { op, remotePeer, chunk: request.cid, size: request.size })
      return undefined
    } catch (err) {
      onProblem(`refused a ${op === GrantOp.PUT ? 'PUT' : 'GET'} of chunk ${request.cid.slice(0, 80)} from peer ${remotePeer}: ${errorMessage(err)}`)
      return { status: storeStatusOf(err), message: `node ${init.peerId} refused: ${errorMessage(err)}` }
    }
  }

  /** The op a request counts as in metrics. */
  function opOf (request: StoreRequest): 'PUT' | 'GET' | 'HAS' {
    if (request.type === StoreRequest.Type.PUT || request.type === StoreRequest.Type.PUT_MANY) return 'PUT'
    if (request.type === StoreRequest.Type.GET || request.type === StoreRequest.Type.GET_MANY) return 'GET'
    return 'HAS'
  }

  /**
   * Answer one request: the reply, or undefined when the chunk bytes went out
   * with it here. A throw means the stream may be mid-transfer: it ends.
   */
  async function serve (request: StoreRequest, remotePeer: string, { stream, reader, endAfterReply }: RequestContext<StoreRequest>): Promise<Partial<StoreResponse> | undefined> {
    if (request.type === StoreRequest.Type.PUT || request.type === StoreRequest.Type.PUT_MANY) {
      const many = request.type === StoreRequest.Type.PUT_MANY
      if (request.size > (many ? MAX_BATCH_BYTES : MAX_CHUNK_SIZE) || (!many && (request.forward.length > MAX_FORWARD || (request.forward.length > 0 && init.forwarder == null)))) {
        // cannot skip an unbounded announced length: refuse and end the stream
        endAfterReply()
        const message = request.size > (many ? MAX_BATCH_BYTES : MAX_CHUNK_SIZE)
          ? `${many ? 'batch' : 'chunk'} of ${request.size} bytes is over the ${many ? MAX_BATCH_BYTES : MAX_CHUNK_SIZE} byte limit`
          : `cannot forward to ${request.forward.length} nodes (at most ${MAX_FORWARD})`
        return { status: StoreResponse.Status.INVALID, message }
      }
      const refused = refusal(request, GrantOp.PUT, remotePeer)
      if (refused != null) {
        await skipPut(request, reader)
        return refused
      }
      return many ? await receivePutMany(request, reader) : await receivePut(request, reader)
    }
    // whether a node holds a chunk is a read too
    const refused = init.readsOpen() ? undefined : refusal(request, GrantOp.GET, remotePeer)
    if (refused != null) return refused
    if (request.type === StoreRequest.Type.GET_MANY) {
      if (request.chunks.length === 0 || request.chunks.length > MAX_GET_MANY) {
        return { status: StoreResponse.Status.INVALID, message: `a batch asks for 1 to ${MAX_GET_MANY} chunks, not ${request.chunks.length}` }
      }
      const found = await Promise.all(request.chunks.map(async (chunk) => await store.getSmall(chunk.cid, SMALL_CHUNK_BYTES).catch(() => undefined)))
      // an answer holds at most MAX_BATCH_BYTES, like a PUT_MANY: the rest are absent (asked for alone)
      let budget = MAX_BATCH_BYTES
      for (const [i, bytes] of found.entries()) {
        if (bytes == null) continue
        if (bytes.byteLength > budget) found[i] = undefined
        else budget -= bytes.byteLength
      }
      const bodies = found.filter((bytes) => bytes != null)
      const size = bodies.reduce((sum, bytes) => sum + bytes.byteLength, 0)
      const message = encodeResponse({ chunks: request.chunks.map((chunk, i) => ({ cid: chunk.cid, size: found[i]?.byteLength ?? 0, absent: found[i] == null })) })
      // in one frame with the answer when small enough (see sendMessageAndBytes)
      await sendMessageAndBytes(stream, message, size, bodies)
      init.onServed?.('GET', StoreResponse.Status.OK, size)
      return undefined
    }
    if (request.type === StoreRequest.Type.GET) {
      const chunk = await store.get(request.cid).catch((err) => err as Error)
      if (chunk == null) return { status: StoreResponse.Status.NOT_FOUND, message: `chunk ${request.cid} is not stored here` }
      if (chunk instanceof Error) return { status: storeStatusOf(chunk), message: errorMessage(chunk) }
      const sent = await sendMessageAndBytes(stream, encodeResponse({ size: chunk.size }), chunk.size, chunk.bytes)
      if (sent !== chunk.size) throw new Error(`chunk ${request.cid} changed size while being read`)
      init.onServed?.('GET', StoreResponse.Status.OK, sent)
      return undefined
    }
    const size = await store.has(request.cid).catch((err) => err as Error)
    if (size instanceof Error) return { status: storeStatusOf(size), message: errorMessage(size) }
    if (size == null) return { status: StoreResponse.Status.NOT_FOUND, message: `chunk ${request.cid} is not stored here` }
    return { size }
  }

  return async (stream: Stream, connection: Connection): Promise<void> => {
    const remotePeer = connection.remotePeer.toString()
    await serveRequests<StoreRequest, Partial<StoreResponse>>(stream, {
      decode: (bytes) => StoreRequest.decode(bytes),
      encode: encodeResponse,
      maxMessageBytes: MAX_STORE_MESSAGE_BYTES,
      idleTimeoutMs: init.idleTimeoutMs,
      handle: async (request, context) => await serve(request, remotePeer, context),
      onHandlerError: 'end',
      errorReply: (err) => ({ status: storeStatusOf(err), message: errorMessage(err) }),
      shutdown: init.drain == null
        ? undefined
        : {
            drain: init.drain,
            reply: async (request, { reader }) => {
              // the sender tries another node; a PUT's bytes are read so the reply is in step
              if ((request.type === StoreRequest.Type.PUT && request.size <= MAX_CHUNK_SIZE) || (request.type === StoreRequest.Type.PUT_MANY && request.size <= MAX_BATCH_BYTES)) await skipPut(request, reader)
              return { status: StoreResponse.Status.ERROR, message: `node ${init.peerId} is shutting down` }
            }
          },
      // count the request by its outcome (a PUT's bytes count once stored)
      onReply: (request, response) => {
        const status = response.status ?? StoreResponse.Status.OK
        const op = opOf(request)
        init.onServed?.(op, status, op === 'PUT' && status === StoreResponse.Status.OK ? request.size : 0)
      },
      // malformed, oversized, stalled: one line for the operator, then this stream goes
      onStreamError: (err) => {
        onProblem(`closed a store stream from peer ${remotePeer}: ${errorMessage(err)}`)
        log.error('store stream failed - %e', err)
      }
    })
  }
}
