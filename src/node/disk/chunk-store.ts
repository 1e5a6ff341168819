import { close as closeFd, constants, fstat as fstatFd, createReadStream, createWriteStream, fdatasync, fsync, open as openFd, read as readFd, readFile as readFileCallback, write as writeFd } from 'node:fs'
import { promisify } from 'node:util'
import { mkdir, readdir, rename, rm, stat, statfs, writeFile as writeFileBytes } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { randomBytes } from 'node:crypto'
import type { AbortOptions } from '@libp2p/interface'
import { IntegrityError, InvalidInputError, NoCapacityError } from '../../errors.ts'
import { cidFromDigest, digestEquals, newHasher, parseContentId } from '../../content/content-id.ts'
import { SlabPool } from '../../util/slab-pool.ts'
import { alignUp, directCapable, openDirect, readAt, truncateFd } from '../../util/direct-io.ts'
import { GroupSync } from '../../util/group-sync.ts'
import { MAX_PACKED_BYTES, PackStore } from './pack-store.ts'
import { MAX_CHUNK_SIZE } from '../../content/chunker.ts'

/** Chunks up to this size are received whole into a reused buffer: the default chunk size. */
const SLAB_BYTES = 4 * 1024 * 1024
/** Such buffers, at most (32 MiB): chunks beyond them, or bigger, stream to disk instead. */
const SLABS = 8

/** Chunks from this size are written with direct I/O (from a slab), past the page cache: see direct-io.ts. */
const DIRECT_WRITE_BYTES = 256 * 1024

/** Chunks up to this size are read whole, in one piece, when served. */
const SMALL_READ_BYTES = 64 * 1024

/** Bytes read from disk per piece when serving a chunk (matches the stream write size). */
const READ_PIECE_SIZE = 256 * 1024

/** Bytes read at once when serving a chunk with direct I/O (handed on as READ_PIECE_SIZE copies). */
const DIRECT_READ_BYTES = 1024 * 1024
/** Chunks served with direct I/O at once (a block each); more are read through the page cache. */
const DIRECT_READS = 8

export interface ChunkUsage {
  /** bytes held in chunks */
  used: number
  chunks: number
  /** the configured limit, or used + free disk space when none is set */
  capacity: number
}

export interface StoredChunk {
  size: number
  bytes: AsyncIterable<Uint8Array> | Iterable<Uint8Array>
}

/** What the store protocol needs from a storage engine. Knows nothing of libp2p. */
export interface ChunkStore {
  /** Store a chunk, verifying `bytes` hash to `id`. Resolves once it is durable. */
  put (id: string, size: number, bytes: AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<void>
  /** A batch of small chunks already in memory, each verified: all durable once it resolves, or none stored. */
  putMany (chunks: Array<{ id: string, bytes: Uint8Array }>): Promise<void>
  get (id: string, options?: AbortOptions): Promise<StoredChunk | undefined>
  /** A chunk of at most `maxBytes`, read whole; undefined when not held or bigger. */
  getSmall (id: string, maxBytes: number): Promise<Uint8Array | undefined>
  /** size of the chunk, or undefined when not held */
  has (id: string): Promise<number | undefined>
  delete (id: string): Promise<boolean>
  usage (): Promise<ChunkUsage>
  /** every chunk ID held, in no particular order */
  list (): AsyncIterable<string>
  /** re-hash a chunk: true when its bytes still match its ID, undefined when not held */
  verify (id: string, options?: AbortOptions & { onBytes?: (bytes: number) => Promise<void> | void }): Promise<boolean | undefined>
  /** move a corrupt chunk aside, out of service */
  quarantine (id: string): Promise<void>
  /** bytes and copies in quarantine: they take disk space until purged */
  quarantineUsage (): { bytes: number, copies: number }
  /**
   * Delete quarantined copies that are no longer needed for inspection: those
   * older than `retentionMs`, and those whose chunk this store holds again.
   */
  purgeQuarantine (retentionMs: number, now?: number): Promise<PurgedCopy[]>
}

export interface PurgedCopy {
  chunkId: string
  bytes: number
  /** `retention`: older than the retention; `replaced`: a good copy is held again */
  reason: 'retention' | 'replaced'
}

/** A copy in quarantine/: its file name, chunk, size, and when it was quarantined. */
interface QuarantinedCopy {
  name: string
  chunkId: string
  bytes: number
  at: number
}

const openFile = promisify(openFd)
const closeFile = promisify(closeFd)
const fstatFile = promisify(fstatFd)
const fdatasyncFile = promisify(fdatasync)
async function readFile (fd: number, buffer: Uint8Array, offset: number, length: number): Promise<number> {
  return await new Promise((resolve, reject) => {
    readFd(fd, buffer, offset, length, null, (err, read) => { if (err != null) reject(err); else resolve(read) })
  })
}
async function writeFile (fd: number, bytes: Uint8Array, offset: number, length: number): Promise<number> {
  return await new Promise((resolve, reject) => {
    writeFd(fd, bytes, offset, length, null, (err, written) => { if (err != null) reject(err); else resolve(written) })
  })
}

/**
 * fsync of folders, so that a rename into one survives a power cut. Renames
 * into a folder while its fsync runs share the next one (see GroupSync).
 */
class FolderSyncs {
  private readonly folders = new Map<string, GroupSync>()

