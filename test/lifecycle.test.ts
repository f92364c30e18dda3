import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Component, ComponentDefinition, Handled, type HandlerReturn } from '../src/index.js';
import { withSystem } from '../src/testing/index.js';
import { withGatedClock } from './support/clock.js';
import { read } from './support/definitions.js';
import { isKompactError } from './support/errors.js';
import { DEADLINE_MS, gatedDeferred, track, within } from './support/promises.js';

// ---- helpers ------------------------------------------------------------------------------------

type CounterMsg = 'inc' | 'die' | 'quit' | 'block';

/** A counter that records its lifecycle hooks in `events`. */
class Counter extends ComponentDefinition<CounterMsg> {
  count = 0;
  starts = 0;
  stops = 0;
  kills = 0;
  readonly events: string[] = [];

  override onStart(): HandlerReturn {
    this.starts++;
    this.events.push('start');
  }

  override onStop(): HandlerReturn {
    this.stops++;
    this.events.push('stop');
  }

  override onKill(): HandlerReturn {
    this.kills++;
    this.events.push('kill');
  }

  override receiveLocal(msg: CounterMsg): HandlerReturn {
    this.events.push(msg);
    if (msg === 'inc') this.count++;
    else if (msg === 'die') this.ctx.suicide();
    else if (msg === 'quit') return Handled.Shutdown;
    return undefined;
  }
}

// ---- reference cases 1–10 -----------------------------------------------------------------------

