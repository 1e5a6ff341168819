import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Libp2p } from 'libp2p'
import { createPeer, dialableAddrs } from '../net/libp2p.ts'
import { loadOrCreatePeerKey } from '../net/peer-key.ts'
import { DIRECTORY_PROTOCOL, INVENTORY_PROTOCOL, REGISTER_PROTOCOL, RESOLVE_PAGE_CHUNKS } from '../protocol/constants.ts'
import { Repairer } from './repair.ts'
import { errorMessage, silentLogger, type Logger } from '../util/log.ts'
import { DirectoryIndex } from './index-db.ts'
import { DirectoryService } from './directory-service.ts'
import { AccessPolicy, refusalLogger, type AccessConfig } from '../security/access.ts'
import { GrantSigner } from '../security/grants.ts'
import { ConfigError, NotFoundError } from '../errors.ts'

import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Status } from '../protocol/pb/directory.ts'
import { ClusterView } from '../client/cluster-view.ts'
import { Downloader, type ChunkSource } from '../client/downloader.ts'
import { DEFAULT_PARALLEL_CHUNKS } from '../client/client.ts'
import { startHttp, type HttpListener } from '../http/http-server.ts'
import { DirectoryMetrics, newRegistry } from '../http/metrics.ts'
import { statusHandler } from './status-http.ts'
import { DEFAULT_IDLE_TIMEOUT_MS, MAX_INBOUND_STREAMS } from '../net/limits.ts'

export interface DirectoryPeerInit {
  listen: string[]
  /** the addresses to give others to dial, in place of the listen addresses (NAT, containers) */
  announce?: string[]
  dataDir: string
  /** a node not heard from for this long counts as dead (default 30 s) */
  deadAfterMs?: number
  /** heartbeat interval asked of nodes (default: a third of deadAfterMs, at most 5 s) */
  heartbeatMs?: number
  /** a node dead this long has its chunks copied elsewhere (default 5 min) */
  repairAfterMs?: number
  /** chunks no file uses are deleted from the nodes after this long (default 1 h) */
  gcAfterMs?: number
  /** repair tasks handed to a node per heartbeat (default 8) */
  repairTasksPerBeat?: number
  /** who may connect, register, read and write */
  access: AccessConfig
  /** a client quiet this long between or within requests loses its stream (default 60 s) */
  idleTimeoutMs?: number
  logger?: Logger
  /** serve the status page, /metrics and GET /files here (a multiaddr, e.g. /ip4/127.0.0.1/tcp/8080) */
  http?: string
}

/** File, inside the directory's data dir, that holds the index. */
export const INDEX_FILE = 'index.sqlite'
/** Incomplete uploads are forgotten after this long. */
const UPLOAD_EXPIRY_MS = 24 * 3600_000

/** The directory: a well-known peer that keeps the index of nodes, files, names and chunk locations. */
export class DirectoryPeer {
  private readonly timers: NodeJS.Timeout[] = []
  /** the status page's listener, when --http was given */
  http?: HttpListener
  /** the nodes as GET /files reads from them, over the directory's own libp2p node */
  private filesView?: ClusterView

  private constructor (readonly libp2p: Libp2p, readonly index: DirectoryIndex, readonly service: DirectoryService, readonly repairer: Repairer) {}

