import { formatSeconds } from '../../src/cli/progress.ts'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseBytes, parseDuration, formatBytes } from '../../src/util/units.ts'
import { validateName } from '../../src/protocol/names.ts'
import { clientConfigSchema, loadConfigFile, nodeConfigSchema, validateConfig } from '../../src/config/config.ts'
import { tempDir } from '../helpers/tmp.ts'

describe('units', () => {
  it('parses sizes and durations', () => {
    assert.equal(parseBytes('1048576'), 1048576)
    assert.equal(parseBytes('4MiB'), 4 * 1024 * 1024)
    assert.equal(parseBytes('10 GB'), 10e9)
    assert.equal(parseBytes(512), 512)
    assert.equal(parseDuration('500ms'), 500)
    assert.equal(parseDuration('5s'), 5000)
    assert.equal(parseDuration('2m'), 120_000)
    assert.equal(parseDuration('1h'), 3_600_000)
    assert.equal(formatBytes(1536), '1.5 KiB')
  })

  it('refuses nonsense with a message that shows what is expected', () => {
    assert.throws(() => parseBytes('lots'), /expected a size like/)
    assert.throws(() => parseBytes(-1), /whole number/)
    assert.throws(() => parseBytes('5 parsecs'), /expected a size like/)
    assert.throws(() => parseDuration('5'), /expected a duration like/)
    assert.throws(() => parseDuration('soon'), /expected a duration like/)
  })
})

describe('file names', () => {
  it('accepts ordinary names', () => {
    for (const name of ['README.md', 'a b.txt', 'ünïcødé', '.hidden', '...']) assert.equal(validateName(name), name)
  })

  it('refuses names that could escape a folder or are malformed', () => {
    for (const name of ['', '.', '..', '../x', 'a/b', '/etc/passwd', 'a\\b', 'nul\u0000byte', 'line\nbreak', 'x'.repeat(256)]) {
      assert.throws(() => validateName(name), { name: 'InvalidInputError' }, JSON.stringify(name))
    }
  })
})

describe('config validation', () => {
  it('converts units and keeps good values', () => {
    const config = validateConfig(nodeConfigSchema, { capacity: '1GiB', listen: ['/ip4/127.0.0.1/tcp/0'] }, 'test')
    assert.equal(config.capacity, 1024 ** 3)
    assert.deepEqual(config.listen, ['/ip4/127.0.0.1/tcp/0'])
  })

  it('names the bad key and what was expected', () => {
    assert.throws(() => validateConfig(nodeConfigSchema, { capacity: 'huge' }, 'cfg'), /cfg: "capacity": expected a size like/)
    assert.throws(() => validateConfig(nodeConfigSchema, { listen: ['not-an-addr'] }, 'cfg'), /"listen.0"/)
    assert.throws(() => validateConfig(nodeConfigSchema, { directory: '/ip4/127.0.0.1/tcp/1' }, 'cfg'), /"directory": expected a multiaddr that ends in \/p2p/)
    assert.throws(() => validateConfig(clientConfigSchema, { chunkSise: 5 }, 'cfg'), /chunkSise/)
  })

  it('reports unreadable and invalid JSON files by path', async () => {
    const dir = await tempDir()
    try {
      await assert.rejects(loadConfigFile(nodeConfigSchema, join(dir.path, 'missing.json')), /cannot read config file .*missing.json: no such file/)
      await writeFile(join(dir.path, 'bad.json'), '{ "capacity": ')
      await assert.rejects(loadConfigFile(nodeConfigSchema, join(dir.path, 'bad.json')), /bad.json is not valid JSON/)
    } finally {
      await dir.cleanup()
    }
  })
})

describe('progress bar ETA', () => {
  it('shows seconds, minutes and hours, and a dash while unknown', () => {
    assert.deepEqual([0, 42, 185, 3720, 90_000].map(formatSeconds), ['0s', '42s', '3m05s', '1h02m', '25h00m'])
    assert.deepEqual([Infinity, Number.NaN, -1, 'INF', null].map(formatSeconds), ['-', '-', '-', '-', '-'])
  })
})
