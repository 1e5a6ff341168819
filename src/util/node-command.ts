import { readFileSync } from 'node:fs'

/**
 * The argv that runs one of our bin scripts exactly as its shebang does
 * (`#!/usr/bin/env -S node <flags>`): this Node binary, the same V8 flags.
 * The shebang is the one place the flags are written.
 */
export function binArgv (binPath: string): string[] {
  const firstLine = readFileSync(binPath, 'utf8').split('\n', 1)[0]
  const match = /^#!\/usr\/bin\/env -S node(.*)$/.exec(firstLine)
  const flags = match?.[1].trim().split(/\s+/).filter((flag) => flag !== '') ?? []
  return [process.execPath, ...flags, binPath]
}
