import { join } from 'node:path'
import type { Libp2p } from 'libp2p'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { createPeer, dialableAddrs } from '../net/libp2p.ts'
import { openStream } from '../net/dial.ts'
import { loadOrCreatePeerKey } from '../net/peer-key.ts'
import { StreamReader, sendMessage } from '../net/stream-io.ts'
import { INVENTORY_PAGE_CHUNKS, INVENTORY_PROTOCOL, MAX_REGISTER_MESSAGE_BYTES, REGISTER_PROTOCOL, STORE_PROTOCOL } from '../protocol/constants.ts'
import { InventoryPage, InventoryResponse, RegisterRequest, RegisterResponse, Status } from '../protocol/pb/directory.ts'
import { QuarantineCleaner, Reports, Scrubber, TaskRunner } from './maintenance.ts'
import { FsChunkStore } from './disk/chunk-store.ts'
import { errorMessage, silentLogger, type Logger } from '../util/log.ts'
import { storeHandler } from './store-handler.ts'
import { StoreClients } from '../protocol/store-client.ts'
import { ForbiddenError, RemoteError } from '../errors.ts'
import { GrantVerifier } from '../security/grants.ts'
import { refusalLogger } from '../security/access.ts'
import type { Membership } from '../protocol/pb/directory.ts'
import { startHttp, sendText, type HttpListener } from '../http/http-server.ts'
import { NodeMetrics, newRegistry } from '../http/metrics.ts'
import { Drain } from '../util/drain.ts'
import type { Registry } from 'prom-client'
import { MAX_INBOUND_STREAMS } from '../net/limits.ts'

export interface StorageNodeInit {
  /** the directory's multiaddr, with /p2p/<peer id> */
  directory: string
  listen: string[]
  /** the addresses to register and announce, in place of the listen addresses (NAT, containers) */
  announce?: string[]
  dataDir: string
  /** bytes this node offers; default: used + free disk space */
  capacity?: number
  /** write big chunks with direct I/O where the file system allows (default true) */
  directIO?: boolean
  logger?: Logger
  /** first retry delay when the directory cannot be reached; doubles up to maxRetryMs */
  minRetryMs?: number
  maxRetryMs?: number
  /** background re-hashing of stored chunks, bytes per second (default 32 MiB/s; 0: off) */
  scrubBytesPerSecond?: number
  /** time from the start of one scrub pass to the next (default 1 h) */
  scrubIntervalMs?: number
  /** a corrupt copy is kept in quarantine for inspection this long at most (default 24 h) */
  quarantineRetentionMs?: number
  /** a peer quiet this long mid-request or between requests loses its stream (default 60 s) */
  idleTimeoutMs?: number
  /** serve /metrics here (a multiaddr, e.g. /ip4/127.0.0.1/tcp/8081) */
  http?: string
  /** on stop, how long requests already running may take to finish (default 10 s) */
  shutdownGraceMs?: number
}

const REGISTER_TIMEOUT_MS = 5_000
/** A stopping node waits this long at most for the directory to hear it is leaving. */
const LEAVE_TIMEOUT_MS = 2_000
/** A day to look at a corrupt copy, when nothing replaces it on this node sooner. */
export const DEFAULT_QUARANTINE_RETENTION_MS = 24 * 3600_000

/**
 * A storage node: serves chunks over /dfs/store/1.0.0 from its data dir and
 * keeps itself registered with the directory (every heartbeat is a full
 * registration, so a restarted directory relearns it on the next beat).
 */
