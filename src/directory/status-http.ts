import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Registry } from 'prom-client'
import { sendJson, sendText, type HttpHandler } from '../http/http-server.ts'
import type { DirectoryIndex, FileRecord } from './index-db.ts'
import type { Repairer } from './repair.ts'
import type { DirectoryMetrics } from '../http/metrics.ts'
import { errorMessage } from '../util/log.ts'

/** Files listed on the status page: the first ones by name; the rest are counted. */
const STATUS_FILES = 200

export interface StatusInit {
  index: DirectoryIndex
  repairer: Repairer
  metrics: DirectoryMetrics
  registry: Registry
  deadAfterMs: number
  peerId: string
  addrs: () => string[]
  startedAt: number
  /** reads need no grant (--open, --open-reads): only then does GET /files serve files */
  readsOpen: boolean
  /** a file's bytes by its ID, each chunk verified before it is yielded, for GET /files */
  readFile: (fileId: string, signal: AbortSignal) => AsyncIterable<Uint8Array>
}

export type FileHealth = 'healthy' | 'under-replicated' | 'lost'

/** What the page shows, also served as JSON at /api/status. */
export async function clusterStatus (init: StatusInit): Promise<unknown> {
  const now = Date.now()
  const aliveSince = now - init.deadAfterMs
  const nodes = init.index.listNodes().map((node) => ({
    peerId: node.peerId,
    addrs: node.addrs,
    alive: node.lastSeen >= aliveSince,
    used: node.used,
    capacity: node.capacity,
    chunks: node.chunks,
    lastSeen: new Date(node.lastSeen).toISOString(),
    heartbeatAgeSeconds: Math.max(0, (now - node.lastSeen) / 1000)
  }))
  const files: FileRecord[] = init.index.listFiles('', STATUS_FILES)
  const health = init.index.fileHealth(files.map((file) => file.id), aliveSince)
  const counts = init.index.counts()
  const chunks = await init.index.health(aliveSince)
  return {
    directory: { peerId: init.peerId, addrs: init.addrs(), startedAt: new Date(init.startedAt).toISOString() },
    health: {
      status: chunks.lost > 0 ? 'lost' : chunks.underReplicated > 0 ? 'under-replicated' : 'healthy',
      chunks: chunks.chunks,
      healthy: chunks.healthy,
      underReplicated: chunks.underReplicated,
      lost: chunks.lost,
      nodesAlive: nodes.filter((node) => node.alive).length,
      nodesDead: nodes.filter((node) => !node.alive).length
    },
    nodes,
    files: files.map((file) => {
      const h = health.get(file.id) ?? { under: 0, lost: 0 }
      const fileHealth: FileHealth = h.lost > 0 ? 'lost' : h.under > 0 ? 'under-replicated' : 'healthy'
      return { name: file.name, id: file.id, size: file.size, uploadedAt: new Date(file.uploadedAt).toISOString(), replicas: file.replicas, health: fileHealth }
    }),
    filesTotal: counts.names,
    repair: { pending: init.repairer.pending, copiesDone: init.repairer.copiesDone, copiesFailed: init.repairer.copiesFailed }
  }
}

/**
 * The directory's HTTP listener: the status page (/), its data
 * (/api/status), Prometheus metrics (/metrics) and file downloads
 * (/files/<ID or name>). Read-only: anything but GET and HEAD is refused.
 */
export function statusHandler (init: StatusInit): HttpHandler {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD')
      sendText(response, 405, 'error: this listener is read-only\n')
      return
    }
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    if (path === '/' || path === '/index.html') {
      sendText(response, 200, STATUS_PAGE, 'text/html; charset=utf-8')
    } else if (path === '/api/status') {
      sendJson(response, 200, await clusterStatus(init))
    } else if (path === '/metrics') {
      const text = await init.registry.metrics()
      sendText(response, 200, text, init.registry.contentType)
    } else if (path.startsWith('/files/')) {
      await serveFile(init, request, response, path.slice('/files/'.length))
    } else {
      sendText(response, 404, 'error: not found; try /, /api/status, /metrics or /files/<ID or name>\n')
    }
  }
}

