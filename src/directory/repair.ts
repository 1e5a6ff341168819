import { TaskType, type NodeInfo, type Task, type TaskResult } from '../protocol/pb/directory.ts'
import type { Logger } from '../util/log.ts'
import type { ChunkCopies, DirectoryIndex, NodeRecord } from './index-db.ts'

export interface RepairInit {
  index: DirectoryIndex
  log: Logger
  /** a node silent this long is dead */
  deadAfterMs: number
  /** a node dead this long is not waited for: its chunks are copied elsewhere */
  repairAfterMs: number
  /** chunks no file uses are deleted from the nodes this long after (garbage collection) */
  gcAfterMs: number
  /** tasks handed to one node per heartbeat: the repair rate limit */
  tasksPerBeat?: number
  /** a task not reported done by then is scheduled again */
  taskTimeoutMs?: number
}

/** Garbage chunks looked at per scan. */
const SCAN_LIMIT = 512
/**
 * The sweep over the chunks: pages of this many (a few milliseconds each), as many
 * as fit in SWEEP_BUDGET_MS per scan (at least one), then on from there at
 * the next scan. A scan stays short however big the index; a big index takes
 * more scans to sweep, which is still far faster than repairs run (a few
 * tasks per node per heartbeat).
 */
const SWEEP_PAGE = 256
const SWEEP_BUDGET_MS = 4
/** Tasks queued or running at most, from the sweep: the queues stay bounded, and the sweep waits. */
const MAX_PENDING = 4096

/**
 * Keeps every chunk at its target number of copies. Each scan finds chunks
 * below target (counting copies on nodes that are alive, or dead for less than
 * repair-after) and above it (counting live copies), and chunks no file has
 * used for gc-after, and queues work for the nodes: COPY from a live holder
 * to a node that has none, DELETE an extra copy or a garbage one. Nodes collect their tasks with their heartbeat, a few at a time (the
 * rate limit), and report the outcome with the next one. Nothing here needs
 * to survive a restart: the next scan recomputes the work from the index.
 */
export class Repairer {
  private readonly queues = new Map<string, Task[]>()
  /** chunk ID -> when its task counts as lost: one task per chunk at a time */
  private readonly busy = new Map<string, number>()
  private readonly tasksPerBeat: number
  private readonly taskTimeoutMs: number
  copiesDone = 0
  copiesFailed = 0
  /** told of every repair copy's outcome (for metrics) */
  onCopied?: (ok: boolean) => void
  /** copies made and failed since repair last started: logged when it is done */
  private round?: { done: number, failed: number }

  constructor (private readonly init: RepairInit) {
    this.tasksPerBeat = init.tasksPerBeat ?? 8
    this.taskTimeoutMs = init.taskTimeoutMs ?? 60_000
  }

  /** the last chunk ID the sweep looked at ('' : start over) */
  private sweepCursor = ''
  /** full passes the sweep has made over the index */
  sweeps = 0

  /** Repairs queued or running. */
  get pending (): number {
    return this.busy.size
  }

  scan (now = Date.now()): void {
    const { index, deadAfterMs, repairAfterMs } = this.init
    for (const [chunk, expires] of this.busy) if (expires < now) this.busy.delete(chunk)
    for (const [peer, queue] of this.queues) {
      const live = queue.filter((task) => this.busy.has(task.chunkId))
      if (live.length === 0) this.queues.delete(peer)
      else this.queues.set(peer, live)
    }
    const nodes = index.listNodes()
    const aliveSince = now - deadAfterMs
    const alive = nodes.filter((node) => node.lastSeen >= aliveSince)
    const byPeer = new Map(nodes.map((node) => [node.peerId, node]))
    // room promised to copies queued in this scan, so one node is not filled twice over
    const promised = new Map<string, number>()

    const presentSince = now - deadAfterMs - repairAfterMs
    // the sweep leaves out chunks with a task already
    const { under, over } = this.sweep(presentSince, aliveSince, MAX_PENDING - this.busy.size)
    for (const chunk of under) {
      const holderRecords = index.chunkHolders(chunk.chunkId)
      const sources = holderRecords.filter((h) => h.lastSeen >= aliveSince).map((h) => h.peerId)
      if (sources.length === 0) continue // lost, or waiting for its holders to come back
      const holders = new Set(holderRecords.map((h) => h.peerId))
      const targets = alive
        .filter((node) => !holders.has(node.peerId) && free(node) - (promised.get(node.peerId) ?? 0) >= chunk.size)
        .sort((a, b) => free(b) - free(a))
        .slice(0, chunk.target - chunk.present)
      if (targets.length === 0) continue
      // one copy per scan and chunk: a later sweep sees the new count
      const target = targets[0]
      promised.set(target.peerId, (promised.get(target.peerId) ?? 0) + chunk.size)
      this.enqueue(sources[Math.floor(Math.random() * sources.length)], { type: TaskType.COPY, chunkId: chunk.chunkId, target: nodeInfo(target) }, now)
    }

    const copying = [...this.queues.values()].reduce((n, queue) => n + queue.filter((task) => task.type === TaskType.COPY).length, 0)
    if (this.round == null && copying > 0) {
      this.round = { done: 0, failed: 0 }
      this.init.log.info(`repair started: copying ${copying} chunk(s) below their target`)
    } else if (this.round != null && copying === 0 && this.busy.size === 0) {
      this.init.log.info(`repair done: ${this.round.done} cop${this.round.done === 1 ? 'y' : 'ies'} made, ${this.round.failed} failed`)
      this.round = undefined
    }

    // garbage: every live copy goes; copies on dead nodes go when they return
    for (const chunk of index.garbageDue(now - this.init.gcAfterMs, SCAN_LIMIT)) {
      if (this.busy.has(chunk.chunkId)) continue
      for (const peerId of chunk.holders) {
        const node = byPeer.get(peerId)
        if (node != null && node.lastSeen >= aliveSince) this.enqueue(peerId, { type: TaskType.DELETE, chunkId: chunk.chunkId }, now)
      }
    }

    for (const chunk of over) {
      // trim the copy on the fullest live node, one per scan
      const fullest = index.chunkHolders(chunk.chunkId)
        .filter((holder) => holder.lastSeen >= aliveSince)
        .map((holder) => byPeer.get(holder.peerId))
        .filter((node): node is NodeRecord => node != null)
        .sort((a, b) => free(a) - free(b))[0]
      if (fullest != null) this.enqueue(fullest.peerId, { type: TaskType.DELETE, chunkId: chunk.chunkId }, now)
    }
  }

