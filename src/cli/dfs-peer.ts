import { resolve, join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { Command, Option } from 'commander'
import { DirectoryPeer } from '../directory/directory-peer.ts'
import { StorageNode } from '../node/storage-node.ts'
import { loadOrCreatePeerKey, peerIdOfDir } from '../net/peer-key.ts'
import { checkPeerId } from '../security/access.ts'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { directoryConfigSchema, loadConfigFile, nodeConfigSchema, validateConfig } from '../config/config.ts'
import { clientHome } from '../config/client-home.ts'
import { createLogger, errorMessage, type Logger, type LogLevel } from '../util/log.ts'
import { collect, runCli, UsageError } from './run.ts'
import { DEFAULT_HTTP_LISTEN } from '../http/http-server.ts'

const DEFAULT_DIRECTORY_LISTEN = '/ip4/127.0.0.1/tcp/4010'
const DEFAULT_NODE_LISTEN = '/ip4/127.0.0.1/tcp/0'

interface PeerFlags {
  role?: string
  /** true when --http is given without an address */
  http?: string | true
  listen?: string[]
  announce?: string[]
  directory?: string
  dataDir?: string
  capacity?: string
  config?: string
  deadAfter?: string
  repairAfter?: string
  gcAfter?: string
  scrubRate?: string
  scrubInterval?: string
  quarantineRetention?: string
  logLevel?: string
  idleTimeout?: string
  shutdownGrace?: string
  allowNode?: string[]
  allowRead?: string[]
  allowWrite?: string[]
  open?: boolean
  openReads?: boolean
  stopOnStdinClose?: boolean
}

/** The flags given, under their config key names (flags override the config file). */
function given (flags: PeerFlags, keys: Array<keyof PeerFlags>): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => flags[key] != null).map((key) => [key, flags[key]]))
}

/**
 * Stop cleanly on the first SIGINT/SIGTERM; a second one exits at once.
 * `onStdinClose`: stop cleanly when stdin closes too, so that a peer started
 * by a supervisor through a pipe stops when the supervisor dies, however it died.
 */
function stopOnSignal (stop: () => Promise<void>, log: Logger, onStdinClose = false): void {
  let stopping = false
  const startStopping = (reason: string, orElse: string): void => {
    stopping = true
    log.info(`${reason}: stopping (finishing requests in flight; ${orElse} exits at once)`)
    stop().then(() => {
      log.info('stopped')
      process.exit(0)
    }, (err) => {
      log.error(`could not stop cleanly: ${errorMessage(err)}`)
      process.exit(1)
    })
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn(`${signal} again: exiting at once`)
      process.exit(130)
    }
    startStopping(signal, `${signal} again`)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  if (onStdinClose) {
    const onClose = (): void => { if (!stopping) startStopping('stdin closed (whoever started this peer is gone)', 'SIGINT or SIGTERM') }
    process.stdin.on('end', onClose).on('close', onClose).on('error', onClose).resume()
  }
}

function printListening (addrs: string[]): void {
  for (const addr of addrs) process.stdout.write(`listening on ${addr}\n`)
}

async function runDirectory (flags: PeerFlags): Promise<void> {
  const file = flags.config != null ? await loadConfigFile(directoryConfigSchema, flags.config) : {}
  const config = validateConfig(directoryConfigSchema, { ...file, ...given(flags, ['listen', 'announce', 'dataDir', 'deadAfter', 'repairAfter', 'gcAfter', 'idleTimeout', 'logLevel', 'open', 'openReads', 'http']) }, 'options')
  // allowlist flags add to the config's lists
  const allowed = (fromFile: string[] | undefined, fromFlags: string[] | undefined, flag: string): string[] =>
    [...(fromFile ?? []), ...(fromFlags ?? [])].map((id) => checkPeerId(id, flag))
  const log = createLogger('directory', (config.logLevel ?? 'info') as LogLevel)
  const dataDir = resolve(config.dataDir ?? resolve(clientHome(), 'directory'))
  const peer = await DirectoryPeer.start({
    listen: config.listen ?? [DEFAULT_DIRECTORY_LISTEN],
    announce: config.announce,
    dataDir,
    deadAfterMs: config.deadAfter,
    heartbeatMs: config.heartbeatInterval,
    repairAfterMs: config.repairAfter,
    gcAfterMs: config.gcAfter,
    idleTimeoutMs: config.idleTimeout,
    http: config.http,
    access: {
      open: config.open,
      openReads: config.openReads,
      nodes: allowed(config.allow?.nodes, flags.allowNode, '--allow-node'),
      readers: allowed(config.allow?.read, flags.allowRead, '--allow-read'),
      writers: allowed(config.allow?.write, flags.allowWrite, '--allow-write')
    },
    logger: log
  })
  stopOnSignal(async () => {
    await peer.stop()
  }, log, flags.stopOnStdinClose)
  log.info(`directory ${peer.peerId} started, index in ${dataDir}`)
  printListening(peer.addrs)
}