  async sync (path: string): Promise<void> {
    let folder = this.folders.get(path)
    if (folder == null) {
      const created = new GroupSync((done) => { fsyncFolder(path, done) })
      created.onIdle = () => { this.folders.delete(path) }
      this.folders.set(path, created)
      folder = created
    }
    await folder.sync()
  }
}

/**
 * Folders are opened once and kept open for their fsyncs (a store has at most
 * 257: chunks/ and its shards), which saves an open and a close per chunk.
 */
const folderFds = new Map<string, number>()
/** Past this many (several stores in one process: tests), all are closed. */
const MAX_FOLDER_FDS = 1024

/** Close a folder's kept descriptor: the folder was replaced. */
function forgetFolder (path: string): void {
  const fd = folderFds.get(path)
  if (fd == null) return
  folderFds.delete(path)
  closeFd(fd, () => {})
}

function fsyncFolder (path: string, done: (err: Error | null) => void): void {
  const fd = folderFds.get(path)
  if (fd != null) {
    fsync(fd, (err) => {
      if (err == null) { done(null); return }
      // removed by hand, or closed: open it again
      folderFds.delete(path)
      closeFd(fd, () => { openAndSync(path, done) })
    })
    return
  }
  openAndSync(path, done)
}

function openAndSync (path: string, done: (err: Error | null) => void): void {
  openFd(path, 'r', (err, fd) => {
    if (err != null) { done(err); return }
    fsync(fd, (syncErr) => {
      if (syncErr != null || folderFds.has(path)) {
        closeFd(fd, () => { done(syncErr) })
        return
      }
      if (folderFds.size >= MAX_FOLDER_FDS) for (const path of [...folderFds.keys()]) forgetFolder(path)
      folderFds.set(path, fd)
      done(null)
    })
  })
}

/**
 * Chunks as files. On-disk format (version 1, see docs/FORMAT.md):
 *
 *   <root>/chunks/<last two chars of id>/<id>   one file per chunk, exactly its bytes
 *   <root>/tmp/<random>.part                    writes in progress, deleted at start
 *   <root>/quarantine/<id>.<ms>                 chunks found corrupt (at <ms>), kept for inspection
 *                                               until purgeQuarantine deletes them
 *
 * A chunk is written to tmp/, fsynced, verified against its ID and only then
 * renamed into chunks/ (and that folder fsynced), so a crash never leaves a
 * partial chunk visible and a power cut never loses an acknowledged one.
 */
export class FsChunkStore implements ChunkStore {
  private used = 0
  private chunks = 0
  /** bytes of chunks being written now */
  private reserved = 0
  /** buffers for receiving chunks whole (see writeBuffered); past these, chunks are streamed to disk */
  private readonly slabs: SlabPool
  /** page-aligned blocks for serving chunks with direct I/O (see readDirect) */
  private readonly readBlocks: SlabPool
  /** small chunks that came in batches, packed into append-only files (see PackStore) */
  private packs!: PackStore
  /** corrupt copies kept in quarantine/, by file name */
  private readonly quarantined = new Map<string, QuarantinedCopy>()
  private quarantinedBytes = 0

  /** false once the file system refused direct I/O (or when turned off) */
  private directIO: boolean

  private constructor (readonly root: string, private readonly capacityLimit?: number, directIO = true) {
    this.directIO = directIO
    this.slabs = new SlabPool(SLAB_BYTES, SLABS, { direct: directIO })
    this.readBlocks = new SlabPool(DIRECT_READ_BYTES, DIRECT_READS, { direct: directIO })
  }

