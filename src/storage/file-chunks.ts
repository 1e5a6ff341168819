import { open } from 'node:fs/promises'
import { cidFromDigest, newHasher } from './content-id.ts'
import type { Chunk } from './chunker.ts'

/** Size of the views a chunk is sent in (the stream write size that suits Noise and Yamux). */
const PIECE_SIZE = 256 * 1024

/**
 * A few chunk-sized buffers, reused: reading a file into fresh buffers that
 * then live as long as their chunk is in flight made every one survive into
 * V8's old generation, and the garbage collector became the biggest cost of
 * an upload. Buffers are made as needed, up to `count`; `acquire` waits for a
 * released one after that.
 */
export class SlabPool {
  private readonly free: Uint8Array[] = []
  private made = 0
  private readonly waiting: Array<(slab: Uint8Array) => void> = []

  constructor (readonly slabSize: number, private readonly count: number) {}

  async acquire (): Promise<Uint8Array> {
    const slab = this.free.pop()
    if (slab != null) return slab
    if (this.made < this.count) {
      this.made++
      return Buffer.allocUnsafeSlow(this.slabSize)
    }
    return await new Promise((resolve) => { this.waiting.push(resolve) })
  }

  release (slab: Uint8Array): void {
    const waiter = this.waiting.shift()
    if (waiter != null) waiter(slab)
    else this.free.push(slab)
  }
}

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
