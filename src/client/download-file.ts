import { close, constants, open } from 'node:fs'
import { promisify } from 'node:util'
import { alignUp, directCapable, isAligned, openDirect, truncateFd, writeAllAt } from '../util/direct-io.ts'

const openFile = promisify(open)
const closeFile = promisify(close)

/** Chunk writes so far, by path taken: lets tests tell that direct I/O was really used. */
export const downloadFileWrites = { direct: 0, buffered: 0 }

/**
 * The new file a download writes, chunk by chunk at their offsets, in any
 * order. A chunk that sits in a direct-capable slab at an aligned offset is
 * written with direct I/O (see direct-io.ts), past the page cache; anything
 * else, and everything where the file system refuses direct I/O, through an
 * ordinary descriptor of the same file. The last chunk may be padded up to
 * the alignment from its slab: `finish` cuts the file back to its size.
 */
export class DownloadFile {
  private padded = false

  private constructor (private readonly fd: number, private direct: number | undefined, readonly size: number) {}

  /** Create `path` (it must not exist) for a file of `size` bytes. */
  static async create (path: string, size: number, direct: boolean): Promise<DownloadFile> {
    const fd = await openFile(path, 'wx')
    try {
      const directFd = direct ? await openDirect(path, constants.O_WRONLY) : undefined
      return new DownloadFile(fd, directFd, size)
    } catch (err) {
      await closeFile(fd).catch(() => {})
      throw err
    }
  }

  /** whether chunks are going through direct I/O (until the file system refuses) */
  get directIO (): boolean {
    return this.direct != null
  }

  async writeAt (bytes: Uint8Array, position: number): Promise<void> {
    const length = bytes.byteLength
    const padded = alignUp(length)
    // padding is only safe past the end of the file: inside it, it would overwrite the next chunk
    const padOk = isAligned(length) || position + length === this.size
    if (this.direct != null && length > 0 && isAligned(position) && padOk && directCapable(bytes, padded)) {
      try {
        await writeAllAt(this.direct, new Uint8Array(bytes.buffer, bytes.byteOffset, padded), position)
        if (padded !== length) this.padded = true
        downloadFileWrites.direct++
        return
      } catch (err: any) {
        // some file systems take O_DIRECT at open and refuse the write: buffered from here on
        if (err.code !== 'EINVAL') throw err
        const direct = this.direct
        this.direct = undefined
        await closeFile(direct).catch(() => {})
      }
    }
    await writeAllAt(this.fd, bytes, position)
    downloadFileWrites.buffered++
  }

  /** All chunks written: the file gets its exact size, and is closed. */
  async finish (): Promise<void> {
    if (this.padded) await truncateFd(this.fd, this.size)
    await this.close()
  }

  /** Close without finishing, after a failure (the caller removes the file). Never throws. */
  async abandon (): Promise<void> {
    await this.close().catch(() => {})
  }

  private closed = false

  private async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    const direct = this.direct
    this.direct = undefined
    await Promise.all([
      direct != null ? closeFile(direct).catch(() => {}) : undefined,
      closeFile(this.fd)
    ])
  }
}