describe('Component lifecycle', () => {
  it('queues messages sent to a created component and handles them only once it is started', async () => {
    await withGatedClock(async (system, clock) => {
      const counter = system.create(() => new Counter());
      assert.equal(counter.isActive(), false);
      assert.equal(counter.isFaulty(), false);
      assert.equal(counter.isDestroyed(), false);

      counter.actorRef().tell('inc');
      await clock.settle();
      assert.equal(
        read(counter, (c) => c.count),
        0,
      );
      assert.equal(
        read(counter, (c) => c.starts),
        0,
      );

      await within(system.startNotify(counter), DEADLINE_MS, 'counter to start');
      await clock.settle();
      assert.equal(counter.isActive(), true);
      assert.equal(
        read(counter, (c) => c.count),
        1,
      );
      assert.deepEqual(
        read(counter, (c) => c.events),
        ['start', 'inc'],
      );
    });
  });

  it('pauses message handling while stopped and resumes it after a restart', async () => {
    await withGatedClock(async (system, clock) => {
      const counter = system.create(() => new Counter());
      await within(system.startNotify(counter), DEADLINE_MS, 'counter to start');
      counter.actorRef().tell('inc');
      await clock.settle();
      assert.equal(
        read(counter, (c) => c.count),
        1,
      );

      const stopped = system.stopNotify(counter);
      counter.actorRef().tell('inc');
      await within(stopped, DEADLINE_MS, 'the stop');
      await clock.settle();
      assert.equal(counter.isActive(), false);
      assert.equal(
        read(counter, (c) => c.count),
        1,
      );
      assert.equal(
        read(counter, (c) => c.stops),
        1,
      );

      await within(system.startNotify(counter), DEADLINE_MS, 'counter to start');
      await clock.settle();
      assert.equal(
        read(counter, (c) => c.count),
        2,
      );
      assert.equal(
        read(counter, (c) => c.starts),
        2,
      );
    });
  });

  it('runs control events before messages that were queued earlier', async () => {
    await withGatedClock(async (system, clock) => {
      const counter = system.create(() => new Counter());
      counter.actorRef().tell('inc');
      counter.actorRef().tell('inc');
      await within(system.startNotify(counter), DEADLINE_MS, 'counter to start');
      await clock.settle();
      assert.deepEqual(
        read(counter, (c) => c.events),
        ['start', 'inc', 'inc'],
      );
    });
  });

  it('resolves killNotify, destroys the component and never handles a later message', async () => {
    await withGatedClock(async (system, clock) => {
      const counter = system.create(() => new Counter());
      await within(system.startNotify(counter), DEADLINE_MS, 'counter to start');
      await within(system.killNotify(counter), DEADLINE_MS, 'counter to be killed');
      assert.equal(counter.isDestroyed(), true);
      assert.equal(counter.isActive(), false);
      assert.equal(
        read(counter, (c) => c.kills),
        1,
      );

      counter.actorRef().tell('inc');
      await clock.settle();
      assert.equal(
        read(counter, (c) => c.count),
        0,
      );
      assert.equal(system.deadLetters.count, 1);
    });
  });

  it('resolves startNotify only after onStart has run', async () => {
    await withGatedClock(async (system) => {
      const counter = system.create(() => new Counter());
      await within(system.startNotify(counter), DEADLINE_MS, 'counter to start');
      assert.equal(
        read(counter, (c) => c.starts),
        1,
      );
    });
  });

  it('holds startNotify and queued messages back while onStart blocks', async () => {
    await withGatedClock(async (system, clock) => {
      const gate = gatedDeferred();
      class SlowStarter extends Counter {
        override onStart(): HandlerReturn {
          return Handled.blockOn(async () => {
            await gate.promise;
            this.events.push('started');
          });
        }
      }
      const slow = system.create(() => new SlowStarter());
      const started = track(system.startNotify(slow));
      slow.actorRef().tell('inc');
      await clock.settle();
      assert.equal(started.settled, false);
      assert.equal(
        read(slow, (c) => c.count),
        0,
      );

      gate.resolve();
      await clock.settle();
      assert.equal(started.settled, true);
      assert.equal(started.error, undefined);
      assert.deepEqual(
        read(slow, (c) => c.events),
        ['started', 'inc'],
      );
    });
  });

  it('runs onKill once when a message handler returns Handled.Shutdown, and drops what was queued', async () => {
    await withGatedClock(async (system, clock) => {
      let killed: ReturnType<typeof track> | undefined;
      class Quitter extends Counter {
        self: Component<Quitter> | undefined;
        override receiveLocal(msg: CounterMsg): HandlerReturn {
          // A kill listener that is pending when the handler shuts the component down.
          if (msg === 'quit' && this.self !== undefined)
            killed = track(this.ctx.system().killNotify(this.self));
          return super.receiveLocal(msg);
        }
      }
      const quitter = system.create(() => new Quitter());
      quitter.onDefinition((d) => {
        d.self = quitter;
      });
      await within(system.startNotify(quitter), DEADLINE_MS, 'quitter to start');

      quitter.actorRef().tell('quit');
      quitter.actorRef().tell('inc');
      quitter.actorRef().tell('inc');
      await clock.settle();

      assert.equal(quitter.isDestroyed(), true);
      assert.equal(
        read(quitter, (c) => c.kills),
        1,
      );
      assert.ok(killed !== undefined);
      assert.equal(killed.settled, true);
      assert.equal(killed.error, undefined);
      assert.equal(
        read(quitter, (c) => c.count),
        0,
      );
      assert.equal(system.deadLetters.count, 2);

      quitter.actorRef().tell('inc');
      await clock.settle();
      assert.equal(
        read(quitter, (c) => c.count),
        0,
      );
      assert.equal(system.deadLetters.count, 3);
    });
  });

  it('resolves killNotify only after a blocking onKill has finished', async () => {
    await withGatedClock(async (system, clock) => {
      const gate = gatedDeferred();
      class SlowKiller extends Counter {
        state = 'running';
        override onKill(): HandlerReturn {
          return Handled.blockOn(async () => {
            await gate.promise;
            this.state = 'done';
          });
        }
      }
      const slow = system.create(() => new SlowKiller());
      await within(system.startNotify(slow), DEADLINE_MS, 'slow to start');
      const killed = track(system.killNotify(slow));
      await clock.settle();
      assert.equal(killed.settled, false);

      gate.resolve();
      await clock.settle();
      assert.equal(killed.settled, true);
      assert.equal(killed.error, undefined);
      assert.equal(
        slow.onDefinition((c) => c.state),
        'done',
      );
      assert.equal(slow.isDestroyed(), true);
    });
  });

  it('does not run onKill while the component is blocked on a future', async () => {
    await withGatedClock(async (system, clock) => {
      const gate = gatedDeferred();
      class Blocker extends Counter {
        override receiveLocal(msg: CounterMsg): HandlerReturn {
          if (msg !== 'block') return super.receiveLocal(msg);
          this.events.push(msg);
          return Handled.blockOn(async () => {
            await gate.promise;
            this.events.push('unblocked');
          });
        }
      }
      const blocker = system.create(() => new Blocker());
      await within(system.startNotify(blocker), DEADLINE_MS, 'blocker to start');
      blocker.actorRef().tell('block');
      await clock.settle();

      const killed = track(system.killNotify(blocker));
      await clock.settle();
      assert.equal(killed.settled, false);
      assert.equal(
        read(blocker, (c) => c.kills),
        0,
      );

      gate.resolve();
      await clock.settle();
      assert.equal(killed.settled, true);
      assert.equal(blocker.isDestroyed(), true);
      assert.deepEqual(
        read(blocker, (c) => c.events),
        ['start', 'block', 'unblocked', 'kill'],
      );
    });
  });

  it('keeps the order of messages that arrive while a component is blocked', async () => {
    await withGatedClock(async (system, clock) => {
      const gate = gatedDeferred();
      class Blocker extends Counter {
        override receiveLocal(msg: CounterMsg): HandlerReturn {
          if (msg !== 'block') return super.receiveLocal(msg);
          this.events.push(msg);
          return Handled.blockOn(async () => {
            await gate.promise;
            this.events.push('unblocked');
          });
        }
      }
      const blocker = system.create(() => new Blocker());
      await within(system.startNotify(blocker), DEADLINE_MS, 'blocker to start');
      blocker.actorRef().tell('block');
      blocker.actorRef().tell('inc');
      blocker.actorRef().tell('block');
      blocker.actorRef().tell('inc');
      await clock.settle();
      assert.deepEqual(
        read(blocker, (c) => c.events),
        ['start', 'block'],
      );

      gate.resolve();
      await clock.settle();
      assert.deepEqual(
        read(blocker, (c) => c.events),
        ['start', 'block', 'unblocked', 'inc', 'block', 'unblocked', 'inc'],
      );
    });
  });

  it('runs onStop and resolves stopNotify for a component that was never started', async () => {
    await withGatedClock(async (system) => {
      const counter = system.create(() => new Counter());
      await within(system.stopNotify(counter), DEADLINE_MS, 'counter to stop');
      assert.equal(
        read(counter, (c) => c.stops),
        1,
      );
      assert.equal(counter.isActive(), false);
      assert.equal(counter.isDestroyed(), false);
      await within(system.startNotify(counter), DEADLINE_MS, 'counter to start');
      assert.equal(counter.isActive(), true);
    });
  });

  it('runs onKill and resolves killNotify for a component that was never started', async () => {
    await withGatedClock(async (system, clock) => {
      const counter = system.create(() => new Counter());
      counter.actorRef().tell('inc');
      await within(system.killNotify(counter), DEADLINE_MS, 'counter to be killed');
      await clock.settle();
      assert.equal(
        read(counter, (c) => c.kills),
        1,
      );
      assert.equal(
        read(counter, (c) => c.starts),
        0,
      );
      assert.equal(
        read(counter, (c) => c.count),
        0,
      );
      assert.equal(counter.isDestroyed(), true);
      assert.equal(system.deadLetters.count, 1);
    });
  });
});

