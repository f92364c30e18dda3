// Blocking and allowing whole networks (CIDR, IPv4 and IPv6) through the network status port, with a
// peer from a blocked network simulated by a client socket bound to another loopback address.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { ActorPath, type DeadLetter } from '../src/index.js';
import { IpNetSet, parseIpNet } from '../src/net/ip-net.js';
import { withSystem } from '../src/testing/index.js';
import { startNamedProbe } from './support/probes.js';
import { DEADLINE_MS, within } from './support/promises.js';
import { watchStatus } from './support/status-watcher.js';
import { withTwoSystems } from './support/systems.js';

/** Opens a TCP connection to `port` on 127.0.0.1 from `localAddress`; resolves with how it ended. */
function dialFrom(localAddress: string, port: number): Promise<'closed-by-peer' | 'open'> {
  return within(
    new Promise((resolve) => {
      const socket: Socket = connect({ host: '127.0.0.1', port, localAddress });
      socket.on('error', () => {});
      socket.on('close', () => resolve('closed-by-peer'));
      // Sends nothing: a peer that is not refused waits for its handshake (5 s by default, well past this timer; a refused one is closed on arrival).
      const timer = setTimeout(() => {
        socket.destroy();
        resolve('open');
      }, 1500);
      socket.on('close', () => clearTimeout(timer));
    }),
    DEADLINE_MS,
    `a connection from ${localAddress}`,
  );
}

describe('blocking a network', () => {
  it('reads IPv4 and IPv6 networks in CIDR notation, and tells which addresses lie in them', () => {
    assert.equal(parseIpNet('127.0.0.0/8').text, '127.0.0.0/8');
    assert.equal(parseIpNet('::1').text, '::1/128');
    assert.equal(parseIpNet('FD00:0::/8').text, 'fd00::/8');
    assert.equal(parseIpNet('10.1.2.3').text, '10.1.2.3/32');
    const nets = new IpNetSet();
    nets.add(parseIpNet('127.0.0.2/32'));
    nets.add(parseIpNet('fd00::/8'));
    assert.equal(nets.has('127.0.0.2'), true);
    assert.equal(nets.has('127.0.0.1'), false);
    assert.equal(nets.has('fd12::1'), true);
    assert.equal(nets.has('::1'), false);
    nets.delete(parseIpNet('127.0.0.2'));
    assert.equal(nets.has('127.0.0.2'), false);
    assert.throws(() => parseIpNet('10.0.0.0/33'), /prefix length of `net` to be an integer from 0 to 32/);
    assert.throws(() => parseIpNet('::/129'), /from 0 to 128/);
    assert.throws(() => parseIpNet('no.such/8'), /Expected `net` to be a network in CIDR notation/);
  });

  it('refuses connections from a blocked network and accepts them again once it is allowed', async () => {
    await withSystem(
      async (system) => {
        const watcher = await watchStatus(system);
        const port = system.systemPath().port;
        watcher.status.trigger({ kind: 'block-ip-net', net: '127.0.0.2/31' });
        assert.deepEqual(await watcher.first('blocked-ip-net'), {
          kind: 'blocked-ip-net',
          net: '127.0.0.2/31',
        });
        assert.equal(await dialFrom('127.0.0.2', port), 'closed-by-peer');
        assert.equal(await dialFrom('127.0.0.3', port), 'closed-by-peer');
        assert.equal(await dialFrom('127.0.0.1', port), 'open', 'an address outside the network');
        watcher.status.trigger({ kind: 'allow-ip-net', net: '127.0.0.2/31' });
        assert.deepEqual(await watcher.first('allowed-ip-net'), {
          kind: 'allowed-ip-net',
          net: '127.0.0.2/31',
        });
        assert.equal(await dialFrom('127.0.0.2', port), 'open');
      },
      (config) => config.network(),
    );
  });

  it('refuses messages to systems in a blocked network, and cuts connections with them', async () => {
    await withTwoSystems(async (a, b) => {
      const watcher = await watchStatus(a);
      const target = await startNamedProbe(b, 'target');
      target.path.tell('before', a);
      await target.probe.waitFor(1);
      watcher.status.trigger({ kind: 'block-ip-net', net: '127.0.0.0/8' });
      await watcher.first('blocked-ip-net');
      const letters: DeadLetter[] = [];
      a.deadLetters.subscribe((letter) => letters.push(letter));
      ActorPath.parse(target.path.toString()).tell('during', a);
      assert.deepEqual([letters[0]?.reason, letters[0]?.detail], ['refused', 'blocked']);
      watcher.status.trigger({ kind: 'allow-ip-net', net: '127.0.0.0/8' });
      await watcher.first('allowed-ip-net');
      target.path.tell('after', a);
      await target.probe.waitFor(2);
      assert.deepEqual(target.probe.texts, ['before', 'after']);
    });
  });

  it('logs a malformed network request and keeps running', async () => {
    await withSystem(
      async (system) => {
        const watcher = await watchStatus(system);
        watcher.status.trigger({ kind: 'block-ip-net', net: '10.0.0.0/99' });
        watcher.status.trigger({ kind: 'block-ip-net', net: '::1/128' });
        assert.deepEqual(await watcher.first('blocked-ip-net'), { kind: 'blocked-ip-net', net: '::1/128' });
      },
      (config) => config.network(),
    );
  });
});
