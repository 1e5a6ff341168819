import { InvalidInputError } from '../errors.ts'

// a table: the decimal and binary spellings of each prefix on one line
/* eslint-disable @stylistic/object-property-newline */
const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3, kb: 1e3, kib: 1024,
  m: 1e6, mb: 1e6, mib: 1024 ** 2,
  g: 1e9, gb: 1e9, gib: 1024 ** 3,
  t: 1e12, tb: 1e12, tib: 1024 ** 4
}
/* eslint-enable @stylistic/object-property-newline */

/** "1048576", "4MiB", "10 GB" -> bytes. Throws InvalidInputError on anything else. */
export function parseBytes (value: string | number): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value
    throw new InvalidInputError(`expected a whole number of bytes, got ${value}`)
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value)
  const unit = match != null ? BYTE_UNITS[match[2].toLowerCase()] : undefined
  if (match == null || unit == null) {
    throw new InvalidInputError(`expected a size like 1048576, 512MiB or 10GB, got "${value}"`)
  }
  const bytes = Math.floor(Number(match[1]) * unit)
  if (!Number.isSafeInteger(bytes)) throw new InvalidInputError(`size "${value}" is too large`)
  return bytes
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** "500ms", "5s", "2m", "1h" -> milliseconds. */
export function parseDuration (value: string | number): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value
    throw new InvalidInputError(`expected a duration in milliseconds, got ${value}`)
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(value)
  if (match == null) throw new InvalidInputError(`expected a duration like 500ms, 5s, 2m or 1h, got "${value}"`)
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2]])
}

export function formatBytes (bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`
}
