import assert from 'node:assert/strict'
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BatchWriter } from '../../src/storage/batch-writer.ts'
import { tempDir } from '../helpers/tmp.ts'

describe('BatchWriter (a thread writing batches of small files)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeEach(async () => {
    dir = await tempDir()
    await mkdir(join(dir.path, 'tmp'))
  })
  afterEach(async () => { await dir.cleanup() })

  const file = (name: string, text: string): { tmp: string, path: string, bytes: Uint8Array } =>
    ({ tmp: join(dir.path, 'tmp', `${name}.part`), path: join(dir.path, 'chunks', name.slice(-2), name), bytes: Buffer.from(text) })

  it('writes each file in place (making its folder), says which were there before, and works again after it was closed', async () => {
    const writer = new BatchWriter()
    try {
      assert.deepEqual(await writer.write([file('aa01', 'one'), file('bb02', 'two')]), [false, false])
      assert.deepEqual(await writer.write([file('aa01', 'one'), file('cc03', 'three')]), [true, false])
      await writer.close()
      // a closed writer starts a new thread for the next batch
      assert.deepEqual(await writer.write([file('dd04', 'four')]), [false])
      assert.equal(await readFile(join(dir.path, 'chunks', '03', 'cc03'), 'utf8'), 'three')
      assert.equal(await readFile(join(dir.path, 'chunks', '04', 'dd04'), 'utf8'), 'four')
      assert.deepEqual(await readdir(join(dir.path, 'tmp')), [])
    } finally {
      await writer.close()
    }
  })

  it('a batch that fails removes its own temporary files, keeps what was there before, and says why', async () => {
    const writer = new BatchWriter()
    try {
      await writer.write([file('aa01', 'one')])
      await writeFile(join(dir.path, 'tmp', 'zz09.part'), 'a temporary file in the way')
      await assert.rejects(writer.write([file('aa01', 'one'), file('bb02', 'two'), file('zz09', 'nine')]), (err: any) => err.code === 'EEXIST')
      assert.equal(await readFile(join(dir.path, 'chunks', '01', 'aa01'), 'utf8'), 'one')
      await assert.rejects(readFile(join(dir.path, 'chunks', '02', 'bb02')), { code: 'ENOENT' })
      assert.deepEqual(await readdir(join(dir.path, 'tmp')), ['zz09.part'])
    } finally {
      await writer.close()
    }
  })
})
