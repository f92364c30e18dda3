// Port events as a component handles them: queued before start and while stopped, dead letters once
// destroyed or faulty, the results of port handlers (faults, benign errors, shutdown, blocking) and where
// port events fall in a component's turn next to timers and messages.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  biconnectPorts,
  type Component,
  ComponentDefinition,
  type DeadLetter,
  type FaultContext,
  Handled,
  type HandlerReturn,
  type KompactSystem,
} from '../src/index.js';
import { captureLogs, type SimulatedClock } from '../src/testing/index.js';
import { withClock } from './support/clock.js';
import { read } from './support/definitions.js';
import {
  Listener,
  PortA,
  PortB,
  type Reaction,
  Reactor,
  Recorder,
  startedRecorderAndListener,
} from './support/port-components.js';
import { deferred } from './support/promises.js';

/** Injects `requests` into the provided PortA end of `reactor`, in order, with `system.triggerR`. */
function inject(system: KompactSystem, reactor: Component<Reactor>, ...requests: Reaction[]): void {
  const provided = read(reactor, (d) => d.a);
  for (const request of requests) system.triggerR(request, provided);
}

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
      const { provider, required } = await startedRecorderAndListener(system);
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
      inject(system, reactor, 'throw', 'ok');
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
      inject(system, reactor, 'recoverable');
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
      inject(system, reactor, 'unrecoverable', 'ok');
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
        inject(system, reactor, 'benign', 'ok');
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
      inject(system, reactor, 'shutdown', 'ok');
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
