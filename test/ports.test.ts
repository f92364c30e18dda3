import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  biconnectComponents,
  biconnectPorts,
  type Component,
  ComponentDefinition,
  type DeadLetter,
  type FaultContext,
  Handled,
  HandlerError,
  type HandlerReturn,
  KompactError,
  type KompactSystem,
  ProvidedPort,
  port,
  RequiredPort,
} from '../src/index.js';
import { captureLogs, type SimulatedClock } from '../src/testing/index.js';
import { withClock } from './support/clock.js';
import { read } from './support/definitions.js';
import { deferred } from './support/promises.js';

// ---- reference case 41: request/indication round trip -------------------------------------------

/** Requests are numbers to add up; the provider answers each with the indication "Test". */
const TestPort = port<number, string>('TestPort');

class TestComponent extends ComponentDefinition {
  counter = 0;
  readonly test = this.providePort(TestPort, (request) => {
    this.counter += request;
    this.test.trigger('Test');
  });
}

class RecvComponent extends ComponentDefinition<string> {
  last = '';
  received: string[] = [];
  readonly test = this.requirePort(TestPort, (indication) => {
    this.last = indication;
    this.received.push(indication);
  });

  override receiveLocal(message: string): HandlerReturn {
    this.last = message;
  }
}

// ---- reference cases 42–43: broadcast and one-sided connections ---------------------------------

/** The sender ticks its requirers; each requirer answers a tick with a reply request. */
const CountPort = port<'reply', 'tick'>('CountPort');

class Sender extends ComponentDefinition<'send'> {
  replies = 0;
  readonly out = this.providePort(CountPort, () => {
    this.replies++;
  });

  override receiveLocal(): HandlerReturn {
    this.out.trigger('tick');
  }
}

class TickCounter extends ComponentDefinition {
  count = 0;
  readonly ticks = this.requirePort(CountPort, () => {
    this.count++;
    this.ticks.trigger('reply');
  });
}

// ---- other fixtures -----------------------------------------------------------------------------

const PortA = port<string, string>('PortA');
const PortB = port<string, string>('PortB');

/** Requires A and provides B (reference case 45). */
class RequiresAProvidesB extends ComponentDefinition {
  readonly a = this.requirePort(PortA, () => {});
  readonly b = this.providePort(PortB, () => {});
}

class NoPorts extends ComponentDefinition {}

/** Provides a string port and records every request it handles, in order. */
class Recorder extends ComponentDefinition<string> {
  readonly seen: string[] = [];
  readonly a = this.providePort(PortA, (request) => {
    this.seen.push(request);
  });
}

/** Requires a string port and records every indication it handles, in order. */
class Listener extends ComponentDefinition {
  readonly seen: string[] = [];
  readonly a = this.requirePort(PortA, (indication) => {
    this.seen.push(indication);
  });
}

/** What a port handler of {@link Reactor} returns for a given request. */
type Reaction = 'ok' | 'throw' | 'benign' | 'recoverable' | 'unrecoverable' | 'shutdown' | 'block';

/** Provides A; each request names how its handler ends. Counts handled requests and onKill calls. */
class Reactor extends ComponentDefinition<string> {
  handled: string[] = [];
  kills = 0;
  gate: Promise<void> = Promise.resolve();
  readonly a = this.providePort(PortA, (request) => this.react(request as Reaction));

  react(reaction: Reaction): HandlerReturn {
    this.handled.push(reaction);
    switch (reaction) {
      case 'ok':
        return Handled.Ok;
      case 'throw':
        throw new Error('port handler boom');
      case 'benign':
        return HandlerError.benign(new Error('port handler shrug'));
      case 'recoverable':
        return HandlerError.recoverable(new Error('port handler trouble'));
      case 'unrecoverable':
        return HandlerError.unrecoverable(new Error('port handler doom'));
      case 'shutdown':
        return Handled.Shutdown;
      case 'block':
        return Handled.blockOn(async () => {
          await this.gate;
          this.handled.push('unblocked');
        });
    }
  }

  override receiveLocal(message: string): HandlerReturn {
    this.handled.push(`msg:${message}`);
  }

  override onKill(): HandlerReturn {
    this.kills++;
  }
}

// ---- tests --------------------------------------------------------------------------------------

