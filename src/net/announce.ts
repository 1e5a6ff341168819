import { BlockList } from 'node:net'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { ConfigError } from '../errors.ts'

const LOOPBACK = new BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')

function isLoopback (ma: Multiaddr): boolean {
  const [host] = ma.getComponents()
  if (host?.value == null) return false
  if (host.name === 'ip4') return LOOPBACK.check(host.value, 'ipv4')
  if (host.name === 'ip6') return LOOPBACK.check(host.value, 'ipv6')
  return false
}

/**
 * libp2p's announce filter: the addresses other peers should dial. A peer
 * listening on 0.0.0.0 has its loopback address among its interfaces', and a
 * client on another machine that dials it reaches itself; so loopback goes
 * whenever there is another address, and stays when it is all there is (a
 * cluster on one machine).
 */
export function reachableAddrs (addrs: Multiaddr[]): Multiaddr[] {
  const routable = addrs.filter((ma) => !isLoopback(ma))
  return routable.length > 0 ? routable : addrs
}

/**
 * An address given to announce (`--announce`, "announce"): a host (IP or DNS
 * name) and a TCP port, without /p2p (the peer adds its own ID).
 */
export function checkAnnounceAddr (addr: string): string {
  let components
  try {
    components = multiaddr(addr).getComponents()
  } catch {
    throw new ConfigError(`"${addr}" is not a multiaddr; expected something like /ip4/203.0.113.7/tcp/4011 or /dns4/node1.example.com/tcp/4011`)
  }
  const [host, tcp] = components
  if (components.length !== 2 || !['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(host?.name ?? '') || tcp?.name !== 'tcp') {
    throw new ConfigError(`"${addr}" is not a host and TCP port; expected something like /ip4/203.0.113.7/tcp/4011 or /dns4/node1.example.com/tcp/4011 (without /p2p: the node adds its own peer ID)`)
  }
  const port = Number(tcp.value)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`"${addr}": the port must be 1 to 65535, since others dial it`)
  return addr
}
