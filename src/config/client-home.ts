import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { ClientConfig } from './config.ts'

// Apart from config.ts so that a client with no config file never loads zod, whose bundled locales
// make it slow to import and heavy in memory for a CLI run.

/** The client's home folder: --home, else $DFS_HOME, else ~/.dfs. */
export function clientHome (flag?: string): string {
  return flag ?? process.env.DFS_HOME ?? join(homedir(), '.dfs')
}

export const CLIENT_CONFIG_FILE = 'config.json'

/** The client's config in its home folder; empty when there is none yet. */
export async function loadClientConfig (home: string): Promise<ClientConfig> {
  const path = join(home, CLIENT_CONFIG_FILE)
  try {
    await readFile(path)
  } catch (err: any) {
    if (err.code === 'ENOENT') return {}
  }
  const { clientConfigSchema, loadConfigFile } = await import('./config.ts')
  return await loadConfigFile(clientConfigSchema, path)
}
