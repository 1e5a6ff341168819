import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { Cluster, freePort } from '../helpers/cluster.ts'

/** `promtool check metrics` (Debian's `prometheus` package) over `text`: its exit code and what it printed. */
async function promtoolCheck (text: string): Promise<{ code: number | null, output: string }> {
  const proc = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  proc.stdout.setEncoding('utf8').on('data', (t: string) => { output += t })
  proc.stderr.setEncoding('utf8').on('data', (t: string) => { output += t })
  const exited = new Promise<number | null>((resolve, reject) => {
    proc.on('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'ENOENT' ? new Error('promtool is not installed: this test needs it (apt-get install prometheus)') : err)
    })
    proc.on('close', (code) => { resolve(code) })
  })
  proc.stdin.on('error', () => {}) // a promtool that failed to start: its error comes from `exited`
  proc.stdin.end(text)
  return { code: await exited, output }
}

async function metricsText (url: string): Promise<string> {
  const response = await fetch(url)
  assert.equal(response.status, 200, `GET ${url}`)
  return await response.text()
}

describe('operators: /metrics passes Prometheus\'s linter', function () {
  this.timeout(120_000)
  let cluster: Cluster | undefined
  afterEach(async () => {
    await cluster?.stop()
    cluster = undefined
  })

  it('passes `promtool check metrics` on the directory and on a node, after traffic and pings', async () => {
    const directoryHttp = await freePort()
    const nodeHttp = await freePort()
    cluster = await Cluster.start({ nodes: 1, directoryArgs: ['--http', `/ip4/127.0.0.1/tcp/${directoryHttp}`] })
    cluster.nodeExtra = ['--http', `/ip4/127.0.0.1/tcp/${nodeHttp}`]
    await cluster.startNode(1)
    await cluster.waitFor('two nodes alive', async () => (await cluster!.json(['nodes'])).filter((n: any) => n.alive).length === 2)
    // traffic gives libp2p's per-listener and per-protocol gauges their samples
    const content = randomBytes(600 * 1024)
    const id = await cluster.upload('metered.bin', content, ['--chunk-size', '256KiB', '--replicas', '2'])
    const down = await cluster.client(['download', id, '-'])
    assert.equal(down.code, 0, down.stderr)

    const directoryUrl = `http://127.0.0.1:${directoryHttp}/metrics`
    const nodeUrl = `http://127.0.0.1:${nodeHttp}/metrics`
    // libp2p's connection monitor pings each connection every 10 s; its timings are a gauge of their own
    const ping = /^libp2p_connection_monitor_ping_time\w*\{/m
    await cluster.waitFor('a ping timing on the directory and the node', async () =>
      ping.test(await metricsText(directoryUrl)) && ping.test(await metricsText(nodeUrl)), 40_000)

    for (const [peer, url] of [['directory', directoryUrl], ['node', nodeUrl]]) {
      const text = await metricsText(url)
      assert.match(text, /^libp2p_tcp_inbound_connections\w*\{/m, `${peer}: libp2p's listener gauges are served`)
      const check = await promtoolCheck(text)
      assert.equal(check.code, 0, `promtool check metrics on the ${peer}'s /metrics:\n${check.output}`)
    }
  })
})
