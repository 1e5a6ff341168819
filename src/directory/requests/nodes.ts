import { multiaddr } from '@multiformats/multiaddr'
import { isContentId } from '../../content/content-id.ts'
import { ForbiddenError, InvalidInputError } from '../../errors.ts'
import { MAX_INVENTORY_CHUNKS } from '../../protocol/constants.ts'
import { Status, TaskType, type InventoryResponse, type RegisterRequest, type RegisterResponse, type Task } from '../../protocol/pb/directory.ts'
import { GrantOp } from '../../security/grants.ts'
import type { DirectoryState } from '../state.ts'

/** Copy grants for repair tasks: a task runs within a few heartbeats. */
const COPY_GRANT_TTL_MS = 10 * 60_000
/** Addresses a node may announce. */
const MAX_NODE_ADDRS = 32

/** Throws unless `peer` may act as a storage node (register, report an inventory). */
export function requireNode (state: DirectoryState, peer: string, what: string): void {
  if (!state.access.canRegister(peer)) throw new ForbiddenError(`peer ${peer} is not allowed to ${what}`)
}

/** A node's announced addresses, each ending in its own /p2p; refused if any is not a multiaddr or names another peer. */
function checkAddrs (addrs: string[], peerId: string): string[] {
  if (addrs.length === 0 || addrs.length > MAX_NODE_ADDRS) throw new InvalidInputError(`a node must announce 1 to ${MAX_NODE_ADDRS} addresses`)
  return addrs.map((addr) => {
    let ma
    try {
      ma = multiaddr(addr)
    } catch {
      throw new InvalidInputError(`"${addr.slice(0, 100)}" is not a multiaddr`)
    }
    const p2p = ma.getComponents().find((c) => c.name === 'p2p')
    if (p2p == null) return ma.encapsulate(`/p2p/${peerId}`).toString()
    if (p2p.value !== peerId) throw new InvalidInputError(`address ${addr} names another peer`)
    return ma.toString()
  })
}

/** A repair copy is a PUT on its target: it carries the directory's grant for that one chunk. */
function withCopyGrants (state: DirectoryState, source: string, tasks: Task[]): Task[] {
  return tasks.map((task) => task.type !== TaskType.COPY || task.target == null
    ? task
    : { ...task, grant: state.grants.issue({ op: GrantOp.PUT, node: task.target.peerId, holder: source, chunk: task.chunkId, ttlMs: COPY_GRANT_TTL_MS }) })
}

/**
 * A node's registration or heartbeat: record it alive with its addresses and
 * space, take its repair results and corrupt finds, and answer with its next
 * repair tasks (and the membership list when its copy is stale). A node
 * leaving cleanly is recorded dead at once, so nothing more is placed there.
 */
export async function register (state: DirectoryState, request: RegisterRequest, peerId: string): Promise<RegisterResponse> {
  requireNode(state, peerId, 'register as a storage node (the directory\'s --allow-node list)')
  const addrs = checkAddrs(request.addrs, peerId)
  const { index, repairer } = state
  if (request.leaving) {
    // repair waits --repair-after as for any death
    repairer.onResults(peerId, request.results)
    index.upsertNode({ peerId, addrs, capacity: request.capacity, used: request.used, chunks: request.chunks, lastSeen: Date.now() - state.deadAfterMs - 1 })
    state.knownAlive.delete(peerId)
    state.nodesVersion++
    state.log.info(`node ${peerId} left (clean shutdown)`)
    return { status: Status.OK, message: '', heartbeatMs: 0, sendInventory: false, tasks: [] }
  }
  const wasAlive = state.knownAlive.has(peerId)
  index.upsertNode({ peerId, addrs, capacity: request.capacity, used: request.used, chunks: request.chunks, lastSeen: Date.now() })
  const addrsKey = addrs.join(' ')
  if (!wasAlive || state.announcedAddrs.get(peerId) !== addrsKey) {
    state.announcedAddrs.set(peerId, addrsKey)
    state.nodesVersion++
  }
  if (!wasAlive) {
    state.knownAlive.add(peerId)
    const known = index.listNodes().some((node) => node.peerId === peerId && node.firstSeen < node.lastSeen)
    state.log.info(`node ${peerId} ${known ? 'is back: registered again' : 'registered'} (${addrs.join(', ')}; ${request.used} of ${request.capacity} bytes used)`)
  }
  repairer.onResults(peerId, request.results)
  if (request.corrupt.length > 0) repairer.onCorrupt(peerId, request.corrupt.filter((id) => isContentId(id)))
  const sendInventory = state.askInventory(peerId, wasAlive)
  const { access } = state
  const membership = request.membershipVersion === access.version ? undefined : { version: access.version, open: access.open, openReads: access.openReads, members: access.members }
  return { status: Status.OK, message: '', heartbeatMs: state.heartbeatMs, sendInventory, tasks: withCopyGrants(state, peerId, repairer.takeTasks(peerId)), membership }
}

/** A node's whole list of chunks, as its inventory pages carry it. */
export interface Inventory {
  chunks: string[]
}

/**
 * What a node holds, in answer to the directory's ask: the index's locations
 * for it are brought in line, except for changes made since the ask, which
 * are newer than the node's list.
 */
export async function inventory (state: DirectoryState, request: Inventory, peerId: string): Promise<InventoryResponse> {
  requireNode(state, peerId, 'report an inventory: it is not an allowed storage node')
  const chunks = request.chunks.filter((id) => isContentId(id))
  if (chunks.length > MAX_INVENTORY_CHUNKS) throw new InvalidInputError(`an inventory of more than ${MAX_INVENTORY_CHUNKS} chunks is not supported`)
  const { added, removed } = state.index.reconcileInventory(peerId, chunks, state.inventoryAskedAt.get(peerId) ?? Date.now())
  state.inventoryAskedAt.delete(peerId)
  if (added > 0 || removed > 0) state.log.info(`node ${peerId} holds ${chunks.length} chunks: ${added} locations added, ${removed} removed`)
  return { status: Status.OK, message: '' }
}
