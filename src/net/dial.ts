import type { Libp2p } from 'libp2p'
import type { AbortOptions, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { ForbiddenError, StreamRefusedError } from '../errors.ts'

/** Errors (or, from libp2p 3.3, a bare close event) seen when the remote drops the connection during negotiation. */
const CLOSED_EARLY = new Set(['UnexpectedEOFError', 'StreamResetError', 'StreamClosedError', 'ConnectionClosedError', 'MuxerClosedError'])

function closedEarly (err: unknown): boolean {
  if (!(err instanceof Error)) return (err as Event)?.type === 'close'
  return CLOSED_EARLY.has(err.name)
}

/**
 * Open a protocol stream. A peer's connection gate lets the Noise handshake
 * finish and then closes the connection without a word (so strangers learn
 * nothing), and libp2p reports that as an EOF or a bare close event. Say what
 * it almost always means instead: this peer is not a member.
 */
export async function openStream (libp2p: Libp2p, target: Multiaddr | Multiaddr[], protocol: string, remoteName: string, options?: AbortOptions): Promise<Stream> {
  try {
    return await libp2p.dialProtocol(target, protocol, options)
  } catch (err) {
    options?.signal?.throwIfAborted()
    if (closedEarly(err)) {
      // a stream reset on a connection that stays open is the remote's stream limit, not its gate
      const peer = (Array.isArray(target) ? target[0] : target)?.getComponents().find((c) => c.name === 'p2p')?.value
      if (peer != null && libp2p.getConnections().some((c) => c.remotePeer.toString() === peer && c.status === 'open')) {
        throw new StreamRefusedError(`${remoteName} refused a new ${protocol} stream (too many at once?): ${err instanceof Error ? err.message : 'closed'}`)
      }
      throw new ForbiddenError(`${remoteName} closed the connection right after the handshake, as it does to peers that are not members of the cluster: this peer is ${libp2p.peerId.toString()}; ask the cluster's operator to allow it`)
    }
    throw err
  }
}