  /** whether big chunks go through direct I/O (false once the file system refused it) */
  get usesDirectIO (): boolean {
    return this.directIO
  }

  /** chunks being served with direct I/O now (each holds a read block) */
  get directReadsInFlight (): number {
    return this.readBlocks.inUse
  }

  /**
   * `directIO` (default true): big chunks are written, served and scrubbed
   * with O_DIRECT where the file system allows, which costs far less CPU than
   * going through the page cache (see direct-io.ts).
   */
  static async open (root: string, options: { capacity?: number, directIO?: boolean } = {}): Promise<FsChunkStore> {
    const store = new FsChunkStore(root, options.capacity, options.directIO)
    await rm(join(root, 'tmp'), { recursive: true, force: true })
    await mkdir(join(root, 'tmp'), { recursive: true })
    await mkdir(join(root, 'chunks'), { recursive: true })
    await store.scan()
    await store.scanQuarantine()
    store.packs = await PackStore.open(join(root, 'packs'))
    return store
  }

  /** Copies quarantined before a restart still take space and still expire. */
  private async scanQuarantine (): Promise<void> {
    const folder = join(this.root, 'quarantine')
    const names = await readdir(folder).catch((err) => { if (err.code === 'ENOENT') return []; throw err })
    for (const name of names) {
      const info = await stat(join(folder, name))
      if (!info.isFile()) continue
      const dot = name.lastIndexOf('.')
      const stamped = Number(name.slice(dot + 1))
      // a file put there by hand has no time in its name: its modification time stands in
      this.addQuarantined({ name, chunkId: dot > 0 ? name.slice(0, dot) : name, bytes: info.size, at: dot > 0 && Number.isSafeInteger(stamped) ? stamped : info.mtimeMs })
    }
  }

  private addQuarantined (copy: QuarantinedCopy): void {
    // the same chunk quarantined twice in one millisecond: its file was overwritten
    this.quarantinedBytes += copy.bytes - (this.quarantined.get(copy.name)?.bytes ?? 0)
    this.quarantined.set(copy.name, copy)
  }

  private async scan (): Promise<void> {
    const chunksDir = join(this.root, 'chunks')
    for (const shard of await readdir(chunksDir)) {
      for (const name of await readdir(join(chunksDir, shard))) {
        const info = await stat(join(chunksDir, shard, name))
        this.used += info.size
        this.chunks++
      }
    }
  }

  chunkPath (id: string): string {
    return join(this.root, 'chunks', id.slice(-2), id)
  }

  /** free disk space, asked of the file system at most once a second (every put checks it) */
  private free?: { bytes: number, usedThen: number, at: number }

  async usage (): Promise<ChunkUsage> {
    let capacity = this.capacityLimit
    if (capacity == null) {
      const now = Date.now()
      if (this.free == null || now - this.free.at > 1_000) {
        const fs = await statfs(this.root)
        this.free = { bytes: fs.bavail * fs.bsize, usedThen: this.used + this.packs.bytes + this.quarantinedBytes, at: now }
      }
      // what we wrote since counts against the free space measured then
      capacity = this.free.usedThen + this.free.bytes
    }
    return { used: this.used + this.packs.bytes, chunks: this.chunks + this.packs.chunks, capacity }
  }

  async has (id: string): Promise<number | undefined> {
    const { id: canonical } = parseContentId(id)
    const packed = this.packs.has(canonical)
    if (packed != null) return packed
    try {
      return (await stat(this.chunkPath(canonical))).size
    } catch (err: any) {
      if (err.code === 'ENOENT') return undefined
      throw err
    }
  }

