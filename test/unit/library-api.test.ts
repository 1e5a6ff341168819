import assert from 'node:assert/strict'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as compiled from '../../src/index.ts'
import { tempDir } from '../helpers/tmp.ts'

type Library = typeof compiled

/** Upload and download through the library's three classes, in-process peers on real sockets. */
async function roundTrip ({ DfsClient, DirectoryPeer, StorageNode }: Library): Promise<void> {
  const dir = await tempDir()
  const directory = await DirectoryPeer.start({ listen: ['/ip4/127.0.0.1/tcp/0'], dataDir: join(dir.path, 'directory'), access: { open: true } })
  const node = await StorageNode.start({ directory: directory.addrs[0], listen: ['/ip4/127.0.0.1/tcp/0'], dataDir: join(dir.path, 'node') })
  try {
    await mkdir(join(dir.path, 'path', 'to'), { recursive: true })
    await writeFile(join(dir.path, 'path', 'to', 'file.txt'), 'library round trip\n')
    const client = await DfsClient.connect({ directory: directory.addrs[0] })
    try {
      const file = await client.uploadFile(join(dir.path, 'path', 'to', 'file.txt'))
      assert.equal(file.name, 'file.txt')
      await mkdir(join(dir.path, 'download'))
      const { path } = await client.downloadFile('file.txt', join(dir.path, 'download'))
      assert.equal(path, join(dir.path, 'download', 'file.txt'))
      assert.equal(await readFile(path, 'utf8'), 'library round trip\n')
      assert.deepEqual((await client.nodes()).map((n) => n.peerId), [node.peerId])
      await assert.rejects(client.downloadFile('nope', dir.path), { name: 'NotFoundError' })
    } finally {
      await client.close()
    }
  } finally {
    await node.stop()
    await directory.stop()
    await dir.cleanup()
  }
}

describe('library API (in-process peers, real sockets on 127.0.0.1)', function () {
  this.timeout(30_000)

  it('connect, uploadFile, downloadFile, close — as in the original design', async () => {
    await roundTrip(compiled)
  })

  it('the same through the package\'s entry point (`import … from \'dfs\'`: the bundle in dist/bundle)', async () => {
    // a package can import itself by name through its "exports"
    const packageName = 'dfs'
    const bundled = await import(packageName) as Library
    assert.ok(import.meta.resolve(packageName).endsWith('/dist/bundle/index.js'), import.meta.resolve(packageName))
    assert.deepEqual(Object.keys(bundled).sort(), Object.keys(compiled).sort())
    assert.notEqual(bundled.DfsClient, compiled.DfsClient, 'the bundle is its own copy of the code')
    await roundTrip(bundled)
    // its errors are the same classes by name, so callers can tell them apart
    assert.equal(new bundled.NotFoundError('x').name, 'NotFoundError')
  })
})
