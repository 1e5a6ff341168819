/**
 * The order to try a chunk's copies in: live nodes first, the one with the
 * fewest of this client's reads in flight first, and among equals starting at
 * a different one for each chunk; nodes the directory thinks dead last, in
 * case it is wrong.
 *
 * Rotating alone spreads a file with one copy per chunk evenly, but not one
 * whose chunks have two copies each (the same bytes uploaded under two names):
 * two of three chunks in flight would often be on one node while another sat idle.
 */
export function readOrder (peers: readonly string[], alive: ReadonlySet<string>, chunkIndex: number, inFlight: ReadonlyMap<string, number>): string[] {
  const live = peers.filter((peer) => alive.has(peer))
  const rest = peers.filter((peer) => !alive.has(peer))
  const start = live.length === 0 ? 0 : chunkIndex % live.length
  const rotated = [...live.slice(start), ...live.slice(0, start)]
  // a stable sort: equals keep the rotation
  rotated.sort((a, b) => (inFlight.get(a) ?? 0) - (inFlight.get(b) ?? 0))
  return [...rotated, ...rest]
}
