import { constants, ftruncate, open, read, write } from 'node:fs'

/**
 * Direct I/O (O_DIRECT): big writes and reads go between our buffers and the
 * disk without passing through the page cache.
 *
 * Why: putting a new page into the page cache can cost far more CPU than
 * moving the bytes (see docs/PERFORMANCE-HISTORY.md), and it would be the
 * biggest single cost of a download (the client writes the file) and of an
 * upload (each node writes its chunks). Databases and storage daemons use
 * direct I/O for the same reason: they do their own buffering.
 *
 * O_DIRECT wants the buffer's address, the file offset and the length all
 * aligned to the device's block (512 bytes or 4 KiB; we use 4 KiB, which
 * covers both). Node's Buffers come from malloc and are not aligned, so direct
 * buffers are carved from WebAssembly memory, which the OS maps whole and so
 * starts on a page. Where any of this is missing (no O_DIRECT on this OS, a
 * file system that refuses it, WebAssembly turned off), callers fall back to
 * ordinary buffered I/O.
 */
export const DIRECT_ALIGNMENT = 4096

const O_DIRECT: number | undefined = constants.O_DIRECT

/** `n` rounded up to a multiple of DIRECT_ALIGNMENT */
export function alignUp (n: number): number {
  return Math.ceil(n / DIRECT_ALIGNMENT) * DIRECT_ALIGNMENT
}

export function isAligned (n: number): boolean {
  return n % DIRECT_ALIGNMENT === 0
}

const WASM_PAGE = 64 * 1024
/** Backing stores known to start on a page (WebAssembly memories), for `directCapable`. */
const alignedStores = new WeakSet<ArrayBufferLike>()

/**
 * `count` buffers of `size` bytes (rounded up to the alignment), each starting
 * on a page, or undefined when WebAssembly memory is not available. The pages
 * are mapped but untouched, so they cost no RSS until used.
 */
export function alignedBuffers (size: number, count: number): Uint8Array[] | undefined {
  const each = alignUp(Math.max(1, size))
  const pages = Math.ceil((each * count) / WASM_PAGE)
  if (O_DIRECT == null || typeof WebAssembly === 'undefined' || pages > 65536) return undefined
  let memory: WebAssembly.Memory
  try {
    // a fixed maximum: the memory never grows, so its buffer is never detached
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages })
  } catch {
    return undefined
  }
  alignedStores.add(memory.buffer)
  return Array.from({ length: count }, (_, i) => new Uint8Array(memory.buffer, i * each, each))
}

/** Whether `bytes` starts on a page of direct-capable memory, with `padded` bytes of room after its start. */
export function directCapable (bytes: Uint8Array, padded: number): boolean {
  return alignedStores.has(bytes.buffer) && isAligned(bytes.byteOffset) && bytes.byteOffset + padded <= bytes.buffer.byteLength
}

/**
 * A file opened for direct I/O with these `flags` (O_RDONLY, O_WRONLY, with
 * O_CREAT | O_EXCL...), or undefined when this OS or file system does not do
 * direct I/O (EINVAL at open). Other errors are thrown as usual.
 */
export async function openDirect (path: string, flags: number, mode = 0o666): Promise<number | undefined> {
  if (O_DIRECT == null) return undefined
  return await new Promise((resolve, reject) => {
    open(path, flags | O_DIRECT, mode, (err, fd) => {
      if (err == null) resolve(fd)
      else if (err.code === 'EINVAL') resolve(undefined)
      else reject(err)
    })
  })
}

/** Write all of `bytes` at `position` (a loop: writes may be short). */
export async function writeAllAt (fd: number, bytes: Uint8Array, position: number): Promise<void> {
  for (let written = 0; written < bytes.byteLength;) {
    written += await new Promise<number>((resolve, reject) => {
      write(fd, bytes, written, bytes.byteLength - written, position + written, (err, n) => { if (err != null) reject(err); else resolve(n) })
    })
  }
}

/** Read up to `length` bytes at `position` into `into` at `offset`: fewer only at the end of the file. */
export async function readAt (fd: number, into: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  return await new Promise((resolve, reject) => {
    read(fd, into, offset, length, position, (err, n) => { if (err != null) reject(err); else resolve(n) })
  })
}

export async function truncateFd (fd: number, size: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    ftruncate(fd, size, (err) => { if (err != null) reject(err); else resolve() })
  })
}