async function runNode (flags: PeerFlags): Promise<void> {
  const file = flags.config != null ? await loadConfigFile(nodeConfigSchema, flags.config) : {}
  const config = validateConfig(nodeConfigSchema, { ...file, ...given(flags, ['directory', 'listen', 'announce', 'dataDir', 'capacity', 'scrubRate', 'scrubInterval', 'quarantineRetention', 'idleTimeout', 'logLevel', 'http', 'shutdownGrace']) }, 'options')
  if (config.directory == null) throw new UsageError('a node needs the directory\'s address: --directory /ip4/…/tcp/…/p2p/<peer id> (or "directory" in --config)')
  const log = createLogger('node', (config.logLevel ?? 'info') as LogLevel)
  const dataDir = resolve(config.dataDir ?? resolve(clientHome(), 'node'))
  let node: StorageNode | undefined
  let stopping = false
  stopOnSignal(async () => {
    stopping = true
    await node?.stop()
  }, log, flags.stopOnStdinClose)
  node = await StorageNode.start({
    directory: config.directory,
    listen: config.listen ?? [DEFAULT_NODE_LISTEN],
    announce: config.announce,
    dataDir,
    capacity: config.capacity,
    directIO: config.directIO,
    scrubBytesPerSecond: config.scrubRate,
    scrubIntervalMs: config.scrubInterval,
    quarantineRetentionMs: config.quarantineRetention,
    idleTimeoutMs: config.idleTimeout,
    http: config.http,
    shutdownGraceMs: config.shutdownGrace,
    logger: log
  })
  if (stopping) {
    await node.stop()
    return
  }
  log.info(`node ${node.peerId} started, chunks in ${dataDir}`)
  printListening(node.addrs)
}

const program = new Command('dfs-peer')
  .description('Run a dfs peer: the directory, or a storage node')
  // so that `id --data-dir` is the subcommand's option, not the peer's
  .enablePositionalOptions()
  .addOption(new Option('--role <role>', 'which peer to run').choices(['directory', 'node']))
  .option('--listen <multiaddr>', 'address to listen on, repeatable (port 0 picks a free port)', collect)
  .option('--announce <multiaddr>', 'an address others dial (host and TCP port), given out instead of the listen addresses (a node registers it); repeatable (NAT, containers)', collect)
  .option('--directory <multiaddr>', 'node: the directory\'s address, with /p2p/<peer id>')
  .option('--data-dir <dir>', 'where the peer keeps its key and data (default ~/.dfs/<role>)')
  .option('--capacity <bytes>', 'node: bytes to offer, e.g. 10GiB (default: free disk space)')
  .option('--dead-after <duration>', 'directory: a node silent this long is dead, e.g. 30s')
  .option('--repair-after <duration>', 'directory: copy a dead node\'s chunks elsewhere after this long (default 5m)')
  .option('--gc-after <duration>', 'directory: delete chunks no file uses from the nodes after this long (default 1h)')
  .option('--scrub-rate <bytes>', 'node: re-hash stored chunks at most this fast per second, 0 for never (default 32MiB)')
  .option('--scrub-interval <duration>', 'node: from one full scrub pass to the next (default 1h)')
  .option('--quarantine-retention <duration>', 'node: keep a corrupt copy for inspection this long at most; it goes sooner once the node holds the chunk again (default 24h)')
  .option('--shutdown-grace <duration>', 'node: on SIGINT/SIGTERM, how long requests in flight may take to finish (default 10s)')
  .option('--idle-timeout <duration>', 'close a peer\'s stream when it sends nothing for this long mid-request or between requests (default 60s)')
  .option('--allow-node <peer-id>', 'directory: a storage node allowed to register, repeatable', collect)
  .option('--allow-read <peer-id>', 'directory: a client allowed to list, stat and download, repeatable', collect)
  .option('--allow-write <peer-id>', 'directory: a client allowed to upload and remove, repeatable', collect)
  .option('--open-reads', 'directory: nodes serve reads without a grant (still to members only)')
  .option('--open', 'directory: let ANY peer connect, register, read and write (a local demo only)')
  .option('--http [multiaddr]', `directory: serve the status page, /metrics and GET /files here; node: /metrics (default ${DEFAULT_HTTP_LISTEN}: loopback only)`)
  .option('--stop-on-stdin-close', 'stop cleanly when stdin closes, as on SIGTERM (for a supervisor that keeps a pipe open to the peer)')
  .option('--config <file>', 'JSON config file; flags override it')
  .addOption(new Option('--log-level <level>', 'log detail on stderr').choices(['debug', 'info', 'warn', 'error', 'silent']))
  .option('--debug', 'print stack traces with errors')
  .action(async (flags: PeerFlags) => {
    if (flags.role == null) throw new UsageError('--role directory|node is required (see dfs-peer --help)')
    if (flags.http === true) flags.http = DEFAULT_HTTP_LISTEN
    if (flags.role === 'directory') await runDirectory(flags)
    else await runNode(flags)
  })

