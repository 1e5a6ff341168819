import type { StreamMuxerFactory } from '@libp2p/interface'
import { reportMiss, tuningStatus, type TuningWarn } from './status.ts'

/**
 * Window updates once half the window is owed, as Go's yamux sends them.
 *
 * The JS yamux answers every data frame it receives with a window update, each
 * its own Noise message and often its own system call. `sendWindowUpdateAtHalf`
 * is yamux's `sendWindowUpdate` step for step (no updates while paused, flags
 * first, the window doubling while frames come fast) with one more condition:
 * no update while less than half the window is owed, unless it carries a flag
 * (a new stream's SYN or ACK). The sender never starves: it stops only with
 * the whole window used, and an update went out when half of it was.
 */

/** A yamux stream's fields and steps this uses (@chainsafe/libp2p-yamux's YamuxStream) */
interface YamuxStreamWindow {
  state: number
  /** the libp2p stream's read side: 'paused' while its reader holds enough */
  readStatus?: string
  recvWindow: number
  recvWindowCapacity: number
  maxStreamWindowSize: number
  epochStart: number
  streamId: number
  getRTT: () => number
  getSendFlags: () => number
  sendFrame: (header: { type: number, flag: number, streamID: number, length: number }) => unknown
  sendWindowUpdate: () => void
}

/** yamux's StreamState.Paused, and the spec's WindowUpdate frame type */
const STATE_PAUSED = 5
const FRAME_WINDOW_UPDATE = 1

function isYamuxStream (stream: unknown): stream is YamuxStreamWindow {
  const s = stream as Partial<YamuxStreamWindow> | undefined
  return typeof s?.sendWindowUpdate === 'function' && typeof s.getSendFlags === 'function' &&
    typeof s.sendFrame === 'function' && typeof s.getRTT === 'function' &&
    typeof s.state === 'number' && typeof s.recvWindow === 'number' && typeof s.recvWindowCapacity === 'number' &&
    typeof s.maxStreamWindowSize === 'number' && typeof s.epochStart === 'number' && typeof s.streamId === 'number'
}

function sendWindowUpdateAtHalf (this: YamuxStreamWindow): void {
  tuningStatus['yamux-window'].used++
  // resume() hands the reader what was buffered and only then marks yamux resumed: a reader
  // that pauses again on that hand-off must not be granted more, or its buffer passes the limit
  if (this.state === STATE_PAUSED || this.readStatus === 'paused') {
    // the reader wants no more for now; the epoch starts again at resume
    this.epochStart = Date.now()
    return
  }
  const flags = this.getSendFlags()
  const now = Date.now()
  const rtt = this.getRTT()
  // a window used within four round trips doubles, up to the maximum
  if (flags === 0 && rtt > -1 && (now - this.epochStart) <= (rtt * 4)) {
    this.recvWindow = Math.min(this.recvWindow * 2, this.maxStreamWindowSize)
  }
  const owed = this.recvWindow - this.recvWindowCapacity
  if (flags === 0 && owed < this.recvWindow / 2) return
  this.recvWindowCapacity = this.recvWindow
  this.epochStart = now
  this.sendFrame({ type: FRAME_WINDOW_UPDATE, flag: flags, streamID: this.streamId, length: owed })
}

/** Where yamux's muxer makes each stream, inbound and outbound */
interface MakesStreams {
  _newStream: (...args: unknown[]) => unknown
}

/**
 * A yamux factory whose streams send window updates at half the window (see
 * above): the override is on each stream object, and a muxer or stream that
 * does not look like @chainsafe/libp2p-yamux's is left as it is, and the
 * miss reported (status.ts).
 */
export function windowUpdatesAtHalf (factory: (components: any) => StreamMuxerFactory, warn?: TuningWarn): (components: any) => StreamMuxerFactory {
  return (components) => {
    const inner = factory(components)
    const createStreamMuxer = inner.createStreamMuxer.bind(inner)
    inner.createStreamMuxer = (maConn) => {
      const muxer = createStreamMuxer(maConn)
      const target = muxer as typeof muxer & Partial<MakesStreams>
      if (typeof target._newStream !== 'function') {
        reportMiss('yamux-window', 'the muxer has no _newStream step', warn)
        return muxer
      }
      const newStream = target._newStream.bind(muxer)
      target._newStream = (...args: unknown[]) => {
        const stream = newStream(...args)
        if (isYamuxStream(stream)) {
          stream.sendWindowUpdate = sendWindowUpdateAtHalf
          tuningStatus['yamux-window'].applied++
        } else {
          reportMiss('yamux-window', 'a stream lacks the fields sendWindowUpdate uses', warn)
        }
        return stream
      }
      return muxer
    }
    return inner
  }
}