  static async start (init: DirectoryPeerInit): Promise<DirectoryPeer> {
    await mkdir(init.dataDir, { recursive: true, mode: 0o700 })
    const access = new AccessPolicy(init.access)
    if (access.isEmpty) {
      throw new ConfigError('no peer is allowed into this cluster: allow nodes and clients by peer ID (--allow-node, --allow-read, --allow-write, or "allow" in the config), or pass --open for a local demo')
    }
    const privateKey = await loadOrCreatePeerKey(init.dataDir)
    const grants = new GrantSigner(privateKey, peerIdFromPrivateKey(privateKey).toString())
    const index = new DirectoryIndex(join(init.dataDir, INDEX_FILE))
    const log = init.logger ?? silentLogger
    if (access.open) log.warn(`THIS CLUSTER IS ${access.describe()}`)
    else log.info(`access: ${access.describe()}`)
    const logRefusal = refusalLogger(log, 'it is not on the directory\'s allowlists (--allow-node, --allow-read, --allow-write)')
    const deadAfterMs = init.deadAfterMs ?? 30_000
    const heartbeatMs = init.heartbeatMs ?? Math.min(5_000, Math.max(100, Math.floor(deadAfterMs / 3)))
    const registry = newRegistry('directory')
    const repairer = new Repairer({ index, log, deadAfterMs, repairAfterMs: init.repairAfterMs ?? 300_000, gcAfterMs: init.gcAfterMs ?? 3600_000, tasksPerBeat: init.repairTasksPerBeat })
    const metrics = new DirectoryMetrics(registry, {
      health: () => index.health(Date.now() - deadAfterMs),
      nodes: () => { const now = Date.now(); return index.listNodes().map((node) => ({ ...node, alive: now - node.lastSeen <= deadAfterMs })) },
      repairPending: () => repairer.pending
    })
    repairer.onCopied = (ok) => { metrics.repairCopies.inc({ result: ok ? 'ok' : 'failed' }) }
    const service = new DirectoryService({
      index,
      repairer,
      log,
      deadAfterMs,
      heartbeatMs,
      access,
      grants,
      gcAfterMs: init.gcAfterMs,
      idleTimeoutMs: init.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      onRequest: (protocol, status) => { metrics.requests.inc({ protocol, result: Status[status]?.toLowerCase() ?? String(status) }) }
    })
    let libp2p: Libp2p
    try {
      libp2p = await createPeer({
        privateKey,
        listen: init.listen,
        announce: init.announce,
        warnTuning: (message) => log.warn(message),
        metricsRegistry: init.http != null ? registry : undefined,
        allowInbound: (peerId) => {
          if (access.isMember(peerId)) return true
          logRefusal(peerId)
          return false
        }
      })
      await libp2p.handle(REGISTER_PROTOCOL, service.handleRegister, { maxInboundStreams: MAX_INBOUND_STREAMS })
      await libp2p.handle(DIRECTORY_PROTOCOL, service.handleDirectory, { maxInboundStreams: MAX_INBOUND_STREAMS })
      await libp2p.handle(INVENTORY_PROTOCOL, service.handleInventory, { maxInboundStreams: 4 })
    } catch (err) {
      index.close()
      throw err
    }
    const peer = new DirectoryPeer(libp2p, index, service, repairer)
    index.expireUploads(Date.now() - UPLOAD_EXPIRY_MS)
    peer.timers.push(setInterval(() => { service.checkLiveness() }, Math.min(heartbeatMs, 5_000)).unref())
    peer.timers.push(setInterval(() => {
      try {
        repairer.scan()
      } catch (err) {
        log.error(`repair scan failed: ${errorMessage(err)}`)
      }
    }, Math.max(heartbeatMs, 500)).unref())
    peer.timers.push(setInterval(() => {
      if (index.expireUploads(Date.now() - UPLOAD_EXPIRY_MS) > 0) service.wantInventories()
      service.expireUploads(Date.now() - UPLOAD_EXPIRY_MS)
    }, 3600_000).unref())
    if (init.http != null) {
      try {
        // GET /files reads the nodes itself (nodes admit their directory; it serves files only
        // when reads need no grant): chunks found in its own index, verified as any client does
        const view = new ClusterView(libp2p)
        peer.filesView = view
        const files = new Downloader({ view, source: indexChunkSource(index, repairer, view, deadAfterMs), parallelChunks: DEFAULT_PARALLEL_CHUNKS, directIO: false })
        peer.http = await startHttp(init.http, statusHandler({
          index,
          repairer,
          metrics,
          registry,
          deadAfterMs,
          peerId: peer.peerId,
          addrs: () => peer.addrs,
          startedAt: Date.now(),
          readsOpen: access.openReads,
          readFile: (fileId, signal) => files.download(fileId, { signal })
        }), (message) => { log.warn(message) })
      } catch (err) {
        await peer.stop()
        throw err
      }
      log.info(`status page on ${peer.http.url}/ (metrics at /metrics, files at /files/<ID or name>)`)
    }
    return peer
  }

  get peerId (): string {
    return this.libp2p.peerId.toString()
  }

  get addrs (): string[] {
    return dialableAddrs(this.libp2p)
  }

  /** Stop cleanly: requests being answered finish (up to `graceMs`), then the connections and the index close. */
  async stop (graceMs = 5_000): Promise<void> {
    for (const timer of this.timers) clearInterval(timer)
    await this.http?.close()
    await this.service.drain.drain(graceMs)
    await this.filesView?.close()
    await this.libp2p.stop()
    this.index.close()
  }
}

/**
 * Where the directory's own downloads find files and their chunks: its
 * index, read directly, with the node table (and who is alive) fresh from it
 * at every page.
 */
function indexChunkSource (index: DirectoryIndex, repairer: Repairer, view: ClusterView, deadAfterMs: number): ChunkSource {
  const learnNodes = (): void => {
    const aliveSince = Date.now() - deadAfterMs
    view.learn(index.listNodes().map((node) => ({ peerId: node.peerId, addrs: node.addrs, alive: node.lastSeen >= aliveSince })))
  }
  return {
    resolve: async (ref) => {
      const found = index.resolveWithChunks(ref, 0, RESOLVE_PAGE_CHUNKS)
      if (found == null) throw new NotFoundError(`no file has the name or ID "${ref.slice(0, 300)}"`)
      learnNodes()
      return found
    },
    chunksFrom: async (fileId, start) => {
      learnNodes()
      return index.fileChunks(fileId, start, RESOLVE_PAGE_CHUNKS)
    },
    reportCorrupt: (chunkId, peerId) => { repairer.verify(peerId, chunkId) }
  }
}