async function serveFile (init: StatusInit, request: IncomingMessage, response: ServerResponse, encodedRef: string): Promise<void> {
  if (!init.readsOpen) {
    sendText(response, 403, 'error: reads in this cluster need a grant, so HTTP downloads are off; use dfs-client with a key on the directory\'s --allow-read list, or start the directory with --open-reads\n')
    return
  }
  let ref: string
  try {
    ref = decodeURIComponent(encodedRef)
  } catch {
    sendText(response, 400, 'error: the file name is not valid percent-encoding\n')
    return
  }
  if (ref === '') {
    sendText(response, 404, 'error: no file named; use /files/<ID or name>\n')
    return
  }
  const file = init.index.resolve(ref)
  if (file == null) {
    sendText(response, 404, `error: no file has the name or ID "${ref.slice(0, 300)}"\n`)
    return
  }
  const filename = (file.name !== '' ? file.name : file.id).split('/').pop() ?? file.id
  const headers = {
    'content-type': 'application/octet-stream',
    'content-length': String(file.size),
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`,
    'x-dfs-file-id': file.id,
    'cache-control': 'no-store'
  }
  if (request.method === 'HEAD') {
    response.writeHead(200, headers)
    response.end()
    return
  }
  // every chunk is verified before it is written here
  const abort = new AbortController()
  response.once('close', () => { abort.abort() })
  const pieces = init.readFile(file.id, abort.signal)[Symbol.asyncIterator]()
  let next: IteratorResult<Uint8Array>
  try {
    next = await pieces.next()
  } catch (err) {
    // nothing sent yet: a proper error, not a cut-off 200
    sendText(response, 502, `error: cannot read ${ref.slice(0, 300)} from the nodes: ${errorMessage(err)}\n`)
    return
  }
  response.writeHead(200, headers)
  // from here a failure cuts the response short of its content-length
  for (; next.done !== true; next = await pieces.next()) {
    init.metrics.httpBytesSent.inc(next.value.byteLength)
    if (!response.write(next.value)) await new Promise<void>((resolve) => { response.once('drain', resolve); response.once('close', resolve) })
    if (abort.signal.aborted) return
  }
  response.end()
}

/** One self-contained page: no external assets, so it works on a closed network. */
const STATUS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dfs cluster status</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; }
  main { max-width: 1360px; margin: 0 auto; padding: 1.25rem 1.5rem; }
  h1 { font-size: 1.3rem; margin: 0 0 .2rem; }
  h2 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
  /* fixed layouts with wrapping IDs: long peer IDs and multiaddrs cannot push a table past the window */
  table { border-collapse: collapse; width: 100%; table-layout: fixed; }
  th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; overflow-wrap: anywhere; }
  thead th { background: #f4f4f4; font-weight: 600; }
  tbody th { font-weight: 600; width: 9rem; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
  .summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 0 2.5rem; }
  .healthy, .alive { color: #17702c; font-weight: 600; }
  .under-replicated { color: #a35b00; font-weight: 600; }
  .lost, .dead { color: #b00020; font-weight: 600; }
  .muted { color: #666; }
  #error { color: #b00020; }
  .meter-text { display: block; font-variant-numeric: tabular-nums; }
  .bar { display: block; height: .55rem; margin-top: .2rem; background: #e4e4e4; border-radius: 3px; overflow: hidden; }
  .bar > .fill { display: block; height: 100%; background: #3f7fbf; }
  .bar.full > .fill { background: #a35b00; }
  .bar.health > .fill { background: #2e8b4a; }
  .addr { display: block; overflow-wrap: normal; }
</style>
</head>
<body>
<main>
<h1>dfs cluster</h1>
<div class="muted">directory <code id="directory">…</code> · updated <span id="updated">never</span> · refreshes every 2 s</div>
<div id="error" role="alert"></div>
<div class="summary">
<section>
<h2>Health</h2>
<table id="health"><tbody></tbody></table>
</section>
<section>
<h2>Repair</h2>
<table id="repair"><tbody></tbody></table>
</section>
</div>
<h2>Nodes</h2>
<table id="nodes">
<colgroup><col style="width: 33%"><col style="width: 4.5rem"><col style="width: 19%"><col style="width: 22%"><col style="width: 5.5rem"><col style="width: 7.5rem"></colgroup>
<thead><tr><th>peer ID</th><th>state</th><th>addresses</th><th>used / capacity</th><th class="num">chunks</th><th class="num">last heartbeat</th></tr></thead><tbody></tbody></table>
<h2>Files <span class="muted" id="files-count"></span></h2>
<table id="files">
<colgroup><col style="width: 24%"><col style="width: 37%"><col style="width: 6.5rem"><col style="width: 4.5rem"><col style="width: 10.5rem"><col style="width: 10.5rem"></colgroup>
<thead><tr><th>name</th><th>ID</th><th class="num">size</th><th class="num">copies</th><th>health</th><th>uploaded</th></tr></thead><tbody></tbody></table>
</main>
<script>
'use strict'
function bytes (n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++ }
  return (i === 0 ? String(n) : n.toFixed(1)) + ' ' + units[i]
}
function percent (part, whole) {
  return whole > 0 ? Math.min(100, 100 * part / whole) : 0
}
function cell (row, text, className) {
  const td = document.createElement('td')
  td.textContent = text
  if (className) td.className = className
  row.appendChild(td)
  return td
}
/** A bar for part of whole, readable by screen readers too; its text goes above it. */
function meter (td, part, whole, text, className) {
  const label = document.createElement('span')
  label.className = 'meter-text'
  label.textContent = text
  const bar = document.createElement('span')
  bar.className = 'bar ' + className
  bar.setAttribute('role', 'progressbar')
  bar.setAttribute('aria-valuemin', '0')
  bar.setAttribute('aria-valuemax', String(whole))
  bar.setAttribute('aria-valuenow', String(Math.min(part, whole)))
  bar.setAttribute('aria-valuetext', text)
  const fill = document.createElement('span')
  fill.className = 'fill'
  fill.style.width = percent(part, whole) + '%'
  bar.appendChild(fill)
  td.replaceChildren(label, bar)
  return bar
}
function fill (id, rows) {
  const body = document.querySelector('#' + id + ' tbody')
  body.replaceChildren(...rows)
}
function pairs (list) {
  return list.map(function (pair) {
    const tr = document.createElement('tr')
    const th = document.createElement('th')
    th.textContent = pair[0]
    tr.appendChild(th)
    const td = cell(tr, String(pair[1]), pair[2])
    if (pair[3]) pair[3](td)
    return tr
  })
}
function render (s) {
  document.getElementById('directory').textContent = s.directory.peerId
  const atTarget = s.health.healthy + ' of ' + s.health.chunks + ' chunks (' + Math.floor(percent(s.health.healthy, s.health.chunks)) + '%)'
  fill('health', pairs([
    ['cluster', s.health.status, s.health.status],
    // the share of chunks with all their copies: repairs fill this bar back up
    ['at target', atTarget, '', function (td) {
      meter(td, s.health.healthy, s.health.chunks, atTarget, 'health').id = 'at-target'
    }],
    ['under-replicated', s.health.underReplicated, s.health.underReplicated > 0 ? 'under-replicated' : ''],
    ['lost', s.health.lost, s.health.lost > 0 ? 'lost' : ''],
    ['nodes', s.health.nodesAlive + ' alive, ' + s.health.nodesDead + ' dead']
  ]))
  fill('nodes', s.nodes.map(function (n) {
    const tr = document.createElement('tr')
    tr.dataset.peerId = n.peerId
    cell(tr, n.peerId, 'peer mono')
    cell(tr, n.alive ? 'alive' : 'dead', n.alive ? 'alive' : 'dead')
    // the peer ID is in the first column: each address is shown without its /p2p/ part
    const addrs = cell(tr, '', 'mono')
    addrs.replaceChildren(...n.addrs.map(function (addr) {
      const line = document.createElement('span')
      line.className = 'addr'
      line.title = addr
      // a narrow column breaks an address between its parts, not inside a number
      addr.replace('/p2p/' + n.peerId, '').split('/').forEach(function (part, i) {
        if (i > 0) line.append(document.createElement('wbr'), '/')
        line.append(part)
      })
      return line
    }))
    meter(cell(tr, ''), n.used, n.capacity, bytes(n.used) + ' of ' + bytes(n.capacity) + ' (' + Math.floor(percent(n.used, n.capacity)) + '%)',
      'usage' + (percent(n.used, n.capacity) >= 90 ? ' full' : ''))
    cell(tr, String(n.chunks), 'num')
    cell(tr, n.heartbeatAgeSeconds.toFixed(1) + ' s ago', 'num')
    return tr
  }))
  document.getElementById('files-count').textContent = '(' + s.filesTotal + (s.filesTotal > s.files.length ? ', first ' + s.files.length + ' shown' : '') + ')'
  fill('files', s.files.map(function (f) {
    const tr = document.createElement('tr')
    tr.dataset.fileId = f.id
    cell(tr, f.name).className = 'name'
    cell(tr, f.id, 'mono')
    cell(tr, bytes(f.size), 'num')
    cell(tr, String(f.replicas), 'num')
    cell(tr, f.health, f.health)
    cell(tr, new Date(f.uploadedAt).toLocaleString())
    return tr
  }))
  fill('repair', pairs([
    ['tasks pending', s.repair.pending],
    ['copies made', s.repair.copiesDone],
    ['copies failed', s.repair.copiesFailed, s.repair.copiesFailed > 0 ? 'under-replicated' : '']
  ]))
  document.getElementById('updated').textContent = new Date().toLocaleTimeString()
}
async function refresh () {
  try {
    const response = await fetch('/api/status', { cache: 'no-store' })
    if (!response.ok) throw new Error('the directory answered ' + response.status)
    render(await response.json())
    document.getElementById('error').textContent = ''
  } catch (err) {
    document.getElementById('error').textContent = 'cannot reach the directory: ' + err.message
  } finally {
    setTimeout(refresh, 2000)
  }
}
refresh()
</script>
</body>
</html>
`
