// NetMessage.session: a receiver can tell that a peer's connection (its session) changed in between.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ComponentDefinition,
  type HandlerReturn,
  type KompactSystem,
  type NetworkStatus,
  NetworkStatusPort,
} from '../src/index.js';
import { withSystem } from '../src/testing/index.js';
import { startNamedProbe } from './support/probes.js';
import { DEADLINE_MS, within } from './support/promises.js';

class Watcher extends ComponentDefinition {
  readonly events: NetworkStatus[] = [];
  private readonly waiters: { count: number; kind: NetworkStatus['kind']; resolve: () => void }[] = [];
  readonly status = this.requirePort(NetworkStatusPort, (event): HandlerReturn => {
    this.events.push(event);
    for (const waiter of this.waiters) if (this.count(waiter.kind) >= waiter.count) waiter.resolve();
  });
  count(kind: NetworkStatus['kind']): number {
    return this.events.filter((e) => e.kind === kind).length;
  }
  waitFor(kind: NetworkStatus['kind'], count: number): Promise<void> {
    if (this.count(kind) >= count) return Promise.resolve();
    return within(
      new Promise<void>((resolve) => this.waiters.push({ kind, count, resolve })),
      DEADLINE_MS,
      `${count} ${kind}`,
    );
  }
}

async function watch(system: KompactSystem): Promise<Watcher> {
  const watcher = system.create(() => new Watcher());
  await system.startNotify(watcher);
  system.connectNetworkStatusPort(watcher.onDefinition((d) => d.status));
  return watcher.onDefinition((d) => d);
}

describe('NetMessage.session', () => {
  it('names the connection a message came over, and changes when the connection is replaced', async () => {
    await withSystem(
      async (a) =>
        withSystem(
          async (b) => {
            const watcher = await watch(a);
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