// ---- lifecycle choices and bad input -----------------------------------------------------------

describe('Component lifecycle requests', () => {
  it('ignores a start of an already active component without running onStart again', async () => {
    await withGatedClock(async (system, clock) => {
      const counter = system.create(() => new Counter());
      await within(system.startNotify(counter), DEADLINE_MS, 'counter to start');
      await within(system.startNotify(counter), DEADLINE_MS, 'counter to start');
      system.start(counter);
      await clock.settle();
      assert.equal(
        read(counter, (c) => c.starts),
        1,
      );
      assert.equal(counter.isActive(), true);
    });
  });

  it('kills a component lazily with ctx.suicide, after the rest of the turn', async () => {
    await withGatedClock(async (system, clock) => {
      const counter = system.create(() => new Counter());
      await within(system.startNotify(counter), DEADLINE_MS, 'counter to start');
      counter.actorRef().tell('die');
      counter.actorRef().tell('inc');
      counter.actorRef().tell('inc');
      await clock.settle();
      assert.equal(counter.isDestroyed(), true);
      assert.deepEqual(
        read(counter, (c) => c.events),
        ['start', 'die', 'inc', 'inc', 'kill'],
      );
    });
  });

  it('ends a component that kills itself in a handler within that turn: one it told there already sees it destroyed', async () => {
    await withGatedClock(async (system, clock) => {
      /** On 'look', records the state of the component it watches. */
      class Observer extends ComponentDefinition<'look'> {
        watched: Component<ComponentDefinition<'die'>> | undefined;
        readonly seen: string[] = [];
        override receiveLocal(): HandlerReturn {
          this.seen.push(this.watched?.state ?? 'nothing watched');
        }
      }
      /** On 'die', kills itself and then asks the observer to look at it. */
      class Dying extends ComponentDefinition<'die'> {
        constructor(readonly observer: Component<Observer>) {
          super();
        }
        override receiveLocal(): HandlerReturn {
          this.ctx.suicide();
          // The observer's turn comes after this one: only a kill done within this turn is seen.
          this.observer.actorRef().tell('look');
        }
      }
      const observer = system.create(() => new Observer());
      await within(system.startNotify(observer), DEADLINE_MS, 'observer to start');
      const dying = system.create(() => new Dying(observer));
      observer.onDefinition((o) => {
        o.watched = dying;
      });
      await within(system.startNotify(dying), DEADLINE_MS, 'dying component to start');
      dying.actorRef().tell('die');
      await clock.settle();
      assert.equal(dying.isDestroyed(), true);
      assert.deepEqual(
        read(observer, (o) => o.seen),
        ['destroyed'],
      );
    });
  });

  it('treats kill and killNotify of a destroyed component as no-ops that resolve at once', async () => {
    await withGatedClock(async (system, clock) => {
      const counter = system.create(() => new Counter());
      await within(system.startNotify(counter), DEADLINE_MS, 'counter to start');
      await within(system.killNotify(counter), DEADLINE_MS, 'counter to be killed');
      system.kill(counter);
      await within(system.killNotify(counter), DEADLINE_MS, 'counter to be killed');
      await clock.settle();
      assert.equal(
        read(counter, (c) => c.kills),
        1,
      );
    });
  });

  it('treats kill and killNotify of a faulty component as no-ops that resolve at once', async () => {
    await withGatedClock(async (system, clock) => {
      class Crasher extends Counter {
        override receiveLocal(msg: CounterMsg): HandlerReturn {
          if (msg === 'die') throw new Error('boom');
          return super.receiveLocal(msg);
        }
      }
      const crasher = system.create(() => new Crasher());
      await within(system.startNotify(crasher), DEADLINE_MS, 'crasher to start');
      crasher.actorRef().tell('die');
      await clock.settle();
      assert.equal(crasher.isFaulty(), true);

      system.kill(crasher);
      await within(system.killNotify(crasher), DEADLINE_MS, 'crasher to be killed');
      await clock.settle();
      assert.equal(crasher.isFaulty(), true);
      assert.equal(
        read(crasher, (c) => c.kills),
        0,
      );
    });
  });

  it('rejects start and stop of a destroyed component with COMPONENT_DESTROYED', async () => {
    await withGatedClock(async (system) => {
      const counter = system.create(() => new Counter());
      await within(system.startNotify(counter), DEADLINE_MS, 'counter to start');
      await within(system.killNotify(counter), DEADLINE_MS, 'counter to be killed');
      assert.throws(() => system.start(counter), isKompactError('COMPONENT_DESTROYED'));
      assert.throws(() => system.stop(counter), isKompactError('COMPONENT_DESTROYED'));
      await assert.rejects(system.startNotify(counter), isKompactError('COMPONENT_DESTROYED'));
      await assert.rejects(system.stopNotify(counter), isKompactError('COMPONENT_DESTROYED'));
      assert.equal(
        read(counter, (c) => c.starts),
        1,
      );
    });
  });

  it('rejects start and stop of a faulty component with COMPONENT_FAULTY', async () => {
    await withGatedClock(async (system, clock) => {
      class Crasher extends Counter {
        override receiveLocal(): HandlerReturn {
          throw new Error('boom');
        }
      }
      const crasher = system.create(() => new Crasher());
      await within(system.startNotify(crasher), DEADLINE_MS, 'crasher to start');
      crasher.actorRef().tell('inc');
      await clock.settle();
      assert.throws(() => system.start(crasher), isKompactError('COMPONENT_FAULTY'));
      assert.throws(() => system.stop(crasher), isKompactError('COMPONENT_FAULTY'));
      await assert.rejects(system.startNotify(crasher), isKompactError('COMPONENT_FAULTY'));
      await assert.rejects(system.stopNotify(crasher), isKompactError('COMPONENT_FAULTY'));
    });
  });

  it('rejects lifecycle requests for a component of another system with FOREIGN_COMPONENT', async () => {
    await withSystem(async (system) => {
      await withSystem(async (other) => {
        const foreign = other.create(() => new Counter());
        assert.throws(() => system.start(foreign), isKompactError('FOREIGN_COMPONENT'));
        assert.throws(() => system.stop(foreign), isKompactError('FOREIGN_COMPONENT'));
        assert.throws(() => system.kill(foreign), isKompactError('FOREIGN_COMPONENT'));
        await assert.rejects(system.startNotify(foreign), isKompactError('FOREIGN_COMPONENT'));
        await assert.rejects(system.stopNotify(foreign), isKompactError('FOREIGN_COMPONENT'));
        await assert.rejects(system.killNotify(foreign), isKompactError('FOREIGN_COMPONENT'));
        assert.equal(foreign.isActive(), false);
        assert.equal(
          foreign.onDefinition((c) => c.starts),
          0,
        );
      });
    });
  });
});

