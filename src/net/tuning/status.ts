/**
 * Whether each patch of libp2p internals took effect in this process.
 *
 * Each patch checks the shape of what it patches and leaves anything else as
 * it is, so an upgrade of a pinned package could turn it off without an
 * error. Every patch counts here where it applied, where it could not, and
 * how often the patched code ran; the first miss of each patch is reported
 * once (see `reportMiss`). test/unit/tuning.test.ts fails when any patch
 * did not apply or never ran.
 */
export type TuningPatch =
  /** noise-connection.ts: a list of pieces goes to the socket in one write */
  | 'noise-writes'
  /** noise-lengths.ts: Noise's message lengths are read without exceptions */
  | 'noise-lengths'
  /** noise-decrypt.ts: messages are decrypted without copying them first */
  | 'noise-decrypt'
  /** noise-crypto.ts: bulk messages go through node:crypto with a cached key */
  | 'noise-crypto'
  /** socket-reads.ts: a dialed socket reads into a ring of its own */
  | 'socket-reads'
  /** yamux-window.ts: window updates once half the window is owed */
  | 'yamux-window'

export interface PatchCounts {
  /** connections, streams or encrypters the patch was installed on */
  applied: number
  /** those it could not be installed on (another shape than the pinned package's) */
  missed: number
  /** times the patched code ran */
  used: number
}

export const TUNING_PATCHES: readonly TuningPatch[] = ['noise-writes', 'noise-lengths', 'noise-decrypt', 'noise-crypto', 'socket-reads', 'yamux-window']

export const tuningStatus: Record<TuningPatch, PatchCounts> = Object.fromEntries(
  TUNING_PATCHES.map((patch) => [patch, { applied: 0, missed: 0, used: 0 }])
) as Record<TuningPatch, PatchCounts>

/** Where a miss is reported: a peer's logger, or Node's process warnings by default. */
export type TuningWarn = (message: string) => void

const warnWithProcess: TuningWarn = (message) => { process.emitWarning(message, { code: 'DFS_TUNING_NOT_APPLIED' }) }

const warned = new Set<TuningPatch>()

/**
 * Count a patch that could not be installed, and say so once per patch and
 * process: transfers still work, only slower, so this warns rather than fails.
 */
export function reportMiss (patch: TuningPatch, what: string, warn: TuningWarn = warnWithProcess): void {
  tuningStatus[patch].missed++
  if (warned.has(patch)) return
  warned.add(patch)
  warn(`libp2p tuning "${patch}" did not apply (${what}): transfers work but are slower; ` +
    'the installed libp2p packages differ from the versions package.json pins (see src/net/tuning/README.md)')
}

/** The patches that did not apply anywhere they were tried, or never ran: empty when all took effect. */
export function tuningProblems (): string[] {
  return TUNING_PATCHES.flatMap((patch) => {
    const { applied, missed, used } = tuningStatus[patch]
    if (missed > 0) return [`${patch}: missed ${missed} time(s)`]
    if (applied === 0) return [`${patch}: never applied`]
    if (used === 0) return [`${patch}: applied but never ran`]
    return []
  })
}
