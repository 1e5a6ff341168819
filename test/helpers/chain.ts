import { createHash } from 'node:crypto'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { cidFromDigest } from '../../src/content/content-id.ts'
import type { DirectoryClient } from '../../src/client/directory-client.ts'

/** A chunk being received by a node: a file in its store's tmp/ folder. */
export interface PartFile {
  path: string
  size: number
}

/** The partial chunk files in a node's data dir now (store/tmp/*.part, see chunk-store.ts). */
export async function partFiles (nodeDataDir: string): Promise<PartFile[]> {
  const folder = join(nodeDataDir, 'store', 'tmp')
  const names = await readdir(folder).catch((err) => { if (err.code === 'ENOENT') return []; throw err })
  const found: PartFile[] = []
  for (const name of names.filter((n) => n.endsWith('.part'))) {
    // renamed into place or deleted between the listing and the stat: no longer partial
    const info = await stat(join(folder, name)).catch(() => undefined)
    if (info != null) found.push({ path: join(folder, name), size: info.size })
  }
  return found
}

/**
 * What a node's disk holds for a chunk, checked without the node's code:
 * `missing`, `verified` (the file's sha2-256 gives the chunk's ID) or `corrupt`.
 */
export async function chunkOnDisk (nodeDataDir: string, chunkId: string): Promise<'missing' | 'verified' | 'corrupt'> {
  const bytes = await readFile(join(nodeDataDir, 'store', 'chunks', chunkId.slice(-2), chunkId)).catch((err) => { if (err.code === 'ENOENT') return undefined; throw err })
  if (bytes == null) return 'missing'
  return cidFromDigest(createHash('sha256').update(bytes).digest()) === chunkId ? 'verified' : 'corrupt'
}

/**
 * Records the chains the directory hands a client, as it answers: for each
 * chunk index, every placement in order (the first is the original chain,
 * later ones the replacements asked for after a failure). The requests and
 * answers pass through unchanged.
 */
export function recordPlacements (directory: DirectoryClient): Map<number, string[][]> {
  const placements = new Map<number, string[][]>()
  const request = directory.request.bind(directory)
  directory.request = async (req, options) => {
    const response = await request(req, options)
    for (const placement of response.placements) {
      const list = placements.get(placement.index) ?? []
      list.push([...placement.peers])
      placements.set(placement.index, list)
    }
    return response
  }
  return placements
}
