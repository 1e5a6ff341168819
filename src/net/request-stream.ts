import type { Libp2p } from 'libp2p'
import type { AbortOptions, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { StreamReader } from './stream-io.ts'
import { openStream } from './dial.ts'
import { StreamRefusedError } from '../errors.ts'
import { sleep } from '../util/sleep.ts'

/** Tries again after a refused stream (see RequestStream.open): after 25, 50, 100, 200 and 400 ms. */
const OPEN_RETRIES = 5
const OPEN_RETRY_MS = 25
/** How a stream the peer reset looks to the side that opened it, on write and on read. */
const RESET_ERRORS = new Set(['StreamResetError', 'StreamStateError', 'StreamAbortedError'])

/**
 * One long-lived stream to a peer for a request/response protocol, used by one
 * request at a time (callers queue). Reusing the stream saves the dial and the
 * protocol negotiation on every request; a failed request drops the stream and
 * the next one opens a fresh one.
 */
export class RequestStream {
  /** `fresh`: opened for the request about to run, nothing sent on it yet */
  private current?: { stream: Stream, reader: StreamReader, fresh: boolean }
  private queue: Promise<unknown> = Promise.resolve()
  /** requests queued or running: lets a pool pick the least busy stream */
  pending = 0

  /** `remoteName` is how errors name the peer, e.g. "the directory" or "node 12D3…". */
  constructor (private readonly libp2p: Libp2p, private readonly target: () => Multiaddr[], private readonly protocol: string, private readonly remoteName: string) {}

  /**
   * Run one request on the stream. With `rerunnable` (fn can run again from
   * the start: its request is rebuilt, its bytes come from arrays, not from
   * a source it would have drained), a request on a stream opened for it that
   * is reset before a byte comes back runs again on a new stream: the peer
   * refused that stream (its per-connection limit, see open), so it did
   * nothing with the request.
   */
  async run<T> (fn: (stream: Stream, reader: StreamReader) => Promise<T>, options?: AbortOptions & { rerunnable?: boolean }): Promise<T> {
    this.pending++
    const result = this.queue.then(async () => {
      for (let attempt = 0; ; attempt++) {
        const usable = this.current != null && this.current.stream.status === 'open' && this.current.stream.writeStatus === 'writable' &&
          // a server that closed its side (idle timeout) will not answer again
          this.current.stream.remoteWriteStatus === 'writable'
        if (!usable) {
          this.drop()
          const stream = await this.open(options)
          this.current = { stream, reader: new StreamReader(stream), fresh: true }
        }
        const current = this.current!
        const fresh = current.fresh
        current.fresh = false
        try {
          return await fn(current.stream, current.reader)
        } catch (err) {
          // the stream may be mid-message: never reuse it
          if (this.current === current) this.drop(err as Error)
          const refused = fresh && current.reader.received === 0 && RESET_ERRORS.has((err as Error)?.name)
          if (options?.rerunnable !== true || !refused || attempt >= OPEN_RETRIES) throw err
          await sleep(OPEN_RETRY_MS * 2 ** attempt, options?.signal)
        }
      }
    })
    this.queue = result.catch(() => {})
    try {
      return await result
    } finally {
      this.pending--
    }
  }

  /**
   * Open the stream, trying again a few times if the peer refuses it for now:
   * streams being closed still count against its per-connection limit for a
   * moment, so a burst of requests can meet a refusal that is gone a few
   * milliseconds later. Nothing has been sent on a refused stream.
   */
  private async open (options?: AbortOptions): Promise<Stream> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await openStream(this.libp2p, this.target(), this.protocol, this.remoteName, { signal: options?.signal })
      } catch (err) {
        if (!(err instanceof StreamRefusedError) || attempt >= OPEN_RETRIES) throw err
        await sleep(OPEN_RETRY_MS * 2 ** attempt, options?.signal)
      }
    }
  }

  private drop (err?: Error): void {
    if (this.current == null) return
    const { stream, reader } = this.current
    this.current = undefined
    reader.release()
    if (err != null) stream.abort(err)
    else stream.close().catch(() => { stream.abort(new Error('close failed')) })
  }

  async close (): Promise<void> {
    await this.queue
    const current = this.current
    this.current = undefined
    if (current == null) return
    current.reader.release()
    await current.stream.close({ signal: AbortSignal.timeout(2_000) }).catch(() => { current.stream.abort(new Error('close timed out')) })
  }
}

/**
 * Request streams to one peer, opened as needed: a request takes an idle
 * stream, else opens another while there are fewer than the limit, else
 * queues on the least busy. A peer answers the requests on one stream in
 * turn, so concurrent requests get streams side by side.
 */
export class RequestStreamPool {
  private readonly streams: RequestStream[] = []

  constructor (private readonly libp2p: Libp2p, private readonly target: () => Multiaddr[], private readonly protocol: string, private readonly remoteName: string, private readonly limit: number) {}

  /** A one-off stream outside the pool; the caller closes it. */
  extra (): RequestStream {
    return new RequestStream(this.libp2p, this.target, this.protocol, this.remoteName)
  }

  /** The stream for the next request, using at most the first `limit` streams. */
  pick (limit = this.limit): RequestStream {
    const usable = this.streams.slice(0, limit)
    const idle = usable.find((stream) => stream.pending === 0)
    if (idle != null) return idle
    if (this.streams.length < limit) {
      const stream = this.extra()
      this.streams.push(stream)
      return stream
    }
    return usable.reduce((best, stream) => stream.pending < best.pending ? stream : best)
  }

  async close (): Promise<void> {
    await Promise.all(this.streams.map(async (stream) => { await stream.close() }))
  }
}
