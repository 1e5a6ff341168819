import { InvalidInputError } from '../errors.ts'
import { MAX_NAME_BYTES } from './constants.ts'

/**
 * A file name is one path segment: a download writes it inside DEST, so it
 * must never be able to escape it. Checked by the client before it asks and by
 * the directory before it records.
 */
export function validateName (name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidInputError('a file name cannot be empty')
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw new InvalidInputError(`file name is longer than ${MAX_NAME_BYTES} bytes`)
  if (name === '.' || name === '..') throw new InvalidInputError(`"${name}" is not a valid file name`)
  // eslint-disable-next-line no-control-regex
  if (/[/\\\u0000-\u001f\u007f]/.test(name)) {
    throw new InvalidInputError(`file name ${JSON.stringify(name)} contains a path separator or a control character`)
  }
  return name
}