  async put (id: string, size: number, bytes: AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<void> {
    const { id: canonical, digest } = parseContentId(id)
    await this.reserving(size, async () => { await this.write(canonical, digest, size, bytes, options) })
  }

  /**
   * Every chunk is checked against its ID before anything touches the disk;
   * then the batch is appended to a pack in one write and one fdatasync
   * (see PackStore), instead of a file, a rename and two fsyncs per chunk.
   */
  async putMany (chunks: Array<{ id: string, bytes: Uint8Array }>): Promise<void> {
    const packed: Array<{ id: string, bytes: Uint8Array }> = []
    let bytes = 0
    for (const chunk of chunks) {
      const { id: canonical, digest } = parseContentId(chunk.id)
      const actual = newHasher().update(chunk.bytes).digest()
      if (!digestEquals(actual, digest)) throw new IntegrityError(`chunk bytes hash to ${cidFromDigest(actual)}, not ${canonical}`)
      if (chunk.bytes.byteLength > MAX_PACKED_BYTES) throw new InvalidInputError(`chunk ${canonical} is too big for a batch`)
      packed.push({ id: canonical, bytes: chunk.bytes })
      bytes += chunk.bytes.byteLength
    }
    if (packed.length === 0) return
    await this.reserving(bytes, async () => { await this.packs.append(packed) })
  }

  /** Room for `size` more bytes, held while `write` runs. */
  private async reserving (size: number, write: () => Promise<void>): Promise<void> {
    if (!Number.isSafeInteger(size) || size < 0 || size > MAX_CHUNK_SIZE) {
      throw new InvalidInputError(`chunk size ${size} is outside 0..${MAX_CHUNK_SIZE}`)
    }
    const usage = await this.usage()
    // quarantined copies hold disk space until purged
    const used = usage.used + this.quarantinedBytes
    // chunks being written count too, or parallel puts would overfill the disk together
    if (used + this.reserved + size > usage.capacity) {
      throw new NoCapacityError(`node is full: ${used} of ${usage.capacity} bytes used${this.quarantinedBytes > 0 ? ` (${this.quarantinedBytes} by quarantined copies)` : ''}${this.reserved > 0 ? ` and ${this.reserved} being written` : ''}, a chunk of ${size} bytes does not fit`)
    }
    this.reserved += size
    try {
      await write()
    } finally {
      this.reserved -= size
    }
  }

  private async write (canonical: string, digest: Uint8Array, size: number, bytes: AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<void> {
    const slab = size <= this.slabs.slabSize ? this.slabs.tryAcquire() : undefined
    if (slab == null) {
      await this.writeStreaming(canonical, digest, size, bytes, options)
      return
    }
    try {
      await this.writeBuffered(canonical, digest, size, bytes, slab, options)
    } finally {
      this.slabs.release(slab)
    }
  }

  /**
   * A chunk up to the slab size (the default chunk size) is gathered in a
   * reused buffer and verified before anything touches the disk, then
   * written, fsynced and renamed in one go: the stream's buffers die young
   * (little GC), memory stays fixed, and a corrupt or short upload never
   * makes a file.
   */
  private async writeBuffered (canonical: string, digest: Uint8Array, size: number, bytes: AsyncIterable<Uint8Array>, slab: Uint8Array, options?: AbortOptions): Promise<void> {
    const hasher = newHasher()
    let received = 0
    for await (const piece of bytes) {
      options?.signal?.throwIfAborted()
      if (received + piece.byteLength > size) throw new InvalidInputError(`chunk ${canonical} is longer than the announced ${size} bytes`)
      slab.set(piece, received)
      hasher.update(piece)
      received += piece.byteLength
    }
    if (received !== size) throw new InvalidInputError(`chunk ${canonical} ended after ${received} of ${size} bytes`)
    await this.writeVerified(canonical, digest, slab.subarray(0, size), hasher)
  }

  /**
   * A whole chunk from memory: checked against its ID (`hasher` has seen its
   * bytes already, if given) before anything touches the disk, then written,
   * fsynced and renamed into place. Each step waits for a thread of libuv's
   * pool, which on a busy machine takes a while, so the steps that can
   * overlap do: whether the chunk was here already is asked while it is
   * written, and the file is closed while it is renamed.
   */
  private async writeVerified (canonical: string, digest: Uint8Array, bytes: Uint8Array, hasher = newHasher().update(bytes)): Promise<void> {
    const actual = hasher.digest()
    if (!digestEquals(actual, digest)) throw new IntegrityError(`chunk bytes hash to ${cidFromDigest(actual)}, not ${canonical}`)
    const tmp = join(this.root, 'tmp', `${randomBytes(8).toString('hex')}.part`)
    const existed = this.has(canonical).then((size) => size != null, () => false)
    let fd: number | undefined
    try {
      const padded = alignUp(bytes.byteLength)
      if (this.directIO && bytes.byteLength >= DIRECT_WRITE_BYTES && directCapable(bytes, padded)) {
        fd = await openDirect(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL)
        try {
          // the slab has room for the padding up to the alignment; the file is cut back to size
          if (fd != null) await this.writeAll(fd, new Uint8Array(bytes.buffer, bytes.byteOffset, padded))
        } catch (err: any) {
          if (err.code !== 'EINVAL') throw err
          await closeFile(fd!).catch(() => {})
          fd = undefined
          await rm(tmp, { force: true })
        }
        if (fd == null) this.directIO = false // this file system refuses O_DIRECT: buffered from now on
        else if (padded !== bytes.byteLength) await truncateFd(fd, bytes.byteLength)
      }
      if (fd == null) {
        // the callback API: a FileHandle per chunk showed in profiles of many small files
        fd = await openFile(tmp, 'wx')
        await this.writeAll(fd, bytes)
      }
      // durable before it is acknowledged
      await fdatasyncFile(fd)
      const closing = closeFile(fd)
      fd = undefined
      await Promise.all([this.publish(canonical, tmp, bytes.byteLength, existed), closing])
    } catch (err) {
      if (fd != null) await closeFile(fd).catch(() => {})
      await rm(tmp, { force: true })
      throw err
    }
  }

  private async writeAll (fd: number, bytes: Uint8Array): Promise<void> {
    for (let written = 0; written < bytes.byteLength;) written += await writeFile(fd, bytes, written, bytes.byteLength - written)
  }

  /** chunks/ subfolders known to exist: one mkdir each per run, not per chunk */
  private readonly shards = new Set<string>()
  private readonly folderSyncs = new FolderSyncs()

  /** Move a verified, fsynced chunk file into place. */
  private async publish (canonical: string, tmp: string, size: number, existing?: Promise<boolean>): Promise<void> {
    const existed = existing ?? this.has(canonical).then((size) => size != null, () => false)
    const shard = canonical.slice(-2)
    const folder = join(this.root, 'chunks', shard)
    if (!this.shards.has(shard)) {
      await mkdir(folder, { recursive: true })
      // the new folder's own name must survive a power cut too
      await this.folderSyncs.sync(join(this.root, 'chunks'))
      this.shards.add(shard)
    }
    await rename(tmp, this.chunkPath(canonical)).catch(async (err) => {
      if (err.code !== 'ENOENT') throw err
      // the folder went away under us (removed by hand): make it again
      forgetFolder(folder)
      await mkdir(folder, { recursive: true })
      await rename(tmp, this.chunkPath(canonical))
    })
    // the rename is durable only once its folder is: then the chunk may be acknowledged
    await this.folderSyncs.sync(folder)
    if (!await existed) {
      this.used += size
      this.chunks++
    }
  }

  /** Bigger chunks, or when every slab is busy: straight to a temporary file as the bytes come. */
  private async writeStreaming (canonical: string, digest: Uint8Array, size: number, bytes: AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<void> {
    const tmp = join(this.root, 'tmp', `${randomBytes(8).toString('hex')}.part`)
    const hasher = newHasher()
    let received = 0
    // flush: fsync before close, so a chunk we acknowledge survives a crash
    const out = createWriteStream(tmp, { flags: 'wx', flush: true, highWaterMark: 1024 * 1024 })
    const verifying = async function * (): AsyncGenerator<Uint8Array> {
      for await (const piece of bytes) {
        received += piece.byteLength
        if (received > size) throw new InvalidInputError(`chunk ${canonical} is longer than the announced ${size} bytes`)
        hasher.update(piece)
        yield piece
      }
    }
    try {
      // pipeline ends, or on error destroys, the file stream and waits for it
      await pipeline(verifying, out, { signal: options?.signal })
      if (received !== size) throw new InvalidInputError(`chunk ${canonical} ended after ${received} of ${size} bytes`)
      const actual = hasher.digest()
      if (!digestEquals(actual, digest)) {
        throw new IntegrityError(`chunk bytes hash to ${cidFromDigest(actual)}, not ${canonical}`)
      }
      await this.publish(canonical, tmp, size)
    } catch (err) {
      // the file may still be opening when the source fails: remove it once closed
      if (!out.closed) await new Promise<void>((resolve) => { out.once('close', () => { resolve() }); out.destroy() })
      await rm(tmp, { force: true })
      throw err
    }
  }

  async get (id: string): Promise<StoredChunk | undefined> {
    const { id: canonical } = parseContentId(id)
    const packed = await this.packs.read(canonical)
    if (packed != null) return { size: packed.byteLength, bytes: [packed] }
    const path = this.chunkPath(canonical)
    let size: number
    try {
      size = (await stat(path)).size
    } catch (err: any) {
      if (err.code === 'ENOENT') return undefined
      throw err
    }
    if (size > SMALL_READ_BYTES) return { size, bytes: this.readLarge(path) }
    // a small chunk in one read, as one piece (sent in one frame with the reply: see sendMessageAndBytes)
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      readFileCallback(path, (err, data) => { if (err != null) reject(err); else resolve(data) })
    }).catch((err) => { if (err.code === 'ENOENT') return undefined; throw err })
    if (bytes == null) return undefined
    return { size: bytes.byteLength, bytes: [bytes] }
  }

  /**
   * A big chunk's bytes: with direct I/O when a block is free and the file
   * system allows, else buffered. `borrowed`: pieces may be views that are
   * valid only until the next one is asked for (for a consumer that only hashes).
   */
  private readLarge (path: string, options: AbortOptions & { borrowed?: boolean } = {}): AsyncIterable<Uint8Array> {
    const block = this.directIO ? this.readBlocks.tryAcquire() : undefined
    if (block != null && directCapable(block, DIRECT_READ_BYTES)) return this.readDirect(path, block, options)
    if (block != null) this.readBlocks.release(block)
    return createReadStream(path, { highWaterMark: READ_PIECE_SIZE, signal: options.signal })
  }

  /**
   * A chunk read past the page cache: chunks were written that way too, so
   * the cache would not have them, and filling it costs more CPU than the
   * copy out of `block` that this makes (see direct-io.ts). The next block is
   * read while the consumer takes the pieces of this one; `borrowed`, the
   * block itself is handed out, and read again once the consumer is done
   * with it. Nothing is opened until the first piece is asked for; `block`
   * is released when done.
   */
  private async * readDirect (path: string, block: Uint8Array, options: AbortOptions & { borrowed?: boolean }): AsyncGenerator<Uint8Array> {
    let fd: number | undefined
    let reading: Promise<number> | undefined
    try {
      fd = await openDirect(path, constants.O_RDONLY)
      let position = 0
      if (fd != null) {
        reading = readAt(fd, block, 0, DIRECT_READ_BYTES, 0)
        reading.catch(() => {}) // awaited below
        await reading.catch(async (err) => {
          // some file systems take O_DIRECT at open and refuse the read
          if (err.code !== 'EINVAL') throw err
          await closeFile(fd!).catch(() => {})
          fd = undefined
        })
      }
      if (fd == null) {
        this.directIO = false
        yield * createReadStream(path, { highWaterMark: READ_PIECE_SIZE, signal: options.signal })
        return
      }
      while (true) {
        const read = await reading!
        if (read === 0) return
        options.signal?.throwIfAborted()
        position += read
        if (options.borrowed === true) {
          reading = undefined
          yield block.subarray(0, read)
          reading = read < DIRECT_READ_BYTES ? Promise.resolve(0) : readAt(fd, block, 0, DIRECT_READ_BYTES, position)
          reading.catch(() => {}) // awaited on the next turn, or in finally
          continue
        }
        const pieces: Uint8Array[] = []
        for (let at = 0; at < read; at += READ_PIECE_SIZE) {
          const piece = Buffer.allocUnsafeSlow(Math.min(READ_PIECE_SIZE, read - at))
          piece.set(block.subarray(at, at + piece.byteLength))
          pieces.push(piece)
        }
        reading = read < DIRECT_READ_BYTES ? Promise.resolve(0) : readAt(fd, block, 0, DIRECT_READ_BYTES, position)
        reading.catch(() => {}) // awaited on the next turn, or in finally
        yield * pieces
      }
    } finally {
      // a read still in flight fills the block: wait for it before the block is reused
      await reading?.catch(() => {})
      if (fd != null) await closeFile(fd).catch(() => {})
      this.readBlocks.release(block)
    }
  }

  async getSmall (id: string, maxBytes: number): Promise<Uint8Array | undefined> {
    const { id: canonical } = parseContentId(id)
    const packed = await this.packs.readUpTo(canonical, maxBytes)
    if (packed != null) return packed.bytes
    // a bigger chunk is not for a batch: its size is asked before anything is read
    let fd: number | undefined
    try {
      fd = await openFile(this.chunkPath(canonical), 'r')
      const { size } = await fstatFile(fd)
      if (size > maxBytes) return undefined
      const buffer = Buffer.allocUnsafe(size)
      for (let filled = 0; filled < size;) {
        const n = await readFile(fd, buffer, filled, size - filled)
        if (n === 0) throw new Error(`chunk ${canonical} shrank while being read`)
        filled += n
      }
      return buffer
    } catch (err: any) {
      if (err.code === 'ENOENT') return undefined
      throw err
    } finally {
      if (fd != null) await closeFile(fd).catch(() => {})
    }
  }

  async * list (): AsyncGenerator<string> {
    const chunksDir = join(this.root, 'chunks')
    for (const shard of await readdir(chunksDir)) {
      for (const name of await readdir(join(chunksDir, shard)).catch(() => [])) yield name
    }
    yield * this.packs.ids()
  }

  async verify (id: string, options?: AbortOptions & { onBytes?: (bytes: number) => Promise<void> | void }): Promise<boolean | undefined> {
    const { id: canonical, digest } = parseContentId(id)
    const packed = await this.packs.read(canonical)
    if (packed != null) {
      await options?.onBytes?.(packed.byteLength)
      return digestEquals(newHasher().update(packed).digest(), digest)
    }
    const hasher = newHasher()
    try {
      // past the page cache where possible: a scrub reads every chunk, and would otherwise fill the cache with them
      for await (const piece of this.readLarge(this.chunkPath(canonical), { borrowed: true, signal: options?.signal })) {
        hasher.update(piece)
        await options?.onBytes?.(piece.byteLength)
      }
    } catch (err: any) {
      if (err.code === 'ENOENT') return undefined
      throw err
    }
    return digestEquals(hasher.digest(), digest)
  }

  async quarantine (id: string): Promise<void> {
    const { id: canonical } = parseContentId(id)
    const at = Date.now()
    const name = `${canonical}.${at}`
    const packed = await this.packs.read(canonical)
    if (packed != null) {
      // the bytes are kept for inspection as a file, as any quarantined chunk
      await mkdir(join(this.root, 'quarantine'), { recursive: true })
      await writeFileBytes(join(this.root, 'quarantine', name), packed)
      this.packs.delete(canonical)
      this.addQuarantined({ name, chunkId: canonical, bytes: packed.byteLength, at })
      // the copy verify() read was this one (see verify)
      return
    }
    const size = await this.fileSize(canonical)
    if (size == null) return
    await mkdir(join(this.root, 'quarantine'), { recursive: true })
    await rename(this.chunkPath(canonical), join(this.root, 'quarantine', name))
    this.used -= size
    this.chunks--
    this.addQuarantined({ name, chunkId: canonical, bytes: size, at })
  }

  quarantineUsage (): { bytes: number, copies: number } {
    return { bytes: this.quarantinedBytes, copies: this.quarantined.size }
  }

  async purgeQuarantine (retentionMs: number, now = Date.now()): Promise<PurgedCopy[]> {
    const purged: PurgedCopy[] = []
    for (const copy of [...this.quarantined.values()]) {
      let reason: PurgedCopy['reason']
      if (now - copy.at >= retentionMs) reason = 'retention'
      // repair (or an upload) stored a verified copy here again: it takes this one's place
      else if (await this.has(copy.chunkId).catch(() => undefined) != null) reason = 'replaced'
      else continue
      await rm(join(this.root, 'quarantine', copy.name), { force: true })
      if (this.quarantined.delete(copy.name)) this.quarantinedBytes -= copy.bytes
      purged.push({ chunkId: copy.chunkId, bytes: copy.bytes, reason })
    }
    return purged
  }

  async delete (id: string): Promise<boolean> {
    const { id: canonical } = parseContentId(id)
    const packed = this.packs.delete(canonical)
    const size = await this.fileSize(canonical)
    if (size == null) return packed
    await rm(this.chunkPath(canonical), { force: true })
    this.used -= size
    this.chunks--
    return true
  }

  /** The size of a chunk's own file (not a packed one), or undefined. */
  private async fileSize (canonical: string): Promise<number | undefined> {
    try {
      return (await stat(this.chunkPath(canonical))).size
    } catch (err: any) {
      if (err.code === 'ENOENT') return undefined
      throw err
    }
  }

  close (): void {
    this.packs.close()
  }
}
