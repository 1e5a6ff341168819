import { readdir, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import { Command, InvalidArgumentError } from 'commander'
import { DfsClient, SMALL_FILE_BYTES } from '../client/client.ts'
import { BoundedTasks } from '../util/bounded-tasks.ts'
import { clientHome, loadClientConfig } from '../config/client-home.ts'
import { CLIENT_KEY_FILE, loadOrCreatePeerKey, peerIdOfDir } from '../net/peer-key.ts'
import { parseBytes } from '../util/units.ts'
import { humanBytes, humanTime, table } from './format.ts'
import { runCli, UsageError } from './run.ts'
import { TransferProgress } from './progress.ts'
import { InterruptedError, InvalidInputError } from '../errors.ts'

interface GlobalFlags {
  directory?: string
  home?: string
  chunkSize?: string
  debug?: boolean
}

/** Connect using --directory, else $DFS_DIRECTORY, else the home config. */
async function connect (command: Command): Promise<DfsClient> {
  const flags = command.optsWithGlobals<GlobalFlags>()
  const home = clientHome(flags.home)
  const config = await loadClientConfig(home)
  // an empty variable counts as unset
  const directory = flags.directory ?? (process.env.DFS_DIRECTORY !== '' ? process.env.DFS_DIRECTORY : undefined) ?? config.directory
  if (directory == null) {
    throw new UsageError(`no directory address: pass --directory /ip4/…/p2p/<peer id>, set DFS_DIRECTORY, or put "directory" in ${home}/config.json (npm start does this)`)
  }
  const chunkSize = flags.chunkSize != null ? parseBytes(flags.chunkSize) : config.chunkSize
  // the client's own key: a stable peer ID for the directory's allowlists
  const privateKey = await loadOrCreatePeerKey(home, CLIENT_KEY_FILE)
  return await DfsClient.connect({ directory, chunkSize, replicas: config.replicas, directIO: config.directIO, privateKey })
}

async function withClient (command: Command, fn: (client: DfsClient) => Promise<void>): Promise<void> {
  const client = await connect(command)
  try {
    await fn(client)
  } finally {
    await client.close()
  }
}

/**
 * Ctrl-C (or SIGTERM) during a transfer: the first one stops it cleanly (a
 * download's partial file is removed, an upload is abandoned at the
 * directory), a second one exits at once.
 */
const interrupt = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupt.signal.aborted) process.exit(130)
    interrupt.abort(new InterruptedError(`interrupted by ${signal}: nothing was kept`))
  })
}

function printJson (value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n')
}

/** Small files uploaded at once by `upload` with several files: enough for the client's batches to fill. */
const SMALL_UPLOADS_AT_ONCE = 16

