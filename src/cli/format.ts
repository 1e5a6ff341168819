import { formatBytes } from '../util/units.ts'

/** A plain text table: columns padded to their widest cell. */
export function table (headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i].length)))
  const line = (cells: string[]): string => cells.map((cell, i) => i === cells.length - 1 ? cell : cell.padEnd(widths[i])).join('  ')
  return [line(headers), ...rows.map(line)].join('\n') + '\n'
}

export function humanBytes (bytes: number): string {
  return formatBytes(bytes)
}

export function humanTime (ms: number): string {
  return ms === 0 ? '-' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')
}