describe('Ports', () => {
  it('delivers an injected request to the provider, whose indication reaches a requirer connected on the provider side only', async () => {
    await withClock(async (system, clock) => {
      const tc = system.create(() => new TestComponent());
      const rc = system.create(() => new RecvComponent());
      const tcPort = read(tc, (d) => d.test);
      const rcPort = read(rc, (d) => d.test);
      tcPort.connect(rcPort);
      await system.startNotify(tc);
      await system.startNotify(rc);

      system.triggerR(1234, tcPort);
      await clock.settle();
      assert.equal(
        read(tc, (d) => d.counter),
        1234,
      );
      assert.equal(
        read(rc, (d) => d.last),
        'Test',
      );

      rc.actorRef().tell('MsgTest');
      await clock.settle();
      assert.equal(
        read(rc, (d) => d.last),
        'MsgTest',
      );
    });
  });

  it('delivers an indication injected with system.triggerI to the required port', async () => {
    await withClock(async (system, clock) => {
      const rc = system.create(() => new RecvComponent());
      await system.startNotify(rc);
      system.triggerI(
        'injected',
        read(rc, (d) => d.test),
      );
      await clock.settle();
      assert.deepEqual(
        read(rc, (d) => d.received),
        ['injected'],
      );
    });
  });

  it('broadcasts an indication to every connected requirer, and stops delivering over a disconnected channel', async () => {
    await withClock(async (system, clock) => {
      const sender = system.create(() => new Sender());
      const counter1 = system.create(() => new TickCounter());
      const counter2 = system.create(() => new TickCounter());
      const channel1 = biconnectComponents(CountPort, sender, counter1);
      const channel2 = biconnectComponents(CountPort, sender, counter2);
      for (const c of [sender, counter1, counter2]) await system.startNotify(c);
      const counts = (): [number, number, number] => [
        read(sender, (d) => d.replies),
        read(counter1, (d) => d.count),
        read(counter2, (d) => d.count),
      ];
      const round = async (): Promise<void> => {
        sender.actorRef().tell('send');
        await clock.settle();
      };

      await round();
      assert.deepEqual(counts(), [2, 1, 1]);

      channel2.disconnect();
      await round();
      assert.deepEqual(counts(), [3, 2, 1]);

      channel1.disconnect();
      await round();
      assert.deepEqual(counts(), [3, 2, 1]);
    });
  });

  it('delivers only in the direction a one-sided connection was made', async () => {
    await withClock(async (system, clock) => {
      const sender = system.create(() => new Sender());
      const counter1 = system.create(() => new TickCounter());
      const counter2 = system.create(() => new TickCounter());
      for (const c of [sender, counter1, counter2]) await system.startNotify(c);
      const senderPort = read(sender, (d) => d.out);
      const port1 = read(counter1, (d) => d.ticks);
      const port2 = read(counter2, (d) => d.ticks);
      const counts = (): [number, number, number] => [
        read(sender, (d) => d.replies),
        read(counter1, (d) => d.count),
        read(counter2, (d) => d.count),
      ];
      const round = async (): Promise<void> => {
        sender.actorRef().tell('send');
        await clock.settle();
      };

      // Reference case 42 first, to reach its end state (3, 2, 1).
      const channel1 = biconnectComponents(CountPort, sender, counter1);
      const channel2 = biconnectComponents(CountPort, sender, counter2);
      await round();
      channel2.disconnect();
      await round();
      channel1.disconnect();
      await round();
      assert.deepEqual(counts(), [3, 2, 1]);

      // Case 43: provider-side sender → counter1, requirer-side counter2 → sender.
      const senderTo1 = senderPort.connect(port1);
      const twoToSender = port2.connect(senderPort);
      await round();
      assert.deepEqual(
        counts(),
        [3, 3, 1],
        'counter1 hears the tick but its reply is lost; counter2 hears nothing',
      );

      const senderTo2 = senderPort.connect(port2);
      await round();
      assert.deepEqual(counts(), [4, 4, 2], "only counter2's reply reaches the sender");

      senderTo1.disconnect();
      twoToSender.disconnect();
      senderTo2.disconnect();
      await round();
      assert.deepEqual(counts(), [4, 4, 2]);
    });
  });

  it('drops an event triggered with no connection silently and does not deliver it after a later connect', async () => {
    await withClock(async (system, clock) => {
      const provider = system.create(() => new Recorder());
      const requirer = system.create(() => new Listener());
      await system.startNotify(provider);
      await system.startNotify(requirer);
      const provided = read(provider, (d) => d.a);
      const required = read(requirer, (d) => d.a);

      assert.doesNotThrow(() => provided.trigger('lost indication'));
      assert.doesNotThrow(() => required.trigger('lost request'));
      await clock.settle();
      biconnectPorts(provided, required);
      provided.trigger('indication');
      required.trigger('request');
      await clock.settle();

      assert.deepEqual(
        read(requirer, (d) => d.seen),
        ['indication'],
      );
      assert.deepEqual(
        read(provider, (d) => d.seen),
        ['request'],
      );
      assert.equal(system.deadLetters.count, 0);
    });
  });

  it('broadcasts a request to every connected provider', async () => {
    await withClock(async (system, clock) => {
      const provider1 = system.create(() => new Recorder());
      const provider2 = system.create(() => new Recorder());
      const requirer = system.create(() => new Listener());
      for (const c of [provider1, provider2, requirer]) await system.startNotify(c);
      const required = read(requirer, (d) => d.a);
      required.connect(read(provider1, (d) => d.a));
      required.connect(read(provider2, (d) => d.a));

      required.trigger('hello');
      await clock.settle();
      assert.deepEqual(
        read(provider1, (d) => d.seen),
        ['hello'],
      );
      assert.deepEqual(
        read(provider2, (d) => d.seen),
        ['hello'],
      );
    });
  });

  it('delivers the events of one port in the order they were triggered', async () => {
    await withClock(async (system, clock) => {
      const provider = system.create(() => new Recorder());
      const requirer = system.create(() => new Listener());
      await system.startNotify(provider);
      await system.startNotify(requirer);
      const required = read(requirer, (d) => d.a);
      required.connect(read(provider, (d) => d.a));
      const sent = Array.from({ length: 500 }, (_, i) => `r${i}`);
      for (const request of sent) required.trigger(request);
      await clock.settle();
      assert.deepEqual(
        read(provider, (d) => d.seen),
        sent,
      );
    });
  });

  it('keeps one connection when the same ports are connected twice', async () => {
    await withClock(async (system, clock) => {
      const provider = system.create(() => new Recorder());
      const requirer = system.create(() => new Listener());
      await system.startNotify(provider);
      await system.startNotify(requirer);
      const provided = read(provider, (d) => d.a);
      const required = read(requirer, (d) => d.a);

      provided.connect(required);
      provided.connect(required);
      required.connect(provided);
      biconnectPorts(provided, required);
      biconnectComponents(PortA, provider, requirer);

      provided.trigger('once');
      required.trigger('once');
      await clock.settle();
      assert.deepEqual(
        read(requirer, (d) => d.seen),
        ['once'],
      );
      assert.deepEqual(
        read(provider, (d) => d.seen),
        ['once'],
      );
      assert.equal(provided.connectionCount, 1);
      assert.equal(required.connectionCount, 1);

      // One disconnect removes the single connection.
      provided.disconnect(required);
      provided.trigger('after disconnect');
      await clock.settle();
      assert.deepEqual(
        read(requirer, (d) => d.seen),
        ['once'],
      );
    });
  });

  it('disconnects one direction without touching the other', async () => {
    await withClock(async (system, clock) => {
      const provider = system.create(() => new Recorder());
      const requirer = system.create(() => new Listener());
      await system.startNotify(provider);
      await system.startNotify(requirer);
      const provided = read(provider, (d) => d.a);
      const required = read(requirer, (d) => d.a);
      biconnectPorts(provided, required);

      required.disconnect(provided);
      provided.trigger('indication');
      required.trigger('request');
      await clock.settle();
      assert.deepEqual(
        read(requirer, (d) => d.seen),
        ['indication'],
      );
      assert.deepEqual(
        read(provider, (d) => d.seen),
        [],
      );
    });
  });

  it('disconnects both directions when a biconnected channel is disconnected, and ignores a second disconnect', async () => {
    await withClock(async (system, clock) => {
      const provider = system.create(() => new Recorder());
      const requirer = system.create(() => new Listener());
      await system.startNotify(provider);
      await system.startNotify(requirer);
      const provided = read(provider, (d) => d.a);
      const required = read(requirer, (d) => d.a);
      const channel = biconnectPorts(provided, required);

      channel.disconnect();
      assert.doesNotThrow(() => channel.disconnect());
      provided.trigger('indication');
      required.trigger('request');
      await clock.settle();
      assert.deepEqual(
        read(requirer, (d) => d.seen),
        [],
      );
      assert.deepEqual(
        read(provider, (d) => d.seen),
        [],
      );
      assert.equal(provided.connectionCount, 0);
      assert.equal(required.connectionCount, 0);
    });
  });

  it('removes every connection to one component with disconnectComponent and keeps the others', async () => {
    await withClock(async (system, clock) => {
      const provider = system.create(() => new Recorder());
      const listener1 = system.create(() => new Listener());
      const listener2 = system.create(() => new Listener());
      for (const c of [provider, listener1, listener2]) await system.startNotify(c);
      const provided = read(provider, (d) => d.a);
      provided.connect(read(listener1, (d) => d.a));
      provided.connect(read(listener2, (d) => d.a));

      provided.disconnectComponent(listener1);
      provided.trigger('tick');
      await clock.settle();
      assert.deepEqual(
        read(listener1, (d) => d.seen),
        [],
      );
      assert.deepEqual(
        read(listener2, (d) => d.seen),
        ['tick'],
      );
    });
  });

  it('refuses to connect a port to itself', async () => {
    await withClock(async (system) => {
      const provider = system.create(() => new Recorder());
      const requirer = system.create(() => new Listener());
      const provided = read(provider, (d) => d.a);
      const required = read(requirer, (d) => d.a);
      assert.throws(() => provided.connect(provided as unknown as RequiredPort<string, string>), TypeError);
      assert.throws(() => required.connect(required as unknown as ProvidedPort<string, string>), TypeError);
      assert.equal(provided.connectionCount, 0);
      assert.equal(required.connectionCount, 0);
    });
  });

  it('refuses to connect ports of different port types even when their event types match', async () => {
    await withClock(async (system) => {
      const b = system.create(() => new RequiresAProvidesB());
      const provider = system.create(() => new Recorder());
      // PortA and PortB both carry strings, so only the runtime can tell them apart.
      const providedA = read(provider, (d) => d.a);
      const requiredA = read(b, (d) => d.a);
      const providedB = read(b, (d) => d.b);
      const listener = system.create(() => new Listener());
      assert.throws(() => providedB.connect(read(listener, (d) => d.a)), TypeError);
      assert.throws(() => read(listener, (d) => d.a).connect(providedB), TypeError);
      assert.throws(() => biconnectPorts(providedB, requiredA), TypeError);
      assert.equal(requiredA.connectionCount, 0);
      assert.equal(providedB.connectionCount, 0);
      assert.equal(providedA.connectionCount, 0);
    });
  });

  it('refuses to biconnect components when the provider or the requirer lacks the port', async () => {
    await withClock(async (system) => {
      const provider = system.create(() => new Recorder());
      const requirer = system.create(() => new Listener());
      const none = system.create(() => new NoPorts());
      /** A TypeError that names the missing port, not a crash on `undefined`. */
      const missing =
        (side: 'provide' | 'require') =>
        (error: unknown): boolean =>
          error instanceof TypeError && error.message.includes('PortA') && error.message.includes(side);
      assert.throws(() => biconnectComponents(PortA, none, requirer), missing('provide'));
      assert.throws(() => biconnectComponents(PortA, provider, none), missing('require'));
      // The wrong way round: the requirer does not provide PortA, the provider does not require it.
      // @ts-expect-error the swap is a compile error too; this checks the run-time refusal behind it
      assert.throws(() => biconnectComponents(PortA, requirer, provider), missing('provide'));
      assert.equal(read(requirer, (d) => d.a).connectionCount, 0);
      assert.equal(read(provider, (d) => d.a).connectionCount, 0);
    });
  });

  it('refuses a definition that declares the same port type twice on one side', async () => {
    class ProvidesTwice extends ComponentDefinition {
      readonly first = this.providePort(PortA, () => {});
      readonly second = this.providePort(PortA, () => {});
    }
    class RequiresTwice extends ComponentDefinition {
      readonly first = this.requirePort(PortA, () => {});
      readonly second = this.requirePort(PortA, () => {});
    }
    await withClock(async (system) => {
      assert.throws(() => system.create(() => new ProvidesTwice()), TypeError);
      assert.throws(() => system.create(() => new RequiresTwice()), TypeError);
    });
  });

  it('lets one component provide and require the same port type', async () => {
    class Both extends ComponentDefinition {
      readonly seen: string[] = [];
      readonly provided = this.providePort(PortA, (request) => {
        this.seen.push(`request:${request}`);
      });
      readonly required = this.requirePort(PortA, (indication) => {
        this.seen.push(`indication:${indication}`);
      });
    }
    await withClock(async (system, clock) => {
      const both = system.create(() => new Both());
      await system.startNotify(both);
      assert.equal(
        both.getProvidedPort(PortA),
        read(both, (d) => d.provided),
      );
      assert.equal(
        both.getRequiredPort(PortA),
        read(both, (d) => d.required),
      );
      const provided = read(both, (d) => d.provided);
      const required = read(both, (d) => d.required);
      biconnectPorts(provided, required);
      required.trigger('r');
      provided.trigger('i');
      await clock.settle();
      assert.deepEqual(read(both, (d) => d.seen).sort(), ['indication:i', 'request:r']);
    });
  });

  it('rejects triggerR and triggerI on a value that is not a port end of the right kind', async () => {
    await withClock(async (system) => {
      const provider = system.create(() => new Recorder());
      const requirer = system.create(() => new Listener());
      const required = read(requirer, (d) => d.a);
      const provided = read(provider, (d) => d.a);
      assert.throws(
        () => system.triggerR('x', required as unknown as ProvidedPort<string, string>),
        TypeError,
      );
      assert.throws(
        () => system.triggerI('x', provided as unknown as RequiredPort<string, string>),
        TypeError,
      );
      assert.throws(
        () => system.triggerR('x', undefined as unknown as ProvidedPort<string, string>),
        TypeError,
      );
    });
  });

  it('rejects triggerR after the system has shut down', async () => {
    await withClock(async (system) => {
      const provider = system.create(() => new Recorder());
      const provided = read(provider, (d) => d.a);
      await system.shutdown();
      assert.throws(
        () => system.triggerR('late', provided),
        (error: unknown) => error instanceof KompactError && error.code === 'SYSTEM_TERMINATED',
      );
    });
  });
});

