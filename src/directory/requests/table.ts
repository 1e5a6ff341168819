import { InvalidInputError } from '../../errors.ts'
import type { DirectoryRequest, DirectoryResponse } from '../../protocol/pb/directory.ts'
import type { Role } from '../../security/access.ts'
import type { DirectoryState } from '../state.ts'
import { health, list, nodes, reportCorrupt, resolve, resolveMany } from './reads.ts'
import { abort, addFiles, begin, complete, placeFiles, placeMore, remove } from './uploads.ts'

/**
 * A request handler: what the directory answers to one request from `peer`,
 * given its state. Handlers know nothing of streams, so any front end (the
 * libp2p protocol, a test, a future HTTP gateway) can call them; they throw
 * the project's typed errors, which the front end turns into statuses.
 */
export type RequestHandler<Request, Response> = (state: DirectoryState, request: Request, peer: string) => Promise<Response>

/** The kinds of /dfs/directory request: the fields of DirectoryRequest, of which a request sets one. */
export type DirectoryRequestType = keyof DirectoryRequest

interface DirectoryRoute<Type extends DirectoryRequestType> {
  /** the role a peer needs to ask this (none: any member) */
  role?: Role
  handle: RequestHandler<NonNullable<DirectoryRequest[Type]>, Partial<DirectoryResponse>>
}

/**
 * Every client request by type, in the order a request that sets several
 * fields is served by (the first of them). Writers change the namespace,
 * readers look at it.
 */
export const DIRECTORY_REQUESTS: { readonly [Type in DirectoryRequestType]: DirectoryRoute<Type> } = {
  begin: { role: 'write', handle: begin },
  place: { role: 'write', handle: placeMore },
  complete: { role: 'write', handle: complete },
  placeFiles: { role: 'write', handle: placeFiles },
  addFiles: { role: 'write', handle: addFiles },
  abort: { role: 'write', handle: abort },
  resolve: { role: 'read', handle: resolve },
  resolveMany: { role: 'read', handle: resolveMany },
  list: { role: 'read', handle: list },
  reportCorrupt: { role: 'read', handle: reportCorrupt },
  remove: { role: 'write', handle: remove },
  health: { handle: health },
  nodes: { handle: nodes }
}

const REQUEST_TYPES = Object.keys(DIRECTORY_REQUESTS) as DirectoryRequestType[]

/**
 * Answer one client request: check the peer's role, then call the handler of
 * its type. A request that sets several fields needs the strongest role any
 * of them needs.
 */
export async function answerDirectoryRequest (state: DirectoryState, request: DirectoryRequest, peer: string): Promise<Partial<DirectoryResponse>> {
  const types = REQUEST_TYPES.filter((type) => request[type] != null)
  if (types.length === 0) throw new InvalidInputError('empty or unknown directory request')
  const roles = new Set(types.map((type) => DIRECTORY_REQUESTS[type].role))
  if (roles.has('write')) state.access.require(peer, 'write')
  else if (roles.has('read')) state.access.require(peer, 'read')
  const type = types[0]
  const route = DIRECTORY_REQUESTS[type] as DirectoryRoute<typeof type>
  return await route.handle(state, request[type] as never, peer)
}
