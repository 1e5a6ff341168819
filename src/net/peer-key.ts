import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { ConfigError } from '../errors.ts'

/** File, inside a peer's data dir, that holds its Ed25519 key (protobuf, mode 0600). */
export const PEER_KEY_FILE = 'peer.key'

/**
 * Load the peer's private key from `dir`, creating it on first use. The key is
 * what keeps a peer's ID, and so its full multiaddr, the same across restarts.
 */
export async function loadOrCreatePeerKey (dir: string, fileName = PEER_KEY_FILE): Promise<PrivateKey> {
  const file = join(dir, fileName)
  let bytes: Uint8Array | undefined
  try {
    bytes = await readFile(file)
  } catch (err: any) {
    if (err.code !== 'ENOENT') throw new ConfigError(`cannot read the peer key ${file}: ${err.message}`)
  }
  if (bytes != null) {
    try {
      return privateKeyFromProtobuf(bytes)
    } catch (err: any) {
      throw new ConfigError(`${file} is not a valid peer key (${err.message}); move it away to create a new identity`)
    }
  }
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const key = await generateKeyPair('Ed25519')
  // 'wx': never overwrite a key another process created meanwhile
  try {
    await writeFile(file, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' })
  } catch (err: any) {
    if (err.code === 'EEXIST') return await loadOrCreatePeerKey(dir, fileName)
    throw new ConfigError(`cannot write the peer key ${file}: ${err.message}`)
  }
  return key
}

export async function peerIdOfDir (dir: string, fileName = PEER_KEY_FILE): Promise<string> {
  return peerIdFromPrivateKey(await loadOrCreatePeerKey(dir, fileName)).toString()
}

/** File, inside the client's home folder, that holds the client's key: its identity to allowlists. */
export const CLIENT_KEY_FILE = 'client.key'
