import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ROOT, freePort, runClient } from '../helpers/cluster.ts'
import { tempDir } from '../helpers/tmp.ts'

/** Run `npm start`'s script until it prints the directory address. */
async function startCluster (env: NodeJS.ProcessEnv): Promise<{ directory: string, out: () => string, err: () => string, stop: () => Promise<number | null> }> {
  const proc = spawn(process.execPath, [join(ROOT, 'dist', 'scripts', 'start-cluster.js')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  proc.stderr.setEncoding('utf8').on('data', (t: string) => { err += t })
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => { resolve(code) }))
  const directory = await new Promise<string>((resolve, reject) => {
    proc.stdout.setEncoding('utf8').on('data', (t: string) => {
      out += t
      const match = /^directory: (\S+)$/m.exec(out)
      if (match != null && out.includes('Ctrl-C')) resolve(match[1])
    })
    void exited.then(() => { reject(new Error(`start-cluster exited:\n${out}\n${err}`)) })
  })
  return {
    directory,
    out: () => out,
    err: () => err,
    stop: async () => {
      proc.kill('SIGINT')
      return await exited
    }
  }
}

/** A base port with the three after it free too. */
async function freePortRange (): Promise<number> {
  for (;;) {
    const base = await freePort()
    if (base > 65000) continue
    const { createServer } = await import('node:net')
    const free = await Promise.all([1, 2, 3].map(async (i) => await new Promise<boolean>((resolve) => {
      const server = createServer().once('error', () => { resolve(false) }).listen(base + i, '127.0.0.1', () => { server.close(() => { resolve(true) }) })
    })))
    if (free.every(Boolean)) return base
  }
}

describe('npm start: a local cluster the client finds with no flags', function () {
  this.timeout(120_000)

  it('records the directory in the client config, and comes back with the same address and data', async () => {
    const dir = await tempDir()
    try {
      const httpPort = await freePort()
      const env = { DFS_CLUSTER_DIR: join(dir.path, 'cluster'), DFS_CLUSTER_PORT: String(await freePortRange()), DFS_CLUSTER_HTTP_PORT: String(httpPort), DFS_HOME: join(dir.path, 'home') }
      const first = await startCluster(env)
      // the page's address and one example each of upload and download
      assert.match(first.out(), new RegExp(`^status page: http://127\\.0\\.0\\.1:${httpPort}/`, 'm'))
      assert.match(first.out(), /^ {2}npx dfs-client upload \S+$/m)
      assert.match(first.out(), /^ {2}npx dfs-client download \S+ \S+$/m)
      const page = await fetch(`http://127.0.0.1:${httpPort}/`)
      assert.equal(page.status, 200)
      assert.match(await page.text(), /<title>dfs cluster status<\/title>/)
      // the peers' JSON log lines, shown as text
      assert.match(first.err(), /^\[directory\] \d\d:\d\d:\d\d WARN {2}THIS CLUSTER IS OPEN/m)
      assert.deepEqual(JSON.parse(await readFile(join(env.DFS_HOME, 'config.json'), 'utf8')), { directory: first.directory })
      await writeFile(join(dir.path, 'note.txt'), 'kept across restarts\n')
      const up = await runClient(['upload', join(dir.path, 'note.txt')], { env: { DFS_HOME: env.DFS_HOME, DFS_DIRECTORY: '' } })
      assert.equal(up.code, 0, up.stderr)
      const nodes = JSON.parse((await runClient(['nodes', '--json'], { env: { DFS_HOME: env.DFS_HOME } })).stdout)
      assert.equal(nodes.length, 3)
      const overHttp = await fetch(`http://127.0.0.1:${httpPort}/files/note.txt`)
      assert.equal(await overHttp.text(), 'kept across restarts\n')
      assert.equal(await first.stop(), 0, 'Ctrl-C stops it cleanly')

      const second = await startCluster(env)
      try {
        assert.equal(second.directory, first.directory, 'same key and port: same address')
        const down = await runClient(['download', 'note.txt', '-'], { env: { DFS_HOME: env.DFS_HOME } })
        assert.equal(down.code, 0, down.stderr)
        assert.equal(down.stdout, 'kept across restarts\n')
      } finally {
        assert.equal(await second.stop(), 0)
      }
    } finally {
      await dir.cleanup()
    }
  })
})
