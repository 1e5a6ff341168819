import { CommanderError, type Command } from 'commander'

/** Exit codes every dfs command uses. */
export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
/** Stopped by SIGINT/SIGTERM (128 + SIGINT's number, as shells report it). */
export const EXIT_INTERRUPTED = 130

function errorText (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** A problem with how the command was called or configured: exit 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/**
 * Run a commander program: usage mistakes exit 2, failures print one
 * `error: …` line and exit 1 (the stack only with --debug), success exits 0.
 */
export async function runCli (program: Command, argv: string[], interrupted?: AbortSignal): Promise<void> {
  const debug = argv.includes('--debug')
  // subcommands copy settings only when created, so apply to each
  for (const command of [program, ...program.commands]) command.exitOverride()
  try {
    await program.parseAsync(argv)
  } catch (err: any) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT_OK : EXIT_USAGE
      return
    }
    if (interrupted?.aborted === true) {
      // whatever failed first, the cause is the signal
      process.stderr.write(`error: ${errorText(interrupted.reason)}\n`)
      process.exitCode = EXIT_INTERRUPTED
      return
    }
    if (err instanceof UsageError || err?.name === 'ConfigError') {
      process.stderr.write(`error: ${err.message}\n`)
      process.exitCode = EXIT_USAGE
      return
    }
    const message = err instanceof Error ? err.message : String(err)
    process.stderr.write(`error: ${message.replaceAll('\n', ' ')}\n`)
    if (debug && err instanceof Error && err.stack != null) process.stderr.write(`${err.stack}\n`)
    process.exitCode = EXIT_FAILURE
  }
}

/** Collect a repeatable option into an array. */
export function collect (value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}
