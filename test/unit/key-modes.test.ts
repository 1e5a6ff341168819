import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { binArgv } from '../../src/util/node-command.ts'
import { CLIENT_BIN, PEER_BIN } from '../helpers/cluster.ts'
import { tempDir } from '../helpers/tmp.ts'
import { CLIENT_KEY_FILE, PEER_KEY_FILE } from '../../src/net/peer-key.ts'

interface Run { code: number | null, stdout: string, stderr: string }

/**
 * Run a dfs command under umask 000, so that the file modes seen are the ones
 * the code asks for, not ones a restrictive umask happens to impose.
 */
async function runPermissive (bin: string, args: string[], env: NodeJS.ProcessEnv = {}, until?: RegExp): Promise<Run> {
  const [command, ...flags] = binArgv(bin)
  const proc = spawn('/bin/sh', ['-c', 'umask 000 && exec "$@"', 'sh', command, ...flags, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  proc.stdout.setEncoding('utf8').on('data', (t: string) => {
    stdout += t
    if (until?.test(stdout) === true) proc.kill('SIGTERM')
  })
  proc.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t })
  const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000)
  const code = await new Promise<number | null>((resolve) => { proc.on('close', resolve) })
  clearTimeout(timer)
  return { code, stdout, stderr }
}

async function modeOf (path: string): Promise<number> {
  return (await stat(path)).mode & 0o777
}

const octal = (mode: number): string => `0${mode.toString(8)}`

describe('key files are created readable by their owner only (mode 0600), whatever the umask', function () {
  this.timeout(90_000)
  let dir: Awaited<ReturnType<typeof tempDir>>
  before(async () => { dir = await tempDir() })
  after(async () => { await dir?.cleanup() })

  it('dfs-client creates client.key with mode 0600 in a new home', async () => {
    const home = join(dir.path, 'client-home')
    const result = await runPermissive(CLIENT_BIN, ['id'], { DFS_HOME: home })
    assert.equal(result.code, 0, result.stderr)
    assert.equal(octal(await modeOf(join(home, CLIENT_KEY_FILE))), '0600')
  })

  it('dfs-peer init creates the directory\'s and a node\'s peer.key with mode 0600', async () => {
    const directoryDir = join(dir.path, 'init-directory')
    const directory = await runPermissive(PEER_BIN, ['init', '--role', 'directory', '--data-dir', directoryDir])
    assert.equal(directory.code, 0, directory.stderr)
    assert.equal(octal(await modeOf(join(directoryDir, PEER_KEY_FILE))), '0600')

    const nodeDir = join(dir.path, 'init-node')
    const node = await runPermissive(PEER_BIN, ['init', '--role', 'node', '--data-dir', nodeDir, '--directory', `/ip4/127.0.0.1/tcp/9/p2p/${directory.stdout.trim()}`])
    assert.equal(node.code, 0, node.stderr)
    assert.equal(octal(await modeOf(join(nodeDir, PEER_KEY_FILE))), '0600')
  })

  it('a directory started on a new data dir creates its peer.key with mode 0600', async () => {
    const dataDir = join(dir.path, 'started-directory')
    const run = await runPermissive(PEER_BIN, ['--role', 'directory', '--open', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0'], {}, /listening on /)
    assert.match(run.stdout, /listening on /, run.stderr)
    assert.equal(octal(await modeOf(join(dataDir, PEER_KEY_FILE))), '0600')
  })
})
