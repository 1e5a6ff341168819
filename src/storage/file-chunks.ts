import { open } from 'node:fs/promises'
import { cidFromDigest, newHasher } from './content-id.ts'
import type { Chunk } from './chunker.ts'
import type { SlabPool } from '../util/slab-pool.ts'

/** Size of the views a chunk is sent in (the stream write size that suits Noise and Yamux). */
const PIECE_SIZE = 256 * 1024

/**
 * A file's chunks, each read whole into a pooled buffer, hashed in one pass
 * and handed out as views (no copies). The consumer calls `chunk.release()`
 * once the chunk's bytes are no longer needed (stored, or given up on).
 */
export async function * fileChunks (path: string, chunkSize: number, pool: SlabPool): AsyncGenerator<Chunk> {
  const file = await open(path, 'r')
  try {
    let index = 0
    let offset = 0
    while (true) {
      const slab = await pool.acquire()
      // slabs are chunk-sized, or file-sized for a file smaller than a chunk
      const want = Math.min(chunkSize, slab.byteLength)
      let filled = 0
      while (filled < want) {
        const { bytesRead } = await file.read(slab, filled, want - filled, offset + filled)
        if (bytesRead === 0) break
        filled += bytesRead
      }
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
    await file.close()
  }
}
