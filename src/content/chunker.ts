import { cidFromDigest, newHasher } from './content-id.ts'

/** Largest chunk a node accepts: bounds what one request can make it write. */
export const MAX_CHUNK_SIZE = 64 * 1024 * 1024

export interface Chunk {
  index: number
  offset: number
  size: number
  /** chunk ID: CID of the chunk's bytes */
  id: string
  /** the chunk's bytes as the pieces they were read in: never concatenated */
  pieces: Uint8Array[]
  /** when the bytes live in a reused buffer: give it back once they are no longer needed */
  release?: () => void
}

/**
 * Split a byte stream into fixed-size chunks (the last may be shorter),
 * hashing each as it goes. Memory: one chunk at a time. Pieces that straddle a
 * chunk boundary are split with subarray, not copied.
 *
 * `onBytes` sees every byte once, in order (used to hash the whole file in the
 * same pass).
 */
export async function * chunkStream (source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, chunkSize: number, onBytes?: (piece: Uint8Array) => void): AsyncGenerator<Chunk> {
  if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) throw new RangeError(`chunk size must be a positive integer, got ${chunkSize}`)
  let index = 0
  let offset = 0
  let pieces: Uint8Array[] = []
  let size = 0
  let hasher = newHasher()

  const finish = (): Chunk => {
    const chunk = { index, offset, size, id: cidFromDigest(hasher.digest()), pieces }
    index++
    offset += size
    pieces = []
    size = 0
    hasher = newHasher()
    return chunk
  }

  for await (let piece of source) {
    onBytes?.(piece)
    while (piece.byteLength > 0) {
      const room = chunkSize - size
      const part = piece.byteLength <= room ? piece : piece.subarray(0, room)
      piece = piece.byteLength <= room ? new Uint8Array(0) : piece.subarray(room)
      pieces.push(part)
      hasher.update(part)
      size += part.byteLength
      if (size === chunkSize) yield finish()
    }
  }
  if (size > 0) yield finish()
}