export class StorageNode {
  private heartbeatMs = 5_000
  private timer?: NodeJS.Timeout
  private stopped = false
  private registered = false
  private readonly directoryAddr: Multiaddr
  private readonly log: Logger
  private wakeRetry?: () => void
  /** store clients to other nodes: replication pipelines pass chunks on through them */
  readonly forwarder: StoreClients
  private readonly reports = new Reports()
  private readonly tasks: TaskRunner
  readonly scrubber?: Scrubber
  readonly quarantineCleaner: QuarantineCleaner
  private sendingInventory = false
  /**
   * Who may connect, as the directory last said. Until the first registration
   * only the directory itself: a node obeys only its directory.
   */
  private membership: { version: string, open: boolean, openReads: boolean, members: Set<string> } = { version: '', open: false, openReads: false, members: new Set() }
  readonly grants: GrantVerifier
  /** when the directory last answered a heartbeat */
  private lastHeartbeatAt?: number
  readonly metrics: NodeMetrics
  /** the /metrics listener, when --http was given */
  http?: HttpListener
  /** store requests in flight: a clean stop lets them finish */
  private readonly drain = new Drain()

  private constructor (readonly libp2p: Libp2p, readonly store: FsChunkStore, private readonly init: StorageNodeInit, readonly directoryPeerId: string, registry: Registry) {
    this.directoryAddr = multiaddr(init.directory)
    this.log = init.logger ?? silentLogger
    this.grants = new GrantVerifier(directoryPeerId, libp2p.peerId.toString())
    this.forwarder = new StoreClients(libp2p)
    this.metrics = new NodeMetrics(registry, {
      usage: async () => await this.usage(),
      heartbeatAgeMs: () => this.lastHeartbeatAt == null ? undefined : Date.now() - this.lastHeartbeatAt
    })
    this.tasks = new TaskRunner(store, this.forwarder, this.reports, this.log)
    this.quarantineCleaner = new QuarantineCleaner({ store, log: this.log, retentionMs: init.quarantineRetentionMs ?? DEFAULT_QUARANTINE_RETENTION_MS })
    const scrubRate = init.scrubBytesPerSecond ?? 32 * 1024 * 1024
    if (scrubRate > 0) {
      this.scrubber = new Scrubber({ store, reports: this.reports, log: this.log, bytesPerSecond: scrubRate, intervalMs: init.scrubIntervalMs ?? 3600_000 })
    }
  }

  /** Start, and resolve once the directory has accepted the registration. */
  static async start (init: StorageNodeInit): Promise<StorageNode> {
    const directoryAddr = multiaddr(init.directory)
    const directoryPeerId = directoryAddr.getComponents().find((c) => c.name === 'p2p')?.value
    if (directoryPeerId == null) {
      throw new RemoteError(`the directory address ${init.directory} has no /p2p/<peer id> part; use the full address the directory prints`)
    }
    const privateKey = await loadOrCreatePeerKey(init.dataDir)
    const store = await FsChunkStore.open(join(init.dataDir, 'store'), { capacity: init.capacity, directIO: init.directIO })
    let node: StorageNode | undefined
    const logRefusal = refusalLogger(init.logger ?? silentLogger, 'it is not a member of the cluster (the directory\'s allowlists)')
    const registry = newRegistry('node')
    const libp2p = await createPeer({
      privateKey,
      listen: init.listen,
      announce: init.announce,
      warnTuning: (message) => (init.logger ?? silentLogger).warn(message),
      metricsRegistry: init.http != null ? registry : undefined,
      allowInbound: (peerId) => {
        if (node?.admits(peerId) === true) return true
        logRefusal(peerId)
        return false
      }
    })
    node = new StorageNode(libp2p, store, init, directoryPeerId, registry)
    const self = node
    await libp2p.handle(STORE_PROTOCOL, storeHandler({
      store,
      peerId: libp2p.peerId.toString(),
      forwarder: node.forwarder,
      grants: node.grants,
      readsOpen: () => self.membership.openReads,
      idleTimeoutMs: init.idleTimeoutMs,
      onProblem: (message) => { self.log.warn(message) },
      onServed: (op, status, bytes) => { self.metrics.served(op, status, bytes) },
      drain: node.drain
    }), {
      maxInboundStreams: MAX_INBOUND_STREAMS
    })
    try {
      await node.registerUntilAccepted()
    } catch (err) {
      await libp2p.stop()
      throw err
    }
    node.scheduleHeartbeat()
    node.scrubber?.start()
    node.quarantineCleaner.start()
    if (init.http != null) {
      const registry = node.metrics.registry
      try {
        node.http = await startHttp(init.http, async (request, response) => {
          const path = new URL(request.url ?? '/', 'http://localhost').pathname
          if (request.method !== 'GET' && request.method !== 'HEAD') sendText(response, 405, 'error: this listener is read-only\n')
          else if (path === '/metrics') sendText(response, 200, await registry.metrics(), registry.contentType)
          else sendText(response, 404, 'error: not found; a node serves /metrics (the status page is on the directory)\n')
        }, (message) => { self.log.warn(message) })
      } catch (err) {
        await node.stop()
        throw err
      }
      node.log.info(`metrics on ${node.http.url}/metrics`)
    }
    return node
  }