describe('Dynamic port lookup', () => {
  it('finds the ports a component declares and nothing else', async () => {
    await withClock(async (system) => {
      const c = system.create(() => new RequiresAProvidesB());
      const requiredA = c.getRequiredPort(PortA);
      const providedB = c.getProvidedPort(PortB);
      assert.ok(requiredA instanceof RequiredPort);
      assert.ok(providedB instanceof ProvidedPort);
      assert.equal(
        requiredA,
        read(c, (d) => d.a),
      );
      assert.equal(
        providedB,
        read(c, (d) => d.b),
      );
      assert.equal(c.getProvidedPort(PortA), undefined);
      assert.equal(c.getRequiredPort(PortB), undefined);
    });
  });

  it('finds no port on a component without ports', async () => {
    await withClock(async (system) => {
      const c = system.create(() => new NoPorts());
      assert.equal(c.getProvidedPort(PortA), undefined);
      assert.equal(c.getRequiredPort(PortA), undefined);
    });
  });

  it('tells port types apart by identity, not by name', async () => {
    await withClock(async (system) => {
      const c = system.create(() => new RequiresAProvidesB());
      const lookalike = port<string, string>('PortA');
      assert.equal(c.getRequiredPort(lookalike), undefined);
      assert.notEqual(c.getRequiredPort(PortA), undefined);
    });
  });

  it('returns ports that can be connected and triggered', async () => {
    await withClock(async (system, clock) => {
      const provider = system.create(() => new Recorder());
      const requirer = system.create(() => new Listener());
      await system.startNotify(provider);
      await system.startNotify(requirer);
      const provided = provider.getProvidedPort(PortA);
      const required = requirer.getRequiredPort(PortA);
      assert.ok(provided !== undefined && required !== undefined);
      biconnectPorts(provided, required);
      provided.trigger('via lookup');
      await clock.settle();
      assert.deepEqual(
        read(requirer, (d) => d.seen),
        ['via lookup'],
      );
    });
  });
});

