import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { DirectoryIndex } from '../../src/directory/index-db.ts'
import { placeChunks } from '../../src/directory/placement.ts'
import { cidFromDigest } from '../../src/content/content-id.ts'
import { fileIdOf } from '../../src/content/manifest.ts'
import { tempDir } from '../helpers/tmp.ts'

const idOf = (text: string): string => cidFromDigest(createHash('sha256').update(text).digest())

describe('directory index (node:sqlite)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => { await dir.cleanup() })

  function record (index: DirectoryIndex, name: string, content: string[], peers = ['peerA']): string {
    const upload = index.beginUpload(name, 1, 1000)
    let offset = 0
    index.addUploadChunks(upload, content.map((text, i) => {
      const chunk = { index: i, id: idOf(text), offset, size: text.length, peers }
      offset += text.length
      return chunk
    }))
    const fileId = fileIdOf(content.map(idOf), offset)
    index.completeUpload(upload, fileId, offset, 2000)
    return fileId
  }

  it('records a file atomically and resolves it by ID and by name, after a reopen', () => {
    const path = join(dir.path, 'index.sqlite')
    let index = new DirectoryIndex(path)
    const id = record(index, 'a.txt', ['hello ', 'world'])
    index.close()
    index = new DirectoryIndex(path)
    const byName = index.resolve('a.txt')
    assert.deepEqual(byName, { name: 'a.txt', id, size: 11, uploadedAt: 2000, chunkCount: 2, replicas: 1 })
    assert.deepEqual(index.resolve(id), byName)
    const chunks = index.fileChunks(id, 0, 10)
    assert.deepEqual(chunks.map((c) => [c.index, c.offset, c.size, c.peers]), [[0, 0, 6, ['peerA']], [1, 6, 5, ['peerA']]])
    assert.deepEqual(index.fileChunks(id, 1, 10).map((c) => c.index), [1])
    index.close()
  })

  it('refuses to complete an upload with a missing chunk or a wrong size, recording nothing', () => {
    const index = new DirectoryIndex(join(dir.path, 'index.sqlite'))
    const upload = index.beginUpload('gap.bin', 1, 1)
    index.addUploadChunks(upload, [{ index: 1, id: idOf('b'), offset: 1, size: 1, peers: ['p'] }])
    assert.throws(() => index.completeUpload(upload, fileIdOf([idOf('a'), idOf('b')], 2), 2, 2), /missing chunk 0/)
    assert.equal(index.resolve('gap.bin'), undefined)
    index.addUploadChunks(upload, [{ index: 0, id: idOf('a'), offset: 0, size: 1, peers: ['p'] }])
    assert.throws(() => index.completeUpload(upload, fileIdOf([idOf('a'), idOf('b')], 2), 3, 2), /hold 2 bytes, but the file has 3/)
    assert.equal(index.resolve(fileIdOf([idOf('a'), idOf('b')], 2)), undefined)
    assert.deepEqual(index.listFiles('', 10), [])
    index.close()
  })

  it('records a batch of small files in one go, all or none, each checked against its manifest', () => {
    const index = new DirectoryIndex(join(dir.path, 'index.sqlite'))
    const small = (name: string, text: string): { name: string, id: string, size: number, chunks: any[] } =>
      ({ name, id: fileIdOf([idOf(text)], text.length), size: text.length, chunks: [{ index: 0, id: idOf(text), offset: 0, size: text.length, peers: ['p1', 'p2'] }] })
    const recorded = index.addFiles([small('one.txt', 'one'), small('two.txt', 'two!')], 2, 500)
    assert.deepEqual(recorded.map((f) => [f.name, f.size, f.chunkCount, f.replicas]), [['one.txt', 3, 1, 2], ['two.txt', 4, 1, 2]])
    assert.deepEqual(index.resolveWithChunks('two.txt', 0, 10)?.chunks.map((c) => [c.id, c.peers]), [[idOf('two!'), ['p1', 'p2']]])
    // a file ID that is not its chunks' manifest: the whole batch is refused
    const forged = { ...small('forged.txt', 'abc'), id: fileIdOf([idOf('xyz')], 3) }
    assert.throws(() => index.addFiles([small('three.txt', 'three'), forged], 2, 600), /does not match its chunks/)
    assert.equal(index.resolve('three.txt'), undefined)
    assert.equal(index.resolve('forged.txt'), undefined)
    // sizes that do not add up, and a chunk with no copies
    assert.throws(() => index.addFiles([{ ...small('size.txt', 'abc'), size: 4 }], 2, 600), /hold 3 bytes, but the file has 4/)
    assert.throws(() => index.addFiles([{ ...small('nowhere.txt', 'abc'), chunks: [{ index: 0, id: idOf('abc'), offset: 0, size: 3, peers: [] }] }], 2, 600), /no copies/)
    assert.deepEqual(index.listFiles('', 10).map((f) => f.name), ['one.txt', 'two.txt'])
    index.close()
  })

  it('keeps refs no file can have out of the resolve cache, so readers cannot grow the directory\'s memory with them', () => {
    const index = new DirectoryIndex(join(dir.path, 'index.sqlite'))
    const id = record(index, 'real.txt', ['abc'])
    assert.equal(index.resolveWithChunks('x'.repeat(100_000), 0, 10), undefined)
    assert.equal(index.resolveWithChunks(`${'y'.repeat(600)}`, 0, 10), undefined)
    assert.equal((index as any).resolved.size, 0)
    assert.equal(index.resolveWithChunks('real.txt', 0, 10)?.file.id, id)
    assert.equal(index.resolveWithChunks('no-such-name', 0, 10), undefined)
    assert.equal((index as any).resolved.size, 2, 'a real name and a plausible miss are cached')
    index.close()
  })

  it('points a name at its newest content and lists names in order', () => {
    const index = new DirectoryIndex(join(dir.path, 'index.sqlite'))
    const first = record(index, 'notes', ['v1'])
    const second = record(index, 'notes', ['v2'])
    record(index, 'another', ['x'])
    assert.equal(index.resolve('notes')?.id, second)
    assert.equal(index.resolve(first)?.id, first, 'old content stays reachable by ID')
    assert.deepEqual(index.listFiles('', 10).map((f) => f.name), ['another', 'notes'])
    assert.deepEqual(index.listFiles('another', 10).map((f) => f.name), ['notes'])
    index.close()
  })

  it('records an empty file', () => {
    const index = new DirectoryIndex(join(dir.path, 'index.sqlite'))
    const upload = index.beginUpload('empty', 1, 1)
    index.completeUpload(upload, fileIdOf([], 0), 0, 1)
    assert.deepEqual(index.resolve('empty'), { name: 'empty', id: fileIdOf([], 0), size: 0, uploadedAt: 1, chunkCount: 0, replicas: 1 })
    index.close()
  })

  it('an inventory listed before a change to the index does not undo it', () => {
    const index = new DirectoryIndex(join(dir.path, 'index.sqlite'))
    const fileId = record(index, 'f', ['x', 'y', 'z'], ['peerA', 'peerB']) // locations confirmed at t = 2000
    const [x, y, z] = ['x', 'y', 'z'].map(idOf)
    const holders = (): string[][] => index.fileChunks(fileId, 0, 10).map((chunk) => chunk.peers.sort())
    index.addLocation(z, 'peerC', 5000) // a repair copy lands after peerC was asked (t = 4000)
    index.removeLocation(y, 'peerB', 5000) // a trimmed copy, after peerB was asked
    index.removeLocation(z, 'peerA', 3000) // removed before peerA was asked
    assert.deepEqual(holders(), [['peerA', 'peerB'], ['peerA'], ['peerB', 'peerC']])

    // peerC listed its chunks before the copy landed: the copy stays
    assert.deepEqual(index.reconcileInventory('peerC', [], 4000, 6000), { added: 0, removed: 0 })
    // peerB listed y before deleting it: y is not brought back; z, confirmed at 2000 and now missing, goes
    assert.deepEqual(index.reconcileInventory('peerB', [x, y], 4000, 6000), { added: 0, removed: 1 })
    // peerA still has z, listed after its removal: it counts again; x, missing, goes
    assert.deepEqual(index.reconcileInventory('peerA', [y, z], 4000, 6000), { added: 1, removed: 1 })
    assert.deepEqual(holders(), [['peerB'], ['peerA'], ['peerA', 'peerC']])
    index.close()
  })

  /** An index holding one file (chunks a and b on peerA), then turned back to `version` by `sql`. */
  function olderIndex (version: number, sql: string): { path: string, fileId: string } {
    const path = join(dir.path, 'index.sqlite')
    const index = new DirectoryIndex(path)
    const fileId = record(index, 'old', ['a', 'b'])
    index.close()
    const db = new DatabaseSync(path)
    db.exec(`${sql}; UPDATE meta SET value = '${version}' WHERE key = 'schema_version'`)
    db.close()
    return { path, fileId }
  }

  it('migrates a version 3 index, keeping its locations', () => {
    const { path, fileId } = olderIndex(3, `CREATE TABLE old_locations AS SELECT chunk_id, peer_id FROM chunk_locations; DROP TABLE chunk_locations;
      CREATE TABLE chunk_locations (chunk_id TEXT NOT NULL, peer_id TEXT NOT NULL, PRIMARY KEY (chunk_id, peer_id)) WITHOUT ROWID;
      INSERT INTO chunk_locations SELECT * FROM old_locations; DROP TABLE old_locations`)
    const index = new DirectoryIndex(path)
    assert.deepEqual(index.fileChunks(fileId, 0, 10).map((chunk) => chunk.peers), [['peerA'], ['peerA']])
    // an old location counts as confirmed at time 0: any inventory that lacks it removes it
    assert.deepEqual(index.reconcileInventory('peerA', [idOf('a')], 1, 2), { added: 0, removed: 1 })
    index.close()
  })

  it('migrates a version 4 index to locations indexed by node and time, which an inventory uses', () => {
    const { path, fileId } = olderIndex(4, 'DROP INDEX chunk_locations_by_peer_time; CREATE INDEX chunk_locations_by_peer ON chunk_locations(peer_id)')
    const index = new DirectoryIndex(path)
    assert.deepEqual(index.fileChunks(fileId, 0, 10).map((chunk) => chunk.peers), [['peerA'], ['peerA']])
    assert.deepEqual(index.reconcileInventory('peerA', [idOf('a')], 4000, 6000), { added: 0, removed: 1 })
    index.close()
    const db = new DatabaseSync(path)
    const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'chunk_locations' AND sql IS NOT NULL ORDER BY name").all() as Array<{ name: string }>).map((row) => row.name)
    assert.deepEqual(indexes, ['chunk_locations_by_peer_time'])
    assert.equal((db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string }).value, '5')
    // an inventory's sweep of a node's older locations reads that node's run of the index, by time
    const plan = (db.prepare('EXPLAIN QUERY PLAN SELECT chunk_id FROM chunk_locations WHERE peer_id = ? AND added_at < ?').all('peerA', 1) as Array<{ detail: string }>).map((row) => row.detail).join('; ')
    assert.match(plan, /USING (COVERING )?INDEX chunk_locations_by_peer_time \(peer_id=\? AND added_at<\?\)/)
    db.close()
  })

  it('serves resolves from its cache until the index changes', () => {
    const index = new DirectoryIndex(join(dir.path, 'index.sqlite'))
    const first = record(index, 'doc', ['v1'])
    assert.equal(index.resolveWithChunks('doc', 0, 10)?.file.id, first)
    assert.equal(index.resolveWithChunks('nothing', 0, 10), undefined)
    // a new upload under the same name
    const second = record(index, 'doc', ['v2'])
    assert.equal(index.resolveWithChunks('doc', 0, 10)?.file.id, second)
    // a location added or removed shows at once
    index.addLocation(idOf('v2'), 'peerB')
    assert.deepEqual(index.resolveWithChunks(second, 0, 10)?.chunks[0].peers.sort(), ['peerA', 'peerB'])
    index.removeLocation(idOf('v2'), 'peerA')
    assert.deepEqual(index.resolveWithChunks(second, 0, 10)?.chunks[0].peers, ['peerB'])
    // a name that comes into being, and one removed
    assert.equal(index.resolveWithChunks('later', 0, 10), undefined)
    const later = record(index, 'later', ['v3'])
    assert.equal(index.resolveWithChunks('later', 0, 10)?.file.id, later)
    index.remove('doc', 3000)
    assert.equal(index.resolveWithChunks('doc', 0, 10), undefined)
    index.close()
  })

  it('upserts nodes', () => {
    const index = new DirectoryIndex(join(dir.path, 'index.sqlite'))
    index.upsertNode({ peerId: 'p1', addrs: ['/ip4/127.0.0.1/tcp/1'], capacity: 10, used: 1, chunks: 1, lastSeen: 5 })
    index.upsertNode({ peerId: 'p1', addrs: ['/ip4/127.0.0.1/tcp/2'], capacity: 10, used: 2, chunks: 2, lastSeen: 9 })
    assert.deepEqual(index.listNodes(), [{ peerId: 'p1', addrs: ['/ip4/127.0.0.1/tcp/2'], capacity: 10, used: 2, chunks: 2, firstSeen: 5, lastSeen: 9 }])
    index.close()
  })
})

describe('placement', () => {
  const node = (peerId: string, free: number) => ({ peerId, addrs: [], capacity: 100, used: 100 - free, chunks: 0, firstSeen: 0, lastSeen: 0 })

  it('spreads chunks over nodes with room, never onto a full one', () => {
    const placements = placeChunks([node('a', 50), node('b', 50), node('full', 5)], { first: 0, count: 4, replicas: 1, chunkSize: 10, rotation: 0 })
    assert.deepEqual(placements.map((p) => p.peers), [['a'], ['b'], ['a'], ['b']])
  })

  it('gives distinct nodes per chunk for replicas, capped by the nodes there are', () => {
    const placements = placeChunks([node('a', 50), node('b', 50)], { first: 5, count: 2, replicas: 3, chunkSize: 10, rotation: 1 })
    for (const p of placements) assert.deepEqual([...p.peers].sort(), ['a', 'b'])
    assert.deepEqual(placements.map((p) => p.index), [5, 6])
    assert.deepEqual(placeChunks([node('x', 1)], { first: 0, count: 1, replicas: 1, chunkSize: 10, rotation: 0 }), [])
  })
})
