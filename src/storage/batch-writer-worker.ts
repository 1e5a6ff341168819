/**
 * The worker thread of BatchWriter (batch-writer.ts): writes a batch of
 * small chunk files with plain blocking calls, one after the other, each
 * made durable before its rename, and each folder renamed into fsynced
 * before the batch is answered. See BatchWriter for why a thread.
 */
import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { parentPort } from 'node:worker_threads'
import type { BatchRequest, BatchReply } from './batch-writer.ts'

function fsyncPath (path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

function writeBatch ({ files }: BatchRequest): boolean[] {
  const written: string[] = []
  /** chunks this batch put in place that were not there before: taken out again if the batch fails */
  const placed: string[] = []
  try {
    for (const file of files) {
      const fd = openSync(file.tmp, 'wx')
      written.push(file.tmp)
      try {
        for (let at = 0; at < file.bytes.byteLength;) at += writeSync(fd, file.bytes, at, file.bytes.byteLength - at)
        fdatasyncSync(fd)
      } finally {
        closeSync(fd)
      }
    }
    const existed: boolean[] = []
    const folders = new Set<string>()
    for (const file of files) {
      const folder = dirname(file.path)
      existed.push(statSync(file.path, { throwIfNoEntry: false }) != null)
      try {
        renameSync(file.tmp, file.path)
      } catch (err: any) {
        if (err.code !== 'ENOENT') throw err
        // a shard folder not made yet (or removed by hand): make it, and make its name durable
        mkdirSync(folder, { recursive: true })
        fsyncPath(dirname(folder))
        renameSync(file.tmp, file.path)
      }
      if (!existed[existed.length - 1]) placed.push(file.path)
      folders.add(folder)
    }
    // the renames are durable once their folders are: then the batch may be acknowledged
    for (const folder of folders) fsyncPath(folder)
    return existed
  } catch (err) {
    for (const path of [...written, ...placed]) rmSync(path, { force: true })
    throw err
  }
}

parentPort!.on('message', (request: BatchRequest) => {
  let reply: BatchReply
  try {
    reply = { id: request.id, existed: writeBatch(request) }
  } catch (err: any) {
    reply = { id: request.id, error: { message: err.message ?? String(err), code: err.code } }
  }
  parentPort!.postMessage(reply)
})
