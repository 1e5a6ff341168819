import { createHash } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { ConfigError, ForbiddenError } from '../errors.ts'
import type { Logger } from '../util/log.ts'

export interface AccessConfig {
  /** anyone may connect, register, read and write: a local demo, never a shared network */
  open?: boolean
  /** nodes serve reads without a grant (membership and the read role still apply) */
  openReads?: boolean
  /** peer IDs of storage nodes allowed to register */
  nodes?: string[]
  /** peer IDs of clients allowed to list, stat and download */
  readers?: string[]
  /** peer IDs of clients allowed to upload and remove */
  writers?: string[]
}

export type Role = 'read' | 'write'

/** Check a peer ID string, naming where it came from when it is not one. */
export function checkPeerId (id: string, where: string): string {
  try {
    return peerIdFromString(id).toString()
  } catch {
    throw new ConfigError(`${where}: "${id.slice(0, 80)}" is not a peer ID (dfs-peer id and dfs-client id print them)`)
  }
}

/**
 * Who may do what in a cluster, as the directory's config says. Membership
 * (anyone on any list) decides who gets past the connection gate of the
 * directory and, once they learn it, of every node; roles decide what a member
 * may ask the directory for.
 */
export class AccessPolicy {
  readonly open: boolean
  readonly openReads: boolean
  private readonly nodes: Set<string>
  private readonly readers: Set<string>
  private readonly writers: Set<string>
  /** every member, sorted: what nodes enforce */
  readonly members: string[]
  /** changes whenever the membership does: nodes ask for the list only then */
  readonly version: string

  constructor (config: AccessConfig) {
    this.open = config.open === true
    this.openReads = this.open || config.openReads === true
    this.nodes = new Set((config.nodes ?? []).map((id) => checkPeerId(id, 'allowed nodes')))
    this.readers = new Set((config.readers ?? []).map((id) => checkPeerId(id, 'allowed readers')))
    this.writers = new Set((config.writers ?? []).map((id) => checkPeerId(id, 'allowed writers')))
    this.members = [...new Set([...this.nodes, ...this.readers, ...this.writers])].sort()
    this.version = createHash('sha256').update(JSON.stringify([this.open, this.openReads, this.members])).digest('base64url').slice(0, 16)
  }

  /** A closed cluster that lets no one in is a mistake, not a choice. */
  get isEmpty (): boolean {
    return !this.open && this.members.length === 0
  }

  isMember (peerId: string): boolean {
    return this.open || this.nodes.has(peerId) || this.readers.has(peerId) || this.writers.has(peerId)
  }

  canRegister (peerId: string): boolean {
    return this.open || this.nodes.has(peerId)
  }

  can (peerId: string, role: Role): boolean {
    if (this.open) return true
    return role === 'read' ? this.readers.has(peerId) : this.writers.has(peerId)
  }

  /** Throws the error both sides print: `peer 12D3… is not allowed to write`. */
  require (peerId: string, role: Role): void {
    if (!this.can(peerId, role)) throw new ForbiddenError(`peer ${peerId} is not allowed to ${role}`)
  }

  /** For the startup log: one line that says how the cluster is guarded. */
  describe (): string {
    if (this.open) return 'OPEN: any peer may connect, register as a node, read and write. Use this only for a local demo; give --allow-node/--allow-read/--allow-write to close the cluster.'
    return `closed: ${this.nodes.size} node(s), ${this.readers.size} reader(s), ${this.writers.size} writer(s) allowed; reads ${this.openReads ? 'need no grant' : 'need a grant'}`
  }
}

/** A refused peer is logged at most this often (a misconfigured client may retry in a loop). */
const REFUSAL_LOG_INTERVAL_MS = 60_000

/**
 * The connection gate's refusals, logged once a minute per peer: an operator
 * sees who knocked and why, a retrying peer does not flood the log.
 */
export function refusalLogger (log: Logger, what: string): (peerId: string) => void {
  const lastLogged = new Map<string, number>()
  return (peerId) => {
    const now = Date.now()
    if (now - (lastLogged.get(peerId) ?? 0) < REFUSAL_LOG_INTERVAL_MS) return
    if (lastLogged.size > 10_000) lastLogged.clear()
    lastLogged.set(peerId, now)
    log.warn(`refused a connection from peer ${peerId}: ${what}`)
  }
}
