/** The dfs library: the client, and the two peers for programs that embed them. */
export { DfsClient, DEFAULT_CHUNK_SIZE, type ClientInit, type FileStat, type ProgressOptions, type UploadOptions } from './client/client.ts'
export { DirectoryPeer, type DirectoryPeerInit } from './directory/directory-peer.ts'
export { StorageNode, type StorageNodeInit } from './node/storage-node.ts'
export type { FileInfo, NodeInfo, ChunkInfo } from './protocol/pb/directory.ts'
export * from './errors.ts'
export { setHeapTrimInterval, HEAP_TRIM_INTERVAL_MS } from './util/heap-trim.ts'
