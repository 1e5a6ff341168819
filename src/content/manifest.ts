import { cidFromDigest, DAG_JSON_CODE, newHasher } from './content-id.ts'

/**
 * A file's manifest is the DAG-JSON document
 *
 *   {"chunks":[{"/":"<chunk ID>"},…],"size":<bytes>}
 *
 * (canonical: sorted keys, no spaces) and the file ID is its CID. It is never
 * stored as a whole: both ends hash it as the chunk list goes by, so a file of
 * any size needs constant memory to name or to verify. The same bytes split
 * with the same chunk size always give the same file ID.
 */
export class ManifestHasher {
  private readonly hasher = newHasher().update('{"chunks":[')
  private count = 0

  addChunk (chunkId: string): void {
    this.hasher.update(`${this.count === 0 ? '' : ','}{"/":"${chunkId}"}`)
    this.count++
  }

  /** The file ID, once every chunk has been added in order. */
  finish (size: number): string {
    this.hasher.update(`],"size":${size}}`)
    return cidFromDigest(this.hasher.digest(), DAG_JSON_CODE)
  }
}

/** The file ID of a list of chunk IDs (for tests and tools; uploads hash as they go). */
export function fileIdOf (chunkIds: string[], size: number): string {
  const manifest = new ManifestHasher()
  for (const id of chunkIds) manifest.addChunk(id)
  return manifest.finish(size)
}
