/**
 * The benchmark's operation-rate scenarios, run through the library API
 * against a cluster the benchmark started. The benchmark runs each in a
 * process of its own with the V8 flags dfs-client ships with, as a program
 * using the library would (`node <flags> bench-ops.js small-files|resolves
 * DIRECTORY OPTIONS_JSON` prints the result as JSON):
 *
 *  - many small files: upload N files of a few KiB with K in flight, then
 *    download them all back (each checked byte for byte), in files per second;
 *  - directory: C concurrent clients, each with its own connection, resolving
 *    names in a loop; requests per second and latency percentiles.
 */
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { DfsClient } from '../src/client/client.ts'

export interface SmallFilesResult {
  files: number
  fileBytes: number
  concurrency: number
  uploadSeconds: number
  downloadSeconds: number
  uploadsPerS: number
  downloadsPerS: number
}

/** Run `jobs` with at most `concurrency` at once, in order of index. */
async function pool (count: number, concurrency: number, job: (index: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await job(next++)
  }))
}

async function collect (source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const part of source) parts.push(part)
  return Buffer.concat(parts)
}

/**
 * Upload `count` random files of `size` bytes with `concurrency` in flight over
 * one client (one connection to the directory and to each node), then
 * download every one by ID the same way and compare the bytes.
 */
export async function smallFiles (directory: string, options: { count: number, size: number, concurrency: number, replicas: number, prefix: string }): Promise<SmallFilesResult> {
  const client = await DfsClient.connect({ directory, replicas: options.replicas })
  try {
    const contents = Array.from({ length: options.count }, () => randomBytes(options.size))
    const ids: string[] = new Array(options.count)
    const uploadStart = performance.now()
    await pool(options.count, options.concurrency, async (i) => {
      const file = await client.upload((async function * () { yield contents[i] })(), { name: `${options.prefix}-${i}`, size: options.size })
      ids[i] = file.id
    })
    const uploadSeconds = (performance.now() - uploadStart) / 1000
    const downloadStart = performance.now()
    await pool(options.count, options.concurrency, async (i) => {
      const bytes = await collect(client.download(ids[i]))
      if (!bytes.equals(contents[i])) throw new Error(`small file ${i} came back different`)
    })
    const downloadSeconds = (performance.now() - downloadStart) / 1000
    return {
      files: options.count,
      fileBytes: options.size,
      concurrency: options.concurrency,
      uploadSeconds,
      downloadSeconds,
      uploadsPerS: options.count / uploadSeconds,
      downloadsPerS: options.count / downloadSeconds
    }
  } finally {
    await client.close()
  }
}

export interface ResolveResult {
  clients: number
  requests: number
  seconds: number
  perSecond: number
  p50Ms: number
  p99Ms: number
  maxMs: number
}

/**
 * `clients` clients, each with its own libp2p peer and connection, resolve the
 * given names round-robin for `durationMs`; every latency is kept.
 */
export async function directoryResolves (directory: string, names: string[], options: { clients: number, durationMs: number, warmUpMs?: number }): Promise<ResolveResult> {
  const clients = await Promise.all(Array.from({ length: options.clients }, async () => await DfsClient.connect({ directory })))
  try {
    // one untimed round each: opens every client's stream
    await Promise.all(clients.map(async (client, i) => { await client.resolve(names[i % names.length]) }))
    const latencies: number[] = []
    const loop = async (until: number, record: boolean): Promise<void> => {
      await Promise.all(clients.map(async (client, c) => {
        for (let i = c; performance.now() < until; i += clients.length) {
          const t0 = performance.now()
          await client.resolve(names[i % names.length])
          if (record) latencies.push(performance.now() - t0)
        }
      }))
    }
    // untimed first: the directory's resolve path and the clients' are compiled and warm, as in a running cluster
    if ((options.warmUpMs ?? 0) > 0) await loop(performance.now() + options.warmUpMs!, false)
    const start = performance.now()
    await loop(start + options.durationMs, true)
    const seconds = (performance.now() - start) / 1000
    latencies.sort((a, b) => a - b)
    const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]
    return { clients: options.clients, requests: latencies.length, seconds, perSecond: latencies.length / seconds, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: latencies[latencies.length - 1] }
  } finally {
    await Promise.all(clients.map(async (client) => { await client.close() }))
  }
}

if (process.argv[1] != null && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [scenario, directory, optionsJson] = process.argv.slice(2)
  const options = JSON.parse(optionsJson ?? '{}')
  const run = scenario === 'small-files'
    ? smallFiles(directory, options)
    : scenario === 'resolves' ? directoryResolves(directory, options.names, options) : Promise.reject(new Error(`unknown scenario ${scenario}`))
  run.then((result) => {
    process.stdout.write(JSON.stringify(result) + '\n')
    process.exit(0)
  }, (err: Error) => {
    process.stderr.write(`bench-ops ${scenario}: ${err.message}\n`)
    process.exit(1)
  })
}
