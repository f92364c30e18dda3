// Two networked systems in one process: config, sending by path in both directions, serialisation,
// dead letters for what cannot be delivered, the network status port, and named services that keep
// answering while the component behind them is replaced.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { describe, it } from 'node:test';
import {
  ActorPath,
  ComponentDefinition,
  type DeadLetter,
  type HandlerReturn,
  type KompactSystem,
  msgpackSerialiser,
  type NetMessage,
  type NetworkStatus,
  NetworkStatusPort,
  type Serialiser,
  Serialisers,
  SystemPath,
  serId,
} from '../src/index.js';
import { testConfig, withSystem } from '../src/testing/index.js';
import { isKompactError } from './support/errors.js';
import { CLOSED_HOST, closedPort } from './support/ports.js';
import { Probe, settle, startNamedProbe, startProbe } from './support/probes.js';
import { DEADLINE_MS, within } from './support/promises.js';
import { withTwoSystems as withTwoNetworked } from './support/systems.js';

type Point = { readonly x: number; readonly y: number };
const isPoint = (v: unknown): v is Point =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Point).x === 'number' &&
  typeof (v as Point).y === 'number';
const PointSerialiser = msgpackSerialiser<Point>(serId(100), isPoint);

/** Runs `body` with two networked systems on loopback that know `PointSerialiser`. */
function withTwoSystems(
  body: (a: KompactSystem, b: KompactSystem) => Promise<void>,
  options: Parameters<ReturnType<typeof testConfig>['network']>[0] = {},
): Promise<void> {
  return withTwoNetworked(body, (config) => config.network(options).serialisers(PointSerialiser));
}

function on(system: KompactSystem, rest: string): ActorPath {
  return ActorPath.parse(`${system.systemPath().toString()}${rest}`);
}

/** Resolves with the dead letters once `count` arrived. */
function deadLettersOf(system: KompactSystem, count: number): { letters: DeadLetter[]; done: Promise<void> } {
  const letters: DeadLetter[] = [];
  const done = new Promise<void>((resolve) => {
    system.deadLetters.subscribe((letter) => {
      letters.push(letter);
      if (letters.length === count) resolve();
    });
  });
  return { letters, done };
}

describe('network config', () => {
  it('binds loopback on a free port by default and reports it as the system path', async () => {
    await withSystem(
      async (system) => {
        const path = system.systemPath();
        assert.equal(path.transport, 'tcp');
        assert.equal(path.host, '127.0.0.1');
        assert.ok(path.port > 0);
      },
      (config) => config.network(),
    );
  });

  it('rejects build with BIND_FAILED when the address is taken', async () => {
    await withSystem(
      async (system) => {
        const taken = system.systemPath().port;
        await assert.rejects(testConfig().network({ port: taken }).build(), isKompactError('BIND_FAILED'));
      },
      (config) => config.network(),
    );
  });

  it('refuses invalid network options at once with CONFIG_INVALID naming the option', () => {
    assert.throws(() => testConfig().network({ port: 70_000 }), isKompactError('CONFIG_INVALID'));
    assert.throws(() => testConfig().network({ port: 70_000 }), /port/);
    assert.throws(() => testConfig().network({ maxFrameBytes: -1 }), /maxFrameBytes/);
    assert.throws(() => testConfig().network({ host: '' }), /host/);
    assert.throws(() => testConfig().serialisers({} as Serialiser<unknown>), TypeError);
    assert.throws(() => testConfig().serialisers(Serialisers.string as Serialiser<unknown>), /reserved/);
  });

  it('a system without network config opens no socket', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
    await withSystem(async () => {
      const during = process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
      assert.equal(during, before);
    });
  });
});