describe('Port events and the component lifecycle', () => {
  it('queues port events for a component that is not started and handles them once it starts', async () => {
    await withClock(async (system, clock) => {
      const provider = system.create(() => new Recorder());
      const provided = read(provider, (d) => d.a);
      system.triggerR('early', provided);
      await clock.settle();
      assert.deepEqual(
        read(provider, (d) => d.seen),
        [],
      );
      await system.startNotify(provider);
      await clock.settle();
      assert.deepEqual(
        read(provider, (d) => d.seen),
        ['early'],
      );
    });
  });

  it('holds port events while the component is stopped and handles them after a restart', async () => {
    await withClock(async (system, clock) => {
      const provider = system.create(() => new Recorder());
      const provided = read(provider, (d) => d.a);
      await system.startNotify(provider);
      await system.stopNotify(provider);
      system.triggerR('while stopped', provided);
      await clock.settle();
      assert.deepEqual(
        read(provider, (d) => d.seen),
        [],
      );
      await system.startNotify(provider);
      await clock.settle();
      assert.deepEqual(
        read(provider, (d) => d.seen),
        ['while stopped'],
      );
    });
  });

  it('turns port events to a destroyed component into dead letters', async () => {
    await withClock(async (system, clock) => {
      const provider = system.create(() => new Recorder());
      const requirer = system.create(() => new Listener());
      await system.startNotify(provider);
      await system.startNotify(requirer);
      const required = read(requirer, (d) => d.a);
      required.connect(read(provider, (d) => d.a));
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));

      await system.killNotify(provider);
      required.trigger('too late');
      system.triggerR(
        'also too late',
        read(provider, (d) => d.a),
      );
      await clock.settle();
      assert.deepEqual(
        read(provider, (d) => d.seen),
        [],
      );
      assert.equal(system.deadLetters.count, 2);
      assert.deepEqual(
        letters.map((l) => [l.message, l.reason, l.recipient]),
        [
          ['too late', 'destroyed', provider.id],
          ['also too late', 'destroyed', provider.id],
        ],
      );
    });
  });

  it('turns port events still queued when a component is killed into dead letters', async () => {
    await withClock(async (system, clock) => {
      const provider = system.create(() => new Recorder());
      const provided = read(provider, (d) => d.a);
      for (const event of ['one', 'two', 'three']) system.triggerR(event, provided);
      await system.killNotify(provider);
      await clock.settle();
      assert.deepEqual(
        read(provider, (d) => d.seen),
        [],
      );
      assert.equal(system.deadLetters.count, 3);
    });
  });

  it('turns port events to a faulty component into dead letters and never handles them', async () => {
    await withClock(async (system, clock) => {
      const reactor = system.create(() => new Reactor());
      await system.startNotify(reactor);
      const provided = read(reactor, (d) => d.a);
      system.triggerR('throw', provided);
      system.triggerR('ok', provided);
      system.triggerR('ok', provided);
      await clock.settle();
      assert.equal(reactor.isFaulty(), true);
      assert.equal(system.deadLetters.count, 2, 'the events queued behind the fault become dead letters');
      const before = system.deadLetters.count;

      system.triggerR('ok', provided);
      await clock.settle();
      assert.deepEqual(
        read(reactor, (d) => d.handled),
        ['throw'],
      );
      assert.equal(system.deadLetters.count, before + 1);
      assert.equal(reactor.isFaulty(), true);
    });
  });

  it('does not carry port connections over to a replacement made by recovery', async () => {
    await withClock(async (system, clock) => {
      const requirer = system.create(() => new Listener());
      await system.startNotify(requirer);
      const required = read(requirer, (d) => d.a);
      const original = system.create(() => new Reactor());
      biconnectPorts(
        read(original, (d) => d.a),
        required,
      );
      let replacement: Component<Reactor> | undefined;
      original.setRecoveryFunction((fault) =>
        fault.recoverWith((_fault, handle) => {
          replacement = handle.create(() => new Reactor());
          handle.start(replacement);
        }),
      );
      await system.startNotify(original);

      required.trigger('throw');
      await clock.settle();
      assert.equal(original.isFaulty(), true);
      assert.ok(replacement !== undefined);
      const fresh: Component<Reactor> = replacement;
      assert.equal(fresh.isActive(), true);

      required.trigger('ok');
      await clock.settle();
      assert.deepEqual(
        read(fresh, (d) => d.handled),
        [],
        'the replacement is not connected',
      );

      biconnectPorts(
        read(fresh, (d) => d.a),
        required,
      );
      required.trigger('ok');
      await clock.settle();
      assert.deepEqual(
        read(fresh, (d) => d.handled),
        ['ok'],
      );
    });
  });
});

