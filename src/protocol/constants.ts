/** client <-> storage node: put, get and has of content-addressed chunks */
export const STORE_PROTOCOL = '/dfs/store/1.0.0'
/** storage node -> directory: registration and heartbeat */
export const REGISTER_PROTOCOL = '/dfs/register/1.0.0'
/** storage node -> directory, when asked: the full list of chunks it holds */
export const INVENTORY_PROTOCOL = '/dfs/inventory/1.0.0'
/** client -> directory: place uploads, record files, resolve names and IDs */
export const DIRECTORY_PROTOCOL = '/dfs/directory/1.0.0'

/** Largest framed message per protocol: bulk bytes never travel inside messages. */
// a PUT carries a grant (~340 bytes) for itself and one for each node down its chain;
// a PUT_MANY also lists its chunks (~70 bytes each, MAX_BATCH_FILES at most)
export const MAX_STORE_MESSAGE_BYTES = 32 * 1024
// a heartbeat reply may carry the membership list (~55 bytes a peer)
export const MAX_REGISTER_MESSAGE_BYTES = 1024 * 1024
export const MAX_DIRECTORY_MESSAGE_BYTES = 4 * 1024 * 1024
export const MAX_INVENTORY_MESSAGE_BYTES = 1024 * 1024
/** Chunk IDs per inventory page (~64 bytes each on the wire) */
export const INVENTORY_PAGE_CHUNKS = 8192
/** Largest inventory a directory takes in one go (5M chunks is 20 TB at 4 MiB) */
export const MAX_INVENTORY_CHUNKS = 5_000_000

/** Chunks described per resolve reply; a client pages through larger files. */
export const RESOLVE_PAGE_CHUNKS = 1024
/** Placements handed out per request; a client asks again for more. */
export const PLACE_BATCH_CHUNKS = 256
/**
 * Small files travel in batches (one placement, one PUT_MANY to each of its
 * nodes, one commit): at most this many files, and bytes in all, per batch;
 * a GET_MANY's answer holds at most MAX_BATCH_BYTES too.
 */
export const MAX_BATCH_FILES = 128
export const MAX_BATCH_BYTES = 1024 * 1024
/** Bytes one PlaceFiles may ask for: a client uses one placement for several batches. */
export const MAX_PLACE_FILES_BYTES = 16 * 1024 * 1024
/** Files per ResolveMany, and chunks listed for each (the rest by Resolve). */
export const MAX_RESOLVE_MANY = 128
export const RESOLVE_MANY_CHUNKS = 16
/** Chunks per GET_MANY; each at most SMALL_CHUNK_BYTES (bigger ones are answered absent). */
export const MAX_GET_MANY = 64
export const SMALL_CHUNK_BYTES = 64 * 1024

/** Files per `ls` page. */
export const LIST_PAGE_FILES = 1000

/** Longest file name, in bytes of UTF-8. */
export const MAX_NAME_BYTES = 255

/** How long a grant for one batch of placements lets its nodes accept the chunks. */
export const PUT_GRANT_TTL_MS = 3600_000
/** How long a read grant lasts; a client gets fresh ones with every resolve. */
export const GET_GRANT_TTL_MS = 30 * 60_000
