import type { OnReadOpts, Socket } from 'node:net'
import { reportMiss, tuningStatus, type TuningWarn } from './status.ts'

/**
 * Reads into one reused buffer per dialed socket instead of a fresh one per read.
 *
 * Node gives every socket read a new 64 KiB buffer: on a download, a malloc
 * and garbage per 64 KiB received, and with a 1 MiB young generation the few
 * alive at two scavenges in a row wait in the old generation for a full GC.
 * Node's `onread` option has the socket read into memory we give it; each
 * dialed socket gets a ring of its own and reads up to READ_BYTES at a time
 * into the next free part of it.
 *
 * Those bytes must not be read after the ring comes round to them again, so
 * the ring is handed out only once the connection is secured (see
 * `readsSecured`), when the one reader of the raw bytes is Noise's message
 * decoder: it decrypts what a read completes before the read returns, into
 * fresh buffers (noise-decrypt.ts never decrypts in place on such a
 * connection), and keeps at most one unfinished message, under 64 KiB, for
 * the next read. Before that (multistream-select, the handshake, whose
 * readers keep bytes until they ask for them), and whenever the connection
 * could not take the bytes at once (paused, no listener, data queued in the
 * socket), a read is copied out as Node would have delivered it.
 *
 * Listening sockets cannot be given `onread` (Node has no such option for
 * accepted connections), so this covers what a peer dials: the client's
 * connections to nodes and the directory, a node's to the next node of a chain.
 */

/** The most one read takes: fewer, larger reads mean fewer trips through the stack above. */
export const READ_BYTES = 256 * 1024
/** Noise's largest message with its 2-byte length: what the decoder may keep of earlier reads */
export const MAX_KEPT_BYTES = 65_537
/** The smallest ring in which a read never lands on kept bytes (see `nextRead`; the unit test checks it) */
export const RING_BYTES = 2 * READ_BYTES + MAX_KEPT_BYTES

/** The socket's libp2p connection, set by `readsSecured` once Noise reads from it. */
const SECURED = Symbol.for('dfs.socket-reads.secured')
/** Set on a socket by its ring's first read, so `readsSecured` can tell a dialed socket that has none. */
const HAS_RING = Symbol.for('dfs.socket-reads.has-ring')

/** What the connection must be for a read to go to it as a view of the ring: taking data now. */
interface TakesReads {
  readStatus?: string
  listenerCount?: (type: string) => number
}

interface RingSocket extends Socket {
  [SECURED]?: TakesReads
  [HAS_RING]?: boolean
}

/** The ring buffers handed out, so the decrypt step can tell a view of one (never decrypt into it). */
const rings = new WeakSet<ArrayBufferLike>()

/** Reads so far, in this process: delivered as views of a ring, or copied out (for tests and profiles) */
export const ringReadCounts = { direct: 0, copied: 0 }

export function isRingBacked (bytes: Uint8Array): boolean {
  return rings.has(bytes.buffer)
}

/**
 * An `onread` for one socket: a getter on dialOpts makes one per dial, since
 * @libp2p/tcp spreads its dialOpts into every net.connect().
 */
export function ringReads (): OnReadOpts {
  const ring = Buffer.allocUnsafeSlow(RING_BYTES)
  rings.add(ring.buffer)
  /** where the next read goes */
  let next = 0
  return {
    buffer: () => ring.subarray(next, next + READ_BYTES),
    callback (this: RingSocket, bytesRead: number, into: Uint8Array): boolean {
      const data = into.subarray(0, bytesRead)
      this[HAS_RING] = true
      const secured = this[SECURED]
      const direct = secured != null && secured.readStatus === 'readable' && (secured.listenerCount?.('message') ?? 0) > 0 &&
        this.readableFlowing === true && this.readableLength === 0 && this.listenerCount('data') > 0
      if (!direct) {
        // as Node would have delivered it (buffered, paused, backpressure), in a buffer of its own;
        // the same part of the ring takes the next read
        ringReadCounts.copied++
        return this.push(Buffer.from(data))
      }
      next = nextRead(next + bytesRead)
      ringReadCounts.direct++
      tuningStatus['socket-reads'].used++
      this.emit('data', data)
      return true
    }
  }
}

/**
 * Where the read after one that ended at `end` goes: on, or back to the start
 * when a whole READ_BYTES no longer fits. Kept bytes are the last
 * MAX_KEPT_BYTES delivered. On wrapping, `end` is past READ_BYTES +
 * MAX_KEPT_BYTES, so they lie past READ_BYTES, clear of the read at 0; each
 * read from 0 on reaches only as far as what it delivered plus READ_BYTES,
 * and by the same amount fewer of the bytes before the wrap are kept.
 */
export function nextRead (end: number): number {
  return end + READ_BYTES > RING_BYTES ? 0 : end
}

/**
 * Called once Noise has secured a connection (noise-connection.ts), with the
 * transport's connection under it, whose 'message' listener is now Noise's
 * decoder: from now on its socket's reads may go up as views of the ring. A
 * connection of another shape is left as it is, and the miss reported; on a
 * socket without a ring (an accepted one) the mark is set but never read,
 * since only a ring's read callback looks at it.
 */
export function readsSecured (rawConnection: unknown, warn?: TuningWarn): void {
  const connection = rawConnection as TakesReads & { socket?: RingSocket, direction?: string }
  const socket = connection.socket
  if (socket == null || typeof socket !== 'object') {
    reportMiss('socket-reads', 'the transport connection has no net.Socket', warn)
    return
  }
  if (typeof connection.readStatus !== 'string' || typeof connection.listenerCount !== 'function') {
    reportMiss('socket-reads', 'the transport connection has no readStatus or listenerCount', warn)
    return
  }
  socket[SECURED] = connection
  if (connection.direction !== 'outbound') return
  // the handshake has been read through the ring's callback by now, if the socket has one
  if (socket[HAS_RING] === true) tuningStatus['socket-reads'].applied++
  else reportMiss('socket-reads', 'a dialed socket does not read into a ring: @libp2p/tcp did not pass dialOpts.onread to net.connect', warn)
}