describe('Port handler results', () => {
  it('makes a component faulty when its port handler throws, and runs its recovery function once', async () => {
    await withClock(async (system, clock) => {
      const reactor = system.create(() => new Reactor());
      const faults: FaultContext[] = [];
      reactor.setRecoveryFunction((fault) => {
        faults.push(fault);
        return fault.ignore();
      });
      await system.startNotify(reactor);
      system.triggerR(
        'throw',
        read(reactor, (d) => d.a),
      );
      system.triggerR(
        'ok',
        read(reactor, (d) => d.a),
      );
      await clock.settle();
      assert.equal(reactor.isFaulty(), true);
      assert.equal(faults.length, 1);
      assert.equal(faults[0]?.fault.kind, 'panic');
      assert.equal(faults[0]?.componentId, reactor.id);
      assert.match(String(faults[0]?.fault.error), /port handler boom/);
      assert.deepEqual(
        read(reactor, (d) => d.handled),
        ['throw'],
      );
    });
  });

  it('makes a component faulty when its port handler returns a recoverable error', async () => {
    await withClock(async (system, clock) => {
      const reactor = system.create(() => new Reactor());
      const faults: FaultContext[] = [];
      reactor.setRecoveryFunction((fault) => {
        faults.push(fault);
        return fault.ignore();
      });
      await system.startNotify(reactor);
      system.triggerR(
        'recoverable',
        read(reactor, (d) => d.a),
      );
      await clock.settle();
      assert.equal(reactor.isFaulty(), true);
      assert.equal(faults.length, 1);
      assert.equal(faults[0]?.fault.kind, 'handler');
      assert.match(String(faults[0]?.fault.error), /port handler trouble/);
    });
  });

  it('destroys a component without recovery or onKill when its port handler returns an unrecoverable error', async () => {
    await withClock(async (system, clock) => {
      const reactor = system.create(() => new Reactor());
      let recoveries = 0;
      reactor.setRecoveryFunction((fault) => {
        recoveries++;
        return fault.ignore();
      });
      await system.startNotify(reactor);
      system.triggerR(
        'unrecoverable',
        read(reactor, (d) => d.a),
      );
      system.triggerR(
        'ok',
        read(reactor, (d) => d.a),
      );
      await clock.settle();
      assert.equal(reactor.isDestroyed(), true);
      assert.equal(recoveries, 0);
      assert.equal(
        read(reactor, (d) => d.kills),
        0,
      );
      assert.deepEqual(
        read(reactor, (d) => d.handled),
        ['unrecoverable'],
      );
    });
  });

  it('logs a benign error from a port handler and carries on with the next event', async () => {
    const { logger, lines } = captureLogs('warn');
    await withClock(
      async (system, clock) => {
        const reactor = system.create(() => new Reactor());
        await system.startNotify(reactor);
        system.triggerR(
          'benign',
          read(reactor, (d) => d.a),
        );
        system.triggerR(
          'ok',
          read(reactor, (d) => d.a),
        );
        await clock.settle();
        assert.equal(reactor.isActive(), true);
        assert.deepEqual(
          read(reactor, (d) => d.handled),
          ['benign', 'ok'],
        );
        assert.ok(
          lines.some((line) => line.level === 40 && /port handler shrug/.test(line.msg)),
          `expected a warning naming the benign error, got ${JSON.stringify(lines.map((l) => l.msg))}`,
        );
      },
      (config) => config.logger(logger),
    );
  });

  it('destroys a component whose port handler returns Handled.Shutdown, running onKill once', async () => {
    await withClock(async (system, clock) => {
      const reactor = system.create(() => new Reactor());
      await system.startNotify(reactor);
      system.triggerR(
        'shutdown',
        read(reactor, (d) => d.a),
      );
      system.triggerR(
        'ok',
        read(reactor, (d) => d.a),
      );
      await clock.settle();
      assert.equal(reactor.isDestroyed(), true);
      assert.equal(
        read(reactor, (d) => d.kills),
        1,
      );
      assert.deepEqual(
        read(reactor, (d) => d.handled),
        ['shutdown'],
      );
    });
  });

  it('handles nothing else while a port handler blocks, then carries on in order', async () => {
    await withClock(async (system, clock) => {
      const gate = deferred();
      const reactor = system.create(() => new Reactor());
      reactor.onDefinition((d) => {
        d.gate = gate.promise;
      });
      await system.startNotify(reactor);
      const provided = read(reactor, (d) => d.a);
      system.triggerR('block', provided);
      await clock.settle();
      system.triggerR('ok', provided);
      reactor.actorRef().tell('hello');
      await clock.settle();
      assert.deepEqual(
        read(reactor, (d) => d.handled),
        ['block'],
      );

      gate.resolve();
      await clock.settle();
      assert.deepEqual(
        read(reactor, (d) => d.handled),
        ['block', 'unblocked', 'msg:hello', 'ok'],
      );
    });
  });
});

