import type { Libp2p } from 'libp2p'
import type { AbortOptions, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { StreamReader } from './stream-io.ts'
import { openStream } from './dial.ts'

/**
 * One long-lived stream to a peer for a request/response protocol, used by one
 * request at a time (callers queue). Reusing the stream saves the dial and the
 * protocol negotiation on every request; a failed request drops the stream and
 * the next one opens a fresh one.
 */
export class RequestStream {
  private current?: { stream: Stream, reader: StreamReader }
  private queue: Promise<unknown> = Promise.resolve()
  /** requests queued or running: lets a pool pick the least busy stream */
  pending = 0

  /** `remoteName` is how errors name the peer, e.g. "the directory" or "node 12D3…". */
  constructor (private readonly libp2p: Libp2p, private readonly target: () => Multiaddr[], private readonly protocol: string, private readonly remoteName: string) {}

  async run<T> (fn: (stream: Stream, reader: StreamReader) => Promise<T>, options?: AbortOptions): Promise<T> {
    this.pending++
    const result = this.queue.then(async () => {
      const usable = this.current != null && this.current.stream.status === 'open' && this.current.stream.writeStatus === 'writable' &&
        // a server that closed its side (idle timeout) will not answer again
        this.current.stream.remoteWriteStatus === 'writable'
      if (!usable) {
        this.drop()
        const stream = await openStream(this.libp2p, this.target(), this.protocol, this.remoteName, { signal: options?.signal })
        this.current = { stream, reader: new StreamReader(stream) }
      }
      const { stream, reader } = this.current!
      try {
        return await fn(stream, reader)
      } catch (err) {
        // the stream may be mid-message: never reuse it
        if (this.current?.stream === stream) this.drop(err as Error)
        throw err
      }
    })
    this.queue = result.catch(() => {})
    try {
      return await result
    } finally {
      this.pending--
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
