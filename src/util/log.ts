/**
 * The peers' operational log: one line per event on stderr, levelled, so an
 * operator sees start, registration, retries and refusals without DEBUG=…
 * Fine-grained tracing stays in @libp2p/logger (DEBUG=dfs:*).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

export interface Logger {
  debug (message: string): void
  info (message: string): void
  warn (message: string): void
  error (message: string): void
}

export function createLogger (component: string, level: LogLevel = 'info', write: (line: string) => void = (line) => { process.stderr.write(line) }): Logger {
  const threshold = LEVELS[level]
  const emit = (lvl: Exclude<LogLevel, 'silent'>, message: string): void => {
    if (LEVELS[lvl] < threshold) return
    write(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${component}: ${message}\n`)
  }
  return {
    debug: (m) => { emit('debug', m) },
    info: (m) => { emit('info', m) },
    warn: (m) => { emit('warn', m) },
    error: (m) => { emit('error', m) }
  }
}

export const silentLogger: Logger = createLogger('', 'silent')

export function errorMessage (err: unknown): string {
  if (err instanceof Error) {
    // AggregateError from a dial to several addresses hides the useful part
    if (err instanceof AggregateError && err.errors.length > 0) return errorMessage(err.errors[0])
    return err.message !== '' ? err.message : err.name
  }
  return String(err)
}
