import assert from 'node:assert/strict'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DfsClient, DirectoryPeer, StorageNode } from '../../src/index.ts'
import { tempDir } from '../helpers/tmp.ts'

describe('library API (in-process peers, real sockets on 127.0.0.1)', function () {
  this.timeout(30_000)

  it('connect, uploadFile, downloadFile, close — as in the original design', async () => {
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
  })
})
