import assert from 'node:assert/strict'
import { join } from 'node:path'
import { readFile } from 'node:fs/promises'
import { clientConfigSchema, directoryConfigSchema, loadConfigFile, nodeConfigSchema, validateConfig } from '../../src/config/config.ts'
import { ROOT } from '../helpers/cluster.ts'

describe('example configs in config/', () => {
  it('are valid for their role', async () => {
    const directory = await loadConfigFile(directoryConfigSchema, join(ROOT, 'config', 'directory.example.json'))
    assert.equal(directory.deadAfter, 30_000)
    assert.deepEqual(directory.listen, ['/ip4/127.0.0.1/tcp/4010'])
    // the placeholder peer ID is not a real one: check the rest of the node and client examples
    for (const [file, schema] of [['node.example.json', nodeConfigSchema], ['client.example.json', clientConfigSchema]] as const) {
      const raw = JSON.parse(await readFile(join(ROOT, 'config', file), 'utf8'))
      assert.match(raw.directory, /\/p2p\/12D3KooW/)
      delete raw.directory
      assert.doesNotThrow(() => validateConfig(schema, raw, file))
    }
  })
})
