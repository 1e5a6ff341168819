import { createRequire } from 'node:module'
import type { Logger as PinoLogger } from 'pino'

/**
 * The peers' operational log (pino): one JSON object per line on stderr,
 * `{"level":"info","time":"…","role":"node","msg":"…"}`, levelled by
 * --log-level, so an operator sees start, stop, registration, node death and
 * return, repair and refusals, and a log shipper can parse every line.
 * Nothing is logged per chunk at the default level. Fine-grained tracing
 * stays in @libp2p/logger (DEBUG=dfs:*).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

export interface Logger {
  debug (message: string, fields?: Record<string, unknown>): void
  info (message: string, fields?: Record<string, unknown>): void
  warn (message: string, fields?: Record<string, unknown>): void
  error (message: string, fields?: Record<string, unknown>): void
}

/** pino, loaded by the peers that log (the client only prints errors, and starts faster without it). */
const loadPino = (): typeof import('pino') => createRequire(import.meta.url)('pino')

export function createLogger (role: string, level: LogLevel = 'info', destination: NodeJS.WritableStream | number = 2): Logger {
  const { pino } = loadPino()
  const log: PinoLogger = pino({
    level,
    base: { role },
    timestamp: pino.stdTimeFunctions.isoTime,
    // "level":"warn" rather than 40: readable without a lookup table
    formatters: { level: (label) => ({ level: label }) }
  }, typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination)
  return {
    debug: (message, fields) => { log.debug(fields ?? {}, message) },
    info: (message, fields) => { log.info(fields ?? {}, message) },
    warn: (message, fields) => { log.warn(fields ?? {}, message) },
    error: (message, fields) => { log.error(fields ?? {}, message) }
  }
}

/** Discards everything (the library's default), without loading pino. */
export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }

export function errorMessage (err: unknown): string {
  if (err instanceof Error) {
    // AggregateError from a dial to several addresses hides the useful part
    if (err instanceof AggregateError && err.errors.length > 0) return errorMessage(err.errors[0])
    return err.message !== '' ? err.message : err.name
  }
  return String(err)
}