  get peerId (): string {
    return this.libp2p.peerId.toString()
  }

  /** The connection gate: the directory, and the members it lists. */
  admits (peerId: string): boolean {
    return peerId === this.directoryPeerId || this.membership.open || this.membership.members.has(peerId)
  }

  private applyMembership (membership: Membership): void {
    const before = this.membership
    this.membership = { version: membership.version, open: membership.open, openReads: membership.openReads, members: new Set(membership.members) }
    if (before.version !== '' || membership.open) {
      this.log.info(`membership ${membership.version}: ${membership.open ? 'open to any peer' : `${membership.members.length} members`}${membership.openReads ? ', reads need no grant' : ''}`)
    }
    // connections of peers no longer members go now, not when they next dial
    for (const connection of this.libp2p.getConnections()) {
      const peer = connection.remotePeer.toString()
      if (!this.admits(peer)) {
        this.log.warn(`closing the connection of peer ${peer}: no longer a member`)
        connection.abort(new ForbiddenError(`peer ${peer} is no longer a member of the cluster`))
      }
    }
  }

  get addrs (): string[] {
    return dialableAddrs(this.libp2p)
  }

  /** What this node holds: quarantined copies count as used until they are deleted. */
  private async usage (): Promise<{ used: number, chunks: number, capacity: number, quarantined: number }> {
    const usage = await this.store.usage()
    const quarantined = this.store.quarantineUsage().bytes
    return { ...usage, used: usage.used + quarantined, quarantined }
  }

  /**
   * One heartbeat: a full registration, with the outcome of finished tasks.
   * `leaving`: the last one, from a clean stop; its answer's tasks are not taken.
   */
  private async register (leaving = false): Promise<void> {
    const usage = await this.usage()
    const signal = AbortSignal.timeout(leaving ? LEAVE_TIMEOUT_MS : REGISTER_TIMEOUT_MS)
    const stream = await openStream(this.libp2p, this.directoryAddr, REGISTER_PROTOCOL, 'the directory', { signal })
    const reader = new StreamReader(stream)
    const reports = this.reports.take()
    try {
      await sendMessage(stream, RegisterRequest.encode({ addrs: this.addrs, capacity: usage.capacity, used: usage.used, chunks: usage.chunks, membershipVersion: this.membership.version, ...reports, leaving }), { signal })
      const bytes = await reader.readMessage(MAX_REGISTER_MESSAGE_BYTES, { signal })
      if (bytes == null) throw new RemoteError('the directory closed the stream without answering')
      const response = RegisterResponse.decode(bytes)
      if (response.status === Status.FORBIDDEN) throw new ForbiddenError(`the directory refused this node: ${response.message}`)
      if (response.status !== Status.OK) throw new RemoteError(`the directory refused the registration: ${response.message}`)
      await stream.close({ signal })
      if (leaving) return
      if (response.membership != null) this.applyMembership(response.membership)
      if (response.heartbeatMs > 0) this.heartbeatMs = response.heartbeatMs
      this.lastHeartbeatAt = Date.now()
      if (response.sendInventory) this.sendInventoryInBackground()
      if (response.tasks.length > 0) this.tasks.add(response.tasks)
    } catch (err) {
      this.reports.restore(reports)
      stream.abort(err as Error)
      throw err
    } finally {
      reader.release()
    }
  }