/** The files behind the paths given: folders walked with --recursive, refused without. */
async function filesToUpload (paths: string[], recursive: boolean): Promise<Array<{ path: string, name: string, size: number }>> {
  const files: Array<{ path: string, name: string, size: number }> = []
  const walk = async (path: string): Promise<void> => {
    let info
    try {
      info = await stat(path)
    } catch (err: any) {
      throw new InvalidInputError(err.code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${err.message}`)
    }
    if (info.isFile()) {
      files.push({ path, name: basename(path), size: info.size })
    } else if (info.isDirectory()) {
      if (!recursive) throw new InvalidInputError(`${path} is a folder: give --recursive to upload the files inside it`)
      for (const entry of (await readdir(path)).sort()) await walk(join(path, entry))
    } else {
      throw new InvalidInputError(`${path} is not a regular file`)
    }
  }
  for (const path of paths) await walk(path)
  if (files.length === 0) throw new InvalidInputError(`no files to upload in ${paths.join(', ')}`)
  // names are one path segment: two files with one base name would overwrite each other's name
  const seen = new Map<string, string>()
  for (const file of files) {
    const other = seen.get(file.name)
    if (other != null) throw new InvalidInputError(`${other} and ${file.path} would both be named "${file.name}": upload one of them separately with --name`)
    seen.set(file.name, file.path)
  }
  return files
}

function parseReplicas (value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new InvalidArgumentError('expected a number of copies from 1 to 16')
  return n
}

const program = new Command('dfs-client')
  .description('Upload, download and inspect files in a dfs cluster')
  .option('--directory <multiaddr>', 'the directory\'s address (default: $DFS_DIRECTORY, then the home config)')
  .option('--home <dir>', 'client home folder with config.json (default: $DFS_HOME, then ~/.dfs)')
  .option('--chunk-size <bytes>', 'chunk size for uploads, e.g. 4MiB')
  .option('--debug', 'print stack traces with errors')

program.command('id')
  .description('print this client\'s peer ID (kept in the home folder; created on first use): what the directory\'s --allow-read/--allow-write name')
  .option('--json', 'machine-readable output: {"peerId"}')
  .action(async (flags: { json?: boolean }, command: Command) => {
    const home = clientHome(command.optsWithGlobals<GlobalFlags>().home)
    const peerId = await peerIdOfDir(home, CLIENT_KEY_FILE)
    if (flags.json === true) printJson({ peerId })
    else process.stdout.write(`${peerId}\n`)
  })

program.command('upload')
  .description('upload files (folders too, with --recursive); prints each file\'s ID')
  .argument('<paths...>', 'files to upload')
  .option('--name <name>', 'name to record it under (one file only; default: the file\'s base name)')
  .option('--replicas <n>', 'copies of each chunk, on distinct nodes (default: "replicas" in the config, else 3 or as many nodes as are alive)', parseReplicas)
  .option('-r, --recursive', 'upload every file inside the folders given, at any depth, each under its base name')
  .option('-q, --quiet', 'no progress bar (there is none anyway when stderr is not a terminal)')
  .option('--json', 'machine-readable output: [{"name","id","size"}], one entry per file')
  .action(async (paths: string[], flags: { name?: string, replicas?: number, recursive?: boolean, quiet?: boolean, json?: boolean }, command: Command) => {
    const files = await filesToUpload(paths, flags.recursive === true)
    if (flags.name != null && files.length !== 1) throw new UsageError(`--name names one file, and ${files.length} were given`)
    if (flags.name != null) files[0].name = flags.name
    const total = files.reduce((sum, file) => sum + file.size, 0)
    await withClient(command, async (client) => {
      const progress = new TransferProgress({ quiet: flags.quiet })
      const uploaded: Array<{ name: string, id: string, size: number }> = new Array(files.length)
      // bytes of the files done, and of each one on its way
      let before = 0
      let finished = 0
      const onTheirWay = new Map<number, number>()
      const report = (label?: string): void => { progress.update(before + [...onTheirWay.values()].reduce((a, b) => a + b, 0), label) }
      progress.start(total, files.length === 1 ? files[0].name : `0/${files.length}`)
      // small files several at a time, so the client batches them; a big one alone (its chunks go in parallel)
      const uploads = new BoundedTasks(SMALL_UPLOADS_AT_ONCE)
      try {
        for (const [i, file] of files.entries()) {
          const upload = async (): Promise<void> => {
            onTheirWay.set(i, 0)
            const info = await client.uploadFile(file.path, { name: file.name, replicas: flags.replicas, signal: interrupt.signal, onProgress: (done) => { onTheirWay.set(i, done); report() } })
            onTheirWay.delete(i)
            before += file.size
            finished++
            report(files.length === 1 ? file.name : `${finished}/${files.length} ${file.name}`)
            uploaded[i] = { name: info.name, id: info.id, size: info.size }
          }
          if (file.size <= SMALL_FILE_BYTES) {
            await uploads.add(upload)
          } else {
            await uploads.done()
            await upload()
          }
        }
        await uploads.done()
      } catch (err) {
        // the first failure ends the command once the others on their way have ended
        await uploads.done().catch(() => {})
        throw err
      } finally {
        progress.stop()
      }
      if (flags.json === true) printJson(uploaded)
      else if (uploaded.length === 1) process.stdout.write(`${uploaded[0].id}\n`)
      else process.stdout.write(uploaded.map((file) => `${file.id}  ${file.name}\n`).join(''))
    })
  })

program.command('download')
  .description('download a file by ID or name, verified before it appears at DEST')
  .argument('<id-or-name>', 'the file\'s ID or name')
  .argument('[dest]', 'a file path, an existing folder, or - for stdout', '.')
  .option('-q, --quiet', 'no progress bar (there is none anyway when stderr is not a terminal)')
  .option('--json', 'machine-readable output: {"name","id","size","path"}')
  .action(async (ref: string, dest: string, flags: { quiet?: boolean, json?: boolean }, command: Command) => {
    if (dest === '-' && flags.json === true) throw new UsageError('--json prints to stdout, which - (the file itself) takes: give a DEST path, or leave out --json')
    await withClient(command, async (client) => {
      const progress = new TransferProgress({ quiet: flags.quiet })
      const onProgress = (done: number, total?: number): void => {
        if (done === 0) progress.start(total ?? 0, ref)
        else progress.update(done)
      }
      try {
        if (dest === '-') {
          await pipeline(Readable.from(client.download(ref, { onProgress, signal: interrupt.signal })), process.stdout, { signal: interrupt.signal })
          return
        }
        const { path, file } = await client.downloadFile(ref, dest, { onProgress, signal: interrupt.signal })
        progress.stop()
        if (flags.json === true) printJson({ name: file.name, id: file.id, size: file.size, path })
      } finally {
        progress.stop()
      }
    })
  })

program.command('ls')
  .description('list files')
  .option('--json', 'machine-readable output')
  .action(async (flags: { json?: boolean }, command: Command) => {
    await withClient(command, async (client) => {
      const files = await client.list()
      if (flags.json === true) {
        printJson(files.map((f) => ({ name: f.name, id: f.id, size: f.size, uploadedAt: new Date(f.uploadedAt).toISOString() })))
        return
      }
      if (files.length === 0) {
        process.stdout.write('no files yet: upload one with `dfs-client upload PATH`\n')
        return
      }
      process.stdout.write(table(['NAME', 'ID', 'SIZE', 'UPLOADED'], files.map((f) => [f.name, f.id, humanBytes(f.size), humanTime(f.uploadedAt)])))
    })
  })

program.command('stat')
  .description('show a file\'s chunks and the nodes that hold each')
  .argument('<id-or-name>', 'the file\'s ID or name')
  .option('--json', 'machine-readable output')
  .action(async (ref: string, flags: { json?: boolean }, command: Command) => {
    await withClient(command, async (client) => {
      const file = await client.stat(ref)
      if (flags.json === true) {
        printJson({
          name: file.name,
          id: file.id,
          size: file.size,
          uploadedAt: new Date(file.uploadedAt).toISOString(),
          replicas: file.replicas,
          health: file.health,
          chunks: file.chunks.map((c) => ({ id: c.id, offset: c.offset, size: c.size, peers: c.peers, health: c.health }))
        })
        return
      }
      process.stdout.write(`name:     ${file.name}\nid:       ${file.id}\nsize:     ${humanBytes(file.size)} (${file.size} bytes)\nuploaded: ${humanTime(file.uploadedAt)}\nreplicas: ${file.replicas}\nhealth:   ${file.health}\nchunks:   ${file.chunks.length}\n`)
      if (file.chunks.length > 0) {
        process.stdout.write('\n' + table(['#', 'OFFSET', 'SIZE', 'HEALTH', 'CHUNK ID', 'LIVE PEERS'], file.chunks.map((c) => [String(c.index), String(c.offset), String(c.size), c.health, c.id, c.peers.join(',') || '(none)'])))
      }
    })
  })

program.command('rm')
  .description('delete a file by name or ID; its chunks are freed on the nodes after the directory\'s --gc-after')
  .argument('<id-or-name>', 'the file\'s ID or name')
  .option('--json', 'machine-readable output')
  .action(async (ref: string, flags: { json?: boolean }, command: Command) => {
    await withClient(command, async (client) => {
      const file = await client.remove(ref)
      if (flags.json === true) printJson({ name: file.name, id: file.id, size: file.size })
      else process.stdout.write(`removed ${file.name !== '' ? file.name : file.id} (${file.id})\n`)
    })
  })

program.command('health')
  .description('summarise the cluster: chunks at their target, under-replicated and lost; nodes alive and dead')
  .option('--json', 'machine-readable output')
  .action(async (flags: { json?: boolean }, command: Command) => {
    await withClient(command, async (client) => {
      const h = await client.health()
      if (flags.json === true) {
        printJson({ chunks: h.chunks, healthy: h.healthy, underReplicated: h.underReplicated, lost: h.lost, nodesAlive: h.nodesAlive, nodesDead: h.nodesDead })
        return
      }
      const verdict = h.lost > 0 ? 'DATA LOST: some chunks have no live copy' : h.underReplicated > 0 ? 'under-replicated' : 'healthy'
      const lines: Array<[string, string]> = [
        ['cluster', verdict],
        ['chunks', String(h.chunks)],
        ['  at target', String(h.healthy)],
        ['  under-replicated', String(h.underReplicated)],
        ['  lost', String(h.lost)],
        ['nodes', `${h.nodesAlive} alive, ${h.nodesDead} dead`]
      ]
      process.stdout.write(lines.map(([label, value]) => `${(label + ':').padEnd(20)}${value}\n`).join(''))
    })
  })

program.command('nodes')
  .description('list storage nodes known to the directory')
  .option('--json', 'machine-readable output')
  .action(async (flags: { json?: boolean }, command: Command) => {
    await withClient(command, async (client) => {
      const nodes = await client.nodes()
      if (flags.json === true) {
        printJson(nodes.map((n) => ({ peerId: n.peerId, addrs: n.addrs, alive: n.alive, used: n.used, capacity: n.capacity, chunks: n.chunks, lastSeen: new Date(n.lastSeen).toISOString() })))
        return
      }
      if (nodes.length === 0) {
        process.stdout.write('no storage nodes have registered yet\n')
        return
      }
      process.stdout.write(table(['PEER ID', 'ALIVE', 'USED', 'CAPACITY', 'CHUNKS', 'ADDRESSES'], nodes.map((n) => [n.peerId, n.alive ? 'yes' : 'NO', humanBytes(n.used), humanBytes(n.capacity), String(n.chunks), n.addrs.join(' ')])))
    })
  })

await runCli(program, process.argv, interrupt.signal)
// libp2p may hold timers open after a failure, so exit; but writes to a pipe are asynchronous, and
// exiting before they are flushed would cut output past the pipe's buffer (`stat --json` of a big file)
await flushed(process.stdout)
await flushed(process.stderr)
process.exit()

/** Once what was written to `stream` has gone out (or cannot: a closed pipe). */
async function flushed (stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return
  await new Promise<void>((resolve) => {
    stream.once('error', () => { resolve() })
    stream.write('', () => { resolve() })
  })
}
