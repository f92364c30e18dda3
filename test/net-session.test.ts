// NetMessage.session: a receiver can tell that a peer's connection (its session) changed in between.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withSystem } from '../src/testing/index.js';
import { startNamedProbe } from './support/probes.js';
import { watchStatus } from './support/status-watcher.js';

describe('NetMessage.session', () => {
  it('names the connection a message came over, and changes when the connection is replaced', async () => {
    await withSystem(
      async (a) =>
        withSystem(
          async (b) => {
            const watcher = await watchStatus(a);
            const target = await startNamedProbe(b, 'target');
            target.path.tell('first', a);
            await target.probe.waitFor(1);
            await watcher.waitFor('connection-established', 1);
            const first = target.probe.received[0]?.session;
            const established = watcher.events.find((e) => e.kind === 'connection-established');
            assert.equal(typeof first, 'number');
            assert.ok(established?.kind === 'connection-established');
            watcher.status.trigger({ kind: 'disconnect-system', system: b.systemPath() });
            await watcher.waitFor('connection-closed', 1);
            target.path.tell('second', a);
            await target.probe.waitFor(2);
            const second = target.probe.received[1]?.session;
            assert.equal(typeof second, 'number');
            assert.notEqual(second, first, 'a new connection, a new session');
            target.path.tell('local', b);
            await target.probe.waitFor(3);
            assert.equal(target.probe.received[2]?.session, undefined, 'a same-system message has none');
          },
          (config) => config.network(),
        ),
      (config) => config.network(),
    );
  });
});