  /** Tell the directory every chunk held, in pages (it asks after a (re)registration). */
  private sendInventoryInBackground (): void {
    if (this.sendingInventory) return
    this.sendingInventory = true
    this.sendInventory()
      .catch((err) => { this.log.warn(`could not send the chunk inventory to the directory: ${errorMessage(err)}`) })
      .finally(() => { this.sendingInventory = false })
  }

  private async sendInventory (): Promise<void> {
    const signal = AbortSignal.timeout(120_000)
    const stream = await openStream(this.libp2p, this.directoryAddr, INVENTORY_PROTOCOL, 'the directory', { signal })
    const reader = new StreamReader(stream)
    try {
      let page: string[] = []
      for await (const id of this.store.list()) {
        page.push(id)
        if (page.length >= INVENTORY_PAGE_CHUNKS) {
          await sendMessage(stream, InventoryPage.encode({ chunks: page, last: false }), { signal })
          page = []
        }
      }
      await sendMessage(stream, InventoryPage.encode({ chunks: page, last: true }), { signal })
      const bytes = await reader.readMessage(MAX_REGISTER_MESSAGE_BYTES, { signal })
      if (bytes == null) throw new RemoteError('the directory closed the stream without answering')
      const response = InventoryResponse.decode(bytes)
      if (response.status !== Status.OK) throw new RemoteError(response.message)
      await stream.close({ signal })
    } catch (err) {
      stream.abort(err as Error)
      throw err
    } finally {
      reader.release()
    }
  }

  /** Retry with exponential backoff until registered (or stopped). */
  private async registerUntilAccepted (): Promise<void> {
    let delay = this.init.minRetryMs ?? 500
    const maxDelay = this.init.maxRetryMs ?? 10_000
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.register()
        if (!this.registered) this.log.info(`registered with the directory ${this.init.directory}`)
        this.registered = true
        return
      } catch (err) {
        if (this.stopped) return
        // refused outright at start: retrying cannot help until the operator acts
        if (!this.registered && attempt === 1 && (err as Error).name === 'ForbiddenError') throw err
        if (this.registered) this.log.warn(`lost contact with the directory: ${errorMessage(err)}`)
        this.registered = false
        this.log.warn(`cannot register with the directory ${this.init.directory} (attempt ${attempt}): ${errorMessage(err)}; retrying in ${delay} ms`)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay)
          this.wakeRetry = () => { clearTimeout(timer); resolve() }
        })
        delay = Math.min(delay * 2, maxDelay)
      }
    }
  }

  private scheduleHeartbeat (): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.registerUntilAccepted()
        .catch((err) => { this.log.error(`heartbeat failed: ${errorMessage(err)}`) })
        .finally(() => { this.scheduleHeartbeat() })
    }, this.heartbeatMs)
  }

  /**
   * Stop cleanly: no new requests, those running finish (up to the grace
   * period), the directory hears that this node is leaving (so it places
   * nothing more here at once), then the connections close.
   */
  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    clearTimeout(this.timer)
    this.wakeRetry?.()
    await this.http?.close()
    await this.scrubber?.stop()
    await this.quarantineCleaner.stop()
    const graceMs = this.init.shutdownGraceMs ?? 10_000
    const running = this.drain.inFlight
    if (!(await this.drain.drain(graceMs))) this.log.warn(`stopping with ${this.drain.inFlight} request(s) still running after ${graceMs} ms (of ${running})`)
    if (this.registered) {
      await this.register(true).then(() => { this.log.info('told the directory this node is leaving') }, (err) => { this.log.warn(`could not tell the directory this node is leaving: ${errorMessage(err)}`) })
    }
    await this.forwarder.close()
    await this.libp2p.stop()
    // nothing is served any more: the pack index can close
    this.store.close()
  }
}
