import type { Libp2p } from 'libp2p'
import type { AbortOptions, Connection, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { ForbiddenError, PeerClosedError, StreamRefusedError } from '../errors.ts'

/** Errors (or, from libp2p 3.3, a bare close event) seen when the remote drops the connection during negotiation. */
const CLOSED_EARLY = new Set(['UnexpectedEOFError', 'StreamResetError', 'StreamClosedError', 'ConnectionClosedError', 'MuxerClosedError'])

/** Before calling a closed new connection a refusal, dial once more after this long. */
const RECHECK_DELAY_MS = 250

/** Connections on which a stream was opened: the remote's gate let them in, so their closing is never a refusal. */
const admitted = new WeakSet<Connection>()

function closedEarly (err: unknown): boolean {
  if (!(err instanceof Error)) return (err as Event)?.type === 'close'
  return CLOSED_EARLY.has(err.name)
}

function describe (err: unknown): string {
  return err instanceof Error ? err.message : 'closed'
}

/**
 * Open a protocol stream. A peer's connection gate lets the Noise handshake
 * finish and then closes the connection without a word (so strangers learn
 * nothing), and libp2p reports that as an EOF or a bare close event. A peer
 * that is stopping closes its connections too, so a close is called a refusal
 * only when it happens to a connection never let in, on two dials in a row (a
 * stopping peer stops accepting connections).
 */
export async function openStream (libp2p: Libp2p, target: Multiaddr | Multiaddr[], protocol: string, remoteName: string, options?: AbortOptions): Promise<Stream> {
  const peer = (Array.isArray(target) ? target[0] : target)?.getComponents().find((c) => c.name === 'p2p')?.value
  for (let attempt = 1; ; attempt++) {
    let connection: Connection | undefined
    try {
      connection = await libp2p.dial(target, options)
      const stream = await connection.newStream(protocol, options)
      admitted.add(connection)
      return stream
    } catch (err) {
      options?.signal?.throwIfAborted()
      if (!closedEarly(err)) {
        if (attempt === 1) throw err
        throw new PeerClosedError(`${remoteName} closed the connection, then could not be reached (stopping or restarting?): ${describe(err)}`)
      }
      // a stream reset on a connection that stays open is the remote's stream limit, not its gate
      if (peer != null && libp2p.getConnections().some((c) => c.remotePeer.toString() === peer && c.status === 'open')) {
        throw new StreamRefusedError(`${remoteName} refused a new ${protocol} stream (too many at once?): ${describe(err)}`)
      }
      if (connection != null && admitted.has(connection)) {
        throw new PeerClosedError(`${remoteName} closed the connection (stopping or restarting?): ${describe(err)}`)
      }
      if (attempt >= 2) {
        throw new ForbiddenError(`${remoteName} closed the connection right after the handshake, as it does to peers that are not members of the cluster: this peer is ${libp2p.peerId.toString()}; ask the cluster's operator to allow it`)
      }
    }
    await new Promise((resolve) => setTimeout(resolve, RECHECK_DELAY_MS))
    options?.signal?.throwIfAborted()
  }
}
