// The inspector (kompact-ts/inspector) over HTTP: the token, read-only by default, actions, what a
// snapshot holds (components, handled counts, restarts, the port graph, the timeline, dead letters),
// and closing with the system. The page itself, in a real browser, is in inspector-page.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ActorPath,
  biconnectComponents,
  ComponentDefinition,
  KompactConfig,
  KompactError,
  type NetMessage,
} from '../src/index.js';
import { type InspectorSnapshot, startInspector } from '../src/inspector/index.js';
import { captureLogs, withSystem } from '../src/testing/index.js';
import { CountPort, CountProvider, PortUser } from './support/definitions.js';
import { within } from './support/promises.js';

class Sink extends ComponentDefinition<string> {
  override receiveLocal(message: string): void {
    if (message === 'crash') throw new Error('sink crashed');
  }
}

async function snapshotOf(url: string): Promise<InspectorSnapshot> {
  const response = await within(fetch(`${url}api/snapshot`), 10_000, 'the snapshot request');
  assert.equal(response.status, 200);
  return (await response.json()) as InspectorSnapshot;
}

/** Polls the snapshot until `test` holds, failing with `what` after the deadline. */
async function snapshotWhere(
  url: string,
  test: (snapshot: InspectorSnapshot) => boolean,
  what: string,
): Promise<InspectorSnapshot> {
  const poll = async (): Promise<InspectorSnapshot> => {
    for (;;) {
      const snapshot = await snapshotOf(url);
      if (test(snapshot)) return snapshot;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return within(poll(), 10_000, what);
}

describe('startInspector', () => {
  it('serves the page with its token and answers 401 without it', async () => {
    await withSystem(async (system) => {
      const inspector = await startInspector(system);
      try {
        const url = new URL(inspector.url);
        assert.equal(url.hostname, '127.0.0.1');
        assert.match(url.pathname, /^\/[A-Za-z0-9_-]{16,}\/$/);
        const page = await within(fetch(inspector.url), 10_000, 'the page request');
        assert.equal(page.status, 200);
        assert.match(await page.text(), /kompact-ts inspector/);
        assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
        for (const path of ['/', '/api/snapshot', '/events', `/${'x'.repeat(24)}/api/snapshot`]) {
          const response = await within(fetch(`${url.origin}${path}`), 10_000, `GET ${path}`);
          assert.equal(response.status, 401, `GET ${path} without the token`);
          await response.body?.cancel();
        }
        for (const file of ['app.js', 'vendor/uplot.js', 'vendor/cytoscape.js', 'vendor/uplot.css']) {
          const response = await within(fetch(`${inspector.url}${file}`), 10_000, `GET ${file}`);
          assert.equal(response.status, 200, file);
          await response.arrayBuffer();
        }
      } finally {
        await inspector.close();
      }
    });
  });

  it('lists components with their state, handled count, paths and port connections', async () => {
    await withSystem(async (system) => {
      const provider = system.create(() => new CountProvider());
      const user = system.create(() => new PortUser());
      const sink = system.create(() => new Sink());
      biconnectComponents(CountPort, provider, user);
      await system.registerByAlias(sink, 'sinks/main');
      const inspector = await startInspector(system);
      try {
        await Promise.all([system.startNotify(provider), system.startNotify(user), system.startNotify(sink)]);
        for (let i = 0; i < 10; i++) sink.actorRef().tell(`hello ${i}`);
        const snapshot = await snapshotWhere(
          inspector.url,
          (s) => s.components.find((row) => row.id === sink.id)?.handled === 11,
          'the sink to show 11 handler calls (start and 10 messages)',
        );
        const row = snapshot.components.find((r) => r.id === sink.id);
        assert.equal(row?.type, 'Sink');
        assert.equal(row?.state, 'active');
        assert.ok(
          row?.paths.some((path) => path.endsWith('/sinks/main')),
          `paths: ${row?.paths.join()}`,
        );
        assert.equal(snapshot.overview.components.active, 3);
        assert.deepEqual(snapshot.ports.edges, [
          { provider: provider.id, requirer: user.id, port: 'CountPort' },
        ]);
        assert.equal(snapshot.network, undefined);
      } finally {
        await inspector.close();
      }
    });
  });

  it('counts handler calls exactly per component when many take turns in alternation', async () => {
    await withSystem(async (system) => {
      const sinks = Array.from({ length: 5 }, () => system.create(() => new Sink()));
      const inspector = await startInspector(system);
      try {
        for (const sink of sinks) await system.startNotify(sink);
        // Round-robin sends make the turns alternate between all five, past the two counted in fields.
        for (let round = 0; round < 20; round++) {
          sinks.forEach((sink, i) => {
            if (round < 4 * (i + 1)) sink.actorRef().tell(`round ${round}`);
          });
          await new Promise((resolve) => setImmediate(resolve));
        }
        const snapshot = await snapshotWhere(
          inspector.url,
          (s) => s.overview.totals.handled >= 5 + 4 + 8 + 12 + 16 + 20,
          'every message to be counted',
        );
        assert.deepEqual(
          sinks.map((sink) => snapshot.components.find((row) => row.id === sink.id)?.handled),
          [5, 9, 13, 17, 21],
        );
      } finally {
        await inspector.close();
      }
    });
  });

  it('shows a fault in the timeline and the restart on the replacement', async () => {
    await withSystem(async (system) => {
      const sink = system.create(() => new Sink());
      sink.setRecoveryFunction((fault) => fault.replaceWith(() => new Sink()));
      await system.startNotify(sink);
      const inspector = await startInspector(system);
      try {
        sink.actorRef().tell('crash');
        const snapshot = await snapshotWhere(
          inspector.url,
          (s) => s.timeline.some((entry) => entry.kind === 'recovered'),
          'the recovery to reach the timeline',
        );
        const [fault, recovered] = snapshot.timeline;
        assert.equal(fault?.kind, 'fault');
        assert.equal(fault?.componentId, sink.id);
        assert.match(fault?.detail ?? '', /sink crashed/);
        assert.equal(recovered?.kind, 'recovered');
        const replacement = snapshot.components.find((row) => row.id === recovered?.replacementId);
        assert.equal(replacement?.restarts, 1);
        assert.match(replacement?.lastFault ?? '', /sink crashed/);
        assert.equal(snapshot.overview.totals.faults, 1);
      } finally {
        await inspector.close();
      }
    });
  });

  it("lists the worker systems, and shows a worker's fault and restart in the timeline", async () => {
    await withSystem(async (system) => {
      const worker = await within(
        system.spawnWorker(new URL('./support/workers/probe-worker.js', import.meta.url), {
          name: 'unstable',
          restart: { maxRestarts: 3, withinMs: 600_000 },
        }),
        60_000,
        'the worker to spawn',
      );
      const inspector = await startInspector(system);
      try {
        ActorPath.parse(`${worker.systemPath().toString()}/saboteur`).tell('exit', system);
        const snapshot = await within(
          (async () => {
            for (;;) {
              const current = await snapshotOf(inspector.url);
              if (current.timeline.some((entry) => entry.kind === 'worker-restarted')) return current;
              await new Promise((resolve) => setTimeout(resolve, 50));
            }
          })(),
          60_000,
          'the restart to reach the timeline',
        );
        const [fault, restarted] = snapshot.timeline;
        assert.equal(fault?.kind, 'worker-fault');
        assert.equal(fault?.componentId, undefined, 'no component: the whole thread');
        assert.equal(fault?.componentType, `worker unstable (${worker.systemPath().toString()})`);
        assert.match(fault?.detail ?? '', /^exit: .*code 3.*\(restarting\)$/);
        assert.equal(restarted?.kind, 'worker-restarted');
        assert.match(restarted?.detail ?? '', /restart 1$/);
        assert.deepEqual(snapshot.workers, [
          {
            name: 'unstable',
            systemPath: worker.systemPath().toString(),
            state: 'up',
            threadId: worker.threadId,
            restarts: 1,
          },
        ]);
      } finally {
        await inspector.close();
      }
    });
  });

  it('counts dead letters by reason with the latest ones', async () => {
    await withSystem(async (system) => {
      const sink = system.create(() => new Sink());
      const inspector = await startInspector(system);
      try {
        await system.killNotify(sink);
        sink.actorRef().tell('too late');
        const snapshot = await snapshotOf(inspector.url);
        assert.deepEqual(snapshot.deadLetters.byReason, { destroyed: 1 });
        assert.match(snapshot.deadLetters.latest[0]?.message ?? '', /too late/);
      } finally {
        await inspector.close();
      }
    });
  });

  it('is read-only unless started with actions: true', async () => {
    await withSystem(async (system) => {
      const sink = system.create(() => new Sink());
      await system.startNotify(sink);
      const readOnly = await startInspector(system);
      const acting = await startInspector(system, { actions: true });
      try {
        const refused = await within(
          fetch(`${readOnly.url}api/components/${sink.id}/kill`, { method: 'POST' }),
          10_000,
          'the refused action',
        );
        assert.equal(refused.status, 403);
        await refused.text();
        assert.ok(sink.isActive());
        const drill = await within(
          fetch(`${acting.url}api/components/${sink.id}/fault`, { method: 'POST' }),
          10_000,
          'the fault drill',
        );
        assert.equal(drill.status, 200);
        await drill.text();
        await snapshotWhere(
          acting.url,
          (s) => s.timeline.some((entry) => entry.kind === 'fault' && /drill/.test(entry.detail)),
          'the drill fault in the timeline',
        );
        assert.ok(sink.isFaulty());
      } finally {
        await readOnly.close();
        await acting.close();
      }
    });
  });

  it('refuses to serve a non-loopback address without a token, and bad options', async () => {
    await withSystem(async (system) => {
      await assert.rejects(startInspector(system, { host: '0.0.0.0', token: false }), (error: unknown) => {
        assert.ok(error instanceof KompactError);
        assert.equal(error.code, 'INSPECTOR_UNSAFE');
        return true;
      });
      await assert.rejects(startInspector(system, { port: -1 }), {
        message: 'Expected `port` to be an integer from 0 to 65535, got `-1` (number)',
      });
      await assert.rejects(
        startInspector(system, { token: 'short' }),
        /Expected `token` to be false or a string/,
      );
    });
  });

  it('serves without a token on loopback when told to', async () => {
    await withSystem(async (system) => {
      const inspector = await startInspector(system, { token: false });
      try {
        assert.match(inspector.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
        assert.equal((await snapshotOf(inspector.url)).system.state, 'active');
      } finally {
        await inspector.close();
      }
    });
  });

  it('closes when its system shuts down', async () => {
    let url = '';
    await withSystem(async (system) => {
      url = (await startInspector(system)).url;
    });
    await assert.rejects(within(fetch(url), 10_000, 'a request to a closed inspector'), TypeError);
  });
});

class Inbox extends ComponentDefinition {
  received = 0;
  override receiveNetwork(_message: NetMessage): void {
    this.received++;
  }
}

describe('the inspector over a network', () => {
  it('lists a peer system with its connection, frames and bytes each way', async () => {
    await withSystem(
      async (receiver) => {
        await withSystem(
          async (sender) => {
            const inbox = receiver.create(() => new Inbox());
            await receiver.startNotify(inbox);
            const path = await receiver.register(inbox);
            const inspector = await startInspector(sender);
            try {
              for (let i = 0; i < 5; i++) path.tell(`hello ${i}`, sender);
              const snapshot = await snapshotWhere(
                inspector.url,
                (s) => (s.network?.peers[0]?.framesSent ?? 0) >= 5,
                'the peer to show 5 frames sent',
              );
              const peer = snapshot.network?.peers[0];
              assert.equal(snapshot.network?.systemPath, sender.systemPath().toString());
              assert.equal(peer?.system, receiver.systemPath().toString());
              assert.equal(peer?.status, 'connected');
              assert.equal(peer?.connections, 1);
              assert.ok((peer?.bytesSent ?? 0) > 0 && (peer?.bytesReceived ?? 0) > 0, JSON.stringify(peer));
              assert.equal(peer?.lost, 0);
              assert.equal(peer?.events['connection-established'], 1);
            } finally {
              await inspector.close();
            }
          },
          (config) => config.network({ host: '127.0.0.1', port: 0 }),
        );
      },
      (config) => config.network({ host: '127.0.0.1', port: 0 }),
    );
  });
});

describe('kompact.inspector config', () => {
  it('starts an inspector when the system is built with kompact.inspector.port, and logs its URL', async () => {
    const { logger, lines } = captureLogs('info');
    const system = await KompactConfig.default()
      .logger(logger)
      .loadConfigString('[kompact.inspector]\nport = 0\nactions = true')
      .build();
    try {
      const line = lines.find((l) => l.msg.startsWith('Inspector at '));
      assert.ok(line, 'the URL was logged');
      const url = line.url as string;
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{16,}\/$/);
      assert.equal((await snapshotOf(url)).system.label, system.label);
    } finally {
      await system.shutdown();
    }
  });

  it('refuses an invalid inspector port, naming the key', async () => {
    await assert.rejects(
      KompactConfig.default().logLevel('silent').loadConfigString('kompact.inspector.port = -3').build(),
      /Invalid value for kompact\.inspector\.port \(from .*\): expected an integer from 0 to 65535, got `-3` \(number\)/,
    );
  });
});
