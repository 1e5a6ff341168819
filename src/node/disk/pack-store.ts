import { close as closeFd, fdatasync, fsync, ftruncate, mkdirSync, open as openFd, read as readFd, readdirSync, statSync, writev } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { digestEquals, newHasher, parseContentId } from '../../content/content-id.ts'
import { GroupSync } from '../../util/group-sync.ts'
import { Statements } from '../../util/statements.ts'

/**
 * Small chunks packed into append-only files, as Haystack and SeaweedFS's
 * volumes keep small blobs: a file per small chunk costs more kernel time
 * (creating, renaming and fsyncing a file and its folder) than all of a node's
 * own work, while an append to a pack costs one write and one fdatasync per batch.
 *
 * On disk (see docs/FORMAT.md):
 *
 *   <root>/packs/<n>.pack       records, one after another, never rewritten:
 *                               "DFSK", id length (u16 BE), 0 (u16), size (u32 BE), id (ASCII), the bytes
 *   <root>/packs/index.sqlite   chunk ID -> pack, offset of its bytes, size; per pack, how far it is indexed
 *
 * The packs are the truth and the index a cache of them: a batch is
 * acknowledged once its records are fdatasynced and its index rows
 * committed; the index runs with synchronous=NORMAL, so a power cut may take
 * back its last commits, and opening re-indexes every pack past the point
 * its index reached (each record is checked against its ID; a torn tail is
 * cut off). Deleting a chunk drops its row; its bytes stay until the pack
 * is compacted (see compact).
 */
export const PACK_MAGIC = 0x4446534b // "DFSK"
const HEADER_BYTES = 12
/** Longest chunk ID a record may hold (a CID string is ~60 characters). */
const MAX_ID_BYTES = 256
/** Largest chunk packed: bigger ones are files of their own. */
export const MAX_PACKED_BYTES = 1024 * 1024
/** Bytes read at a time when looking for the next record past damaged ones. */
const SCAN_WINDOW_BYTES = 1024 * 1024
/** A pack this big takes no more appends: the next batch starts a new one. */
const PACK_LIMIT_BYTES = 256 * 1024 * 1024
/** The pack appends go to is compacted too (after a new one is started) once it is this big and half dead. */
const COMPACT_CURRENT_BYTES = 16 * 1024 * 1024

export interface PackStoreOptions {
  /** see PACK_LIMIT_BYTES */
  packLimitBytes?: number
  /** see COMPACT_CURRENT_BYTES */
  compactCurrentBytes?: number
}

const writevAt = promisify(writev)
const fdatasyncFd = promisify(fdatasync)
const fsyncFd = promisify(fsync)
const closeFile = promisify(closeFd)
const openFile = promisify(openFd)
const truncateFd = promisify(ftruncate)

async function readAt (fd: number, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length)
  let done = 0
  while (done < length) {
    const read = await new Promise<number>((resolve, reject) => {
      readFd(fd, buffer, done, length - done, position + done, (err, n) => { if (err != null) reject(err); else resolve(n) })
    })
    if (read === 0) throw new Error(`pack ended ${length - done} bytes short of a chunk`)
    done += read
  }
  return buffer
}

interface Pack {
  n: number
  fd: number
  /** reads in flight: a compacted pack's file is closed once none is */
  readers: number
  /** taken out of service by compaction: closed when its last read ends */
  retired?: () => void
  /** where the next record goes */
  size: number
  /** the fdatasync shared by the batches appended while one runs */
  sync: GroupSync
}

interface Location {
  pack: number
  offset: number
  size: number
}

export class PackStore {
  private readonly db: DatabaseSync
  private readonly statements: Statements
  private readonly packs = new Map<number, Pack>()
  /** the pack appends go to */
  private current?: Pack
  /** appends one after another, so that a pack has no holes */
  private appending: Promise<unknown> = Promise.resolve()
  /** live chunks and their bytes */
  chunks = 0
  bytes = 0

  private readonly packLimitBytes: number
  private readonly compactCurrentBytes: number

