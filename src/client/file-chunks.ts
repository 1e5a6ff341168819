import { close, constants } from 'node:fs'
import { open } from 'node:fs/promises'
import { directCapable, isAligned, openDirect, readAt } from '../util/direct-io.ts'
import { cidFromDigest, newHasher } from '../content/content-id.ts'
import type { Chunk } from '../content/chunker.ts'
import type { SlabPool } from '../util/slab-pool.ts'

/** Size of the views a chunk is sent in (the stream write size that suits Noise and Yamux). */
const PIECE_SIZE = 256 * 1024

/**
 * A file modified this recently is read through the page cache, not with direct I/O: it is almost
 * surely cached and perhaps not yet written back, and an O_DIRECT read would make the kernel write its
 * dirty pages back and read them from disk again. Linux writes dirty pages back after 30 s
 * (vm.dirty_expire_centisecs), so the window errs on the long side.
 */
export const RECENTLY_MODIFIED_MS = 120_000

/** Chunks read so far in this process, by how (for tests). */
export const fileChunkReads = { direct: 0, buffered: 0 }

/**
 * A file's chunks, each read whole into a pooled buffer, hashed in one pass
 * and handed out as views (no copies). The consumer calls `chunk.release()`
 * once the chunk's bytes are no longer needed (stored, or given up on).
 *
 * With slabs from a direct pool (and a chunk size on the alignment), the
 * file is read with direct I/O, past the page cache, which costs far less CPU
 * for a file that is not cached (see direct-io.ts). Not a file modified in the
 * last RECENTLY_MODIFIED_MS.
 */
export async function * fileChunks (path: string, chunkSize: number, pool: SlabPool): AsyncGenerator<Chunk> {
  const file = await open(path, 'r')
  const recentlyModified = Date.now() - (await file.stat()).mtimeMs < RECENTLY_MODIFIED_MS
  let direct = isAligned(chunkSize) && !recentlyModified ? await openDirect(path, constants.O_RDONLY).catch(() => undefined) : undefined
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
        fileChunkReads.direct++
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
    fileChunkReads.buffered++
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