  /**
   * The next pages of the sweep (see SWEEP_PAGE): the chunks in them with no
   * task yet that are below their target (counting copies on nodes seen since
   * `presentSince`) or above it (counting live copies), at most `room` of
   * them; the sweep stops after the last one it could take.
   */
  private sweep (presentSince: number, aliveSince: number, room: number): { under: ChunkCopies[], over: ChunkCopies[] } {
    const under: ChunkCopies[] = []
    const over: ChunkCopies[] = []
    const started = performance.now()
    while (room > 0) {
      const page = this.init.index.chunkCopiesPage(this.sweepCursor, SWEEP_PAGE, presentSince, aliveSince)
      for (const chunk of page) {
        const list = chunk.present < chunk.target ? under : chunk.alive > chunk.target ? over : undefined
        if (list == null || this.busy.has(chunk.chunkId)) continue
        if (room === 0) return { under, over } // the cursor is at the chunk before this one
        list.push(chunk)
        room--
        this.sweepCursor = chunk.chunkId
      }
      if (page.length < SWEEP_PAGE) {
        // the end of the index: the next page starts over
        this.sweepCursor = ''
        this.sweeps++
        break
      }
      this.sweepCursor = page[page.length - 1].chunkId
      if (performance.now() - started >= SWEEP_BUDGET_MS) break
    }
    return { under, over }
  }

  private enqueue (peerId: string, task: Task, now: number): void {
    this.busy.set(task.chunkId, now + this.taskTimeoutMs)
    const queue = this.queues.get(peerId) ?? []
    queue.push(task)
    this.queues.set(peerId, queue)
  }

  /** Ask a node to check a copy a reader found corrupt. */
  verify (peerId: string, chunkId: string, now = Date.now()): void {
    if (this.busy.has(chunkId)) return
    this.enqueue(peerId, { type: TaskType.VERIFY, chunkId }, now)
  }

  /** The next few tasks for a node, handed out with its heartbeat reply. */
  takeTasks (peerId: string, now = Date.now()): Task[] {
    const queue = this.queues.get(peerId)
    if (queue == null) return []
    const tasks = queue.splice(0, this.tasksPerBeat)
    // the clock for each task starts when its node has it
    for (const task of tasks) this.busy.set(task.chunkId, now + this.taskTimeoutMs)
    if (queue.length === 0) this.queues.delete(peerId)
    return tasks
  }

  /** Record what a node did with its tasks. */
  onResults (peerId: string, results: TaskResult[]): void {
    const { index, log } = this.init
    for (const result of results) {
      this.busy.delete(result.chunkId)
      if (!result.ok) {
        if (result.type === TaskType.COPY) {
          this.copiesFailed++
          if (this.round != null) this.round.failed++
          this.onCopied?.(false)
        }
        log.warn(`node ${peerId} could not ${result.type.toLowerCase()} chunk ${result.chunkId}${result.target !== '' ? ` to ${result.target}` : ''}: ${result.message}`)
        continue
      }
      if (result.type === TaskType.COPY) {
        index.addLocation(result.chunkId, result.target)
        this.copiesDone++
        if (this.round != null) this.round.done++
        this.onCopied?.(true)
        log.debug(`repaired chunk ${result.chunkId}: copied from ${peerId} to ${result.target}`)
      } else if (result.type === TaskType.DELETE) {
        index.removeLocation(result.chunkId, peerId)
        log.debug(`trimmed chunk ${result.chunkId} from ${peerId}`)
      }
    }
  }

  /** A node found these copies corrupt (and quarantined them): they no longer count. */
  onCorrupt (peerId: string, chunkIds: string[]): void {
    for (const chunkId of chunkIds) {
      this.init.index.removeLocation(chunkId, peerId)
      this.busy.delete(chunkId)
      this.init.log.warn(`node ${peerId} reported chunk ${chunkId} corrupt; it will be copied again from another node`)
    }
  }
}

function free (node: NodeRecord): number {
  return node.capacity - node.used
}

function nodeInfo (node: NodeRecord): NodeInfo {
  return { peerId: node.peerId, addrs: node.addrs, alive: true, used: node.used, capacity: node.capacity, chunks: node.chunks, lastSeen: node.lastSeen }
}
