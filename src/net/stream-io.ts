import { encode as encodeVarint, encodingLength } from 'uint8-varint'
import type { AbortOptions, Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { IdleTimeoutError, ProtocolError } from '../errors.ts'
import { NOISE_MESSAGE_BYTES, TAG_BYTES } from './tuning/noise-decrypt.ts'

/**
 * A pull reader over a libp2p 3.x stream: length-prefixed messages and exact
 * byte counts, with backpressure (it pauses the stream while it holds more than
 * `highWaterMark` bytes, so a fast sender is slowed by yamux flow control
 * rather than growing our memory).
 *
 * It listens from construction on, so a reply and FIN that arrive before the
 * first read are not lost (the trap of iterating a stream late).
 */
export class StreamReader {
  private readonly pieces: Uint8Array[] = []
  private buffered = 0
  private ended = false
  private failure?: Error
  private paused = false

  /**
   * `idleTimeoutMs`: a wait for data longer than this throws (servers use it
   * so a peer that goes quiet mid-request, or between requests, does not hold
   * a stream, a file or memory forever). 0: wait as long as it takes.
   */
  constructor (private readonly stream: Stream, private readonly highWaterMark = 1024 * 1024, private readonly idleTimeoutMs = 0) {
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('end', this.onEnd)
    stream.addEventListener('close', this.onClose)
    if (stream.readableEnded) this.ended = true
  }

  /** bytes that have arrived on the stream so far */
  received = 0

  private readonly onMessage = (evt: { data: Uint8Array | Iterable<Uint8Array> }): void => {
    const data = evt.data
    const before = this.buffered
    if (data instanceof Uint8Array) {
      this.pieces.push(data)
      this.buffered += data.byteLength
    } else {
      for (const piece of data) {
        this.pieces.push(piece)
        this.buffered += piece.byteLength
      }
    }
    this.received += this.buffered - before
    if (this.buffered > this.highWaterMark && !this.paused) {
      this.paused = true
      try { this.stream.pause() } catch {}
    }
    this.notify()
  }

  private readonly onEnd = (): void => {
    this.ended = true
    this.notify()
  }

  private readonly onClose = (evt: Event & { error?: Error }): void => {
    if (evt.error != null) this.failure = evt.error
    this.ended = true
    this.notify()
  }

  private idleTimer?: NodeJS.Timeout
  /** the wait for data in progress, if any: settled by data, the end, an abort or the idle timer */
  private waiting?: { resolve: () => void, reject: (err: Error) => void }

  private notify (): void {
    const waiting = this.waiting
    this.waiting = undefined
    waiting?.resolve()
  }

  /** Reject the wait in progress; with none, the next wait finds out for itself (aborted signal, idle timer re-armed). */
  private interrupt (err: Error): void {
    const waiting = this.waiting
    this.waiting = undefined
    waiting?.reject(err)
  }

  private maybeResume (): void {
    if (this.paused && this.buffered < this.highWaterMark / 2) {
      this.paused = false
      try { this.stream.resume() } catch {}
    }
  }

  /**
   * Have `signal` interrupt the read in progress: one listener for a whole
   * read, removed by the function returned. A listener per wait on the
   * AbortSignal.any() a chunk is fetched under makes Node follow that signal's
   * sources anew each time, garbage that outlives young-generation GCs and
   * grows a download's memory with the size of the file.
   */
  private watch (signal?: AbortSignal): () => void {
    if (signal == null || signal.aborted) return noop
    const onAbort = (): void => { this.interrupt(signal.reason ?? new Error('aborted')) }
    signal.addEventListener('abort', onAbort, { once: true })
    return () => { signal.removeEventListener('abort', onAbort) }
  }

  /** Resolves when more data, the end, or an error arrived (the read must be watching `signal`). */
  private async waitForData (signal?: AbortSignal): Promise<void> {
    if (this.failure != null) throw this.failure
    if (this.ended) throw new ProtocolError('the stream ended early')
    signal?.throwIfAborted()
    if (this.idleTimeoutMs > 0) {
      // one timer per reader, re-armed on each wait: waits happen for every piece of a transfer.
      // It may fire after a wait ended (it is not cleared per wait): only a wait in progress times out
      if (this.idleTimer == null) this.idleTimer = setTimeout(() => { this.interrupt(new IdleTimeoutError(`the peer sent nothing for ${this.idleTimeoutMs} ms`)) }, this.idleTimeoutMs).unref()
      else this.idleTimer.refresh()
    }
    await new Promise<void>((resolve, reject) => { this.waiting = { resolve, reject } })
  }

  /** Take up to `max` bytes from the head of the buffer, without copying. */
  private take (max: number): Uint8Array {
    const head = this.pieces[0]
    let piece: Uint8Array
    if (head.byteLength <= max) {
      this.pieces.shift()
      piece = head
    } else {
      piece = head.subarray(0, max)
      this.pieces[0] = head.subarray(max)
    }
    this.buffered -= piece.byteLength
    this.maybeResume()
    return piece
  }

  private takeExact (length: number): Uint8Array {
    if (this.pieces[0].byteLength >= length) return this.take(length)
    const out = new Uint8Array(length)
    let filled = 0
    while (filled < length) {
      const piece = this.take(length - filled)
      out.set(piece, filled)
      filled += piece.byteLength
    }
    return out
  }

  /**
   * Read one length-prefixed message. Returns undefined when the remote closed
   * the stream cleanly between messages.
   */
  async readMessage (maxLength: number, options?: AbortOptions): Promise<Uint8Array | undefined> {
    const unwatch = this.watch(options?.signal)
    try {
      return await this.readMessageWatched(maxLength, options?.signal)
    } finally {
      unwatch()
    }
  }

  private async readMessageWatched (maxLength: number, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    // varint length prefix, at most 5 bytes for our limits
    let length = 0
    let shift = 0
    for (let i = 0; ; i++) {
      while (this.buffered === 0) {
        if (i === 0 && this.ended && this.failure == null) return undefined
        try {
          await this.waitForData(signal)
        } catch (err) {
          // quiet between requests is a goodbye, not an error
          if (i === 0 && (err as Error).name === 'IdleTimeoutError') return undefined
          throw err
        }
      }
      const byte = this.take(1)[0]
      length += (byte & 0x7f) * 2 ** shift
      shift += 7
      if ((byte & 0x80) === 0) break
      if (i >= 4) throw new ProtocolError('malformed length prefix')
    }
    if (length > maxLength) throw new ProtocolError(`message of ${length} bytes is over the limit of ${maxLength}`)
    while (this.buffered < length) await this.waitForData(signal)
    return length === 0 ? new Uint8Array(0) : this.takeExact(length)
  }

  /** Yield exactly `length` bytes as they arrive (zero-copy subarrays). */
  async * readBytes (length: number, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    const unwatch = this.watch(options?.signal)
    try {
      let remaining = length
      while (remaining > 0) {
        while (this.buffered === 0) await this.waitForData(options?.signal)
        const piece = this.take(remaining)
        remaining -= piece.byteLength
        yield piece
      }
    } finally {
      unwatch()
    }
  }

  /** Stop listening; call when the stream is done with. */
  release (): void {
    clearTimeout(this.idleTimer)
    this.stream.removeEventListener('message', this.onMessage as any)
    this.stream.removeEventListener('end', this.onEnd)
    this.stream.removeEventListener('close', this.onClose as any)
  }
}

function noop (): void {}

/** Plaintext bytes in one full Noise message. */
const NOISE_PLAINTEXT_BYTES = NOISE_MESSAGE_BYTES - TAG_BYTES
/** A yamux frame's header. */
const YAMUX_HEADER_BYTES = 12

/**
 * The size bulk bytes are sent in: a yamux frame of this many bytes, with its
 * header, fills four Noise messages exactly (262,064 bytes, about 256 KiB,
 * the write size that suits Noise and yamux), so no small Noise message is
 * left over to cost a cipher set-up, a frame and a socket write of its own.
 */
export const BULK_SEND_BYTES = 4 * NOISE_PLAINTEXT_BYTES - YAMUX_HEADER_BYTES

/** Send bytes, waiting for the muxer to drain when its buffer is full. */
export async function sendBytes (stream: Stream, bytes: Uint8Array | Uint8ArrayList, options?: AbortOptions): Promise<void> {
  if (!stream.send(bytes)) await stream.onDrain(options)
}

/**
 * Send one length-prefixed message, and with it `payload` (the raw bytes that
 * follow the message) when given: a small chunk then costs one muxer frame,
 * one Noise frame and one socket write instead of two of each.
 */
export async function sendMessage (stream: Stream, message: Uint8Array, options?: AbortOptions, payload: Uint8Array[] = []): Promise<void> {
  await sendBytes(stream, frameMessage(message, payload), options)
}

/** A message with its length prefix, followed by `payload` when given, in one buffer. */
export function frameMessage (message: Uint8Array, payload: Uint8Array[] = []): Uint8Array {
  const prefix = encodingLength(message.byteLength)
  const framed = new Uint8Array(prefix + message.byteLength + payload.reduce((sum, piece) => sum + piece.byteLength, 0))
  encodeVarint(message.byteLength, framed)
  framed.set(message, prefix)
  let at = prefix + message.byteLength
  for (const piece of payload) {
    framed.set(piece, at)
    at += piece.byteLength
  }
  return framed
}

/** Bytes up to this size travel in the same frame as the message before them (copied once: cheap at this size). */
export const INLINE_PAYLOAD_BYTES = 64 * 1024

/**
 * Send a message followed by `size` raw bytes from `pieces`: in one frame
 * when they are small and arrive as one piece (or are an array: a batch of
 * small chunks), streamed otherwise, in sends of BULK_SEND_BYTES whatever the
 * size of the pieces. Pieces come as they arrived from a stream when a node
 * passes a chunk on, and a Noise message that spanned two socket reads
 * arrives as two (see noise-decrypt.ts); they are gathered in a list (no
 * copy) so that a small piece does not cost a frame, a Noise message and a
 * socket write of its own.
 */
export async function sendMessageAndBytes (stream: Stream, message: Uint8Array, size: number, pieces: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<number> {
  if (Array.isArray(pieces) && size <= INLINE_PAYLOAD_BYTES && pieces.reduce((sum: number, piece: Uint8Array) => sum + piece.byteLength, 0) === size) {
    await sendMessage(stream, message, options, pieces)
    return size
  }
  const iterator = Symbol.asyncIterator in pieces ? pieces[Symbol.asyncIterator]() : pieces[Symbol.iterator]()
  let sent = 0
  try {
    let next = await iterator.next()
    if (!next.done && next.value.byteLength === size && size <= INLINE_PAYLOAD_BYTES) {
      await sendMessage(stream, message, options, [next.value])
      sent += size
      next = await iterator.next()
    } else {
      await sendMessage(stream, message, options)
    }
    const pending = new Uint8ArrayList()
    for (; next.done !== true; next = await iterator.next()) {
      pending.append(next.value)
      sent += next.value.byteLength
      while (pending.byteLength >= BULK_SEND_BYTES) {
        const bulk = pending.sublist(0, BULK_SEND_BYTES)
        pending.consume(BULK_SEND_BYTES)
        await sendBytes(stream, bulk, options)
      }
    }
    if (pending.byteLength > 0) await sendBytes(stream, pending, options)
  } finally {
    // a failed send stops the source too (a file being read, a forward queue)
    await iterator.return?.()
  }
  return sent
}
