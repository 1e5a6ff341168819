import { createLibp2p, type Libp2p, type Libp2pOptions } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { Registry } from 'prom-client'
import { noiseCrypto } from './tuning/noise-crypto.ts'
import { tunedNoise } from './tuning/noise-connection.ts'
import { windowUpdatesAtHalf } from './tuning/yamux-window.ts'
import { ringReads } from './tuning/socket-reads.ts'
import { lintedMetricNames } from './metric-names.ts'
import { reachableAddrs } from './announce.ts'
import { ListenError } from '../errors.ts'
import { MAX_CONNECTIONS_PER_PEER, MAX_INBOUND_STREAMS } from './limits.ts'

export interface PeerInit {
  privateKey?: PrivateKey
  /** multiaddrs to listen on; none for a client that only dials */
  listen?: string[]
  /** the addresses others dial, in place of the listen addresses (behind NAT, in a container) */
  announce?: string[]
  /**
   * Who may connect: called once the Noise handshake has proven the remote's
   * peer ID, before any protocol is spoken. False closes the connection.
   * Omitted: anyone.
   */
  allowInbound?: (peerId: string) => boolean
  /** libp2p's own metrics (connections, streams, bytes per protocol) go here; off when unset */
  metricsRegistry?: Registry
  /**
   * Send yamux window updates once half the window is owed, not after every
   * frame (see yamux-window.ts): on unless false, since otherwise every frame
   * of a transfer and every request costs an update of its own. The bench's
   * raw baseline turns it off, to stay stock libp2p.
   */
  windowUpdatesAtHalf?: boolean
  /**
   * Where a patch of libp2p internals (src/net/tuning) that did not apply is
   * reported, once per patch; Node's process warnings when unset.
   */
  warnTuning?: (message: string) => void
}

/**
 * Every dfs peer speaks the same stack: TCP, Noise (encryption and peer
 * authentication), Yamux (multiplexing). No discovery and no DHT: peers learn
 * each other's addresses from the directory.
 */
export async function createPeer (init: PeerInit): Promise<Libp2p> {
  // the gate below needs the node it guards; it runs only after creation
  let self: Libp2p | undefined
  // loaded only for a peer that serves /metrics: clients never pay for it
  const metrics = init.metricsRegistry == null ? undefined : lintedMetricNames((await import('@libp2p/prometheus-metrics')).prometheusMetrics({ registry: init.metricsRegistry, collectDefaultMetrics: false, preserveExistingMetrics: true }))
  try {
    self = await createLibp2p(libp2pOptions(init, metrics, () => self))
  } catch (err) {
    throw listenProblem(err) ?? err
  }
  return self
}

/**
 * libp2p reports addresses it could not listen on in one message with each
 * socket error's stack inside; a user needs the address and the reason.
 */
function listenProblem (err: unknown): Error | undefined {
  if ((err as Error)?.name !== 'UnsupportedListenAddressesError') return undefined
  const reasons = [...(err as Error).message.matchAll(/^\s*(\/\S+): (?:Error: )?(.*)$/gm)].map(([, addr, reason]) => {
    const reasonText = reason.split(/\s+at /)[0].trim()
    return `${addr}: ${/EADDRINUSE/.test(reasonText) ? 'the address is in use (another program, or another peer, listens there)' : reasonText}`
  })
  if (reasons.length === 0) return undefined
  return new ListenError(`could not listen on ${reasons.join('; ')}`)
}

/**
 * A stream's receive window grows up to 16 MiB (yamux's default), and yamux
 * grants window as data arrives, not as it is read: pausing a stream (as
 * StreamReader does past its high-water mark) stops new grants but not the
 * bytes already granted. A stream buffers those while paused, and past its
 * read-buffer limit (4 MiB by default) it is reset with a StreamBufferError.
 * So the buffer limit is the window and a frame more: a reader that stops for
 * a moment (its disk, a slow chain, a busy CPU) keeps its stream, and no more
 * is held than the peer was already allowed to send.
 */
const MAX_STREAM_WINDOW_BYTES = 16 * 1024 * 1024
export const STREAM_OPTIONS = {
  maxStreamWindowSize: MAX_STREAM_WINDOW_BYTES,
  maxReadBufferLength: MAX_STREAM_WINDOW_BYTES + 1024 * 1024
}

/**
 * Streams a peer may open on a new connection before this side has finished
 * its half of the upgrade and attached its stream handler; they wait, and are
 * negotiated (and held to each protocol's limit) once it is attached. Past
 * the limit yamux aborts the whole connection (MaxEarlyStreamsError), and its
 * default of 10 would lose a client's burst of requests made right after
 * dialing; so the limit is what our protocols accept on one connection
 * together (the directory: two of MAX_INBOUND_STREAMS and a few inventory streams).
 */
export const MAX_EARLY_STREAMS = 3 * MAX_INBOUND_STREAMS

function libp2pOptions (init: PeerInit, metrics: Libp2pOptions['metrics'], self: () => Libp2p | undefined): Libp2pOptions {
  const allow = init.allowInbound
  const muxer = yamux({ streamOptions: STREAM_OPTIONS, maxEarlyStreams: MAX_EARLY_STREAMS })
  return {
    privateKey: init.privateKey,
    addresses: { listen: init.listen ?? [], announce: init.announce ?? [], announceFilter: reachableAddrs },
    // a getter: @libp2p/tcp spreads dialOpts into each net.connect(), so each dialed socket gets a ring of its own
    transports: [tcp({ dialOpts: { get onread () { return ringReads() } } as Record<string, unknown> })],
    connectionEncrypters: [tunedNoise(noise({ crypto: noiseCrypto }), init.warnTuning)],
    streamMuxers: [init.windowUpdatesAtHalf !== false ? windowUpdatesAtHalf(muxer, init.warnTuning) : muxer],
    connectionGater: {
      // the first hook that knows who is calling (the Noise handshake has proven it): members
      // only, and a few connections each, so no one peer holds many
      denyInboundEncryptedConnection: (peerId: PeerId) =>
        (allow != null && !allow(peerId.toString())) ||
        (self()?.getConnections(peerId).length ?? 0) >= MAX_CONNECTIONS_PER_PEER
    },
    ...(metrics != null ? { metrics } : {}),
    connectionManager: {
      // the default (5 new inbound connections per second per IP) resets
      // a local cluster's peers, which all share 127.0.0.1
      inboundConnectionThreshold: 1000,
      maxIncomingPendingConnections: 256
    }
  }
}

/** What other peers should dial, with `/p2p/<id>`: the announce addresses, else the listen addresses (see announce.ts). */
export function dialableAddrs (peer: Libp2p): string[] {
  return peer.getMultiaddrs().map((ma) => ma.toString())
}