describe('Port events in a component turn', () => {
  /**
   * Provides two ports and records every handler call (timers, messages, both ports) in a log it may
   * share with other components, so turn boundaries show as interleaving.
   */
  class Mixed extends ComponentDefinition<string> {
    gate: Promise<void> = Promise.resolve();
    constructor(
      readonly name: string,
      readonly log: string[],
    ) {
      super();
    }
    readonly a = this.providePort(PortA, (request) => {
      this.log.push(`${this.name}a:${request}`);
    });
    readonly b = this.providePort(PortB, (request) => {
      this.log.push(`${this.name}b:${request}`);
    });

    override receiveLocal(message: string): HandlerReturn {
      if (message === 'block') {
        return Handled.blockOn(async () => {
          await this.gate;
        });
      }
      this.log.push(`${this.name}m:${message}`);
      return undefined;
    }
  }

  /** Creates started components blocked on one gate, so all work sent to them queues up. */
  async function blockedMixed(
    system: KompactSystem,
    clock: SimulatedClock,
    names: string[],
  ): Promise<{ components: Component<Mixed>[]; log: string[]; release: () => void }> {
    const gate = deferred();
    const log: string[] = [];
    const components: Component<Mixed>[] = [];
    for (const name of names) {
      const c = system.create(() => new Mixed(name, log));
      c.onDefinition((d) => {
        d.gate = gate.promise;
      });
      await system.startNotify(c);
      c.actorRef().tell('block');
      await clock.settle();
      components.push(c);
    }
    return { components, log, release: gate.resolve };
  }

  it('runs timers, then messages up to throughput × priority, then port events round-robin, then more messages', async () => {
    await withClock(
      async (system, clock) => {
        assert.equal(system.throughput, 6);
        assert.equal(system.maxMessages, 3);
        const { components, log, release } = await blockedMixed(system, clock, ['X', 'Y']);
        const [x, y] = components as [Component<Mixed>, Component<Mixed>];
        for (const m of ['m1', 'm2', 'm3', 'm4', 'm5']) x.actorRef().tell(m);
        for (const a of ['a1', 'a2', 'a3'])
          system.triggerR(
            a,
            read(x, (d) => d.a),
          );
        for (const b of ['b1', 'b2'])
          system.triggerR(
            b,
            read(x, (d) => d.b),
          );
        x.onDefinition((d) => {
          d.scheduleOnce(10, () => {
            d.log.push('Xt:t1');
          });
          d.scheduleOnce(10, () => {
            d.log.push('Xt:t2');
          });
        });
        // Y marks the end of each of X's turns.
        for (const m of ['y1', 'y2']) y.actorRef().tell(m);
        await clock.advance(10);
        assert.deepEqual(log, []);

        release();
        await clock.settle();
        assert.deepEqual(log, [
          // X's turn 1 (budget 6): timers, messages up to 3, then ports round-robin up to 6
          'Xt:t1',
          'Xt:t2',
          'Xm:m1',
          'Xa:a1',
          'Xb:b1',
          'Xa:a2',
          'Ym:y1',
          'Ym:y2',
          // X's turn 2: 3 messages, the ports resume where they stopped (b), then messages up to 6
          'Xm:m2',
          'Xm:m3',
          'Xm:m4',
          'Xb:b2',
          'Xa:a3',
          'Xm:m5',
        ]);
      },
      (config) => config.throughput(6).messagePriority(0.5),
    );
  });

  it('gives port events the whole turn when no message waits, and messages the whole turn when no event waits', async () => {
    await withClock(
      async (system, clock) => {
        assert.equal(system.maxMessages, 2);
        const { components, log, release } = await blockedMixed(system, clock, ['X', 'Y']);
        const [x, y] = components as [Component<Mixed>, Component<Mixed>];
        for (const a of ['a1', 'a2', 'a3', 'a4', 'a5'])
          system.triggerR(
            a,
            read(x, (d) => d.a),
          );
        for (const m of ['m1', 'm2', 'm3', 'm4', 'm5']) y.actorRef().tell(m);
        release();
        await clock.settle();
        assert.deepEqual(log, [
          'Xa:a1',
          'Xa:a2',
          'Xa:a3',
          'Xa:a4',
          'Ym:m1',
          'Ym:m2',
          'Ym:m3',
          'Ym:m4',
          'Xa:a5',
          'Ym:m5',
        ]);
      },
      (config) => config.throughput(4).messagePriority(0.5),
    );
  });
});

