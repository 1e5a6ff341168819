import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { multiaddr } from '@multiformats/multiaddr'
import { ConfigError } from '../errors.ts'
import { errorMessage } from '../util/log.ts'

/** Where `--http` listens when given no address: loopback only. */
export const DEFAULT_HTTP_LISTEN = '/ip4/127.0.0.1/tcp/8080'

export type HttpHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>

export interface HttpListener {
  /** e.g. http://127.0.0.1:8080 */
  url: string
  close: () => Promise<void>
}

/** `/ip4/127.0.0.1/tcp/8080` (or ip6, or dns) to a host and port for node:http. */
export function httpHostPort (addr: string): { host: string, port: number } {
  let components
  try {
    components = multiaddr(addr).getComponents()
  } catch {
    throw new ConfigError(`--http: "${addr}" is not a multiaddr; expected something like ${DEFAULT_HTTP_LISTEN}`)
  }
  const [host, tcp] = components
  if (components.length !== 2 || host == null || !['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(host.name) || tcp?.name !== 'tcp' || host.value == null) {
    throw new ConfigError(`--http: "${addr}" is not a TCP address; expected something like ${DEFAULT_HTTP_LISTEN}`)
  }
  const port = Number(tcp.value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--http: bad port in "${addr}"`)
  return { host: host.value, port }
}

/**
 * A small read-only HTTP listener. A handler that throws answers 500 with the
 * message (never a stack trace); the peer keeps running.
 */
export async function startHttp (addr: string, handler: HttpHandler, onError: (message: string) => void): Promise<HttpListener> {
  const { host, port } = httpHostPort(addr)
  const server: Server = createServer((request, response) => {
    handler(request, response).catch((err) => {
      onError(`HTTP ${request.method ?? '?'} ${request.url ?? '?'} failed: ${errorMessage(err)}`)
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
        response.end(`error: ${errorMessage(err)}\n`)
      } else {
        // mid-body: the client must not take a cut-off file for a whole one
        response.destroy()
      }
    })
  })
  // a stalled browser or script must not hold sockets for ever
  server.requestTimeout = 60_000
  server.headersTimeout = 20_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new ConfigError(`--http: cannot listen on ${addr}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`))
    })
    server.listen(port, host, () => { resolve() })
  })
  const bound = server.address()
  const boundPort = typeof bound === 'object' && bound != null ? bound.port : port
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shownHost}:${boundPort}`,
    close: async () => {
      server.closeIdleConnections()
      await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
    }
  }
}

export function sendJson (response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value)
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  response.end(body)
}

export function sendText (response: ServerResponse, status: number, text: string, type = 'text/plain; charset=utf-8'): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
  response.end(text)
}
