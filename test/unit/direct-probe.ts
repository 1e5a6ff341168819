import { closeSync, constants, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Whether the file system under `dir` takes an aligned O_DIRECT write and read, found out without
 * dfs's own direct-I/O code: the tests compare against this, so a broken dfs cannot make them
 * quietly expect the buffered path.
 */
export function fileSystemDoesDirectIO (dir: string): boolean {
  const O_DIRECT: number | undefined = constants.O_DIRECT
  if (O_DIRECT == null) return false
  // WebAssembly memory is mapped whole, so its first byte starts on a page
  const page = new Uint8Array(new WebAssembly.Memory({ initial: 1, maximum: 1 }).buffer, 0, 4096)
  page.fill(0x5a)
  const path = join(dir, 'direct-probe')
  let fd: number
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT | O_DIRECT, 0o600)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EINVAL') return false
    throw err
  }
  try {
    if (writeSync(fd, page, 0, 4096, 0) !== 4096) return false
    page.fill(0)
    return readSync(fd, page, 0, 4096, 0) === 4096 && page.every((b) => b === 0x5a)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EINVAL') return false
    throw err
  } finally {
    closeSync(fd)
    rmSync(path, { force: true })
  }
}
