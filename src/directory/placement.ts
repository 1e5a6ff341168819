import type { NodeRecord } from './index-db.ts'

/**
 * Choose `replicas` distinct nodes for each chunk in [first, first + count):
 * only nodes that are alive and have room for a chunk, rotating from a
 * per-upload starting point so one file's chunks spread over the nodes.
 */
export function placeChunks (nodes: NodeRecord[], options: { first: number, count: number, replicas: number, chunkSize: number, rotation: number }): Array<{ index: number, peers: string[] }> {
  const eligible = nodes
    .filter((node) => node.capacity - node.used >= options.chunkSize)
    .sort((a, b) => a.peerId < b.peerId ? -1 : 1)
  if (eligible.length === 0) return []
  const replicas = Math.min(options.replicas, eligible.length)
  const placements: Array<{ index: number, peers: string[] }> = []
  for (let index = options.first; index < options.first + options.count; index++) {
    const peers: string[] = []
    for (let k = 0; k < replicas; k++) peers.push(eligible[(options.rotation + index + k) % eligible.length].peerId)
    placements.push({ index, peers })
  }
  return placements
}
