import type { Stream } from '@libp2p/interface'
import { InvalidInputError } from '../errors.ts'
import type { Drain } from '../util/drain.ts'
import { errorMessage } from '../util/log.ts'
import { DEFAULT_IDLE_TIMEOUT_MS } from './limits.ts'
import { StreamReader, frameMessage } from './stream-io.ts'

/** How long a failed stream's last reply and close may take before the stream is reset anyway. */
const FAILED_STREAM_CLOSE_MS = 5_000

/** What a request handler may use of its stream, for protocols that carry more than one message per request. */
export interface RequestContext<Request> {
  readonly stream: Stream
  /** the stream's reader, for raw bytes that follow a request (a chunk's) */
  readonly reader: StreamReader
  /** The next message of the same request (a page of it); undefined when the peer ended the stream first. */
  next: () => Promise<Request | undefined>
  /** Close the stream after this request's reply: what follows it cannot be read in step. */
  endAfterReply: () => void
}

export interface RequestLoopOptions<Request, Response> {
  decode: (bytes: Uint8Array) => Request
  encode: (response: Response) => Uint8Array
  /** largest request message taken; a longer one fails the stream */
  maxMessageBytes: number
  /**
   * A peer quiet this long, between requests, within one, or not reading our
   * replies, loses the stream (0: wait as long as it takes). Quiet between
   * requests is a goodbye: the stream just closes. Default DEFAULT_IDLE_TIMEOUT_MS.
   */
  idleTimeoutMs?: number
  /** Answer one request: the reply to send, or undefined when the handler sent it itself (with bytes after it). */
  handle: (request: Request, context: RequestContext<Request>) => Promise<Response | undefined>
  /**
   * The reply for a failed request: the error a handler threw, or an
   * InvalidInputError for a message that could not be read or decoded.
   */
  errorReply: (err: unknown) => Response
  /** replies after which the stream closes (a registration is one request); unlimited when not given */
  maxRequests?: number
  /**
   * `end` when a handler that throws may have left the stream mid-transfer
   * (the store's bulk bytes): the stream then fails as for a malformed message
   * instead of answering the error and going on.
   */
  onHandlerError?: 'reply' | 'end'
  /** Requests count as work in flight; once draining, a request gets `reply` and the stream closes. */
  shutdown?: { drain: Drain, reply: (request: Request, context: RequestContext<Request>) => Response | Promise<Response> }
  /** each reply the loop sent, with its request (for metrics) */
  onReply?: (request: Request, response: Response) => void
  /** a handler's error, before its reply is sent */
  onRequestError?: (err: unknown, request: Request) => void
  /** the stream failed (malformed or oversized message, a peer quiet mid-message, a reset): it is closed after this */
  onStreamError?: (err: unknown) => void
}

/** A failure to read or decode the stream itself, which no request's reply can fix. */
class StreamFailure extends Error {
  constructor (readonly failure: unknown) {
    super(errorMessage(failure))
  }
}

/**
 * Serve a stream of length-prefixed requests, each answered in turn, until
 * the peer closes its side, goes quiet, or breaks the protocol. Never throws
 * and never leaves the stream open on failure: a handler's error becomes its
 * reply (status by `errorReply`), and a message that cannot be read gets an
 * INVALID reply, if the stream can still carry one, and the stream ends.
 */
export async function serveRequests<Request, Response> (stream: Stream, options: RequestLoopOptions<Request, Response>): Promise<void> {
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
  const reader = new StreamReader(stream, undefined, idleTimeoutMs)

  /** Send one framed reply, waiting for a full muxer buffer to drain (a peer that stops reading stalls us at most `waitMs`). */
  const send = async (response: Response, waitMs = idleTimeoutMs): Promise<void> => {
    if (!stream.send(frameMessage(options.encode(response)))) {
      await stream.onDrain({ signal: waitMs > 0 ? AbortSignal.timeout(waitMs) : undefined })
    }
  }

  /** The next request; undefined once the peer closed between requests or stayed quiet for the idle timeout. */
  const readRequest = async (): Promise<Request | undefined> => {
    try {
      const bytes = await reader.readMessage(options.maxMessageBytes)
      return bytes == null ? undefined : options.decode(bytes)
    } catch (err) {
      throw new StreamFailure(err)
    }
  }

  let endAfterReply = false
  const context: RequestContext<Request> = {
    stream,
    reader,
    next: readRequest,
    endAfterReply: () => { endAfterReply = true }
  }

  try {
    // eslint-disable-next-line no-unmodified-loop-condition -- set by the handler through context.endAfterReply()
    for (let served = 0; served < (options.maxRequests ?? Infinity) && !endAfterReply; served++) {
      const request = await readRequest()
      if (request === undefined) break
      if (options.shutdown?.drain.draining === true) {
        const response = await options.shutdown.reply(request, context)
        await send(response)
        options.onReply?.(request, response)
        break
      }
      options.shutdown?.drain.begin()
      try {
        let response: Response | undefined
        try {
          response = await options.handle(request, context)
        } catch (err) {
          if (err instanceof StreamFailure || options.onHandlerError === 'end') throw err
          options.onRequestError?.(err, request)
          response = options.errorReply(err)
        }
        if (response !== undefined) {
          await send(response)
          options.onReply?.(request, response)
        }
      } finally {
        options.shutdown?.drain.end()
      }
    }
    await stream.close()
  } catch (caught) {
    const err = caught instanceof StreamFailure ? caught.failure : caught
    options.onStreamError?.(err)
    if (stream.writeStatus === 'writable') {
      // tell the peer why before ending; a peer that reads nothing does not hold us up
      try {
        await send(options.errorReply(new InvalidInputError(errorMessage(err))), FAILED_STREAM_CLOSE_MS)
        await stream.close({ signal: AbortSignal.timeout(FAILED_STREAM_CLOSE_MS) })
      } catch {}
    }
    stream.abort(err instanceof Error ? err : new Error(errorMessage(err)))
  } finally {
    reader.release()
  }
}