describe('Port ping-pong', () => {
  it('plays ping-pong over a port until the requirer stops', async () => {
    const PingPort = port<{ readonly seq: number }, { readonly seq: number }>('PingPort');
    class Ponger extends ComponentDefinition {
      pings = 0;
      readonly ping = this.providePort(PingPort, (ping) => {
        this.pings++;
        this.ping.trigger({ seq: ping.seq });
      });
    }
    class Pinger extends ComponentDefinition {
      readonly pongs: number[] = [];
      readonly pong = this.requirePort(PingPort, (pong) => {
        this.pongs.push(pong.seq);
        if (pong.seq + 1 < 100) this.pong.trigger({ seq: pong.seq + 1 });
      });
      override onStart(): HandlerReturn {
        this.pong.trigger({ seq: 0 });
      }
    }
    await withClock(async (system, clock) => {
      const ponger = system.create(() => new Ponger());
      const pinger = system.create(() => new Pinger());
      biconnectComponents(PingPort, ponger, pinger);
      await system.startNotify(ponger);
      await system.startNotify(pinger);
      await clock.settle();
      assert.equal(
        read(ponger, (d) => d.pings),
        100,
      );
      assert.deepEqual(
        read(pinger, (d) => d.pongs),
        Array.from({ length: 100 }, (_, i) => i),
      );
    });
  });
});
