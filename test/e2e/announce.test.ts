import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { Cluster, PeerProcess } from '../helpers/cluster.ts'

/** Where a multiaddr points: its host part. */
const hostOf = (addr: string): string => addr.split('/')[2]

describe('end to end: the addresses a node announces', function () {
  this.timeout(120_000)
  let cluster: Cluster | undefined
  afterEach(async () => {
    await cluster?.stop()
    cluster = undefined
  })

  async function registered (c: Cluster, peerId: string): Promise<string[] | undefined> {
    return (await c.json(['nodes'])).find((n: any) => n.peerId === peerId && n.alive)?.addrs
  }

  it('listening on 0.0.0.0 registers no loopback address; --announce registers exactly what it names', async () => {
    cluster = await Cluster.start({ nodes: 0 })
    // a cluster on loopback only keeps its loopback address
    assert.equal(hostOf(cluster.directoryAddr), '127.0.0.1')

    const wildcard = await PeerProcess.start(['--role', 'node', '--directory', cluster.directoryAddr, '--data-dir', cluster.nodeDataDir(0), '--listen', '/ip4/0.0.0.0/tcp/0'])
    cluster.nodes.push(wildcard)
    await cluster.waitFor('the 0.0.0.0 node registered', async () => await registered(cluster!, wildcard.peerId) != null)
    const addrs = (await registered(cluster, wildcard.peerId))!
    // libp2p spreads 0.0.0.0 over the IPv4 interfaces: all but loopback, or loopback when it is the only one
    const routable = Object.values(networkInterfaces()).flat().filter((i) => i != null && i.family === 'IPv4' && !i.internal).map((i) => i!.address)
    assert.deepEqual(addrs.map(hostOf).sort(), routable.length > 0 ? [...new Set(routable)].sort() : ['127.0.0.1'], `registered: ${addrs.join(', ')}`)
    for (const addr of addrs) assert.match(addr, new RegExp(`^/ip4/[0-9.]+/tcp/\\d+/p2p/${wildcard.peerId}$`))
    // and a client reaches it there
    const content = randomBytes(300 * 1024)
    const id = await cluster.upload('via-routable.bin', content, ['--replicas', '1'])
    const down = await cluster.client(['download', id, '-'])
    assert.equal(down.code, 0, down.stderr)
    assert.ok(down.stdoutBytes.equals(content), 'downloaded byte for byte from the node at its announced address')

    const behindNat = await PeerProcess.start(['--role', 'node', '--directory', cluster.directoryAddr, '--data-dir', cluster.nodeDataDir(1), '--listen', '/ip4/0.0.0.0/tcp/0', '--announce', '/ip4/203.0.113.7/tcp/4011', '--announce', '/dns4/node1.example.com/tcp/4011'])
    cluster.nodes.push(behindNat)
    await cluster.waitFor('the announcing node registered', async () => await registered(cluster!, behindNat.peerId) != null)
    const announced = [`/ip4/203.0.113.7/tcp/4011/p2p/${behindNat.peerId}`, `/dns4/node1.example.com/tcp/4011/p2p/${behindNat.peerId}`]
    assert.deepEqual(await registered(cluster, behindNat.peerId), announced)
    // libp2p announces the same: the node prints what it gives others to dial
    assert.deepEqual([...behindNat.stdout.matchAll(/listening on (\S+)/g)].map((m) => m[1]), announced)
  })

  it('a directory with --announce prints and gives out exactly the addresses it names', async () => {
    cluster = await Cluster.start({ nodes: 0 })
    const directory = await PeerProcess.start(['--role', 'directory', '--open', '--data-dir', join(cluster.root, 'announcing-directory'), '--listen', '/ip4/127.0.0.1/tcp/0', '--announce', '/ip4/203.0.113.9/tcp/4010'])
    try {
      assert.deepEqual([...directory.stdout.matchAll(/listening on (\S+)/g)].map((m) => m[1]), [`/ip4/203.0.113.9/tcp/4010/p2p/${directory.peerId}`])
    } finally {
      await directory.stop()
    }
  })

  it('refuses an announce address that others could not dial, saying what is expected', async () => {
    cluster = await Cluster.start({ nodes: 0 })
    for (const bad of ['/ip4/203.0.113.7', '/ip4/203.0.113.7/tcp/4011/p2p/12D3KooWDtvP4TufsDG6EExtdpHBRdpD49UNND2w7St6H8K7XMYJ', '/ip4/203.0.113.7/tcp/0', 'node1:4011']) {
      const peer = PeerProcess.spawn(['--role', 'node', '--directory', cluster.directoryAddr, '--data-dir', join(cluster.root, 'refused'), '--announce', bad])
      assert.equal(await peer.exited, 2, `--announce ${bad}: ${peer.stderr}`)
      assert.match(peer.stderr, /^error: options: "announce\.0": .*(expected something like \/ip4\/203\.0\.113\.7\/tcp\/4011|the port must be)/m, bad)
      assert.doesNotMatch(peer.stderr, /\n\s+at /, 'no stack trace')
    }
  })
})
