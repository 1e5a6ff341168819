import { createRequire } from 'node:module'
import type { SingleBar } from 'cli-progress'
import { humanBytes } from './format.ts'

/**
 * A transfer's progress on stderr: bytes, percent, speed and ETA
 * (cli-progress). Only on a terminal, and not with --quiet: scripts and pipes
 * see nothing.
 */
export class TransferProgress {
  private readonly bar?: SingleBar
  private readonly startedAt = Date.now()
  private total = 0

  constructor (options: { quiet?: boolean, stream?: NodeJS.WriteStream } = {}) {
    const stream = options.stream ?? process.stderr
    if (options.quiet === true || stream.isTTY !== true) return
    // loaded only for a terminal, so that scripts and pipes do not pay for its memory
    const { SingleBar } = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress')
    this.bar = new SingleBar({
      stream,
      format: '{label} [{bar}] {percentage}% | {done} of {size} | {speed} | ETA {eta_formatted}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
      fps: 5,
      // the default prints "NFs" for an unknown ETA (before any byte has gone)
      formatTime: (seconds: number) => formatSeconds(seconds)
    })
  }

  get shown (): boolean {
    return this.bar != null
  }

  start (total: number, label: string): void {
    this.total = total
    this.bar?.start(Math.max(total, 1), 0, this.payload(0, label))
  }

  /** `done` bytes of the whole transfer (all files, for a multi-file upload). */
  update (done: number, label?: string): void {
    this.bar?.update(Math.min(done, Math.max(this.total, 1)), this.payload(done, label))
  }

  stop (): void {
    this.bar?.stop()
  }

  private payload (done: number, label?: string): Record<string, string> {
    const seconds = (Date.now() - this.startedAt) / 1000
    const values: Record<string, string> = { done: humanBytes(done), size: humanBytes(this.total), speed: seconds > 0 ? `${humanBytes(Math.round(done / seconds))}/s` : '-' }
    if (label != null) values.label = label
    return values
  }
}

/** 42s, 3m05s, 1h02m; "-" when not known yet. */
export function formatSeconds (seconds: unknown): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '-'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`
}