describe('KompactSystem.create', () => {
  it('refuses a ComponentDefinition constructed outside system.create with DEFINITION_OUTSIDE_CREATE', () => {
    assert.throws(() => new Counter(), isKompactError('DEFINITION_OUTSIDE_CREATE'));
  });

  it('refuses a factory that does not return a freshly constructed definition with a TypeError', async () => {
    await withGatedClock(async (system) => {
      const existing = system.create(() => new Counter());
      const reused = existing.onDefinition((d) => d);
      assert.throws(() => system.create(() => reused), TypeError);
      assert.throws(() => system.create(() => ({}) as unknown as Counter), TypeError);
      assert.throws(() => system.create(undefined as unknown as () => Counter), TypeError);
    });
  });

  it('lets a component create and start a sibling from its handler', async () => {
    await withGatedClock(async (system, clock) => {
      let sibling: Component<Counter> | undefined;
      class Parent extends ComponentDefinition {
        override onStart(): HandlerReturn {
          const made = this.ctx.system().create(() => new Counter());
          this.ctx.system().start(made);
          made.actorRef().tell('inc');
          sibling = made;
        }
      }
      await system.startNotify(system.create(() => new Parent()));
      await clock.settle();
      assert.ok(sibling !== undefined);
      assert.equal(sibling.isActive(), true);
      assert.equal(
        read(sibling, (c) => c.count),
        1,
      );
    });
  });

  it('gives the definition a context with the component id, its actor reference and the system', async () => {
    await withGatedClock(async (system) => {
      const counter = system.create(() => new Counter());
      const ctx = counter.onDefinition((d) => d.ctx);
      assert.equal(ctx.id, counter.id);
      assert.equal(ctx.actorRef().id, counter.id);
      assert.equal(counter.actorRef().id, counter.id);
      assert.equal(ctx.system().label, system.label);
      assert.equal(ctx.config, system.config);
      const other = system.create(() => new Counter());
      assert.notEqual(other.id, counter.id);
    });
  });
});
