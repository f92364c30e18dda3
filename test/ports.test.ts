// Port connections and channels: delivery in each direction, broadcast, connect/disconnect, the
// refusals, system.triggerR/triggerI and dynamic port lookup. What happens to port events across the
// component lifecycle, on handler results and within a turn is in port-events.test.ts; port types and
// their compile-time checks in port-types.test.ts; handlers given as methods in port-handlers.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  biconnectComponents,
  biconnectPorts,
  ComponentDefinition,
  type HandlerReturn,
  KompactError,
  ProvidedPort,
  port,
  RequiredPort,
} from '../src/index.js';
import { withClock } from './support/clock.js';
import { read } from './support/definitions.js';
import { Listener, PortA, PortB, Recorder, startedRecorderAndListener } from './support/port-components.js';

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

/** Requires A and provides B (reference case 45). */
class RequiresAProvidesB extends ComponentDefinition {
  readonly a = this.requirePort(PortA, () => {});
  readonly b = this.providePort(PortB, () => {});
}

/** Declares no ports at all. */
class NoPorts extends ComponentDefinition {}

// ---- tests --------------------------------------------------------------------------------------

describe('Port connections', () => {
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
      const { provider, requirer, provided, required } = await startedRecorderAndListener(system);

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
      const { provider, provided, required } = await startedRecorderAndListener(system);
      required.connect(provided);
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
      const { provider, requirer, provided, required } = await startedRecorderAndListener(system);

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
      const { provider, requirer, provided, required } = await startedRecorderAndListener(system);
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
      const { provider, requirer, provided, required } = await startedRecorderAndListener(system);
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
      const { provider, requirer } = await startedRecorderAndListener(system);
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
