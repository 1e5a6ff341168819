import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import type { StoreResponse } from '../protocol/pb/store.ts'
import { StoreResponse as StoreResponseCodec } from '../protocol/pb/store.ts'

/**
 * Prometheus metrics (prom-client), one registry per peer, served at
 * /metrics. Counters are bumped where the work happens; gauges that describe
 * state (chunk health, nodes, heartbeat ages) are read when scraped.
 */
export function newRegistry (role: 'directory' | 'node'): Registry {
  const registry = new Registry()
  registry.setDefaultLabels({ role })
  // process CPU, memory, event loop lag, GC: what an operator checks first
  collectDefaultMetrics({ register: registry, prefix: 'dfs_' })
  // active handles, requests and resources come as a gauge by type and a `*_total` gauge of its sum:
  // Prometheus keeps `_total` for counters (promtool rejects these), and sum() of the first says the same
  for (const metric of registry.getMetricsAsArray()) {
    if (!(metric instanceof Counter) && metric.name.endsWith('_total')) registry.removeSingleMetric(metric.name)
  }
  return registry
}

export interface DirectoryState {
  health: () => Promise<{ healthy: number, underReplicated: number, lost: number }>
  nodes: () => Array<{ peerId: string, alive: boolean, lastSeen: number, used: number, capacity: number, chunks: number }>
  repairPending: () => number
}

export class DirectoryMetrics {
  readonly requests: Counter<'protocol' | 'result'>
  readonly repairCopies: Counter<'result'>
  readonly httpBytesSent: Counter

  constructor (readonly registry: Registry, state: DirectoryState) {
    this.requests = new Counter({ name: 'dfs_requests_total', help: 'requests answered, by protocol and result', labelNames: ['protocol', 'result'], registers: [registry] })
    this.repairCopies = new Counter({ name: 'dfs_repair_copies_total', help: 'repair copies reported by nodes, by result', labelNames: ['result'], registers: [registry] })
    this.httpBytesSent = new Counter({ name: 'dfs_http_bytes_sent_total', help: 'file bytes sent over HTTP (GET /files)', registers: [registry] })
    // eslint-disable-next-line no-new
    new Gauge({
      name: 'dfs_chunks',
      help: 'chunks in use by files, by health: at their target, under-replicated (some live copy), lost (no live copy)',
      labelNames: ['health'],
      registers: [registry],
      async collect () {
        const health = await state.health()
        this.set({ health: 'healthy' }, health.healthy)
        this.set({ health: 'under_replicated' }, health.underReplicated)
        this.set({ health: 'lost' }, health.lost)
      }
    })
    // eslint-disable-next-line no-new
    new Gauge({
      name: 'dfs_nodes',
      help: 'storage nodes known to the directory, alive or dead',
      labelNames: ['state'],
      registers: [registry],
      collect () {
        const nodes = state.nodes()
        const alive = nodes.filter((node) => node.alive).length
        this.set({ state: 'alive' }, alive)
        this.set({ state: 'dead' }, nodes.length - alive)
      }
    })
    // eslint-disable-next-line no-new
    new Gauge({
      name: 'dfs_node_heartbeat_age_seconds',
      help: 'seconds since each node\'s last heartbeat',
      labelNames: ['peer_id'],
      registers: [registry],
      collect () {
        this.reset()
        const now = Date.now()
        for (const node of state.nodes()) this.set({ peer_id: node.peerId }, Math.max(0, (now - node.lastSeen) / 1000))
      }
    })
    // eslint-disable-next-line no-new
    new Gauge({
      name: 'dfs_node_used_bytes',
      help: 'bytes each node reports holding',
      labelNames: ['peer_id'],
      registers: [registry],
      collect () {
        this.reset()
        for (const node of state.nodes()) this.set({ peer_id: node.peerId }, node.used)
      }
    })
    // eslint-disable-next-line no-new
    new Gauge({
      name: 'dfs_repairs_pending',
      help: 'repair tasks (copies, trims, checks) queued or running',
      registers: [registry],
      collect () { this.set(state.repairPending()) }
    })
  }
}

export interface NodeState {
  /** `used` includes `quarantined`: corrupt copies kept for inspection */
  usage: () => Promise<{ used: number, chunks: number, capacity: number, quarantined: number }>
  /** ms since the directory last answered a heartbeat, or undefined before the first */
  heartbeatAgeMs: () => number | undefined
}

export class NodeMetrics {
  readonly requests: Counter<'protocol' | 'op' | 'result'>
  readonly bytesReceived: Counter
  readonly bytesSent: Counter

  constructor (readonly registry: Registry, state: NodeState) {
    this.requests = new Counter({ name: 'dfs_requests_total', help: 'requests answered, by protocol, operation and result', labelNames: ['protocol', 'op', 'result'], registers: [registry] })
    this.bytesReceived = new Counter({ name: 'dfs_chunk_bytes_received_total', help: 'chunk bytes stored from PUTs (uploads, replication, repair)', registers: [registry] })
    this.bytesSent = new Counter({ name: 'dfs_chunk_bytes_sent_total', help: 'chunk bytes served to GETs', registers: [registry] })
    // eslint-disable-next-line no-new
    new Gauge({
      name: 'dfs_chunks_stored',
      help: 'chunks held on this node',
      registers: [registry],
      async collect () { this.set((await state.usage()).chunks) }
    })
    // eslint-disable-next-line no-new
    new Gauge({
      name: 'dfs_stored_bytes',
      help: 'bytes used (chunks and quarantined copies), of them quarantined, and the capacity they count against',
      labelNames: ['kind'],
      registers: [registry],
      async collect () {
        const usage = await state.usage()
        this.set({ kind: 'used' }, usage.used)
        this.set({ kind: 'quarantined' }, usage.quarantined)
        this.set({ kind: 'capacity' }, usage.capacity)
      }
    })
    // eslint-disable-next-line no-new
    new Gauge({
      name: 'dfs_directory_heartbeat_age_seconds',
      help: 'seconds since the directory last answered this node\'s heartbeat (-1 before the first)',
      registers: [registry],
      collect () {
        const age = state.heartbeatAgeMs()
        this.set(age == null ? -1 : age / 1000)
      }
    })
  }

  /** For the store handler's onServed. */
  served (op: string, status: StoreResponse.Status, bytes: number): void {
    this.requests.inc({ protocol: 'store', op, result: resultName(status) })
    if (op === 'PUT') this.bytesReceived.inc(bytes)
    else if (op === 'GET') this.bytesSent.inc(bytes)
  }
}

function resultName (status: StoreResponse.Status): string {
  return String(status === StoreResponseCodec.Status.OK ? 'ok' : status).toLowerCase()
}
