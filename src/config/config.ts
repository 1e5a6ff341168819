import { readFile, mkdir, writeFile, rename } from 'node:fs/promises'
import { join, dirname } from 'node:path'
import { z } from 'zod'
import { multiaddr } from '@multiformats/multiaddr'
import { ConfigError } from '../errors.ts'
import { parseBytes, parseDuration } from '../util/units.ts'
import { CLIENT_CONFIG_FILE } from './client-home.ts'
import { checkAnnounceAddr } from '../net/announce.ts'

/** Wrap a parser that throws into a zod schema that reports the parser's message. */
function parsed<T> (parse: (value: any) => T, input: z.ZodType) {
  return input.transform((value, ctx) => {
    try {
      return parse(value)
    } catch (err: any) {
      ctx.issues.push({ code: 'custom', message: err.message, input: value })
      return z.NEVER
    }
  })
}

const multiaddrString = parsed((value: string) => multiaddr(value).toString() && value, z.string())
const peerMultiaddr = parsed((value: string) => {
  const ma = multiaddr(value)
  if (ma.getComponents().find((c) => c.name === 'p2p') == null) throw new Error('expected a multiaddr that ends in /p2p/<peer id>')
  return value
}, z.string())
const announceAddr = parsed(checkAnnounceAddr, z.string())
const bytes = parsed(parseBytes, z.union([z.number(), z.string()]))
const duration = parsed(parseDuration, z.union([z.number(), z.string()]))
const logLevel = z.enum(['debug', 'info', 'warn', 'error', 'silent'])
// JSON has no comments: example configs explain themselves in "$comment"
const comment = z.union([z.string(), z.array(z.string())]).optional()

const peerIds = z.array(z.string().min(1).max(200))

export const directoryConfigSchema = z.strictObject({
  $comment: comment,
  // anyone may connect, register, read and write: a local demo only
  open: z.boolean().optional(),
  // nodes serve reads without a grant (members with the read role still only)
  openReads: z.boolean().optional(),
  // peer IDs allowed in, by role
  allow: z.strictObject({
    $comment: comment,
    nodes: peerIds.optional(),
    read: peerIds.optional(),
    write: peerIds.optional()
  }).optional(),
  listen: z.array(multiaddrString).min(1).optional(),
  // what the directory gives others to dial instead of its listen addresses (NAT, containers)
  announce: z.array(announceAddr).min(1).max(32).optional(),
  dataDir: z.string().min(1).optional(),
  deadAfter: duration.optional(),
  heartbeatInterval: duration.optional(),
  repairAfter: duration.optional(),
  gcAfter: duration.optional(),
  idleTimeout: duration.optional(),
  logLevel: logLevel.optional(),
  // the status page, /metrics and GET /files
  http: multiaddrString.optional()
})

export const nodeConfigSchema = z.strictObject({
  $comment: comment,
  directory: peerMultiaddr.optional(),
  listen: z.array(multiaddrString).min(1).optional(),
  // what the node registers and announces instead of its listen addresses (NAT, containers)
  announce: z.array(announceAddr).min(1).max(32).optional(),
  dataDir: z.string().min(1).optional(),
  capacity: bytes.optional(),
  // false: chunks go through the page cache (default: direct I/O where the file system allows)
  directIO: z.boolean().optional(),
  scrubRate: bytes.optional(),
  scrubInterval: duration.optional(),
  // how long a corrupt copy stays in quarantine/ at most (it goes sooner once the node holds the chunk again)
  quarantineRetention: duration.optional(),
  idleTimeout: duration.optional(),
  logLevel: logLevel.optional(),
  // /metrics
  http: multiaddrString.optional(),
  // on SIGINT/SIGTERM, how long requests in flight may take to finish
  shutdownGrace: duration.optional()
})

export const clientConfigSchema = z.strictObject({
  $comment: comment,
  directory: peerMultiaddr.optional(),
  chunkSize: bytes.optional(),
  replicas: z.number().int().min(1).max(16).optional(),
  // false: downloads go through the page cache (default: direct I/O where the file system allows)
  directIO: z.boolean().optional()
})

export type DirectoryConfig = z.output<typeof directoryConfigSchema>
export type NodeConfig = z.output<typeof nodeConfigSchema>
export type ClientConfig = z.output<typeof clientConfigSchema>

/** Validate a value against a schema; the error names each bad key and what was expected. */
export function validateConfig<S extends z.ZodType> (schema: S, value: unknown, source: string): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'top level'
    return `${key}: ${issue.message}`
  })
  throw new ConfigError(`${source}: ${problems.join('; ')}`)
}

export async function loadConfigFile<S extends z.ZodType> (schema: S, path: string): Promise<z.output<S>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err: any) {
    throw new ConfigError(`cannot read config file ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err: any) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${err.message}`)
  }
  return validateConfig(schema, value, `config file ${path}`)
}

/** Set keys in the client's config (used by `npm start` to record the directory). */
export async function updateClientConfig (home: string, changes: Record<string, unknown>): Promise<string> {
  const path = join(home, CLIENT_CONFIG_FILE)
  let current: Record<string, unknown> = {}
  try {
    current = JSON.parse(await readFile(path, 'utf8'))
  } catch {}
  const next = { ...current, ...changes }
  validateConfig(clientConfigSchema, next, `client config ${path}`)
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(next, null, 2) + '\n')
  await rename(tmp, path)
  return path
}
