import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { Cluster, PeerProcess, freePort, runClient } from '../helpers/cluster.ts'
import { tempDir } from '../helpers/tmp.ts'

/** Where Chromium is looked for: CHROMIUM_PATH when set, else the usual names on PATH and in /snap/bin. */
function chromiumCandidates (): string[] {
  if (process.env.CHROMIUM_PATH != null && process.env.CHROMIUM_PATH !== '') return [process.env.CHROMIUM_PATH]
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== ''), '/usr/bin', '/snap/bin']
  return ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'].flatMap((name) => dirs.map((dir) => join(dir, name)))
}

function findChromium (): string | undefined {
  return chromiumCandidates().find((path) => {
    try {
      accessSync(path, constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/** .ci/run sets DFS_CI_REQUIRE_ALL=1 (or DFS_REQUIRE_BROWSER=1 alone): there a missing browser fails the test instead of skipping it. */
const BROWSER_REQUIRED = process.env.DFS_CI_REQUIRE_ALL === '1' || process.env.DFS_REQUIRE_BROWSER === '1'
const MISSING_BROWSER = `no Chromium at ${process.env.CHROMIUM_PATH != null && process.env.CHROMIUM_PATH !== '' ? `CHROMIUM_PATH=${process.env.CHROMIUM_PATH}` : 'chromium, chromium-browser or google-chrome on PATH'}: install it with \`sudo apt-get install chromium\` (or set CHROMIUM_PATH)`
/** Debian's chromium (.ci/run installs it); the flags keep it off this machine's closed network. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** Prometheus text format: `name{labels} value` lines, comments skipped. */
function parseMetrics (text: string): Array<{ name: string, labels: Record<string, string>, value: number }> {
  const samples = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/)
    assert.ok(match != null, `a metrics line that is not in the Prometheus text format: ${line}`)
    const labels: Record<string, string> = {}
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value
    samples.push({ name: match[1], labels, value: Number(match[3]) })
  }
  return samples
}

function sample (samples: ReturnType<typeof parseMetrics>, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value
}

describe('operators: the status page, /metrics and GET /files over HTTP', function () {
  this.timeout(180_000)
  let cluster: Cluster | undefined
  let browser: Browser | undefined
  afterEach(async () => {
    await browser?.close()
    browser = undefined
    await cluster?.stop()
    cluster = undefined
  })

  async function upload (c: Cluster, name: string, content: Buffer): Promise<string> {
    return await c.upload(name, content, ['--chunk-size', '256KiB'])
  }

  it('shows the nodes, the files and their health in a real browser, and follows a node\'s death', async function () {
    const executablePath = findChromium()
    if (executablePath == null) {
      if (BROWSER_REQUIRED) assert.fail(`a browser is required here (DFS_CI_REQUIRE_ALL or DFS_REQUIRE_BROWSER) and ${MISSING_BROWSER}`)
      process.stderr.write(`      skipped the status page's browser test: ${MISSING_BROWSER}\n`)
      this.skip()
    }
    const httpPort = await freePort()
    // a small capacity, so that the usage bars are visibly filled
    cluster = await Cluster.start({ nodes: 3, deadAfter: '2s', nodeArgs: ['--capacity', '4MiB'], directoryArgs: ['--http', `/ip4/127.0.0.1/tcp/${httpPort}`] })
    assert.match(cluster.directory.stderr, new RegExp(`status page on http://127\\.0\\.0\\.1:${httpPort}/`))
    const id = await upload(cluster, 'report.pdf', randomBytes(700 * 1024))

    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS })
    // a laptop's browser window
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.goto(`http://127.0.0.1:${httpPort}/`)
    const fileRow = page.locator(`#files tr[data-file-id="${id}"]`)
    await fileRow.waitFor({ timeout: 15_000 })
    assert.equal(await fileRow.locator('td.name').textContent(), 'report.pdf')
    assert.equal(await fileRow.locator('td').nth(4).textContent(), 'healthy')
    for (const node of cluster.nodes) {
      const row = page.locator(`#nodes tr[data-peer-id="${node.peerId}"]`)
      assert.equal(await row.locator('td').nth(1).textContent(), 'alive')
      assert.match((await row.locator('td').nth(2).textContent()) ?? '', /\/ip4\/127\.0\.0\.1\/tcp\/\d+/)
    }
    assert.equal(await page.locator('#health td').first().textContent(), 'healthy')

    // it fits the window: nothing runs off the right edge, no horizontal scroll
    const fit = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      rights: ['#nodes', '#files', '#health', '#repair'].map((table) => document.querySelector(table)!.getBoundingClientRect().right)
    }))
    assert.ok(fit.scrollWidth <= fit.clientWidth, `the page scrolls sideways: ${fit.scrollWidth} > ${fit.clientWidth} px`)
    for (const right of fit.rights) assert.ok(right <= fit.clientWidth, `a table ends at ${right} px, past the window's ${fit.clientWidth}`)

    // each node's used/capacity as a bar, as full as the directory says
    const status = await (await fetch(`http://127.0.0.1:${httpPort}/api/status`)).json()
    for (const node of status.nodes) {
      assert.ok(node.used > 0 && node.used < node.capacity, `node ${node.peerId}: ${node.used} of ${node.capacity} bytes`)
      const selector = `#nodes tr[data-peer-id="${node.peerId}"] td:nth-child(4) [role=progressbar]`
      const bar = page.locator(selector)
      // the page may still show the usage of a heartbeat before
      await page.waitForFunction(([selector, used]) => document.querySelector(selector)?.getAttribute('aria-valuenow') === used, [selector, String(node.used)] as const, { timeout: 10_000 })
      assert.equal(await bar.getAttribute('aria-valuemax'), String(node.capacity))
      const [barBox, fillBox] = await Promise.all([bar.boundingBox(), bar.locator('.fill').boundingBox()])
      assert.ok(barBox != null && fillBox != null && barBox.width > 40, 'the bar is drawn')
      assert.ok(Math.abs(fillBox.width / barBox.width - node.used / node.capacity) < 0.02, `filled ${fillBox.width} of ${barBox.width} px for ${node.used} of ${node.capacity} bytes`)
    }
    const atTarget = page.locator('#at-target')
    assert.equal(await atTarget.getAttribute('aria-valuenow'), await atTarget.getAttribute('aria-valuemax'), 'every chunk at target')

    // the page refreshes itself: a killed node shows as dead, and its file as under-replicated
    const victim = cluster.nodes[0]
    await victim.kill9()
    await page.locator(`#nodes tr[data-peer-id="${victim.peerId}"] td.dead`).waitFor({ timeout: 20_000 })
    await page.locator(`#files tr[data-file-id="${id}"] td.under-replicated`).waitFor({ timeout: 10_000 })
    assert.equal(await page.locator('#health td').first().textContent(), 'under-replicated')
    // and the chunks-at-target bar drops: repairs fill it back up
    assert.ok(Number(await atTarget.getAttribute('aria-valuenow')) < Number(await atTarget.getAttribute('aria-valuemax')), 'fewer chunks at target')
  })

  it('serves Prometheus metrics on the directory and on a node, and files by ID and by name', async () => {
    const httpPort = await freePort()
    const nodeHttpPort = await freePort()
    cluster = await Cluster.start({ nodes: 2, directoryArgs: ['--http', `/ip4/127.0.0.1/tcp/${httpPort}`] })
    // a third node with its own /metrics
    cluster.nodeExtra = ['--http', `/ip4/127.0.0.1/tcp/${nodeHttpPort}`]
    const metered = await cluster.startNode(2)
    await cluster.waitFor('three nodes alive', async () => (await cluster!.json(['nodes'])).filter((n: any) => n.alive).length === 3)
    const content = randomBytes(600 * 1024)
    const id = await upload(cluster, 'numbers.csv', content)
    const base = `http://127.0.0.1:${httpPort}`

    const byId = await fetch(`${base}/files/${id}`)
    assert.equal(byId.status, 200)
    assert.equal(byId.headers.get('content-length'), String(content.byteLength))
    assert.ok(Buffer.from(await byId.arrayBuffer()).equals(content), 'GET /files/<ID> byte for byte')
    const byName = await fetch(`${base}/files/numbers.csv`)
    assert.equal(byName.status, 200)
    assert.match(byName.headers.get('content-disposition') ?? '', /numbers\.csv/)
    assert.ok(Buffer.from(await byName.arrayBuffer()).equals(content), 'GET /files/<name> byte for byte')
    const missing = await fetch(`${base}/files/no-such-file`)
    assert.equal(missing.status, 404)
    assert.match(await missing.text(), /^error: no file has the name or ID "no-such-file"/)
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405)
    assert.equal((await fetch(`${base}/nowhere`)).status, 404)

    const directoryMetrics = await fetch(`${base}/metrics`)
    assert.equal(directoryMetrics.status, 200)
    assert.match(directoryMetrics.headers.get('content-type') ?? '', /^text\/plain/)
    const samples = parseMetrics(await directoryMetrics.text())
    const info = await cluster.json(['stat', id])
    assert.equal(sample(samples, 'dfs_chunks', { health: 'healthy' }), info.chunks.length)
    assert.equal(sample(samples, 'dfs_chunks', { health: 'under_replicated' }), 0)
    assert.equal(sample(samples, 'dfs_chunks', { health: 'lost' }), 0)
    assert.equal(sample(samples, 'dfs_nodes', { state: 'alive' }), 3)
    assert.ok((sample(samples, 'dfs_requests_total', { protocol: 'directory', result: 'ok' }) ?? 0) >= 3, 'begin, complete, resolve')
    assert.ok((sample(samples, 'dfs_requests_total', { protocol: 'register', result: 'ok' }) ?? 0) >= 3, 'heartbeats')
    assert.equal(sample(samples, 'dfs_http_bytes_sent_total'), 2 * content.byteLength)
    for (const node of cluster.nodes) {
      const age = sample(samples, 'dfs_node_heartbeat_age_seconds', { peer_id: node.peerId })
      assert.ok(age != null && age >= 0 && age < 5, `heartbeat age of ${node.peerId}: ${age}`)
    }
    assert.ok((sample(samples, 'dfs_process_resident_memory_bytes') ?? 0) > 0, 'process metrics')
    // libp2p's own metrics, in the same registry
    assert.ok((sample(samples, 'libp2p_data_transfer_bytes_total', { protocol: '/dfs/directory/1.0.0 received' }) ?? 0) > 0, 'libp2p metrics')

    const nodeText = await (await fetch(`http://127.0.0.1:${nodeHttpPort}/metrics`)).text()
    const nodeSamples = parseMetrics(nodeText)
    const held = info.chunks.filter((chunk: any) => chunk.peers.includes(metered.peerId))
    assert.equal(sample(nodeSamples, 'dfs_chunks_stored'), held.length)
    assert.equal(sample(nodeSamples, 'dfs_chunk_bytes_received_total'), held.reduce((sum: number, chunk: any) => sum + chunk.size, 0))
    assert.ok((sample(nodeSamples, 'dfs_requests_total', { protocol: 'store', op: 'PUT', result: 'ok' }) ?? 0) >= held.length)
    assert.ok((sample(nodeSamples, 'libp2p_data_transfer_bytes_total', { protocol: '/dfs/store/1.0.0 received' }) ?? 0) >= held.reduce((sum: number, chunk: any) => sum + chunk.size, 0))
    const beat = sample(nodeSamples, 'dfs_directory_heartbeat_age_seconds')
    assert.ok(beat != null && beat >= 0 && beat < 5, `node's heartbeat age ${beat}`)
  })

  it('serves files in a closed cluster whose reads are open (--open-reads), through the directory\'s own reader', async () => {
    const work = await tempDir()
    try {
      const writerHome = join(work.path, 'writer')
      const who = await runClient(['id'], { env: { DFS_HOME: writerHome } })
      const writer = who.stdout.trim()
      const httpPort = await freePort()
      cluster = await Cluster.start({
        nodes: 2,
        access: (nodeIds) => [...nodeIds.flatMap((id) => ['--allow-node', id]), '--allow-write', writer, '--open-reads'],
        directoryArgs: ['--http', `/ip4/127.0.0.1/tcp/${httpPort}`]
      })
      const content = randomBytes(300_000)
      const path = join(work.path, 'shared.bin')
      await writeFile(path, content)
      const up = await cluster.client(['upload', path], { env: { DFS_HOME: writerHome } })
      assert.equal(up.code, 0, up.stderr)
      // the nodes admit their directory, which reads the chunks itself (reads need no grant)
      const served = await fetch(`http://127.0.0.1:${httpPort}/files/shared.bin`)
      assert.equal(served.status, 200)
      assert.ok(Buffer.from(await served.arrayBuffer()).equals(content), 'byte for byte')
      const head = await fetch(`http://127.0.0.1:${httpPort}/files/shared.bin`, { method: 'HEAD' })
      assert.deepEqual([head.status, head.headers.get('content-length')], [200, String(content.byteLength)])
      // with every copy gone, an error before any byte rather than a cut-off 200
      for (const node of cluster.nodes) await node.kill9()
      const unreadable = await fetch(`http://127.0.0.1:${httpPort}/files/shared.bin`)
      assert.equal(unreadable.status, 502)
      assert.match(await unreadable.text(), /^error: cannot read shared\.bin from the nodes: /)
    } finally {
      await work.cleanup()
    }
  })

  it('cuts GET /files short at a chunk whose only copy is corrupt, and has that node check its copy', async () => {
    const httpPort = await freePort()
    cluster = await Cluster.start({ nodes: 1, nodeArgs: ['--scrub-rate', '0'], directoryArgs: ['--http', `/ip4/127.0.0.1/tcp/${httpPort}`] })
    const content = randomBytes(6 * 256 * 1024)
    const id = await upload(cluster, 'spoilt.bin', content)
    const victim = (await cluster.json(['stat', id])).chunks[4]
    const chunkFile = join(cluster.nodeDataDir(0), 'store', 'chunks', victim.id.slice(-2), victim.id)
    const bytes = await readFile(chunkFile)
    bytes[99] ^= 0x01
    await writeFile(chunkFile, bytes)

    const response = await fetch(`http://127.0.0.1:${httpPort}/files/${id}`)
    // the first chunks were good: the headers went out, then the body stops short of its length
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-length'), String(content.byteLength))
    await assert.rejects(response.arrayBuffer())
    await cluster.nodes[0].waitFor(/is corrupt on disk: quarantined/)
  })

  it('keeps HTTP downloads off when reads need a grant, and refuses a bad --http address clearly', async () => {
    const httpPort = await freePort()
    cluster = await Cluster.start({ nodes: 1, access: (nodeIds) => nodeIds.flatMap((id) => ['--allow-node', id]), directoryArgs: ['--http', `/ip4/127.0.0.1/tcp/${httpPort}`] })
    const refused = await fetch(`http://127.0.0.1:${httpPort}/files/anything`)
    assert.equal(refused.status, 403)
    assert.match(await refused.text(), /reads in this cluster need a grant/)
    const status = await (await fetch(`http://127.0.0.1:${httpPort}/api/status`)).json()
    assert.equal(status.nodes.length, 1)

    const bad = await PeerProcess.start(['--role', 'directory', '--open', '--data-dir', join(cluster.root, 'other'), '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '/ip4/127.0.0.1/udp/9'])
      .then(() => 'started', (err: Error) => err.message)
    assert.match(bad, /error: --http: "\/ip4\/127\.0\.0\.1\/udp\/9" is not a TCP address/)
    assert.doesNotMatch(bad, /\n\s+at /, 'no stack trace')
  })
})
