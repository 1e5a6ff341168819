import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { binArgv } from '../../src/util/node-command.ts'
import { CLIENT_BIN, Cluster } from '../helpers/cluster.ts'

const run = promisify(execFile)

/** Quote for sh -c. */
const quote = (arg: string): string => `'${arg.replaceAll('\'', '\'\\\'\'')}'`

describe('dfs-client output: progress bars, several files, --json shapes', function () {
  this.timeout(180_000)
  let cluster: Cluster
  // each node serves /metrics on a port of its own: its store request counts show how uploads were sent
  before(async () => { cluster = await Cluster.start({ nodes: 2, nodeArgs: ['--http', '/ip4/127.0.0.1/tcp/0'] }) })
  after(async () => { await cluster?.stop() })

  /** Store PUT requests (single chunks and batches alike) the nodes have answered so far, all nodes together. */
  async function putsServed (): Promise<number> {
    let total = 0
    for (const node of cluster.nodes) {
      // the log is JSON lines: the address ends at the closing quote
      const url = /metrics on (http:\/\/[^\s"]+)/.exec(node.stderr)?.[1]
      assert.ok(url != null, `the node printed its metrics address:\n${node.stderr.slice(-2000)}`)
      const response = await fetch(url)
      assert.equal(response.status, 200, url)
      const text = await response.text()
      for (const match of text.matchAll(/^dfs_requests_total\{([^}]*)\} (\d+)$/gm)) {
        if (match[1].includes('protocol="store"') && match[1].includes('op="PUT"')) total += Number(match[2])
      }
    }
    return total
  }

  /** Run dfs-client on a pseudo-terminal (util-linux `script`): what a person at a terminal sees. */
  async function onTerminal (args: string[]): Promise<string> {
    const command = [...binArgv(CLIENT_BIN), '--directory', cluster.directoryAddr, ...args].map(quote).join(' ')
    const { stdout } = await run('script', ['-qefc', command, '/dev/null'], { env: { ...process.env, DFS_HOME: cluster.clientHome, COLUMNS: '160' }, maxBuffer: 16 * 1024 * 1024 })
    return stdout
  }

  it('shows a progress bar on a terminal, none with --quiet, and none when stderr is not a terminal', async () => {
    const path = join(cluster.root, 'big.bin')
    await writeFile(path, randomBytes(12 * 1024 * 1024))
    const shown = await onTerminal(['upload', path, '--chunk-size', '1MiB'])
    assert.match(shown, /big\.bin \[[^\]]*\] 100% \| 12\.0 MiB of 12\.0 MiB \| [\d.]+ [KMG]?i?B\/s \| ETA/)
    const id = /\b(b[a-z2-7]{50,})\b/.exec(shown)?.[1]
    assert.ok(id != null, `the ID is printed: ${shown}`)
    const down = await onTerminal(['download', id, join(cluster.root, 'big.copy')])
    assert.match(down, /\] 100% \| 12\.0 MiB of 12\.0 MiB/)

    const quiet = await onTerminal(['upload', path, '--quiet'])
    assert.doesNotMatch(quiet, /%|ETA/)
    assert.match(quiet.trim(), /^b[a-z2-7]+$/)

    const piped = await cluster.client(['upload', path])
    assert.equal(piped.code, 0, piped.stderr)
    assert.equal(piped.stderr, '', 'nothing on stderr when it is not a terminal')
    assert.match(piped.stdout, /^b[a-z2-7]+\n$/)
  })

  it('uploads several files and folders (--recursive) with one overall bar, refusing clashing names', async () => {
    const folder = join(cluster.root, 'photos')
    await mkdir(join(folder, '2025'), { recursive: true })
    const contents = new Map([['a.jpg', randomBytes(300_000)], ['b.jpg', randomBytes(5)], ['c.jpg', Buffer.alloc(0)]])
    await writeFile(join(folder, 'a.jpg'), contents.get('a.jpg')!)
    await writeFile(join(folder, '2025', 'b.jpg'), contents.get('b.jpg')!)
    const single = join(cluster.root, 'c.jpg')
    await writeFile(single, contents.get('c.jpg')!)

    const notRecursive = await cluster.client(['upload', folder])
    assert.equal(notRecursive.code, 1)
    assert.match(notRecursive.stderr, /^error: .*photos is a folder: give --recursive/)

    const shown = await onTerminal(['upload', '--recursive', folder, single])
    assert.match(shown, /3\/3 c\.jpg \[[^\]]*\] 100%/)
    const up = await cluster.json(['upload', '--recursive', folder, single, '--replicas', '2'])
    assert.deepEqual(up.map((file: any) => file.name).sort(), ['a.jpg', 'b.jpg', 'c.jpg'])
    for (const file of up) {
      assert.deepEqual(Object.keys(file).sort(), ['id', 'name', 'size'])
      assert.equal(file.size, contents.get(file.name)!.byteLength)
      const back = await cluster.client(['download', file.id, '-'])
      assert.ok(back.stdoutBytes.equals(contents.get(file.name)!), `${file.name} byte for byte`)
    }

    await writeFile(join(folder, '2025', 'a.jpg'), 'another a')
    const clash = await cluster.client(['upload', '-r', folder])
    assert.equal(clash.code, 1)
    assert.match(clash.stderr, /would both be named "a\.jpg"/)
    const twoNames = await cluster.client(['upload', single, join(folder, 'a.jpg'), '--name', 'x'])
    assert.equal(twoNames.code, 2)
    assert.match(twoNames.stderr, /--name names one file/)
  })

  it('uploads a folder of many small files several at a time, and lists them in the order given', async () => {
    const folder = join(cluster.root, 'many')
    await mkdir(folder)
    const names = Array.from({ length: 40 }, (_, i) => `m${String(i).padStart(2, '0')}.txt`)
    const contents = names.map(() => randomBytes(2000))
    for (const [i, name] of names.entries()) await writeFile(join(folder, name), contents[i])
    const putsBefore = await putsServed()
    const up = await cluster.json(['upload', '--recursive', folder])
    assert.deepEqual(up.map((file: any) => file.name), names)
    // one at a time, each of the 40 files would be a PUT on each of the 2 nodes: 80; several at a time, they share batches
    const puts = await putsServed() - putsBefore
    assert.ok(puts > 0 && puts <= 40, `${puts} store PUT requests for 40 small files on 2 nodes`)
    for (const i of [0, 17, 39]) {
      const back = await cluster.client(['download', up[i].id, '-'])
      assert.ok(back.stdoutBytes.equals(contents[i]), `${names[i]} byte for byte`)
    }
    const text = await cluster.client(['upload', '--recursive', folder])
    assert.deepEqual(text.stdout.trim().split('\n').map((line) => line.split('  ')[1]), names)
  })

  it('prints one documented JSON shape per command', async () => {
    const path = join(cluster.root, 'shape.txt')
    await writeFile(path, 'hello shapes\n')
    const [uploaded] = await cluster.json(['upload', path])
    assert.deepEqual(uploaded, { name: 'shape.txt', id: uploaded.id, size: 13 })

    const dest = join(cluster.root, 'shape.out')
    const downloaded = await cluster.json(['download', 'shape.txt', dest])
    assert.deepEqual(downloaded, { name: 'shape.txt', id: uploaded.id, size: 13, path: dest })
    assert.equal(await readFile(dest, 'utf8'), 'hello shapes\n')
    const toStdout = await cluster.client(['download', 'shape.txt', '-', '--json'])
    assert.equal(toStdout.code, 2)
    assert.match(toStdout.stderr, /--json prints to stdout/)

    const id = await cluster.json(['id'])
    assert.deepEqual(Object.keys(id), ['peerId'])
    assert.match(id.peerId, /^12D3KooW/)

    const listed = await cluster.json(['ls'])
    assert.deepEqual(Object.keys(listed.find((f: any) => f.name === 'shape.txt')).sort(), ['id', 'name', 'size', 'uploadedAt'])
    const stat = await cluster.json(['stat', 'shape.txt'])
    assert.deepEqual(Object.keys(stat).sort(), ['chunks', 'health', 'id', 'name', 'replicas', 'size', 'uploadedAt'])
    assert.deepEqual(Object.keys(stat.chunks[0]).sort(), ['health', 'id', 'offset', 'peers', 'size'])
    const nodes = await cluster.json(['nodes'])
    assert.deepEqual(Object.keys(nodes[0]).sort(), ['addrs', 'alive', 'capacity', 'chunks', 'lastSeen', 'peerId', 'used'])
    const health = await cluster.json(['health'])
    assert.deepEqual(Object.keys(health).sort(), ['chunks', 'healthy', 'lost', 'nodesAlive', 'nodesDead', 'underReplicated'])
    const removed = await cluster.json(['rm', 'shape.txt'])
    assert.deepEqual(removed, { name: 'shape.txt', id: uploaded.id, size: 13 })
  })
})