describe('sending between systems', () => {
  it('delivers to a named path of another system and the reply comes back to the sender', async () => {
    await withTwoSystems(async (a, b) => {
      const server = await startNamedProbe(b, 'echo', 'B');
      const client = await startProbe(a, 'client');
      on(b, '/echo').tell('echo hi', client.probe);
      await client.probe.waitFor(1);
      assert.deepEqual(client.probe.texts, ['B:hi']);
      const request = server.probe.received[0] as NetMessage;
      assert.equal(request.isLocal, false);
      assert.ok(request.sender.equals(client.probe.ctx.actorPath()));
      assert.equal(request.sender.system.toString(), a.systemPath().toString());
      assert.equal(request.receiver.toString(), `${b.systemPath().toString()}/echo`);
    });
  });

  it('carries every built-in type and registered msgpack data, and keeps per-pair order', async () => {
    await withTwoSystems(async (a, b) => {
      const server = await startNamedProbe(b, 'sink');
      const path = server.path;
      const remote = on(b, '/sink');
      const sender = await startProbe(a);
      remote.tell('text', sender.probe);
      remote.tell(1.5, sender.probe);
      remote.tell(2n ** 70n, sender.probe);
      remote.tell(new Uint8Array([1, 2, 3]), sender.probe);
      remote.tell(path, sender.probe);
      remote.tell({ x: 1, y: 2 }, sender.probe, PointSerialiser);
      for (let i = 0; i < 500; i++) remote.tell(i, sender.probe);
      await server.probe.waitFor(506);
      const [text, num, big, bytes, pathValue, point, ...rest] = server.probe.received as NetMessage[];
      assert.equal(text?.tryDeserialise(Serialisers.string), 'text');
      assert.equal(num?.tryDeserialise(Serialisers.number), 1.5);
      assert.equal(big?.tryDeserialise(Serialisers.bigint), 2n ** 70n);
      assert.deepEqual(bytes?.tryDeserialise(Serialisers.bytes), new Uint8Array([1, 2, 3]));
      assert.ok(pathValue?.tryDeserialise(Serialisers.actorPath).equals(path));
      assert.deepEqual(point?.tryDeserialise(PointSerialiser), { x: 1, y: 2 });
      assert.deepEqual(
        rest.map((msg) => msg.tryDeserialise(Serialisers.number)),
        Array.from({ length: 500 }, (_, i) => i),
      );
    });
  });

  it('never deserialises an unregistered serId: the receiver dead-letters it', async () => {
    await withTwoSystems(async (a, b) => {
      const server = await startNamedProbe(b, 'sink');
      const Unregistered = msgpackSerialiser<Point>(serId(555));
      const { letters, done } = deadLettersOf(b, 1);
      on(b, '/sink').tell({ x: 1, y: 1 }, a, Unregistered);
      await within(done, DEADLINE_MS, 'the dead letters');
      assert.equal(letters[0]?.reason, 'unknown-ser-id');
      assert.equal(server.probe.received.length, 0);
    });
  });

  it('dead-letters an unregistered serId between registered ones, and only it', async () => {
    await withTwoSystems(async (a, b) => {
      const server = await startNamedProbe(b, 'sink');
      const Unregistered = msgpackSerialiser<Point>(serId(556));
      const { letters, done } = deadLettersOf(b, 2);
      const sink = on(b, '/sink');
      sink.tell('before', a);
      sink.tell({ x: 1, y: 1 }, a, Unregistered);
      sink.tell('between', a);
      sink.tell({ x: 2, y: 2 }, a, Unregistered);
      sink.tell('after', a);
      await within(done, DEADLINE_MS, 'the dead letters');
      await within(server.probe.waitFor(3), DEADLINE_MS, 'the registered messages');
      assert.deepEqual(
        letters.map((letter) => letter.reason),
        ['unknown-ser-id', 'unknown-ser-id'],
      );
      assert.deepEqual(
        (server.probe.received as NetMessage[]).map((msg) => msg.tryDeserialise(Serialisers.string)),
        ['before', 'between', 'after'],
      );
    });
  });

  it('reports a value that fails to serialise to the sender side as a dead letter, never a throw', async () => {
    await withTwoSystems(async (a, b) => {
      const { letters, done } = deadLettersOf(a, 1);
      const cyclic: { self?: unknown } = {};
      cyclic.self = cyclic;
      const Throwing: Serialiser<unknown> = {
        serId: serId(101),
        serialise() {
          throw new Error('cannot write this');
        },
        deserialise: () => undefined,
      };
      on(b, '/sink').tell(cyclic, a, Throwing);
      await within(done, DEADLINE_MS, 'the dead letters');
      assert.equal(letters[0]?.reason, 'serialisation-failed');
      assert.match(letters[0]?.detail ?? '', /cannot write this/);
      assert.equal(letters[0]?.message, cyclic);
    });
  });

  it('dead-letters on the receiving system what reaches no component there', async () => {
    await withTwoSystems(async (a, b) => {
      const { letters, done } = deadLettersOf(b, 1);
      on(b, '/nobody').tell('lost', a);
      await within(done, DEADLINE_MS, 'the dead letters');
      assert.equal(letters[0]?.reason, 'unresolved');
      assert.equal(
        (letters[0]?.message as NetMessage | undefined)?.tryDeserialise(Serialisers.string),
        'lost',
      );
    });
  });

  it('keeps a remote named service answering at the same path while its component is replaced', async () => {
    await withTwoSystems(async (a, b) => {
      const generations: Probe[] = [];
      const make = () => {
        const probe = new Probe(`g${generations.length}`);
        generations.push(probe);
        return probe;
      };
      const service = b.create(make);
      service.setRecoveryFunction((fault) => fault.replaceWith(make));
      await b.startNotify(service);
      await b.registerByAlias(service, 'counter');
      const client = await startProbe(a);
      const remote = on(b, '/counter');
      remote.tell('echo 1', client.probe);
      await client.probe.waitFor(1);
      remote.tell('crash', client.probe);
      remote.tell('echo 2', client.probe);
      await client.probe.waitFor(2);
      assert.deepEqual(client.probe.texts, ['g0:1', 'g1:2']);
    });
  });
});

