import { close as closeFd, fdatasync, open as openFd } from 'node:fs'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { GroupSync } from '../util/group-sync.ts'
import { Statements } from '../util/statements.ts'
import { randomUUID } from 'node:crypto'
import { InvalidInputError, NotFoundError } from '../errors.ts'
import { isContentId } from '../content/content-id.ts'
import { ManifestHasher } from '../content/manifest.ts'

/**
 * The directory's index in SQLite (node:sqlite). Schema version 1, described
 * in docs/FORMAT.md. WAL: a change is on disk (the WAL file fsynced, as
 * synchronous=FULL would, but off the event loop: see write) before the
 * directory acknowledges it, so even `kill -9` or a power cut loses nothing
 * acknowledged.
 */
export const SCHEMA_VERSION = 5

/** Steps from each older version to the next, run in one transaction at open. */
const MIGRATIONS: Record<number, string> = {
  // 1 -> 2: a replication target per file (and per upload in progress)
  1: `ALTER TABLE files ADD COLUMN replicas INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE uploads ADD COLUMN replicas INTEGER NOT NULL DEFAULT 1;`,
  // 2 -> 3: the garbage table (created by SCHEMA)
  2: '',
  // 3 -> 4: when each location was last confirmed, so an inventory listed earlier cannot undo it
  3: 'ALTER TABLE chunk_locations ADD COLUMN added_at INTEGER NOT NULL DEFAULT 0;',
  // 4 -> 5: locations by node and time instead of by node and chunk (SCHEMA creates the new index)
  4: 'DROP INDEX IF EXISTS chunk_locations_by_peer;'
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
  peer_id TEXT PRIMARY KEY,
  addrs TEXT NOT NULL,           -- JSON array of multiaddr strings
  capacity INTEGER NOT NULL,
  used INTEGER NOT NULL,
  chunks INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,   -- ms since epoch
  last_seen INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
  id TEXT PRIMARY KEY,           -- CID of the whole content
  size INTEGER NOT NULL,
  chunk_count INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  replicas INTEGER NOT NULL DEFAULT 1  -- copies each chunk should have
);
CREATE TABLE IF NOT EXISTS file_chunks (
  file_id TEXT NOT NULL REFERENCES files(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  chunk_id TEXT NOT NULL,
  offset INTEGER NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (file_id, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS file_chunks_by_chunk ON file_chunks(chunk_id);
CREATE TABLE IF NOT EXISTS chunk_locations (
  chunk_id TEXT NOT NULL,
  peer_id TEXT NOT NULL,
  added_at INTEGER NOT NULL DEFAULT 0,  -- ms since epoch: when a node last confirmed holding it
  PRIMARY KEY (chunk_id, peer_id)
) WITHOUT ROWID;
-- by node, then time: a batch's locations all get one time, so they go in at the end of each
-- node's run of the index, a page or two per node, where (peer_id, chunk_id) put each of them on a
-- page of its own (chunk IDs are random): 181 -> 133 pages into the WAL for 16 small files
CREATE INDEX IF NOT EXISTS chunk_locations_by_peer_time ON chunk_locations(peer_id, added_at);
CREATE TABLE IF NOT EXISTS names (
  name TEXT PRIMARY KEY,
  file_id TEXT NOT NULL REFERENCES files(id),
  uploaded_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS names_by_file ON names(file_id, uploaded_at);
CREATE TABLE IF NOT EXISTS uploads (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  replicas INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS upload_chunks (
  upload_id TEXT NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  chunk_id TEXT NOT NULL,
  offset INTEGER NOT NULL,
  size INTEGER NOT NULL,
  peers TEXT NOT NULL,           -- JSON array of peer IDs holding a verified copy
  PRIMARY KEY (upload_id, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS garbage (
  chunk_id TEXT PRIMARY KEY,     -- no file uses it any more
  since INTEGER NOT NULL         -- ms since epoch; deleted from nodes after --gc-after
) WITHOUT ROWID;
`

/** A location confirmed again (a dedup'd upload, a repair copy) takes the newer time. */
const UPSERT_LOCATION = 'INSERT INTO chunk_locations (chunk_id, peer_id, added_at) VALUES (?, ?, ?) ON CONFLICT (chunk_id, peer_id) DO UPDATE SET added_at = excluded.added_at'

/** Chunks per page of a health count (see health). */
const HEALTH_PAGE = 256
/** A health count is reused for this many times as long as it took (see health). */
const HEALTH_REUSE = 10

/** Resolves kept between changes to the index (see resolveWithChunks). */
const RESOLVE_CACHE_ENTRIES = 10_000
/** Longer than any name (MAX_NAME_BYTES of UTF-8) or file ID. */
const MAX_REF_CHARS = 512

/** Longer than any inventory takes to list and send (nodes give up after 2 minutes). */
const RECENT_REMOVALS_KEPT_MS = 10 * 60_000

export interface NodeRecord {
  peerId: string
  addrs: string[]
  capacity: number
  used: number
  chunks: number
  firstSeen: number
  lastSeen: number
}

export interface FileRecord {
  name: string
  id: string
  size: number
  uploadedAt: number
  chunkCount: number
  /** copies each chunk should have */
  replicas: number
}

/** A chunk's target and its copies on recently seen nodes (see chunkCopiesPage). */
export interface ChunkCopies {
  chunkId: string
  target: number
  size: number
  /** copies on nodes seen since presentSince: alive, or dead for less than repair-after */
  present: number
  /** copies on nodes seen since aliveSince */
  alive: number
}

export interface HealthRecord {
  chunks: number
  healthy: number
  underReplicated: number
  lost: number
}

export interface ChunkRecord {
  index: number
  id: string
  offset: number
  size: number
  peers: string[]
}

export class DirectoryIndex {
  private readonly db: DatabaseSync
  private readonly statements: Statements

  constructor (private readonly path: string) {
    this.db = new DatabaseSync(path)
    this.statements = new Statements(this.db)
    // NORMAL: SQLite syncs at checkpoints only; write() fsyncs the WAL itself before acknowledging
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;')
    this.db.exec('BEGIN')
    try {
      this.db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)')
      const row = this.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined
      let version = row == null ? SCHEMA_VERSION : Number(row.value)
      if (version > SCHEMA_VERSION) {
        throw new Error(`index ${path} has schema version ${version}; this dfs understands up to version ${SCHEMA_VERSION}: upgrade dfs`)
      }
      for (; version < SCHEMA_VERSION; version++) this.db.exec(MIGRATIONS[version])
      this.db.exec(SCHEMA)
      this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION))
      this.db.exec('COMMIT')
    } catch (err) {
      this.db.exec('ROLLBACK')
      this.db.close()
      throw err
    }
  }

  private sql (text: string): StatementSync {
    return this.statements.get(text)
  }

  /**
   * All or nothing. A savepoint, so it nests inside a group commit (below)
   * and, outside one, is a transaction of its own.
   */
  private transaction<T> (fn: () => T): T {
    this.changed()
    this.db.exec('SAVEPOINT tx')
    try {
      const result = fn()
      this.db.exec('RELEASE tx')
      return result
    } catch (err) {
      this.db.exec('ROLLBACK TO tx')
      this.db.exec('RELEASE tx')
      throw err
    }
  }

  private pendingWrites: Array<{ fn: () => unknown, resolve: (value: any) => void, reject: (err: unknown) => void }> = []
  private flushScheduled = false
  /** the WAL file's fsync, shared by the commits made while one runs */
  private readonly walSync = new GroupSync((done) => { this.flushWal(done) })
  private walFd?: number

  /**
   * Run a change as part of the next group commit and resolve once it is on
   * disk. Changes that arrive in the same turn of the event loop share one
   * transaction; the commit then waits for an fsync of the WAL file, which
   * runs on libuv's thread pool (SQLite's synchronous=FULL would block the
   * event loop for every fsync), and every commit made while one fsync runs
   * shares the next. Each change is still all or nothing (a savepoint): one
   * that throws is undone alone and rejects alone. Nothing is acknowledged
   * before its commit is on disk.
   */
  async write<T> (fn: () => T): Promise<T> {
    return await new Promise<T>((resolve, reject) => {
      this.pendingWrites.push({ fn, resolve, reject })
      if (!this.flushScheduled) {
        this.flushScheduled = true
        setImmediate(() => { this.flushWrites() })
      }
    })
  }

  private flushWrites (): void {
    this.flushScheduled = false
    const batch = this.pendingWrites
    this.pendingWrites = []
    const settled: Array<() => void> = []
    try {
      this.db.exec('BEGIN IMMEDIATE')
    } catch (err) {
      for (const op of batch) op.reject(err)
      return
    }
    for (const op of batch) {
      try {
        const result = this.transaction(op.fn)
        settled.push(() => { op.resolve(result) })
      } catch (err) {
        settled.push(() => { op.reject(err) })
      }
    }
    try {
      this.db.exec('COMMIT')
    } catch (err) {
      try { this.db.exec('ROLLBACK') } catch {}
      for (const op of batch) op.reject(err)
      return
    }
    this.walSync.sync().then(() => {
      for (const settle of settled) settle()
    }, (err: Error) => {
      // committed, but maybe not on disk: say so rather than promise it
      const failure = new Error(`the directory could not flush its index to disk: ${err.message}`)
      for (const op of batch) op.reject(failure)
    })
  }

  /** fdatasync the WAL file (opened once). A closed index has been checkpointed and synced by SQLite itself. */
  private flushWal (done: (err: Error | null) => void): void {
    if (!this.db.isOpen) { done(null); return }
    if (this.walFd != null) { fdatasync(this.walFd, done); return }
    openFd(`${this.path}-wal`, 'r', (err, fd) => {
      if (err != null) { done(err); return }
      this.walFd = fd
      fdatasync(fd, done)
    })
  }

  close (): void {
    // closing checkpoints the WAL into the database file and fsyncs it: commits still waiting are durable now
    this.db.close()
    // the WAL file is closed once no fsync uses it
    const closeWal = (): void => {
      if (this.walFd != null) closeFd(this.walFd, () => {})
      this.walFd = undefined
    }
    if (this.walSync.idle) closeWal()
    else this.walSync.onIdle = closeWal
  }

  // ---- nodes

  upsertNode (node: Omit<NodeRecord, 'firstSeen'>): void {
    this.nodesCache = undefined
    this.sql(`INSERT INTO nodes (peer_id, addrs, capacity, used, chunks, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (peer_id) DO UPDATE SET addrs = excluded.addrs, capacity = excluded.capacity, used = excluded.used,
      chunks = excluded.chunks, last_seen = excluded.last_seen`)
      .run(node.peerId, JSON.stringify(node.addrs), node.capacity, node.used, node.chunks, node.lastSeen, node.lastSeen)
  }

  /** The node table is small and read on every placement and resolve: kept in memory, dropped on each change. */
  private nodesCache?: NodeRecord[]

  listNodes (): NodeRecord[] {
    this.nodesCache ??= this.readNodes()
    return this.nodesCache
  }

  private readNodes (): NodeRecord[] {
    return (this.sql('SELECT * FROM nodes ORDER BY peer_id').all() as any[]).map((row) => ({
      peerId: row.peer_id,
      addrs: JSON.parse(row.addrs),
      capacity: row.capacity,
      used: row.used,
      chunks: row.chunks,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen
    }))
  }

  // ---- uploads

  beginUpload (name: string, replicas: number, now: number): string {
    const id = randomUUID()
    this.sql('INSERT INTO uploads (id, name, started_at, replicas) VALUES (?, ?, ?, ?)').run(id, name, now, replicas)
    return id
  }

  requireUpload (uploadId: string): { name: string, replicas: number } {
    const upload = this.sql('SELECT name, replicas FROM uploads WHERE id = ?').get(uploadId) as { name: string, replicas: number } | undefined
    if (upload == null) throw new NotFoundError(`upload ${uploadId} is unknown (finished, aborted, or expired)`)
    return upload
  }

  /** Record chunks that now have verified copies; idempotent per index. */
  addUploadChunks (uploadId: string, chunks: ChunkRecord[]): void {
    this.transaction(() => {
      this.requireUpload(uploadId)
      const insert = this.sql('INSERT OR REPLACE INTO upload_chunks (upload_id, idx, chunk_id, offset, size, peers) VALUES (?, ?, ?, ?, ?, ?)')
      for (const chunk of chunks) {
        if (!isContentId(chunk.id)) throw new InvalidInputError(`chunk ${chunk.index} has an invalid ID`)
        if (chunk.peers.length === 0) throw new InvalidInputError(`chunk ${chunk.index} has no copies`)
        insert.run(uploadId, chunk.index, chunk.id, chunk.offset, chunk.size, JSON.stringify(chunk.peers))
      }
    })
  }

  /**
   * Turn an upload into a file, atomically: either the whole file (chunks,
   * locations, name) is recorded, or nothing is.
   */
  completeUpload (uploadId: string, fileId: string, size: number, now: number): FileRecord {
    return this.transaction(() => {
      const { name, replicas } = this.requireUpload(uploadId)
      const rows = this.sql('SELECT idx, chunk_id, offset, size, peers FROM upload_chunks WHERE upload_id = ? ORDER BY idx').iterate(uploadId) as Iterable<any>
      const chunks = (function * (): Generator<ChunkRecord> {
        for (const row of rows) yield { index: row.idx, id: row.chunk_id, offset: row.offset, size: row.size, peers: JSON.parse(row.peers) }
      })()
      const file = this.recordFile(name, fileId, size, replicas, chunks, now)
      this.sql('DELETE FROM uploads WHERE id = ?').run(uploadId)
      return file
    })
  }

  /**
   * Record small files whose chunks are already stored (no upload in
   * progress: see PlaceFiles), all in one transaction: all or none.
   */
  addFiles (files: Array<{ name: string, id: string, size: number, chunks: ChunkRecord[] }>, replicas: number, now: number): FileRecord[] {
    return this.transaction(() => files.map((file) => {
      for (const chunk of file.chunks) {
        if (!isContentId(chunk.id)) throw new InvalidInputError(`file ${file.name}: chunk ${chunk.index} has an invalid ID`)
        if (chunk.peers.length === 0) throw new InvalidInputError(`file ${file.name}: chunk ${chunk.index} has no copies`)
      }
      return this.recordFile(file.name, file.id, file.size, replicas, file.chunks, now)
    }))
  }

  /**
   * A file, its chunks and their locations, and its name, in one pass over
   * the chunks (an upload's are read from the table as they go, not held).
   * They must be in order and add up to `size`, and `fileId` must be their
   * manifest's CID: a client cannot file bytes under another file's ID.
   * Throws on the first problem; the caller's transaction undoes the rest.
   */
  private recordFile (name: string, fileId: string, size: number, replicas: number, chunks: Iterable<ChunkRecord>, now: number): FileRecord {
    if (!isContentId(fileId, 'file')) throw new InvalidInputError('the file ID is not a valid content ID')
    this.sql('DELETE FROM file_chunks WHERE file_id = ?').run(fileId)
    // the row first (its chunks refer to it); the count once they are in
    this.sql(`INSERT INTO files (id, size, chunk_count, created_at, replicas) VALUES (?, ?, 0, ?, ?)
      ON CONFLICT (id) DO UPDATE SET size = excluded.size, replicas = excluded.replicas`).run(fileId, size, now, replicas)
    const insertChunk = this.sql('INSERT INTO file_chunks (file_id, idx, chunk_id, offset, size) VALUES (?, ?, ?, ?, ?)')
    const insertLocation = this.sql(UPSERT_LOCATION)
    const manifest = new ManifestHasher()
    let count = 0
    let offset = 0
    for (const chunk of chunks) {
      if (chunk.index !== count || chunk.offset !== offset) throw new InvalidInputError(`upload is missing chunk ${count} (at offset ${offset})`)
      manifest.addChunk(chunk.id)
      insertChunk.run(fileId, chunk.index, chunk.id, chunk.offset, chunk.size)
      for (const peer of chunk.peers) insertLocation.run(chunk.id, peer, now)
      count++
      offset += chunk.size
    }
    if (offset !== size) throw new InvalidInputError(`the recorded chunks hold ${offset} bytes, but the file has ${size}`)
    if (manifest.finish(size) !== fileId) throw new InvalidInputError(`file ID ${fileId} does not match its chunks`)
    this.sql('UPDATE files SET chunk_count = ? WHERE id = ?').run(count, fileId)
    this.sql(`INSERT INTO names (name, file_id, uploaded_at) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET file_id = excluded.file_id, uploaded_at = excluded.uploaded_at`).run(name, fileId, now)
    return { name, id: fileId, size, uploadedAt: now, chunkCount: count, replicas }
  }

  abortUpload (uploadId: string): void {
    this.sql('DELETE FROM uploads WHERE id = ?').run(uploadId)
  }

  /** Forget uploads that were never completed (the client died). */
  expireUploads (olderThan: number): number {
    return Number(this.sql('DELETE FROM uploads WHERE started_at < ?').run(olderThan).changes)
  }

  // ---- files

  /** Find a file by ID or by name. An ID wins when a name happens to look like one. */
  resolve (ref: string): FileRecord | undefined {
    if (isContentId(ref, 'file')) {
      const file = this.sql(`SELECT f.id, f.size, f.chunk_count, f.replicas, n.name, n.uploaded_at FROM files f
        LEFT JOIN names n ON n.file_id = f.id WHERE f.id = ? ORDER BY n.uploaded_at DESC LIMIT 1`).get(ref) as any
      if (file != null) return this.toFile(file)
    }
    const named = this.sql(`SELECT f.id, f.size, f.chunk_count, f.replicas, n.name, n.uploaded_at FROM names n
      JOIN files f ON f.id = n.file_id WHERE n.name = ?`).get(ref) as any
    return named == null ? undefined : this.toFile(named)
  }

  private toFile (row: any): FileRecord {
    return { name: row.name ?? '', id: row.id, size: row.size, uploadedAt: row.uploaded_at ?? 0, chunkCount: row.chunk_count, replicas: row.replicas }
  }

  /**
   * Resolves, cached: readers ask for the same few files far more often than
   * anything changes. Any change to files, names or locations (every
   * transaction, every location added or removed) empties the cache.
   */
  private readonly resolved = new Map<string, { file: FileRecord, chunks: ChunkRecord[] } | null>()

  private changed (): void {
    if (this.resolved.size > 0) this.resolved.clear()
  }

  /** A file by name or ID with a page of its chunks (each with every holder), or undefined. */
  resolveWithChunks (ref: string, start: number, limit: number): { file: FileRecord, chunks: ChunkRecord[] } | undefined {
    // no name or ID is this long: a reader sending such refs must not fill the cache with them
    if (ref.length > MAX_REF_CHARS) return undefined
    const key = `${start} ${limit} ${ref}`
    let entry = this.resolved.get(key)
    if (entry === undefined) {
      const file = this.resolve(ref)
      entry = file == null ? null : { file, chunks: this.fileChunks(file.id, start, limit) }
      if (this.resolved.size >= RESOLVE_CACHE_ENTRIES) this.resolved.clear()
      this.resolved.set(key, entry)
    }
    return entry ?? undefined
  }

  fileChunks (fileId: string, start: number, limit: number): ChunkRecord[] {
    // one row per location, in chunk order: cheaper than a GROUP BY with group_concat
    const rows = this.sql(`SELECT fc.idx, fc.chunk_id, fc.offset, fc.size, cl.peer_id
      FROM (SELECT idx, chunk_id, offset, size FROM file_chunks WHERE file_id = ? AND idx >= ? ORDER BY idx LIMIT ?) fc
      LEFT JOIN chunk_locations cl ON cl.chunk_id = fc.chunk_id ORDER BY fc.idx`).all(fileId, start, limit) as any[]
    const chunks: ChunkRecord[] = []
    for (const row of rows) {
      const last = chunks.at(-1)
      const chunk: ChunkRecord = last != null && last.index === row.idx ? last : { index: row.idx, id: row.chunk_id, offset: row.offset, size: row.size, peers: [] }
      if (chunk !== last) chunks.push(chunk)
      if (row.peer_id != null) chunk.peers.push(row.peer_id)
    }
    return chunks
  }

  listFiles (after: string, limit: number): FileRecord[] {
    const rows = this.sql(`SELECT n.name, n.uploaded_at, f.id, f.size, f.chunk_count, f.replicas FROM names n
      JOIN files f ON f.id = n.file_id WHERE n.name > ? ORDER BY n.name LIMIT ?`).all(after, limit) as any[]
    return rows.map((row) => this.toFile(row))
  }

  /** a health count being made, shared by whoever asks meanwhile */
  private healthRun?: Promise<HealthRecord>
  /** the last health count, reused for HEALTH_REUSE times as long as it took */
  private healthDone?: { at: number, tookMs: number, health: HealthRecord }

  /**
   * Every chunk any file uses, by health: at its target (the highest target
   * of the files that use it) on live nodes, below it, or on no live node.
   * Counted a page at a time (see chunkCopiesPage) with the event loop free
   * between pages, since one query over every chunk would block the directory
   * on every metrics scrape and status page refresh. A count is shared by the
   * callers that ask while it runs, and reused for HEALTH_REUSE times as long
   * as it took, so that scrapes of a big index do not keep the directory busy counting.
   */
  async health (aliveSince: number): Promise<HealthRecord> {
    const done = this.healthDone
    if (done != null && Date.now() - done.at <= HEALTH_REUSE * done.tookMs) return done.health
    this.healthRun ??= this.countHealth(aliveSince).finally(() => { this.healthRun = undefined })
    return await this.healthRun
  }

  private async countHealth (aliveSince: number): Promise<HealthRecord> {
    const started = Date.now()
    const health: HealthRecord = { chunks: 0, healthy: 0, underReplicated: 0, lost: 0 }
    let after = ''
    while (true) {
      const page = this.chunkCopiesPage(after, HEALTH_PAGE, aliveSince, aliveSince)
      for (const chunk of page) {
        health.chunks++
        if (chunk.alive >= chunk.target) health.healthy++
        else if (chunk.alive > 0) health.underReplicated++
        else health.lost++
      }
      if (page.length < HEALTH_PAGE) break
      after = page[page.length - 1].chunkId
      await new Promise((resolve) => setImmediate(resolve))
    }
    const now = Date.now()
    this.healthDone = { at: now, tookMs: now - started, health }
    return health
  }

  /**
   * How many of each file's chunks are at their target and how many have no
   * live copy, for the status page (`fileIds`: a page of files, not all).
   */
  fileHealth (fileIds: string[], aliveSince: number): Map<string, { under: number, lost: number }> {
    if (fileIds.length === 0) return new Map()
    const rows = this.sql(`WITH wanted AS (SELECT value AS id FROM json_each(?)),
      live AS (
        SELECT cl.chunk_id, COUNT(*) AS n FROM chunk_locations cl JOIN nodes nd ON nd.peer_id = cl.peer_id
        WHERE nd.last_seen >= ? AND cl.chunk_id IN (SELECT fc.chunk_id FROM file_chunks fc JOIN wanted w ON w.id = fc.file_id)
        GROUP BY cl.chunk_id
      )
      SELECT fc.file_id, SUM(COALESCE(l.n, 0) > 0 AND l.n < f.replicas) AS under, SUM(COALESCE(l.n, 0) = 0) AS lost
      FROM file_chunks fc JOIN wanted w ON w.id = fc.file_id JOIN files f ON f.id = fc.file_id
      LEFT JOIN live l ON l.chunk_id = fc.chunk_id GROUP BY fc.file_id`).all(JSON.stringify(fileIds), aliveSince) as any[]
    return new Map(rows.map((row) => [row.file_id, { under: row.under, lost: row.lost }]))
  }

  /** Files and names in the index, for the status page. */
  counts (): { files: number, names: number } {
    const row = this.sql('SELECT (SELECT COUNT(*) FROM files) AS files, (SELECT COUNT(*) FROM names) AS names').get() as any
    return { files: row.files, names: row.names }
  }

  // ---- removal and garbage

  /**
   * Remove a name (and its file, when no other name points to it) or a file
   * by ID (with every name for it). Chunks no file uses any more become
   * garbage, to be deleted from the nodes after the grace period.
   */
  remove (ref: string, now: number): FileRecord | undefined {
    return this.transaction(() => {
      const file = this.resolve(ref)
      if (file == null) return undefined
      const byId = isContentId(ref, 'file') && file.id === ref
      if (byId) this.sql('DELETE FROM names WHERE file_id = ?').run(file.id)
      else this.sql('DELETE FROM names WHERE name = ?').run(ref)
      const stillNamed = this.sql('SELECT 1 FROM names WHERE file_id = ? LIMIT 1').get(file.id) != null
      if (!stillNamed) {
        this.sql(`INSERT OR IGNORE INTO garbage (chunk_id, since)
          SELECT DISTINCT fc.chunk_id, ? FROM file_chunks fc WHERE fc.file_id = ?
          AND NOT EXISTS (SELECT 1 FROM file_chunks other WHERE other.chunk_id = fc.chunk_id AND other.file_id != fc.file_id)`).run(now, file.id)
        this.sql('DELETE FROM file_chunks WHERE file_id = ?').run(file.id)
        this.sql('DELETE FROM files WHERE id = ?').run(file.id)
      }
      return file
    })
  }

  /**
   * Garbage older than `before` that no file or upload in progress uses, with
   * the nodes that hold it. Garbage used again (uploaded anew) is forgotten;
   * garbage no node holds any more is done with.
   */
  garbageDue (before: number, limit: number): Array<{ chunkId: string, holders: string[] }> {
    this.sql(`DELETE FROM garbage WHERE chunk_id IN (SELECT chunk_id FROM file_chunks)
      OR chunk_id IN (SELECT chunk_id FROM upload_chunks)
      OR (since < ? AND chunk_id NOT IN (SELECT chunk_id FROM chunk_locations))`).run(before)
    const rows = this.sql(`SELECT g.chunk_id, json_group_array(cl.peer_id) AS holders FROM garbage g
      JOIN chunk_locations cl ON cl.chunk_id = g.chunk_id WHERE g.since < ? GROUP BY g.chunk_id LIMIT ?`).all(before, limit) as any[]
    return rows.map((row) => ({ chunkId: row.chunk_id, holders: JSON.parse(row.holders) }))
  }

  // ---- locations, for repair and inventory

  addLocation (chunkId: string, peerId: string, now = Date.now()): void {
    this.changed()
    this.sql(UPSERT_LOCATION).run(chunkId, peerId, now)
  }

  /**
   * Locations removed lately ("<peer> <chunk>" -> when), in memory: an
   * inventory a node listed before the removal must not bring them back. A
   * restarted directory asks every node for a fresh inventory anyway.
   */
  private readonly recentRemovals = new Map<string, number>()

  removeLocation (chunkId: string, peerId: string, now = Date.now()): void {
    this.changed()
    this.sql('DELETE FROM chunk_locations WHERE chunk_id = ? AND peer_id = ?').run(chunkId, peerId)
    this.recentRemovals.set(`${peerId} ${chunkId}`, now)
  }

  /**
   * Make the index's idea of what `peerId` holds match its own report, listed
   * by the node after `listedAfter`: locations it no longer has go, chunks the
   * index uses and did not know it had are added. Changes the index made
   * since `listedAfter` (a repair copy that landed, a trimmed copy) are newer
   * than the list and stand. Returns how many locations were added and removed.
   */
  reconcileInventory (peerId: string, chunkIds: Iterable<string>, listedAfter: number, now = Date.now()): { added: number, removed: number } {
    for (const [key, at] of this.recentRemovals) if (at < now - RECENT_REMOVALS_KEPT_MS) this.recentRemovals.delete(key)
    return this.transaction(() => {
      this.db.exec('CREATE TEMP TABLE IF NOT EXISTS inventory (chunk_id TEXT PRIMARY KEY) WITHOUT ROWID')
      this.db.exec('DELETE FROM temp.inventory')
      const insert = this.sql('INSERT OR IGNORE INTO temp.inventory (chunk_id) VALUES (?)')
      for (const id of chunkIds) {
        const removedAt = this.recentRemovals.get(`${peerId} ${id}`)
        if (removedAt == null || removedAt < listedAfter) insert.run(id)
      }
      const removed = Number(this.sql('DELETE FROM chunk_locations WHERE peer_id = ? AND added_at < ? AND chunk_id NOT IN (SELECT chunk_id FROM temp.inventory)').run(peerId, listedAfter).changes)
      const added = Number(this.sql('INSERT OR IGNORE INTO chunk_locations (chunk_id, peer_id, added_at) SELECT chunk_id, ?, ? FROM temp.inventory').run(peerId, now).changes)
      // chunks no file or upload uses (a deleted file's, an abandoned upload's) are garbage from now on
      this.sql(`INSERT OR IGNORE INTO garbage (chunk_id, since) SELECT i.chunk_id, ? FROM temp.inventory i
        WHERE NOT EXISTS (SELECT 1 FROM file_chunks fc WHERE fc.chunk_id = i.chunk_id)
        AND NOT EXISTS (SELECT 1 FROM upload_chunks uc WHERE uc.chunk_id = i.chunk_id)`).run(Date.now())
      this.db.exec('DELETE FROM temp.inventory')
      return { added, removed }
    })
  }

  /**
   * The repair sweep's unit of work: the next `limit` chunks any file uses,
   * in ID order after `after`, each with its target (the highest of the
   * files that use it) and its copies on nodes seen since `presentSince` and
   * since `aliveSince`. Index lookups only, so a page costs the same however
   * big the index and never blocks the event loop for long.
   */
  chunkCopiesPage (after: string, limit: number, presentSince: number, aliveSince: number): ChunkCopies[] {
    const rows = this.sql(`WITH page AS (
        SELECT fc.chunk_id, MAX(f.replicas) AS target, MAX(fc.size) AS size
        FROM file_chunks fc JOIN files f ON f.id = fc.file_id
        WHERE fc.chunk_id > ? GROUP BY fc.chunk_id ORDER BY fc.chunk_id LIMIT ?
      )
      SELECT p.chunk_id, p.target, p.size, COALESCE(SUM(nd.last_seen >= ?), 0) AS present, COALESCE(SUM(nd.last_seen >= ?), 0) AS alive
      FROM page p LEFT JOIN chunk_locations cl ON cl.chunk_id = p.chunk_id LEFT JOIN nodes nd ON nd.peer_id = cl.peer_id
      GROUP BY p.chunk_id ORDER BY p.chunk_id`).all(after, limit, presentSince, aliveSince) as any[]
    return rows.map((row) => ({ chunkId: row.chunk_id, target: row.target, size: row.size, present: row.present, alive: row.alive }))
  }

  /** The known nodes the index places a chunk on, with when each was last seen. */
  chunkHolders (chunkId: string): Array<{ peerId: string, lastSeen: number }> {
    const rows = this.sql(`SELECT nd.peer_id, nd.last_seen FROM chunk_locations cl JOIN nodes nd ON nd.peer_id = cl.peer_id
      WHERE cl.chunk_id = ? ORDER BY nd.peer_id`).all(chunkId) as any[]
    return rows.map((row) => ({ peerId: row.peer_id, lastSeen: row.last_seen }))
  }

  /** Chunks the index places on each peer. */
  chunkCountsByPeer (): Map<string, number> {
    const rows = this.sql('SELECT peer_id, count(*) AS n FROM chunk_locations GROUP BY peer_id').all() as any[]
    return new Map(rows.map((row) => [row.peer_id, row.n]))
  }
}
