/**
 * One side of the benchmark's baseline: a single raw libp2p stream between two
 * processes, over the same stack as dfs (createPeer: TCP + Noise + Yamux) and
 * the same reader (StreamReader), with no chunking, hashing or disk. This is
 * the ceiling a dfs transfer over one stream could reach on this machine.
 *
 *   bench-raw-peer receive [DIR]       prints `listening on <multiaddr>`, serves until SIGTERM/SIGINT;
 *                                      with DIR, writes what it receives to a new file there (deleted
 *                                      after the ack): the ceiling for a download, which lands in a file
 *   bench-raw-peer send <addr> <bytes> sends <bytes>, prints one JSON line {"bytes", "ms"}
 *
 * Spawned by scripts/bench.ts; not meant to be run by hand (but it can be).
 */
import { randomFillSync } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { multiaddr } from '@multiformats/multiaddr'
import type { Stream } from '@libp2p/interface'
import { createPeer, dialableAddrs } from '../src/net/libp2p.ts'
import { StreamReader, sendBytes, sendMessage } from '../src/net/stream-io.ts'
import { DownloadFile } from '../src/client/download-file.ts'
import { SlabPool } from '../src/util/slab-pool.ts'

const PROTOCOL = '/dfs-bench/raw/1.0.0'
/** About the size dfs sends bulk bytes in (BULK_SEND_BYTES, src/net/stream-io.ts), the write size that suits Noise and yamux. */
const WRITE_SIZE = 256 * 1024
/** Rotating a few buffers is enough: `send` keeps a reference until drained and we never mutate them. */
const BUFFER_COUNT = 4
const MAX_CONTROL_MESSAGE = 64
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Writes to a file go out in slabs of this size, one written while the other fills (as dfs's client writes chunks). */
const FILE_SLAB_BYTES = 4 * 1024 * 1024
let files = 0

/**
 * Read `length` bytes into a new file in `dir`, closed (not synced, as a download's is) before
 * resolving; returns its path. Written the way a download writes its file (DownloadFile, from
 * page-aligned slabs: direct I/O where the file system allows), so this stays the ceiling for one.
 */
async function receiveIntoFile (reader: StreamReader, length: number, dir: string): Promise<string> {
  const path = join(dir, `raw-${process.pid}-${files++}.bin`)
  const out = await DownloadFile.create(path, length, true)
  try {
    const pool = new SlabPool(FILE_SLAB_BYTES, 2, { direct: true })
    const slabs = [pool.tryAcquire()!, pool.tryAcquire()!]
    const writing: Array<Promise<unknown>> = [Promise.resolve(), Promise.resolve()]
    let current = 0
    let filled = 0
    let position = 0
    const flush = (): void => {
      writing[current] = out.writeAt(slabs[current].subarray(0, filled), position)
      position += filled
      filled = 0
      current = 1 - current
    }
    for await (const piece of reader.readBytes(length)) {
      for (let at = 0; at < piece.byteLength;) {
        if (filled === 0) await writing[current]
        const take = Math.min(FILE_SLAB_BYTES - filled, piece.byteLength - at)
        slabs[current].set(piece.subarray(at, at + take), filled)
        filled += take
        at += take
        if (filled === FILE_SLAB_BYTES) flush()
      }
    }
    if (filled > 0) flush()
    await Promise.all(writing)
    await out.finish()
  } catch (err) {
    await out.abandon()
    throw err
  }
  return path
}

/** Read the byte count, swallow that many bytes (or write them to a file in `dir`), then ack so the sender can stop its clock. */
async function serve (stream: Stream, dir?: string): Promise<void> {
  const reader = new StreamReader(stream)
  let written: string | undefined
  try {
    const header = await reader.readMessage(MAX_CONTROL_MESSAGE)
    if (header == null) throw new Error('the sender closed before saying how many bytes follow')
    const length = Number(decoder.decode(header))
    if (!Number.isSafeInteger(length) || length < 0) throw new Error(`bad length header "${decoder.decode(header)}"`)
    let received = 0
    if (dir != null) {
      written = await receiveIntoFile(reader, length, dir)
      received = length
    } else {
      for await (const piece of reader.readBytes(length)) received += piece.byteLength
    }
    await sendMessage(stream, encoder.encode(String(received)))
    await stream.close()
  } catch (err) {
    process.stderr.write(`bench receiver: ${(err as Error).message}\n`)
    stream.abort(err as Error)
  } finally {
    reader.release()
    if (written != null) await rm(written, { force: true })
  }
}

// stock yamux (an update per frame) on both ends: dfs's rule (yamux-window.ts) gains a raw stream nothing
async function receive (dir?: string): Promise<void> {
  const peer = await createPeer({ listen: ['/ip4/127.0.0.1/tcp/0'], windowUpdatesAtHalf: false })
  await peer.handle(PROTOCOL, async (stream) => { await serve(stream, dir) })
  const stop = (): void => {
    Promise.resolve(peer.stop()).then(() => process.exit(0), () => process.exit(1))
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  for (const addr of dialableAddrs(peer)) process.stdout.write(`listening on ${addr}\n`)
}

async function send (addr: string, length: number): Promise<void> {
  const buffers = Array.from({ length: BUFFER_COUNT }, () => randomFillSync(new Uint8Array(WRITE_SIZE)))
  const peer = await createPeer({ windowUpdatesAtHalf: false })
  try {
    // dial and negotiate before starting the clock: the table compares transfer rates
    const stream = await peer.dialProtocol(multiaddr(addr), PROTOCOL)
    const reader = new StreamReader(stream)
    const start = performance.now()
    await sendMessage(stream, encoder.encode(String(length)))
    let sent = 0
    for (let i = 0; sent < length; i++) {
      const buffer = buffers[i % BUFFER_COUNT]
      const piece = length - sent >= WRITE_SIZE ? buffer : buffer.subarray(0, length - sent)
      await sendBytes(stream, piece)
      sent += piece.byteLength
    }
    const ack = await reader.readMessage(MAX_CONTROL_MESSAGE)
    const ms = performance.now() - start
    reader.release()
    await stream.close()
    if (ack == null || Number(decoder.decode(ack)) !== length) {
      throw new Error(`the receiver acknowledged ${ack == null ? 'nothing' : decoder.decode(ack)} of ${length} bytes`)
    }
    process.stdout.write(JSON.stringify({ bytes: length, ms }) + '\n')
  } finally {
    await peer.stop()
  }
}

const [mode, ...args] = process.argv.slice(2)
try {
  if (mode === 'receive' && args.length <= 1) {
    await receive(args[0])
  } else if (mode === 'send' && args.length === 2 && Number.isSafeInteger(Number(args[1]))) {
    await send(args[0], Number(args[1]))
    // libp2p can leave timers behind; the result is already printed
    process.exit(0)
  } else {
    process.stderr.write('usage: bench-raw-peer receive [DIR] | bench-raw-peer send <multiaddr> <bytes>\n')
    process.exit(2)
  }
} catch (err) {
  process.stderr.write(`bench-raw-peer ${mode}: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
}
