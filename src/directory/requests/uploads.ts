import { logger } from '@libp2p/logger'
import { MAX_CHUNK_SIZE } from '../../content/chunker.ts'
import { InvalidInputError, NoCapacityError, NotFoundError } from '../../errors.ts'
import { MAX_BATCH_FILES, MAX_PLACE_FILES_BYTES, PLACE_BATCH_CHUNKS } from '../../protocol/constants.ts'
import { validateName } from '../../protocol/names.ts'
import type { AbortUpload, AddFiles, BeginUpload, CompleteUpload, DirectoryResponse, PlaceChunks, PlaceFiles, Remove } from '../../protocol/pb/directory.ts'
import { placeChunks } from '../placement.ts'
import type { DirectoryState } from '../state.ts'

const trace = logger('dfs:directory')

/** Placements for chunks `first` .. `first + count - 1` of an upload in progress. */
function place (state: DirectoryState, uploadId: string, first: number, count: number): Partial<DirectoryResponse> {
  const { replicas } = state.index.requireUpload(uploadId)
  const upload = state.uploads.get(uploadId) ?? { rotation: 0, chunkSize: 0, startedAt: 0 }
  if (count === 0) return {}
  return state.placeOnLive({ first, count, replicas, chunkSize: upload.chunkSize, rotation: upload.rotation })
}

/** Nodes to retry one chunk on: `need` live ones with room, none already tried. */
function replace (state: DirectoryState, uploadId: string, index: number, need: number, exclude: Set<string>): Partial<DirectoryResponse> {
  state.index.requireUpload(uploadId)
  const upload = state.uploads.get(uploadId) ?? { rotation: 0, chunkSize: 0, startedAt: 0 }
  const now = Date.now()
  const candidates = state.index.listNodes().filter((node) => state.isAlive(node, now) && !exclude.has(node.peerId))
  const placements = placeChunks(candidates, { first: index, count: 1, replicas: need, chunkSize: upload.chunkSize, rotation: upload.rotation })
  if (placements.length === 0 || placements[0].peers.length < need) {
    throw new NoCapacityError(`no other live node with room is left to hold chunk ${index}`)
  }
  const chosen = new Set(placements[0].peers)
  return { placements, nodes: candidates.filter((node) => chosen.has(node.peerId)).map((node) => state.nodeInfo(node, now)), grants: state.putGrants(placements, upload.chunkSize) }
}

/** Start an upload: its ID and the placements of its first chunks. */
export async function begin (state: DirectoryState, request: BeginUpload): Promise<Partial<DirectoryResponse>> {
  const { name, size, chunkSize } = request
  validateName(name)
  if (chunkSize <= 0 || chunkSize > MAX_CHUNK_SIZE) throw new InvalidInputError(`chunk size must be 1..${MAX_CHUNK_SIZE} bytes`)
  const replicas = state.replicasFor(request.replicas, chunkSize)
  const { index } = state
  const uploadId = await index.write(() => index.beginUpload(name, replicas, Date.now()))
  state.uploads.set(uploadId, { rotation: Math.floor(Math.random() * 1024), chunkSize, startedAt: Date.now() })
  const count = size == null ? PLACE_BATCH_CHUNKS : Math.min(Math.ceil(size / chunkSize), PLACE_BATCH_CHUNKS)
  return { uploadId, ...place(state, uploadId, 0, count) }
}

/** More placements for an upload, or (with `need`) other nodes for one chunk whose copies failed. */
export async function placeMore (state: DirectoryState, request: PlaceChunks): Promise<Partial<DirectoryResponse>> {
  const { uploadId, first, count, exclude, need } = request
  if (need > 0) return replace(state, uploadId, first, need, new Set(exclude))
  return place(state, uploadId, first, Math.min(count, PLACE_BATCH_CHUNKS))
}

/** Record an upload's chunks so far and, with `final`, the file. */
export async function complete (state: DirectoryState, request: CompleteUpload): Promise<Partial<DirectoryResponse>> {
  const { uploadId, fileId, size, chunks, final } = request
  const { index } = state
  // the last chunks and the file in one change, so a small file costs one commit
  const file = await index.write(() => {
    if (chunks.length > 0) index.addUploadChunks(uploadId, chunks)
    return final ? index.completeUpload(uploadId, fileId, size, Date.now()) : undefined
  })
  if (file == null) return {}
  state.uploads.delete(uploadId)
  trace('recorded %s as %s (%d bytes)', file.name, file.id, file.size)
  return { file }
}

export async function abort (state: DirectoryState, request: AbortUpload): Promise<Partial<DirectoryResponse>> {
  await state.index.write(() => { state.index.abortUpload(request.uploadId) })
  state.uploads.delete(request.uploadId)
  state.wantInventories()
  return {}
}

/**
 * Nodes for batches of small files, each batch sent to all of them side by
 * side: one placement, and PUT grants for `bytes` in all. Nothing is recorded
 * until AddFiles; chunks of a batch that never gets there are garbage the
 * nodes' inventories reveal.
 */
export async function placeFiles (state: DirectoryState, request: PlaceFiles): Promise<Partial<DirectoryResponse>> {
  const { bytes } = request
  // a client may use one placement for several batches in a row
  if (bytes > MAX_PLACE_FILES_BYTES) throw new InvalidInputError(`small files are placed at most ${MAX_PLACE_FILES_BYTES} bytes at a time`)
  const replicas = state.replicasFor(request.replicas, Math.max(1, bytes))
  return state.placeOnLive({ first: 0, count: 1, replicas, chunkSize: Math.max(1, bytes), rotation: state.batchRotation++ })
}

/** Record a batch of small files, each with its one chunk, in one commit. */
export async function addFiles (state: DirectoryState, request: AddFiles): Promise<Partial<DirectoryResponse>> {
  const { files, replicas } = request
  if (files.length > MAX_BATCH_FILES) throw new InvalidInputError(`a batch holds at most ${MAX_BATCH_FILES} files`)
  if (replicas <= 0) throw new InvalidInputError('replicas must be at least 1')
  for (const file of files) validateName(file.name)
  const recorded = await state.index.write(() => state.index.addFiles(files, replicas, Date.now()))
  trace('recorded %d small files', recorded.length)
  return { files: recorded }
}

export async function remove (state: DirectoryState, request: Remove): Promise<Partial<DirectoryResponse>> {
  const { ref } = request
  const file = await state.index.write(() => state.index.remove(ref, Date.now()))
  if (file == null) throw new NotFoundError(`no file has the name or ID "${ref.slice(0, 300)}"`)
  state.log.info(`removed ${file.name !== '' ? file.name : file.id} (${file.id})`)
  return { file }
}