describe('connections', () => {
  it('drops what was queued for a system that never answers, with events and dead letters', async () => {
    const port = await closedPort();
    await withSystem(
      async (system) => {
        const events: NetworkStatus[] = [];
        class Watcher extends ComponentDefinition {
          readonly status = this.requirePort(NetworkStatusPort, (event): HandlerReturn => {
            events.push(event);
          });
        }
        const watcher = system.create(() => new Watcher());
        await within(system.startNotify(watcher), DEADLINE_MS, 'watcher to start');
        system.connectNetworkStatusPort(watcher.onDefinition((d) => d.status));
        const { letters, done } = deadLettersOf(system, 2);
        const nowhere = ActorPath.parse(`tcp://${CLOSED_HOST}:${port}/svc`);
        nowhere.tell('one', system);
        nowhere.tell('two', system);
        await within(done, DEADLINE_MS, 'the dead letters');
        assert.deepEqual(
          letters.map((l) => [l.path?.toString(), l.reason, l.detail]),
          [
            [nowhere.toString(), 'lost', 'dropped'],
            [nowhere.toString(), 'lost', 'dropped'],
          ],
        );
        assert.deepEqual(
          letters.map((l) => (l.message as NetMessage).tryDeserialise(Serialisers.string)),
          ['one', 'two'],
        );
        await settle();
        assert.deepEqual(events, [
          { kind: 'connection-dropped', system: new SystemPath('tcp', CLOSED_HOST, port) },
        ]);
      },
      (config) => config.network({ maxConnectionRetryAttempts: 2, connectionRetryIntervalMs: 5 }),
    );
  });

  it('reports connections on the status port and obeys its requests', async () => {
    await withTwoSystems(async (a, b) => {
      const events: NetworkStatus[] = [];
      let notify: (() => void) | undefined;
      class Watcher extends ComponentDefinition {
        readonly status = this.requirePort(NetworkStatusPort, (event): HandlerReturn => {
          events.push(event);
          notify?.();
        });
      }
      const watcher = a.create(() => new Watcher());
      await a.startNotify(watcher);
      a.connectNetworkStatusPort(watcher.onDefinition((d) => d.status));
      const next = (kind: NetworkStatus['kind']) =>
        within(
          new Promise<NetworkStatus>((resolve) => {
            const check = () => {
              const found = events.find((e) => e.kind === kind);
              if (found !== undefined) resolve(found);
            };
            notify = check;
            check();
          }),
          DEADLINE_MS,
          kind,
        );
      const port = watcher.onDefinition((d) => d.status);
      port.trigger({ kind: 'connect-system', system: b.systemPath() });
      const established = await next('connection-established');
      assert.ok(established.kind === 'connection-established' && established.system.equals(b.systemPath()));
      port.trigger({ kind: 'disconnect-system', system: b.systemPath() });
      await next('connection-closed');
      port.trigger({ kind: 'block-system', system: b.systemPath() });
      await next('blocked-system');
      const { letters, done } = deadLettersOf(a, 1);
      on(b, '/x').tell('refused', a);
      await within(done, DEADLINE_MS, 'the dead letters');
      assert.deepEqual([letters[0]?.reason, letters[0]?.detail], ['refused', 'blocked']);
      port.trigger({ kind: 'allow-system', system: b.systemPath() });
      await next('allowed-system');
      port.trigger({ kind: 'block-ip', address: 'not an ip' }); // logged and ignored, never a crash
      port.trigger({ kind: 'block-ip', address: '10.1.2.3' });
      await next('blocked-ip');
    });
  });

  it('reconnects after the peer restarts on the same address; what the old peer lost is reported', async () => {
    await withSystem(
      async (a) => {
        const first = await testConfig().network().serialisers(PointSerialiser).build();
        const address = first.systemPath();
        const p1 = await startNamedProbe(first, 'svc');
        const remote = ActorPath.parse(`${address.toString()}/svc`);
        remote.tell('to first', a);
        await p1.probe.waitFor(1);
        await first.shutdown();
        const second = await testConfig().network({ port: address.port }).build();
        try {
          const p2 = await startNamedProbe(second, 'svc');
          remote.tell('to second', a);
          await p2.probe.waitFor(1);
          assert.deepEqual(p2.probe.texts, ['to second']);
        } finally {
          await second.shutdown();
        }
      },
      (config) => config.network({ connectionRetryIntervalMs: 10 }),
    );
  });

  it('keeps serving a good peer while strangers send random, truncated and oversized frames', async () => {
    await withTwoSystems(async (a, b) => {
      await startNamedProbe(b, 'echo', 'B');
      const client = await startProbe(a, 'client');
      const remote = on(b, '/echo');
      let seed = 0x5eed;
      const rand = (): number => {
        // mulberry32: deterministic, so a failure reproduces
        seed = (seed + 0x6d2b79f5) >>> 0;
        let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
      const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
      const header = (length: number, kind: number) => {
        const head = Buffer.alloc(5);
        head.writeUInt32BE(length);
        head[4] = kind;
        return head;
      };
      const inputs: (() => Buffer)[] = [
        () => bytes(1 + Math.floor(rand() * 300)),
        () => header(0xffff_fff0, 3), // far above the maximum frame size
        () => Buffer.concat([header(40, 1), bytes(10)]), // a truncated hello
        () => Buffer.concat([header(20, 3), bytes(20)]), // data before any handshake
        () => Buffer.concat([header(9, 9), bytes(9)]), // an unknown frame kind
      ];
      let sent = 0;
      let isRunning = true;
      const pump = async () => {
        while (isRunning) {
          remote.tell(`echo ${sent++}`, client.probe);
          await client.probe.waitFor(sent);
        }
      };
      const pumping = pump();
      await client.probe.waitFor(5);
      const before = client.probe.received.length;
      const port = b.systemPath().port;
      for (let round = 0; round < 10; round++) {
        await Promise.all(
          Array.from(
            { length: 20 },
            () =>
              new Promise<void>((resolve) => {
                const socket = net.connect(port, '127.0.0.1', () =>
                  socket.end(
                    (inputs[Math.floor(rand() * inputs.length)] ?? inputs[0])?.() ?? Buffer.alloc(1),
                  ),
                );
                socket.on('error', () => resolve());
                socket.on('close', () => resolve());
                socket.resume();
              }),
          ),
        );
      }
      const during = client.probe.received.length - before;
      isRunning = false;
      await within(pumping, DEADLINE_MS, 'the pump to stop');
      assert.ok(during > 0, 'the good connection kept answering during the fuzz run');
      assert.deepEqual(
        client.probe.texts,
        Array.from({ length: sent }, (_, i) => `B:${i}`),
      );
      assert.equal(a.deadLetters.count, 0);
      assert.equal(b.deadLetters.count, 0);
    });
  });

  it('refuses messages past the high-water mark as dead letters instead of growing memory', async () => {
    await withSystem(
      async (system) => {
        const letters: DeadLetter[] = [];
        system.deadLetters.subscribe((letter) => letters.push(letter));
        // Nobody listens on port 9 (discard) here: frames queue while connecting.
        const nowhere = ActorPath.parse('tcp://127.0.0.1:9/svc');
        for (let i = 0; i < 100; i++) nowhere.tell('x'.repeat(100), system);
        const refused = letters.filter((l) => l.reason === 'refused');
        assert.ok(refused.length > 80, `${refused.length} of 100 refused`);
        assert.ok(refused.every((l) => l.detail === 'backpressure'));
      },
      (config) =>
        config.network({
          highWaterMarkBytes: 1000,
          connectionRetryIntervalMs: 5,
          maxConnectionRetryAttempts: 1,
        }),
    );
  });

  it('with a shared secret, talks to systems that know it and refuses those that do not', async () => {
    await withTwoSystems(
      async (a, b) => {
        const server = await startNamedProbe(b, 'sink');
        on(b, '/sink').tell('friend', a);
        await server.probe.waitFor(1);
        const stranger = await testConfig()
          .network({
            sharedSecret: 'wrong-secret-of-20-bytes',
            maxConnectionRetryAttempts: 1,
            connectionRetryIntervalMs: 5,
          })
          .build();
        try {
          const { letters, done } = deadLettersOf(stranger, 1);
          on(b, '/sink').tell('stranger', stranger);
          await within(done, DEADLINE_MS, 'the dead letters');
          assert.deepEqual([letters[0]?.reason, letters[0]?.detail], ['lost', 'dropped']);
        } finally {
          await stranger.shutdown();
        }
        assert.deepEqual(server.probe.texts, ['friend']);
      },
      { sharedSecret: 'swordfish-swordfish' },
    );
  });

  it('shutdown closes the network: no socket or timer is left behind', async () => {
    await settle(10); // sockets of earlier tests finish closing
    const before = process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;
    await withTwoSystems(async (a, b) => {
      const probe = await startNamedProbe(b, 'p');
      on(b, '/p').tell('x', a);
      await probe.probe.waitFor(1);
    });
    await settle();
    const after = process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;
    assert.equal(after, before);
  });
});

describe('answering a read', () => {
  /** Answers every number with the same number, to the sender. */
  class Echo extends ComponentDefinition {
    override receiveNetwork(msg: NetMessage): void {
      msg.sender.tell(msg.tryDeserialise(Serialisers.number), this);
    }
  }

  /** Sends `count` numbers to `target` one at a time: the next when the answer to the last arrived. */
  class OneInFlight extends ComponentDefinition<number> {
    readonly #target: ActorPath;
    readonly #onDone: () => void;
    #left = 0;

    constructor(target: ActorPath, onDone: () => void) {
      super();
      this.#target = target;
      this.#onDone = onDone;
    }

    override receiveLocal(count: number): void {
      this.#left = count;
      this.#target.tell(this.#left, this);
    }

    override receiveNetwork(): void {
      if (--this.#left > 0) this.#target.tell(this.#left, this);
      else this.#onDone();
    }
  }

  it("writes the reply to a message, and the read's ack, inside the socket's data handler", async () => {
    // Like a plain node:net echo: the turns a read queued run before Node's stream bookkeeping and
    // nextTick queue, not in a microtask after them.
    const emit = net.Socket.prototype.emit;
    const write = net.Socket.prototype.write;
    let isInRead = false;
    let isRecording = false;
    const writes: boolean[] = [];
    net.Socket.prototype.emit = function (this: net.Socket, event: string | symbol, ...args: unknown[]) {
      if (event !== 'data') return Reflect.apply(emit, this, [event, ...args]) as boolean;
      isInRead = true;
      try {
        return Reflect.apply(emit, this, [event, ...args]) as boolean;
      } finally {
        isInRead = false;
      }
    } as typeof emit;
    net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
      if (isRecording) writes.push(isInRead);
      return Reflect.apply(write, this, args) as boolean;
    } as typeof write;
    try {
      await withTwoSystems(async (a, b) => {
        const echo = b.create(() => new Echo());
        await b.startNotify(echo);
        await b.registerByAlias(echo, 'echo');
        const oneInFlight = async (count: number): Promise<void> => {
          let done = (): void => {};
          const isDone = new Promise<void>((resolve) => {
            done = resolve;
          });
          const pinger = a.create(() => new OneInFlight(on(b, '/echo'), done));
          await a.startNotify(pinger);
          pinger.actorRef().tell(count);
          await within(isDone, DEADLINE_MS, `${count} round trips`);
        };
        await oneInFlight(3);
        isRecording = true;
        // The first message leaves from a local turn; every later one answers a read, on either side.
        await oneInFlight(50);
        isRecording = false;
      });
    } finally {
      net.Socket.prototype.emit = emit;
      net.Socket.prototype.write = write;
    }
    // One write per message, with the ack of the read it answers; the last read's ack goes alone.
    assert.ok(writes.length >= 100 && writes.length <= 101, `${writes.length} writes`);
    assert.deepEqual(
      writes.slice(1).filter((inRead) => !inRead),
      [],
      'every write after the first was made inside a data handler',
    );
  });
});
