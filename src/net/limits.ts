/** Limits every dfs peer applies to its libp2p connections and inbound streams, whatever the protocol. */

/**
 * Inbound streams a peer accepts per protocol per connection. With each
 * stream's read buffer bounded (StreamReader pauses the sender past 1 MiB),
 * this bounds what one connection can make a peer hold.
 */
export const MAX_INBOUND_STREAMS = 32
/** Connections one peer may hold to another at once; more are refused at the gate. */
export const MAX_CONNECTIONS_PER_PEER = 4
/** How long a server waits for a quiet peer, mid-request or between requests. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000
