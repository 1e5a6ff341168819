import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh temporary folder, removed by the returned cleanup. */
export async function tempDir (prefix = 'dfs-test-'): Promise<{ path: string, cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, cleanup: async () => { await rm(path, { recursive: true, force: true }) } }
}

export async function * fromBuffers (...buffers: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const b of buffers) yield b
}

export async function collect (source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const piece of source) parts.push(piece)
  return Buffer.concat(parts)
}
