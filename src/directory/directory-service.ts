import type { Connection, Stream } from '@libp2p/interface'
import { logger } from '@libp2p/logger'
import { isContentId } from '../content/content-id.ts'
import { InvalidInputError } from '../errors.ts'
import { serveRequests } from '../net/request-loop.ts'
import { MAX_DIRECTORY_MESSAGE_BYTES, MAX_INVENTORY_CHUNKS, MAX_INVENTORY_MESSAGE_BYTES, MAX_REGISTER_MESSAGE_BYTES } from '../protocol/constants.ts'
import { DirectoryRequest, DirectoryResponse, InventoryPage, InventoryResponse, RegisterRequest, RegisterResponse, Status } from '../protocol/pb/directory.ts'
import { directoryStatusOf } from '../protocol/status.ts'
import { Drain } from '../util/drain.ts'
import { errorMessage } from '../util/log.ts'
import { inventory, register, requireNode } from './requests/nodes.ts'
import { answerDirectoryRequest } from './requests/table.ts'
import { DirectoryState, type DirectoryStateInit } from './state.ts'

export { DEFAULT_REPLICAS } from './state.ts'

const trace = logger('dfs:directory')

/** How long a node may take to send its registration, and each inventory page. */
const REGISTER_IDLE_MS = 10_000
const INVENTORY_IDLE_MS = 60_000

export interface DirectoryServiceInit extends DirectoryStateInit {
  /** a client quiet this long between or within requests loses its stream */
  idleTimeoutMs: number
  /** called once per request answered (for metrics) */
  onRequest?: (protocol: 'directory' | 'register' | 'inventory', status: Status) => void
}

/** A reply that sets only some fields, encoded with the rest at their defaults. */
function encodeDirectoryResponse (response: Partial<DirectoryResponse>): Uint8Array {
  return DirectoryResponse.encode({ status: Status.OK, message: '', uploadId: '', placements: [], nodes: [], chunks: [], files: [], grants: [], ...response })
}

/**
 * The directory's protocols on libp2p streams: each served by the request
 * loop, each request answered by its handler (src/directory/requests/) over
 * the one DirectoryState.
 */
export class DirectoryService {
  readonly state: DirectoryState
  /** client requests in flight: a clean stop answers them before closing */
  readonly drain = new Drain()

  constructor (private readonly init: DirectoryServiceInit) {
    this.state = new DirectoryState(init)
  }

  /** Periodic: log nodes that stopped heartbeating. */
  checkLiveness (): void {
    this.state.checkLiveness()
  }

  /** Forget the placement state of uploads older than `before` (their clients are gone). */
  expireUploads (before: number): void {
    this.state.expireUploads(before)
  }

  /** Uploads were given up without a word (their clients died): find what they left on the nodes. */
  wantInventories (): void {
    this.state.wantInventories()
  }

  // ---- /dfs/register/1.0.0: one registration or heartbeat per stream

  readonly handleRegister = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer.toString()
    const { log } = this.state
    await serveRequests<RegisterRequest, RegisterResponse>(stream, {
      decode: (bytes) => RegisterRequest.decode(bytes),
      encode: (response) => RegisterResponse.encode(response),
      maxMessageBytes: MAX_REGISTER_MESSAGE_BYTES,
      idleTimeoutMs: REGISTER_IDLE_MS,
      maxRequests: 1,
      handle: async (request) => await register(this.state, request, peer),
      errorReply: (err) => ({ status: directoryStatusOf(err), message: errorMessage(err), heartbeatMs: 0, sendInventory: false, tasks: [] }),
      onRequestError: (err) => { log.warn(`refused registration from ${peer}: ${errorMessage(err)}`) },
      onReply: (_, response) => { this.init.onRequest?.('register', response.status) },
      onStreamError: (err) => {
        log.warn(`closed a register stream from peer ${peer}: ${errorMessage(err)}`)
        trace.error('register stream failed - %e', err)
      }
    })
  }

  // ---- /dfs/inventory/1.0.0: pages of a node's chunk list, then one answer

  readonly handleInventory = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer.toString()
    const { log } = this.state
    await serveRequests<InventoryPage, InventoryResponse>(stream, {
      decode: (bytes) => InventoryPage.decode(bytes),
      encode: (response) => InventoryResponse.encode(response),
      maxMessageBytes: MAX_INVENTORY_MESSAGE_BYTES,
      idleTimeoutMs: INVENTORY_IDLE_MS,
      maxRequests: 1,
      handle: async (first, { next }) => {
        // refused before a page more is held in memory
        requireNode(this.state, peer, 'report an inventory: it is not an allowed storage node')
        const chunks: string[] = []
        for (let page: InventoryPage | undefined = first; ; page = await next()) {
          if (page == null) throw new InvalidInputError('the inventory ended before its last page')
          for (const id of page.chunks) if (isContentId(id)) chunks.push(id)
          if (chunks.length > MAX_INVENTORY_CHUNKS) throw new InvalidInputError(`an inventory of more than ${MAX_INVENTORY_CHUNKS} chunks is not supported`)
          if (page.last) break
        }
        return await inventory(this.state, { chunks }, peer)
      },
      errorReply: (err) => ({ status: directoryStatusOf(err), message: errorMessage(err) }),
      onRequestError: (err) => { log.warn(`inventory from ${peer} failed: ${errorMessage(err)}`) },
      onReply: (_, response) => { this.init.onRequest?.('inventory', response.status) },
      onStreamError: (err) => { log.warn(`inventory from ${peer} failed: ${errorMessage(err)}`) }
    })
  }

  // ---- /dfs/directory/1.0.0: a client's requests, answered in turn

  readonly handleDirectory = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer.toString()
    const { log } = this.state
    await serveRequests<DirectoryRequest, Partial<DirectoryResponse>>(stream, {
      decode: (bytes) => DirectoryRequest.decode(bytes),
      encode: encodeDirectoryResponse,
      maxMessageBytes: MAX_DIRECTORY_MESSAGE_BYTES,
      idleTimeoutMs: this.init.idleTimeoutMs,
      handle: async (request) => await answerDirectoryRequest(this.state, request, peer),
      errorReply: (err) => ({ status: directoryStatusOf(err), message: errorMessage(err) }),
      shutdown: { drain: this.drain, reply: () => ({ status: Status.ERROR, message: 'the directory is shutting down' }) },
      onRequestError: (err) => {
        const status = directoryStatusOf(err)
        if (status === Status.ERROR) log.error(`directory request failed: ${errorMessage(err)}`)
        if (status === Status.FORBIDDEN) log.warn(`refused: ${errorMessage(err)}`)
      },
      onReply: (_, response) => { this.init.onRequest?.('directory', response.status ?? Status.OK) },
      onStreamError: (err) => {
        log.warn(`closed a directory stream from peer ${peer}: ${errorMessage(err)}`)
        trace.error('directory stream failed - %e', err)
      }
    })
  }
}
