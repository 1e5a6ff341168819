import { isContentId } from '../../content/content-id.ts'
import { InvalidInputError, NotFoundError } from '../../errors.ts'
import { LIST_PAGE_FILES, MAX_RESOLVE_MANY, RESOLVE_MANY_CHUNKS, RESOLVE_PAGE_CHUNKS } from '../../protocol/constants.ts'
import { Status, type DirectoryResponse, type ListFiles, type ReportCorrupt, type Resolve, type ResolveMany } from '../../protocol/pb/directory.ts'
import type { DirectoryState } from '../state.ts'

/** A file by name or ID, with a page of its chunks, their holders and the grants to read them. */
export async function resolve (state: DirectoryState, request: Resolve, peer: string): Promise<Partial<DirectoryResponse>> {
  const { ref, chunkStart } = request
  const limit = Math.min(request.chunkLimit === 0 ? RESOLVE_PAGE_CHUNKS : request.chunkLimit, RESOLVE_PAGE_CHUNKS)
  const found = state.index.resolveWithChunks(ref, chunkStart, limit)
  if (found == null) throw new NotFoundError(`no file has the name or ID "${ref.slice(0, 300)}"`)
  return { file: found.file, ...state.forReaders(found.chunks, peer, request.nodesVersion) }
}

/** Several files at once, each with its first chunks; one not found is answered NOT_FOUND in its place. */
export async function resolveMany (state: DirectoryState, request: ResolveMany, peer: string): Promise<Partial<DirectoryResponse>> {
  const { refs } = request
  if (refs.length === 0 || refs.length > MAX_RESOLVE_MANY) throw new InvalidInputError(`a batch resolves 1 to ${MAX_RESOLVE_MANY} files`)
  const limit = Math.min(request.chunkLimit === 0 ? RESOLVE_MANY_CHUNKS : request.chunkLimit, RESOLVE_MANY_CHUNKS)
  const found = refs.map((ref) => state.index.resolveWithChunks(ref, 0, limit))
  // every chunk's holders and grants, once for the whole batch
  const readers = state.forReaders(found.flatMap((entry) => entry?.chunks ?? []), peer, request.nodesVersion)
  let next = 0
  const resolved = found.map((entry, i) => {
    if (entry == null) return { status: Status.NOT_FOUND, message: `no file has the name or ID "${refs[i].slice(0, 300)}"`, chunks: [] }
    const chunks = readers.chunks.slice(next, next += entry.chunks.length)
    return { status: Status.OK, message: '', file: entry.file, chunks }
  })
  return { resolved, nodes: readers.nodes, grants: readers.grants, nodesVersion: readers.nodesVersion }
}

/** A page of files in name order, after `after`. */
export async function list (state: DirectoryState, request: ListFiles): Promise<Partial<DirectoryResponse>> {
  const limit = Math.min(request.limit === 0 ? LIST_PAGE_FILES : request.limit, LIST_PAGE_FILES)
  return { files: state.index.listFiles(request.after, limit) }
}

/** A reader found a bad copy: the repairer checks it with the node that holds it. */
export async function reportCorrupt (state: DirectoryState, request: ReportCorrupt): Promise<Partial<DirectoryResponse>> {
  const { chunkId, peerId } = request
  if (isContentId(chunkId)) state.repairer.verify(peerId, chunkId)
  return {}
}

/** Counts of files, chunks and copies below target, and of nodes alive and dead. */
export async function health (state: DirectoryState): Promise<Partial<DirectoryResponse>> {
  const now = Date.now()
  const nodes = state.index.listNodes()
  const alive = nodes.filter((node) => state.isAlive(node, now)).length
  return { health: { ...(await state.index.health(now - state.deadAfterMs)), nodesAlive: alive, nodesDead: nodes.length - alive } }
}

/** Every node the directory knows, alive or not. */
export async function nodes (state: DirectoryState): Promise<Partial<DirectoryResponse>> {
  const now = Date.now()
  return { nodes: state.index.listNodes().map((node) => state.nodeInfo(node, now)) }
}
