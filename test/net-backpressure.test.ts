// Backpressure from receiving components to sending systems: a connection withholds its
// acknowledgements while the messages it delivered wait unhandled past its receive backlog, so the
// sender refuses with `backpressure` instead of the receiver's mailboxes growing without bound; a
// system that is shutting down acknowledges nothing more.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import {
  ActorPath,
  ComponentDefinition,
  ConfigKeys,
  type DeadLetter,
  Handled,
  type HandlerReturn,
  type KompactSystem,
  NetMessage,
  type NetworkOptions,
  Serialisers,
} from '../src/index.js';
import type { ReceiveBacklog } from '../src/messaging/receive-backlog.js';
import { dataFrame, TcpTransport } from '../src/net/index.js';
import { NamedPath } from '../src/paths/actor-path.js';
import { serId } from '../src/serialisation/ser-id.js';
import { testConfig, withSystem } from '../src/testing/index.js';
import { startNamedProbe } from './support/probes.js';
import { deferred } from './support/promises.js';

/** Runs `body` with a sending and a receiving system on loopback, each with its own options. */
async function withSenderAndReceiver(
  senderOptions: NetworkOptions,
  receiverOptions: NetworkOptions,
  body: (sender: KompactSystem, receiver: KompactSystem) => Promise<void>,
): Promise<void> {
  await withSystem(
    (sender) =>
      withSystem(
        (receiver) => body(sender, receiver),
        (config) => config.network(receiverOptions),
      ),
    (config) => config.network(senderOptions),
  );
}