  private constructor (private readonly dir: string, options: PackStoreOptions) {
    this.packLimitBytes = options.packLimitBytes ?? PACK_LIMIT_BYTES
    this.compactCurrentBytes = options.compactCurrentBytes ?? COMPACT_CURRENT_BYTES
    this.db = new DatabaseSync(join(dir, 'index.sqlite'))
    this.statements = new Statements(this.db)
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS chunks (id TEXT PRIMARY KEY, pack INTEGER NOT NULL, offset INTEGER NOT NULL, size INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS chunks_by_pack ON chunks (pack);
      CREATE TABLE IF NOT EXISTS packs (n INTEGER PRIMARY KEY, indexed_to INTEGER NOT NULL, dead INTEGER NOT NULL DEFAULT 0);`)
  }

  static async open (dir: string, options: PackStoreOptions = {}): Promise<PackStore> {
    mkdirSync(dir, { recursive: true })
    const store = new PackStore(dir, options)
    try {
      await store.recover()
    } catch (err) {
      store.close()
      throw err
    }
    return store
  }

  private sql (text: string): StatementSync {
    return this.statements.get(text)
  }

  /** Open every pack; index what each holds past the point its index reached; cut off a torn tail. */
  private async recover (): Promise<void> {
    const numbers = readdirSync(this.dir).map((name) => /^(\d+)\.pack$/.exec(name)?.[1]).filter((n) => n != null).map(Number).sort((a, b) => a - b)
    for (const n of numbers) {
      const path = this.packPath(n)
      const fd = await openFile(path, 'r+')
      const size = statSync(path).size
      const pack: Pack = { n, fd, size, readers: 0, sync: new GroupSync((done) => { fdatasync(fd, done) }) }
      this.packs.set(n, pack)
      const row = this.sql('SELECT indexed_to FROM packs WHERE n = ?').get(n) as { indexed_to: number } | undefined
      const indexedTo = Math.min(row?.indexed_to ?? 0, size)
      if (indexedTo < size) await this.reindex(pack, indexedTo)
      this.current = pack
    }
    const totals = this.sql('SELECT COUNT(*) AS chunks, COALESCE(SUM(size), 0) AS bytes FROM chunks').get() as { chunks: number, bytes: number }
    this.chunks = totals.chunks
    this.bytes = totals.bytes
    for (const n of this.packs.keys()) this.compactIfWasteful(n)
  }

  /**
   * Index the records of `pack` from `from` on. A record that does not match
   * its ID, or a stretch that is no record, is skipped (dead bytes) up to the
   * next whole record that matches its ID: bytes gone bad in the middle must
   * not cost the acknowledged records after them. Past the last such record
   * is a batch a crash tore (never acknowledged): it is cut off, so that
   * appends follow whole records.
   */
  private async reindex (pack: Pack, from: number): Promise<void> {
    const found: Array<{ id: string, offset: number, size: number }> = []
    let dead = 0
    let at = from
    while (at < pack.size) {
      const record = await this.recordAt(pack, at)
      if (record != null) {
        found.push({ id: record.id, offset: at + HEADER_BYTES + record.idBytes, size: record.size })
        at = record.end
        continue
      }
      const next = await this.nextRecord(pack, at + 1)
      if (next == null) break
      dead += next - at
      at = next
    }
    if (at < pack.size) {
      await truncateFd(pack.fd, at)
      await fdatasyncFd(pack.fd)
      pack.size = at
    }
    this.transaction(() => {
      for (const record of found) this.index(record.id, pack.n, record.offset, record.size)
      this.sql('INSERT INTO packs (n, indexed_to, dead) VALUES (?, ?, ?) ON CONFLICT (n) DO UPDATE SET indexed_to = excluded.indexed_to, dead = dead + excluded.dead').run(pack.n, at, dead)
    })
  }

  /** The whole record at `at` if it is one and matches its ID, else undefined. */
  private async recordAt (pack: Pack, at: number): Promise<{ id: string, idBytes: number, size: number, end: number } | undefined> {
    if (at + HEADER_BYTES > pack.size) return undefined
    const header = await readAt(pack.fd, HEADER_BYTES, at)
    const idBytes = header.readUInt16BE(4)
    const size = header.readUInt32BE(8)
    if (header.readUInt32BE(0) !== PACK_MAGIC || idBytes === 0 || idBytes > MAX_ID_BYTES || size > MAX_PACKED_BYTES) return undefined
    const end = at + HEADER_BYTES + idBytes + size
    if (end > pack.size) return undefined
    const body = await readAt(pack.fd, idBytes + size, at + HEADER_BYTES)
    const id = body.subarray(0, idBytes).toString('latin1')
    try {
      if (!digestEquals(newHasher().update(body.subarray(idBytes)).digest(), parseContentId(id).digest)) return undefined
    } catch {
      return undefined
    }
    return { id, idBytes, size, end }
  }

  /** Where the next whole record that matches its ID starts, from `from` on, if anywhere. */
  private async nextRecord (pack: Pack, from: number): Promise<number | undefined> {
    const magic = Buffer.alloc(4)
    magic.writeUInt32BE(PACK_MAGIC)
    for (let window = from; window < pack.size; window += SCAN_WINDOW_BYTES) {
      // windows overlap by the magic's length, so a magic across two is still found
      const bytes = await readAt(pack.fd, Math.min(SCAN_WINDOW_BYTES + magic.byteLength - 1, pack.size - window), window)
      for (let i = bytes.indexOf(magic); i !== -1 && i < SCAN_WINDOW_BYTES; i = bytes.indexOf(magic, i + 1)) {
        if (await this.recordAt(pack, window + i) != null) return window + i
      }
    }
    return undefined
  }

  /** A chunk's row; a chunk already indexed elsewhere keeps its place (this copy is dead bytes). */
  private index (id: string, pack: number, offset: number, size: number): boolean {
    const added = this.sql('INSERT OR IGNORE INTO chunks (id, pack, offset, size) VALUES (?, ?, ?, ?)').run(id, pack, offset, size).changes === 1
    if (!added) this.sql('UPDATE packs SET dead = dead + ? WHERE n = ?').run(recordBytes(id, size), pack)
    return added
  }

  private transaction (fn: () => void): void {
    this.db.exec('BEGIN')
    try {
      fn()
      this.db.exec('COMMIT')
    } catch (err) {
      this.db.exec('ROLLBACK')
      throw err
    }
  }

  private packPath (n: number): string {
    return join(this.dir, `${n}.pack`)
  }

  private locate (id: string): Location | undefined {
    return this.sql('SELECT pack, offset, size FROM chunks WHERE id = ?').get(id) as Location | undefined
  }

  /** the size of a packed chunk, or undefined */
  has (id: string): number | undefined {
    return this.locate(id)?.size
  }

  /**
   * Append chunks (each already checked against its canonical ID, each at
   * most MAX_PACKED_BYTES): durable and indexed when this resolves. Says for
   * each whether it was packed already (or earlier in the same batch).
   */
  async append (chunks: Array<{ id: string, bytes: Uint8Array }>): Promise<boolean[]> {
    const seen = new Set<string>()
    const fresh: Array<{ id: string, bytes: Uint8Array }> = []
    const existed = chunks.map((chunk) => {
      if (seen.has(chunk.id) || this.has(chunk.id) != null) return true
      seen.add(chunk.id)
      fresh.push(chunk)
      return false
    })
    if (fresh.length === 0) return existed
    const { pieces, records, length } = encodeRecords(fresh)
    // the write waits for the one before it; the fdatasync is shared with the batches around it
    const written = this.appending.then(async () => await this.write(pieces, length))
    this.appending = written.catch(() => {})
    const { pack, start } = await written
    await pack.sync.sync()
    this.transaction(() => {
      for (const record of records) {
        if (this.index(record.id, pack.n, start + record.at, record.size)) {
          this.chunks++
          this.bytes += record.size
        }
      }
      this.sql('INSERT INTO packs (n, indexed_to) VALUES (?, ?) ON CONFLICT (n) DO UPDATE SET indexed_to = MAX(indexed_to, excluded.indexed_to)').run(pack.n, start + length)
    })
    return existed
  }

  private async write (pieces: Uint8Array[], length: number): Promise<{ pack: Pack, start: number }> {
    const pack = await this.packForAppend()
    const start = pack.size
    let done = 0
    try {
      while (done < length) {
        done += (await writevAt(pack.fd, done === 0 ? pieces : remaining(pieces, done), start + done)).bytesWritten
      }
    } catch (err) {
      // take a partial batch back, so the next one follows whole records; if even that fails, start a new pack
      await truncateFd(pack.fd, start).catch(() => { this.current = undefined })
      throw err
    }
    pack.size = start + length
    return { pack, start }
  }

  private async packForAppend (): Promise<Pack> {
    if (this.current != null && this.current.size < this.packLimitBytes) return this.current
    const n = Math.max(-1, ...this.packs.keys()) + 1
    const path = this.packPath(n)
    const fd = await openFile(path, 'wx+')
    // the new file's name must survive a power cut too
    await syncFolder(this.dir)
    const pack: Pack = { n, fd, size: 0, readers: 0, sync: new GroupSync((done) => { fdatasync(fd, done) }) }
    this.packs.set(n, pack)
    this.current = pack
    return pack
  }

  /** A packed chunk's bytes, or undefined when it is not packed. */
  async read (id: string): Promise<Buffer | undefined> {
    const location = this.locate(id)
    return location == null ? undefined : await this.readLocation(location)
  }

  /**
   * A packed chunk of at most `maxBytes`, with one index lookup: undefined
   * when it is not packed, `{ bytes: undefined }` when it is bigger (nothing read).
   */
  async readUpTo (id: string, maxBytes: number): Promise<{ bytes: Buffer | undefined } | undefined> {
    const location = this.locate(id)
    if (location == null) return undefined
    return { bytes: location.size > maxBytes ? undefined : await this.readLocation(location) }
  }

  private async readLocation (location: Location): Promise<Buffer | undefined> {
    const pack = this.packs.get(location.pack)
    if (pack == null) return undefined
    pack.readers++
    try {
      return await readAt(pack.fd, location.size, location.offset)
    } finally {
      pack.readers--
      if (pack.readers === 0) pack.retired?.()
    }
  }

  /** Drop a packed chunk; its bytes become dead space in its pack. */
  delete (id: string): boolean {
    const location = this.locate(id)
    if (location == null) return false
    this.transaction(() => {
      this.sql('DELETE FROM chunks WHERE id = ?').run(id)
      this.sql('UPDATE packs SET dead = dead + ? WHERE n = ?').run(recordBytes(id, location.size), location.pack)
    })
    this.chunks--
    this.bytes -= location.size
    this.compactIfWasteful(location.pack)
    return true
  }

  /** compactions, one at a time */
  private compacting: Promise<void> = Promise.resolve()
  private readonly compactionsQueued = new Set<number>()
  /** packs compacted since open */
  compactions = 0

  /** Resolves once no compaction is queued or running. */
  async compacted (): Promise<void> {
    while (this.compactionsQueued.size > 0) await this.compacting
  }

  /**
   * A pack at least half dead bytes is compacted (in the background); the
   * pack appends go to only once it is big enough to be worth a new one
   * (appends then go to a new pack).
   */
  private compactIfWasteful (n: number): void {
    const pack = this.packs.get(n)
    if (pack == null || this.compactionsQueued.has(n)) return
    if (pack === this.current && pack.size < this.compactCurrentBytes) return
    const row = this.sql('SELECT dead FROM packs WHERE n = ?').get(n) as { dead: number } | undefined
    if (pack.size > 0 && (row?.dead ?? 0) * 2 < pack.size) return
    if (pack === this.current) this.current = undefined
    this.compactionsQueued.add(n)
    // a failed compaction leaves the pack as it was; the next delete in it, or the next open, tries again
    this.compacting = this.compacting.then(async () => { await this.compact(pack) }).catch(() => {}).finally(() => { this.compactionsQueued.delete(n) })
  }

  /**
   * Copy a pack's live chunks to the end of the current pack, a batch at a
   * time (appended and fdatasynced as any batch, then their rows pointed at
   * the new place in one commit), then remove the pack. A crash part way
   * leaves both copies of some chunks and the index pointing at one of them.
   */
  private async compact (pack: Pack): Promise<void> {
    let after = ''
    while (this.packs.get(pack.n) === pack) {
      const rows = this.sql('SELECT id, offset, size FROM chunks WHERE pack = ? AND id > ? ORDER BY id LIMIT 256').all(pack.n, after) as Array<{ id: string, offset: number, size: number }>
      if (rows.length === 0) break
      after = rows[rows.length - 1].id
      const moving: Array<{ id: string, bytes: Uint8Array }> = []
      for (const row of rows) moving.push({ id: row.id, bytes: await readAt(pack.fd, row.size, row.offset) })
      const { pieces, records, length } = encodeRecords(moving)
      const written = this.appending.then(async () => await this.write(pieces, length))
      this.appending = written.catch(() => {})
      const { pack: into, start } = await written
      await into.sync.sync()
      this.transaction(() => {
        // a chunk deleted meanwhile stays deleted (its new copy is dead bytes)
        const move = this.sql('UPDATE chunks SET pack = ?, offset = ? WHERE id = ? AND pack = ?')
        let dead = 0
        for (const record of records) {
          if (move.run(into.n, start + record.at, record.id, pack.n).changes === 0) dead += recordBytes(record.id, record.size)
        }
        this.sql('INSERT INTO packs (n, indexed_to, dead) VALUES (?, ?, ?) ON CONFLICT (n) DO UPDATE SET indexed_to = MAX(indexed_to, excluded.indexed_to), dead = dead + excluded.dead').run(into.n, start + length, dead)
      })
    }
    if (this.sql('SELECT 1 FROM chunks WHERE pack = ? LIMIT 1').get(pack.n) != null) return
    this.sql('DELETE FROM packs WHERE n = ?').run(pack.n)
    this.packs.delete(pack.n)
    await new Promise<void>((resolve) => {
      pack.retired = resolve
      if (pack.readers === 0) resolve()
    })
    await closeFile(pack.fd)
    await rm(this.packPath(pack.n), { force: true })
    await syncFolder(this.dir)
    this.compactions++
  }

  /** Every packed chunk's ID, a page at a time (appends and deletes may run meanwhile). */
  * ids (): Generator<string> {
    let after = ''
    while (true) {
      const rows = this.sql('SELECT id FROM chunks WHERE id > ? ORDER BY id LIMIT 1000').all(after) as Array<{ id: string }>
      for (const row of rows) yield row.id
      if (rows.length < 1000) return
      after = rows[rows.length - 1].id
    }
  }

  /** Bytes on disk in packs, live or dead. */
  diskBytes (): number {
    let total = 0
    for (const pack of this.packs.values()) total += pack.size
    return total
  }

  close (): void {
    for (const pack of this.packs.values()) closeFd(pack.fd, () => {})
    this.packs.clear()
    this.current = undefined
    if (this.db.isOpen) this.db.close()
  }
}

/** A record's bytes on disk: header, ID and chunk. */
function recordBytes (id: string, size: number): number {
  return HEADER_BYTES + Buffer.byteLength(id, 'latin1') + size
}

/** Records for chunks, as pieces to write, and where each chunk's bytes start relative to the first. */
function encodeRecords (chunks: Array<{ id: string, bytes: Uint8Array }>): { pieces: Uint8Array[], records: Array<{ id: string, at: number, size: number }>, length: number } {
  const pieces: Uint8Array[] = []
  const records: Array<{ id: string, at: number, size: number }> = []
  let length = 0
  for (const chunk of chunks) {
    const idBytes = Buffer.byteLength(chunk.id, 'latin1')
    if (idBytes > MAX_ID_BYTES || chunk.bytes.byteLength > MAX_PACKED_BYTES) throw new Error(`chunk ${chunk.id} cannot be packed`)
    const header = Buffer.allocUnsafe(HEADER_BYTES + idBytes)
    header.writeUInt32BE(PACK_MAGIC, 0)
    header.writeUInt16BE(idBytes, 4)
    header.writeUInt16BE(0, 6)
    header.writeUInt32BE(chunk.bytes.byteLength, 8)
    header.write(chunk.id, HEADER_BYTES, 'latin1')
    records.push({ id: chunk.id, at: length + header.byteLength, size: chunk.bytes.byteLength })
    pieces.push(header, chunk.bytes)
    length += header.byteLength + chunk.bytes.byteLength
  }
  return { pieces, records, length }
}

/** The pieces past the first `done` bytes (after a short write). */
function remaining (pieces: Uint8Array[], done: number): Uint8Array[] {
  const rest: Uint8Array[] = []
  let skip = done
  for (const piece of pieces) {
    if (skip >= piece.byteLength) { skip -= piece.byteLength; continue }
    rest.push(skip > 0 ? piece.subarray(skip) : piece)
    skip = 0
  }
  return rest
}

async function syncFolder (path: string): Promise<void> {
  const fd = await openFile(path, 'r')
  try {
    await fsyncFd(fd)
  } finally {
    await closeFile(fd)
  }
}