program.command('init')
  .description('create a peer\'s key and an example config.json in its data dir, and print its peer ID')
  .addOption(new Option('--role <role>', 'which peer').choices(['directory', 'node']).makeOptionMandatory())
  .requiredOption('--data-dir <dir>', 'the peer\'s data dir (created if missing)')
  .option('--directory <multiaddr>', 'node: the directory\'s address, for the config')
  .action(async (flags: { role: 'directory' | 'node', dataDir: string, directory?: string }) => {
    const dataDir = resolve(flags.dataDir)
    const peerId = peerIdFromPrivateKey(await loadOrCreatePeerKey(dataDir)).toString()
    const configPath = join(dataDir, 'config.json')
    const example = flags.role === 'directory' ? directoryExample(dataDir) : nodeExample(dataDir, flags.directory)
    let wrote = true
    try {
      await writeFile(configPath, JSON.stringify(example, null, 2) + '\n', { flag: 'wx' })
    } catch (err: any) {
      if (err.code !== 'EEXIST') throw err
      wrote = false
    }
    process.stdout.write(`${peerId}\n`)
    process.stderr.write(`${flags.role} key in ${dataDir}; config ${wrote ? 'written to' : 'kept at'} ${configPath}\n` +
      (flags.role === 'directory'
        ? `add node and client peer IDs to its "allow" lists, then: dfs-peer --role directory --config ${configPath}\n`
        : `give this peer ID to the directory's operator (--allow-node), then: dfs-peer --role node --config ${configPath}\n`))
  })

function directoryExample (dataDir: string): Record<string, unknown> {
  return {
    $comment: [
      'dfs directory config: dfs-peer --role directory --config THIS_FILE (flags override keys)',
      'allow: peer IDs by role. nodes: storage nodes that may register (each prints its ID with dfs-peer init or dfs-peer id).',
      'read: clients that may ls, stat and download; write: clients that may upload and rm (dfs-client id prints a client\'s ID).',
      'Only these peers get past the connection handshake, on the directory and on every node.',
      'openReads: true lets nodes serve reads without a directory grant (members still only). open: true lets ANY peer in: a local demo only.',
      'deadAfter: a silent node is dead after this; repairAfter: its chunks are copied elsewhere after this; gcAfter: unused chunks are deleted after this.',
      'Add "http": "/ip4/127.0.0.1/tcp/8080" for the status page, /metrics and GET /files (files only when reads are open).'
    ],
    listen: ['/ip4/127.0.0.1/tcp/4010'],
    dataDir,
    allow: { nodes: [], read: [], write: [] },
    openReads: false,
    deadAfter: '30s',
    repairAfter: '5m',
    gcAfter: '1h',
    logLevel: 'info'
  }
}

function nodeExample (dataDir: string, directory?: string): Record<string, unknown> {
  return {
    $comment: [
      'dfs storage node config: dfs-peer --role node --config THIS_FILE (flags override keys)',
      'directory: the directory\'s full multiaddr with /p2p/<peer id>; the node obeys only that peer, and learns from it who else may connect.',
      'capacity: bytes to offer (default: the free disk space); scrubRate: background re-hashing, bytes per second (0: off).',
      'shutdownGrace: on SIGINT/SIGTERM, how long requests already running may take to finish. Add "http": "/ip4/127.0.0.1/tcp/8081" for Prometheus /metrics.'
    ],
    directory: directory ?? '/ip4/127.0.0.1/tcp/4010/p2p/REPLACE-WITH-THE-DIRECTORY-PEER-ID',
    listen: ['/ip4/127.0.0.1/tcp/0'],
    dataDir,
    scrubRate: '32MiB',
    scrubInterval: '1h',
    shutdownGrace: '10s',
    logLevel: 'info'
  }
}

program.command('id')
  .description('print the peer ID kept in a data dir (creates the key if missing)')
  .requiredOption('--data-dir <dir>', 'the peer\'s data dir')
  .action(async (flags: { dataDir: string }) => {
    process.stdout.write(`${await peerIdOfDir(resolve(flags.dataDir))}\n`)
  })

await runCli(program, process.argv)
if (process.exitCode != null && process.exitCode !== 0) process.exit()