function on(system: KompactSystem, rest: string): ActorPath {
  return ActorPath.parse(`${system.systemPath().toString()}${rest}`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every few milliseconds; fails with `what` after `timeoutMs` (the machine is loaded). */
async function waitUntil(
  condition: () => boolean,
  what: string | (() => string),
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) {
      assert.fail(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await sleep(5);
  }
}

/** Rejects with `what` when `promise` has not settled within `timeoutMs`. */
async function within<T>(promise: Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Tells numbered texts to `path` from `from`, ten per event-loop turn (so acknowledgements can come
 * back between them), until `refusals` were refused with `backpressure`. Returns the texts accepted and
 * refused, in order; any other dead letter at the sender fails the test.
 */
async function sendUntilRefused(
  from: KompactSystem,
  path: ActorPath,
  refusals: number,
): Promise<{ accepted: string[]; refused: string[] }> {
  const accepted: string[] = [];
  const refused: string[] = [];
  const others: DeadLetter[] = [];
  const unsubscribe = from.deadLetters.subscribe((letter) => {
    if (letter.reason === 'refused' && letter.detail === 'backpressure')
      refused.push(letter.message as string);
    else others.push(letter);
  });
  try {
    let n = 0;
    await waitUntil(
      () => {
        for (let i = 0; i < 10 && refused.length < refusals; i++) {
          const text = `m${n++}`;
          const before = refused.length;
          path.tell(text, from);
          if (refused.length === before) accepted.push(text);
        }
        return refused.length >= refusals;
      },
      () =>
        `${refusals} backpressure refusals (so far ${accepted.length} accepted, ${refused.length} refused)`,
    );
  } finally {
    unsubscribe();
  }
  assert.deepEqual(others, [], 'no dead letter but backpressure refusals at the sender');
  return { accepted, refused };
}

/**
 * Tells `text` to `path` from `from` until the sender accepts it (a refusal is a dead letter at once),
 * every few milliseconds while acknowledgements have not yet come back.
 */
async function tellUntilAccepted(from: KompactSystem, path: ActorPath, text: string): Promise<void> {
  await waitUntil(() => {
    const before = from.deadLetters.count;
    path.tell(text, from);
    return from.deadLetters.count === before;
  }, `the sender to accept ${text}`);
}

/**
 * Opens the connection from `sender` to `receiver` with a round of one message, so that what a test
 * sends next is refused for what the receiver does, not for frames queued while connecting.
 */
async function connect(sender: KompactSystem, receiver: KompactSystem): Promise<void> {
  const ping = await startNamedProbe(receiver, 'ping');
  on(receiver, '/ping').tell('ping', sender);
  await within(ping.probe.waitFor(1), 'the connection to open');
}

/** Records the texts it gets; the first one blocks it until `gate` resolves. */
class SlowSink extends ComponentDefinition {
  readonly texts: string[] = [];

  constructor(private readonly gate: Promise<void>) {
    super();
  }

  override receiveNetwork(msg: NetMessage): HandlerReturn {
    this.texts.push(msg.tryDeserialise(Serialisers.string));
    if (this.texts.length === 1) return Handled.blockOn(() => this.gate);
  }
}

async function startSlowSink(system: KompactSystem, alias: string, gate: Promise<void>): Promise<SlowSink> {
  let sink: SlowSink | undefined;
  const component = system.create(() => {
    sink = new SlowSink(gate);
    return sink;
  });
  await system.startNotify(component);
  await system.registerByAlias(component, alias);
  return sink as SlowSink;
}

function textOf(letter: DeadLetter): string {
  assert.ok(letter.message instanceof NetMessage, 'a network message');
  return letter.message.tryDeserialise(Serialisers.string);
}

describe('backpressure from a slow receiver', () => {
  it('refuses sends with backpressure while the receiver is slow, then delivers every accepted message in order', async () => {
    await withSenderAndReceiver(
      { highWaterMarkBytes: 2000 },
      { maxReceiveBacklogMessages: 20 },
      async (sender, receiver) => {
        await connect(sender, receiver);
        const gate = deferred();
        const sink = await startSlowSink(receiver, 'slow', gate.promise);
        let accepted: string[];
        try {
          ({ accepted } = await sendUntilRefused(sender, on(receiver, '/slow'), 50));
          // 20 waiting at the receiver, plus what 2000 unacknowledged bytes hold (frames of 30+ bytes).
          assert.ok(accepted.length <= 20 + 2000 / 30, `${accepted.length} accepted`);
        } finally {
          gate.resolve();
        }
        await waitUntil(
          () => sink.texts.length >= accepted.length,
          `${accepted.length} accepted messages at the receiver`,
        );
        assert.deepEqual(sink.texts, accepted);
        // Acknowledgements flow again: the sender accepts, and the receiver gets what follows.
        await tellUntilAccepted(sender, on(receiver, '/slow'), 'after');
        await waitUntil(
          () => sink.texts.length > accepted.length,
          'a message sent after the backlog drained',
        );
        assert.deepEqual(sink.texts.slice(accepted.length), ['after']);
        assert.equal(receiver.deadLetters.count, 0);
      },
    );
  });

  it('acknowledges what it holds when the sender closes, so the sender reports nothing lost', async () => {
    await withSenderAndReceiver(
      { highWaterMarkBytes: 2000 },
      { maxReceiveBacklogMessages: 20 },
      async (sender, receiver) => {
        await connect(sender, receiver);
        const gate = deferred();
        const sink = await startSlowSink(receiver, 'slow', gate.promise);
        const lost: DeadLetter[] = [];
        sender.deadLetters.subscribe((letter) => {
          if (letter.reason !== 'refused') lost.push(letter);
        });
        let accepted: string[];
        try {
          ({ accepted } = await sendUntilRefused(sender, on(receiver, '/slow'), 10));
          // The goodbye exchange carries the withheld acknowledgement: the receiver will handle them.
          await within(sender.shutdown(), 'the sender to shut down');
        } finally {
          gate.resolve();
        }
        assert.deepEqual(lost, []);
        await waitUntil(
          () => sink.texts.length >= accepted.length,
          `${accepted.length} accepted messages at the receiver`,
        );
        assert.deepEqual(sink.texts, accepted);
      },
    );
  });

  it('resumes acknowledging when a component holding received messages is killed', async () => {
    await withSenderAndReceiver(
      { highWaterMarkBytes: 2000 },
      { maxReceiveBacklogMessages: 20 },
      async (sender, receiver) => {
        // Never started: everything sent to it waits in its mailbox, counted in the backlog.
        const idle = receiver.create(() => new SlowSink(Promise.resolve()));
        await receiver.registerByAlias(idle, 'idle');
        const other = await startNamedProbe(receiver, 'other');
        await connect(sender, receiver);
        const held: string[] = [];
        receiver.deadLetters.subscribe((letter) => {
          if (letter.reason === 'destroyed') held.push(textOf(letter));
        });
        const { accepted } = await sendUntilRefused(sender, on(receiver, '/idle'), 10);
        receiver.kill(idle);
        // Its messages become dead letters there, so they no longer hold back acknowledgements.
        await waitUntil(
          () => held.length === accepted.length,
          `${accepted.length} dead letters at the receiver`,
        );
        assert.deepEqual(held, accepted);
        await tellUntilAccepted(sender, on(receiver, '/other'), 'after');
        await within(other.probe.waitFor(1), 'a message to another component after the kill');
      },
    );
  });
});

/** Records the texts it gets; generation 0 blocks on its first one until `gate`, then faults. */
class CrashingSink extends ComponentDefinition {
  readonly texts: string[] = [];

  constructor(
    private readonly gate: Promise<void>,
    readonly generation: number,
  ) {
    super();
  }

  override receiveNetwork(msg: NetMessage): HandlerReturn {
    this.texts.push(msg.tryDeserialise(Serialisers.string));
    if (this.generation === 0 && this.texts.length === 1) {
      return Handled.blockOn(() =>
        this.gate.then(() => {
          throw new Error('the sink crashed');
        }),
      );
    }
  }
}

describe('backpressure across a fault', () => {
  it('delivers the held messages to a replacement, in order, and acknowledges again once it handled them', async () => {
    await withSenderAndReceiver(
      { highWaterMarkBytes: 2000 },
      { maxReceiveBacklogMessages: 20 },
      async (sender, receiver) => {
        await connect(sender, receiver);
        const gate = deferred();
        const sinks: CrashingSink[] = [];
        const make = (): CrashingSink => {
          const sink = new CrashingSink(gate.promise, sinks.length);
          sinks.push(sink);
          return sink;
        };
        const component = receiver.create(make);
        component.setRecoveryFunction((fault) => fault.replaceWith(make));
        await receiver.startNotify(component);
        await receiver.registerByAlias(component, 'svc');
        let accepted: string[];
        try {
          ({ accepted } = await sendUntilRefused(sender, on(receiver, '/svc'), 10));
        } finally {
          gate.resolve();
        }
        await waitUntil(() => sinks[1] !== undefined, 'the replacement');
        const replacement = sinks[1] as CrashingSink;
        await waitUntil(
          () => replacement.texts.length >= accepted.length - 1,
          () => `the replacement to handle ${accepted.length - 1} messages (has ${replacement.texts.length})`,
        );
        assert.deepEqual(replacement.texts, accepted.slice(1));
        await tellUntilAccepted(sender, on(receiver, '/svc'), 'after');
        await waitUntil(
          () => replacement.texts.length >= accepted.length,
          'a message sent after the replacement caught up',
        );
        assert.equal(replacement.texts.at(-1), 'after');
        assert.equal(receiver.deadLetters.count, 0);
      },
    );
  });
});

describe('acknowledgements during shutdown', () => {
  it('acknowledges nothing that arrives during shutdown: the sender reports it lost (unacknowledged)', async () => {
    await withSenderAndReceiver({}, {}, async (sender, receiver) => {
      // Holds the receiver's shutdown open until the test has seen its frames arrive.
      const gate = deferred();
      const holder = await startSlowSink(receiver, 'holder', gate.promise);
      await startNamedProbe(receiver, 'sink');
      on(receiver, '/holder').tell('block', sender);
      await waitUntil(() => holder.texts.length === 1, 'the holder to block');
      const arrived: string[] = [];
      receiver.deadLetters.subscribe((letter) => arrived.push(textOf(letter)));
      const lost: DeadLetter[] = [];
      sender.deadLetters.subscribe((letter) => lost.push(letter));

      const shutdown = receiver.shutdown();
      const texts = ['s0', 's1', 's2', 's3', 's4'];
      try {
        for (const text of texts) on(receiver, '/sink').tell(text, sender);
        // The sink is ending: they arrive as dead letters there; acknowledged, they would vanish.
        await waitUntil(() => arrived.length === texts.length, 'the frames to arrive at the receiver');
        await sleep(20);
      } finally {
        gate.resolve();
      }
      await within(shutdown, 'the receiver to shut down');
      await waitUntil(() => lost.length === texts.length, `${texts.length} dead letters at the sender`);
      assert.deepEqual(
        lost.map((letter) => [letter.reason, letter.detail, textOf(letter)]),
        texts.map((text) => ['lost', 'unacknowledged', text]),
      );
    });
  });
});

describe('TcpTransport receive backlog', () => {
  it('keeps the backlog within its bound plus what the sender may leave unacknowledged', async () => {
    const held: { backlog: ReceiveBacklog; length: number }[] = [];
    let maxBacklog = 0;
    const b = await TcpTransport.listen({
      maxReceiveBacklogMessages: 10,
      logger: pino({ level: 'silent' }),
      onData: (_serId, _sender, _receiver, _chunk, _offset, length, _from, backlog) => {
        backlog.add(length);
        held.push({ backlog, length });
        maxBacklog = Math.max(maxBacklog, backlog.messages);
      },
    });
    const a = await TcpTransport.listen({ highWaterMarkBytes: 1000, logger: pino({ level: 'silent' }) });
    try {
      const from = new NamedPath(a.systemPath, ['a']);
      const to = new NamedPath(b.systemPath, ['b']);
      const payload = new Uint8Array(100);
      // Connected first: frames queued while connecting would be refused at the sender's own mark.
      a.send(dataFrame(serId(40), from, to, payload));
      await waitUntil(() => held.length === 1, 'the connection to open');
      let accepted = 1;
      let refused = 0;
      await waitUntil(() => {
        for (let i = 0; i < 5 && refused === 0; i++) {
          const result = a.send(dataFrame(serId(40), from, to, payload));
          if (result.kind === 'accepted') accepted++;
          else {
            assert.deepEqual(result, { kind: 'refused', reason: 'backpressure' });
            refused++;
          }
        }
        return refused > 0;
      }, 'a backpressure refusal');
      await waitUntil(() => held.length === accepted, `${accepted} frames at the receiver`);
      // Frames are over 100 bytes: at most 1000 / 100 unacknowledged past the bound of 10.
      assert.ok(maxBacklog <= 10 + 10, `backlog reached ${maxBacklog}`);
      assert.equal(b.stats().receiveBacklogMessages, accepted);
      for (const message of held.splice(0)) message.backlog.remove(message.length);
      assert.equal(b.stats().receiveBacklogMessages, 0);
      await waitUntil(
        () => a.send(dataFrame(serId(40), from, to, payload)).kind === 'accepted',
        'accepting again',
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('TcpTransport against a peer that ignores withheld acknowledgements', () => {
  it('stops reading from it until the backlog drains, then delivers everything it accepted', async () => {
    const held: { backlog: ReceiveBacklog; length: number }[] = [];
    let delivered = 0;
    let isHolding = true;
    const b = await TcpTransport.listen({
      maxReceiveBacklogMessages: 10,
      // Reading pauses past 2 × 10,000 unacknowledged payload bytes.
      highWaterMarkBytes: 10_000,
      logger: pino({ level: 'silent' }),
      onData: (_serId, _sender, _receiver, _chunk, _offset, length, _from, backlog) => {
        delivered++;
        if (!isHolding) return;
        backlog.add(length);
        held.push({ backlog, length });
      },
    });
    // Its high-water mark lets it send far more than the receiver acknowledges.
    const a = await TcpTransport.listen({
      highWaterMarkBytes: 4 * 1024 * 1024,
      logger: pino({ level: 'silent' }),
    });
    try {
      const from = new NamedPath(a.systemPath, ['a']);
      const to = new NamedPath(b.systemPath, ['b']);
      const payload = new Uint8Array(1000);
      let accepted = 0;
      let isRefused = false;
      await waitUntil(
        () => {
          for (let i = 0; i < 50 && !isRefused; i++) {
            if (a.send(dataFrame(serId(40), from, to, payload)).kind === 'accepted') accepted++;
            else isRefused = true;
          }
          return isRefused;
        },
        () => `the sender's high-water mark (${accepted} accepted)`,
        30_000,
      );
      await sleep(100);
      // 10 held, 20 past the pause threshold, and the rest of the chunk being read when it paused.
      assert.ok(delivered <= 10 + 20 + 70, `${delivered} of ${accepted} frames delivered while paused`);
      assert.ok(accepted > 1000, `${accepted} accepted`);
      isHolding = false;
      for (const message of held.splice(0)) message.backlog.remove(message.length);
      await waitUntil(
        () => delivered === accepted,
        () => `${accepted} frames (${delivered} delivered)`,
        30_000,
      );
      assert.equal(a.stats().lostFrames, 0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('receive backlog options', () => {
  it('takes the receive backlog limits from network() and kompact.network keys, and refuses invalid ones', async () => {
    assert.throws(
      () => testConfig().network({ maxReceiveBacklogMessages: 0 }),
      /`maxReceiveBacklogMessages`/,
    );
    assert.throws(() => testConfig().network({ maxReceiveBacklogBytes: 1.5 }), /`maxReceiveBacklogBytes`/);
    assert.throws(
      () => testConfig().setValue(ConfigKeys.networkMaxReceiveBacklogMessages, -1),
      /kompact\.network\.max-receive-backlog-messages/,
    );
    const toml = '[kompact.network]\nmax-receive-backlog-messages = 5\nmax-receive-backlog-bytes = 4096\n';
    await withSystem(
      (system) => assert.equal(system.systemPath().transport, 'tcp'),
      (config) => config.loadConfigString(toml, 'toml'),
    );
  });
});
