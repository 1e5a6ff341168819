import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import { Command, InvalidArgumentError } from 'commander'
import { DfsClient } from '../client/client.ts'
import { clientHome, loadClientConfig } from '../config/config.ts'
import { CLIENT_KEY_FILE, loadOrCreatePeerKey, peerIdOfDir } from '../net/peer-key.ts'
import { parseBytes } from '../util/units.ts'
import { humanBytes, humanTime, table } from './format.ts'
import { runCli, UsageError } from './run.ts'

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
  return await DfsClient.connect({ directory, chunkSize, replicas: config.replicas, privateKey })
}

async function withClient (command: Command, fn: (client: DfsClient) => Promise<void>): Promise<void> {
  const client = await connect(command)
  try {
    await fn(client)
  } finally {
    await client.close()
  }
}

function printJson (value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n')
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
  .action(async (_flags: unknown, command: Command) => {
    const home = clientHome(command.optsWithGlobals<GlobalFlags>().home)
    process.stdout.write(`${await peerIdOfDir(home, CLIENT_KEY_FILE)}\n`)
  })

program.command('upload')
  .description('upload a file; prints its ID')
  .argument('<path>', 'file to upload')
  .option('--name <name>', 'name to record it under (default: the file\'s base name)')
  .option('--replicas <n>', 'copies of each chunk, on distinct nodes (default: "replicas" in the config, else 3 or as many nodes as are alive)', parseReplicas)
  .action(async (path: string, flags: { name?: string, replicas?: number }, command: Command) => {
    await withClient(command, async (client) => {
      const file = await client.uploadFile(path, { name: flags.name, replicas: flags.replicas })
      process.stdout.write(`${file.id}\n`)
    })
  })

program.command('download')
  .description('download a file by ID or name, verified before it appears at DEST')
  .argument('<id-or-name>', 'the file\'s ID or name')
  .argument('[dest]', 'a file path, an existing folder, or - for stdout', '.')
  .action(async (ref: string, dest: string, _flags: unknown, command: Command) => {
    await withClient(command, async (client) => {
      if (dest === '-') {
        await pipeline(Readable.from(client.download(ref)), process.stdout)
        return
      }
      await client.downloadFile(ref, dest)
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

await runCli(program, process.argv)
// libp2p may hold timers open after a failure; the answer is already printed
process.exit()
