import { close, constants } from 'node:fs'
import { open } from 'node:fs/promises'
import { directCapable, isAligned, openDirect, readAt } from '../util/direct-io.ts'
import { cidFromDigest, newHasher } from './content-id.ts'
import type { Chunk } from './chunker.ts'
import type { SlabPool } from '../util/slab-pool.ts'

/** Size of the views a chunk is sent in (the stream write size that suits Noise and Yamux). */
const PIECE_SIZE = 256 * 1024

/**
 * A file's chunks, each read whole into a pooled buffer, hashed in one pass
 * and handed out as views (no copies). The consumer calls `chunk.release()`
 * once the chunk's bytes are no longer needed (stored, or given up on).
 *
 * With slabs from a direct pool (and a chunk size on the alignment), the
 * file is read with direct I/O, past the page cache: a file that is not
 * cached costs a tenth of the CPU that way, one that is costs a read from
 * disk instead of a copy (see direct-io.ts).
 */
export async function * fileChunks (path: string, chunkSize: number, pool: SlabPool): AsyncGenerator<Chunk> {
  const file = await open(path, 'r')
  let direct = isAligned(chunkSize) ? await openDirect(path, constants.O_RDONLY).catch(() => undefined) : undefined
  const readChunk = async (slab: Uint8Array, want: number, offset: number): Promise<number> => {
    if (direct != null && directCapable(slab, want)) {
      try {
        let filled = 0
        while (filled < want) {
          const bytesRead = await readAt(direct, slab, filled, want - filled, offset + filled)
          filled += bytesRead
          // short: the end of the file (a read past it, at an unaligned offset, would be refused)
          if (bytesRead === 0 || !isAligned(filled)) break
        }
        return filled
      } catch (err: any) {
        // the file system took O_DIRECT at open but refuses the read: through the page cache
        if (err.code !== 'EINVAL') throw err
        close(direct, () => {})
        direct = undefined
      }
    }
    let filled = 0
    while (filled < want) {
      const { bytesRead } = await file.read(slab, filled, want - filled, offset + filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    return filled
  }
  try {
    let index = 0
    let offset = 0
    while (true) {
      const slab = await pool.acquire()
      // slabs are chunk-sized, or file-sized for a file smaller than a chunk
      const want = Math.min(chunkSize, slab.byteLength)
      const filled = await readChunk(slab, want, offset)
      if (filled === 0) {
        // the end (an empty file has no chunks)
        pool.release(slab)
        return
      }
      const bytes = slab.subarray(0, filled)
      const pieces: Uint8Array[] = []
      for (let at = 0; at < filled; at += PIECE_SIZE) pieces.push(bytes.subarray(at, Math.min(at + PIECE_SIZE, filled)))
      const id = cidFromDigest(newHasher().update(bytes).digest())
      let released = false
      yield {
        index,
        offset,
        size: filled,
        id,
        pieces,
        release: () => {
          if (released) return
          released = true
          pool.release(slab)
        }
      }
      index++
      offset += filled
      if (filled < want) return
    }
  } finally {
    if (direct != null) close(direct, () => {})
    await file.close()
  }
}
