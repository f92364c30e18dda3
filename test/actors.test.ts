import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  Ask,
  type Component,
  ComponentDefinition,
  type DeadLetter,
  Handled,
  type HandlerReturn,
  type KompactSystem,
  type KPromise,
} from '../src/index.js';
import { withGatedClock } from './support/clock.js';
import { isKompactError } from './support/errors.js';
import { addGate, DEADLINE_MS, gatedDeferred, within } from './support/promises.js';

// ---- helpers ------------------------------------------------------------------------------------

function track(promise: Promise<unknown>): {
  readonly settled: boolean;
  readonly value: unknown;
  readonly error: unknown;
} {
  const state = { settled: false, value: undefined as unknown, error: undefined as unknown };
  promise.then(
    (value) => {
      state.settled = true;
      state.value = value;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

/** Adds the asked number to its counter and replies with the new total. Kompact's ask test actor. */
class Adder extends ComponentDefinition<Ask<number, number>> {
  counter = 0;
  override receiveLocal(ask: Ask<number, number>): HandlerReturn {
    this.counter += ask.request;
    ask.reply(this.counter);
  }
}

/** Keeps every ask without replying (so it is not garbage-collected either). */
class Sink extends ComponentDefinition<Ask<number, number>> {
  readonly held: Ask<number, number>[] = [];
  override receiveLocal(ask: Ask<number, number>): HandlerReturn {
    this.held.push(ask);
  }
}

async function started<D extends ComponentDefinition<unknown>>(
  system: KompactSystem,
  factory: () => D,
): Promise<Component<D>> {
  const component = system.create(factory);
  await within(system.startNotify(component), DEADLINE_MS, 'the component to start');
  return component;
}

// ---- reference cases 46–49 ----------------------------------------------------------------------

describe('ActorRef.ask', () => {
  it('resolves with the reply, and askWith with an Ask built around the promise does the same', async () => {
    await withGatedClock(async (system) => {
      const adder = await started(system, () => new Adder());
      assert.equal(await within(adder.actorRef().ask(42), DEADLINE_MS, 'the reply'), 42);
      assert.equal(
        adder.onDefinition((a) => a.counter),
        42,
      );
      const total = await adder.actorRef().askWith<number>((promise) => new Ask(promise, 1));
      assert.equal(total, 43);
      assert.equal(
        adder.onDefinition((a) => a.counter),
        43,
      );
    });
  });

  it('answers with Ask.complete from the request', async () => {
    await withGatedClock(async (system) => {
      class Doubler extends ComponentDefinition<Ask<number, number>> {
        override receiveLocal(ask: Ask<number, number>): HandlerReturn {
          ask.complete((n) => n * 2);
        }
      }
      const doubler = await started(system, () => new Doubler());
      assert.equal(await within(doubler.actorRef().ask(21), DEADLINE_MS, 'the reply'), 42);
    });
  });

  for (const mode of [
    'Handled.blockOn',
    'an async handler',
    'ctx.spawnLocal',
    'a detached promise',
  ] as const) {
    it(`completes an ask asynchronously with completeWith from ${mode}`, async () => {
      await withGatedClock(async (system) => {
        const adder = await started(system, () => new Adder());
        class Forwarder extends ComponentDefinition<Ask<number, number>> {
          override receiveLocal(ask: Ask<number, number>): HandlerReturn {
            const forward = () => ask.completeWith((n) => adder.actorRef().ask(n));
            switch (mode) {
              case 'Handled.blockOn':
                return Handled.blockOn(forward);
              case 'an async handler':
                return (async () => {
                  await forward();
                })();
              case 'ctx.spawnLocal':
                this.ctx.spawnLocal(forward);
                return undefined;
              case 'a detached promise':
                void forward();
                return undefined;
            }
          }
        }
        const proxy = await started(system, () => new Forwarder());
        assert.equal(await within(proxy.actorRef().ask(42), DEADLINE_MS, 'the reply'), 42);
        assert.equal(
          adder.onDefinition((a) => a.counter),
          42,
        );
        assert.equal(await within(proxy.actorRef().ask(1), DEADLINE_MS, 'the reply'), 43);
        assert.equal(
          adder.onDefinition((a) => a.counter),
          43,
        );
      });
    });
  }

  it('rejects the asker when completeWith fails', async () => {
    await withGatedClock(async (system) => {
      class Failing extends ComponentDefinition<Ask<number, number>> {
        override receiveLocal(ask: Ask<number, number>): HandlerReturn {
          return Handled.blockOn(() =>
            ask.completeWith(async () => {
              throw new Error('lookup failed');
            }),
          );
        }
      }
      const failing = await started(system, () => new Failing());
      await assert.rejects(
        within(failing.actorRef().ask(1), DEADLINE_MS, 'the ask to fail'),
        /lookup failed/,
      );
      assert.equal(failing.isActive(), true);
    });
  });

  it('rejects at once with PROMISE_DROPPED when the target is destroyed', async () => {
    await withGatedClock(async (system, clock) => {
      const adder = await started(system, () => new Adder());
      await within(system.killNotify(adder), DEADLINE_MS, 'adder to be killed');
      await assert.rejects(
        within(adder.actorRef().ask(1), DEADLINE_MS, 'the ask to fail'),
        isKompactError('PROMISE_DROPPED'),
      );
      await assert.rejects(
        within(adder.actorRef().ask(1, { timeoutMs: 100 }), DEADLINE_MS, 'the ask to fail'),
        isKompactError('PROMISE_DROPPED'),
      );
      assert.equal(clock.pendingTimers, 0, 'the timeout of a dropped ask is disarmed');
      await assert.rejects(
        adder.actorRef().askWith<number>((promise) => new Ask(promise, 1)),
        isKompactError('PROMISE_DROPPED'),
      );
    });
  });

  it('rejects with PROMISE_DROPPED when the target is faulty', async () => {
    await withGatedClock(async (system, clock) => {
      class Crashy extends ComponentDefinition<Ask<number, number>> {
        override receiveLocal(ask: Ask<number, number>): HandlerReturn {
          if (ask.request < 0) throw new Error('negative');
          ask.reply(ask.request);
        }
      }
      const crashy = await started(system, () => new Crashy());
      await assert.rejects(
        within(crashy.actorRef().ask(-1), DEADLINE_MS, 'the ask to fail'),
        isKompactError('PROMISE_DROPPED'),
      );
      await clock.settle();
      assert.equal(crashy.isFaulty(), true);
      await assert.rejects(
        within(crashy.actorRef().ask(1), DEADLINE_MS, 'the ask to fail'),
        isKompactError('PROMISE_DROPPED'),
      );
    });
  });

  it('rejects asks still queued in a component with PROMISE_DROPPED when it faults', async () => {
    await withGatedClock(async (system, clock) => {
      const gate = gatedDeferred();
      class Faller extends ComponentDefinition<Ask<number, number>> {
        override receiveLocal(ask: Ask<number, number>): HandlerReturn {
          if (ask.request !== 0) {
            ask.reply(ask.request);
            return undefined;
          }
          return Handled.blockOn(async () => {
            await gate.promise;
            throw new Error('fell over');
          });
        }
      }
      const faller = await started(system, () => new Faller());
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      const first = track(faller.actorRef().ask(0));
      const queued = track(faller.actorRef().ask(1));
      await clock.settle();
      assert.equal(queued.settled, false);

      gate.resolve();
      await clock.settle();
      assert.equal(faller.isFaulty(), true);
      assert.ok(queued.settled, 'the queued ask settled');
      isKompactError('PROMISE_DROPPED')(queued.error);
      isKompactError('PROMISE_DROPPED')(first.error);
      assert.equal(letters.length, 1);
      assert.equal(letters[0]?.reason, 'faulty');
      assert.equal(letters[0]?.recipient, faller.id);
    });
  });

  it('rejects asks still queued in a component with PROMISE_DROPPED when it is killed', async () => {
    await withGatedClock(async (system) => {
      const sink = system.create(() => new Sink());
      const pending = sink.actorRef().ask(1);
      await within(system.killNotify(sink), DEADLINE_MS, 'sink to be killed');
      await assert.rejects(
        within(pending, DEADLINE_MS, 'the ask to fail'),
        isKompactError('PROMISE_DROPPED'),
      );
    });
  });

  it('rejects with ASK_TIMEOUT naming the component and its type once timeoutMs has passed on the system clock, and not before', async () => {
    await withGatedClock(async (system, clock) => {
      const sink = await started(system, () => new Sink());
      const answer = track(sink.actorRef().ask(1, { timeoutMs: 100 }));
      await clock.advance(99);
      assert.equal(answer.settled, false);
      await clock.advance(1);
      assert.equal(answer.settled, true);
      isKompactError('ASK_TIMEOUT')(answer.error);
      assert.match(
        (answer.error as Error).message,
        /^no reply from component \S+ \(Sink\) within 100 ms$/,
        'names the component and its type, as PROMISE_DROPPED does',
      );
      const late = sink.onDefinition((s) => s.held[0]);
      assert.ok(late !== undefined);
      assert.equal(late.reply(5), false, 'a reply after the timeout is refused');
    });
  });

  it('resolves a timed ask answered in time and disarms its timer', async () => {
    await withGatedClock(async (system, clock) => {
      const adder = await started(system, () => new Adder());
      assert.equal(await within(adder.actorRef().ask(7, { timeoutMs: 100 }), DEADLINE_MS, 'the reply'), 7);
      assert.equal(clock.pendingTimers, 0);
      await clock.advance(200);
    });
  });

  it('refuses a negative, NaN or infinite timeoutMs with a TypeError and sends nothing', async () => {
    await withGatedClock(async (system, clock) => {
      const adder = await started(system, () => new Adder());
      for (const timeoutMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.throws(() => adder.actorRef().ask(1, { timeoutMs }), TypeError);
        assert.throws(
          () => adder.actorRef().askWith<number>((promise) => new Ask(promise, 1), { timeoutMs }),
          TypeError,
        );
      }
      await clock.settle();
      assert.equal(
        adder.onDefinition((a) => a.counter),
        0,
      );
    });
  });

  it('rejects the asker with PROMISE_DROPPED when the receiver drops the Ask without replying', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    await withGatedClock(async (system) => {
      class Dropper extends ComponentDefinition<Ask<number, number>> {
        override receiveLocal(): HandlerReturn {}
      }
      const dropper = await started(system, () => new Dropper());
      const answer = track(dropper.actorRef().ask(1));
      for (let round = 0; round < 50 && !answer.settled; round++) {
        gc();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      assert.equal(answer.settled, true, 'the dropped ask settled');
      isKompactError('PROMISE_DROPPED')(answer.error);
    });
  });
});

describe('ActorRef.askWith', () => {
  type CounterMsg = { kind: 'add'; n: number } | { kind: 'get'; reply: KPromise<number> };

  class UnionCounter extends ComponentDefinition<CounterMsg> {
    total = 0;
    override receiveLocal(msg: CounterMsg): HandlerReturn {
      if (msg.kind === 'add') this.total += msg.n;
      else msg.reply.fulfil(this.total);
    }
  }

  it('resolves with what the receiver fulfils the promise in a union message with', async () => {
    await withGatedClock(async (system) => {
      const counter = await started(system, () => new UnionCounter());
      counter.actorRef().tell({ kind: 'add', n: 5 });
      counter.actorRef().tell({ kind: 'add', n: 7 });
      const total = await counter.actorRef().askWith<number>((reply) => ({ kind: 'get', reply }));
      assert.equal(total, 12);
    });
  });

  it('times out with ASK_TIMEOUT when nobody fulfils the promise', async () => {
    await withGatedClock(async (system, clock) => {
      const kept: KPromise<number>[] = [];
      class Forgetful extends ComponentDefinition<CounterMsg> {
        override receiveLocal(msg: CounterMsg): HandlerReturn {
          if (msg.kind === 'get') kept.push(msg.reply);
        }
      }
      const forgetful = await started(system, () => new Forgetful());
      const answer = track(
        forgetful.actorRef().askWith<number>((reply) => ({ kind: 'get', reply }), { timeoutMs: 50 }),
      );
      await clock.advance(50);
      isKompactError('ASK_TIMEOUT')(answer.error);
      assert.equal(kept[0]?.isCompleted, true);
    });
  });
});

describe('ActorRef.tell', () => {
  it('delivers the messages of one sender in the order they were sent', async () => {
    await withGatedClock(async (system, clock) => {
      const received: number[] = [];
      class Recorder extends ComponentDefinition<number> {
        override receiveLocal(n: number): HandlerReturn {
          received.push(n);
        }
      }
      const recorder = system.create(() => new Recorder());
      const expected = Array.from({ length: 1000 }, (_, i) => i);
      for (const n of expected.slice(0, 300)) recorder.actorRef().tell(n);
      await within(system.startNotify(recorder), DEADLINE_MS, 'recorder to start');
      for (const n of expected.slice(300)) recorder.actorRef().tell(n);
      await clock.settle();
      assert.deepEqual(received, expected);
    });
  });

  it('keeps the order of messages a handler tells itself while its mailbox wraps round and grows', async () => {
    await withGatedClock(async (system, clock) => {
      const received: number[] = [];
      // Each message k below 500 sends 2k + 1 and 2k + 2 to itself: handled in order, that is 0, 1, 2, …
      class Doubler extends ComponentDefinition<number> {
        override receiveLocal(k: number): HandlerReturn {
          received.push(k);
          if (k < 500) {
            this.ctx.actorRef().tell(2 * k + 1);
            this.ctx.actorRef().tell(2 * k + 2);
          }
        }
      }
      const doubler = system.create(() => new Doubler());
      await within(system.startNotify(doubler), DEADLINE_MS, 'doubler to start');
      doubler.actorRef().tell(0);
      await clock.settle();
      assert.deepEqual(
        received,
        Array.from({ length: 1001 }, (_, i) => i),
      );
    });
  });

  it('never throws at the sender when the target is destroyed or faulty', async () => {
    await withGatedClock(async (system, clock) => {
      class Crashy extends ComponentDefinition<string> {
        override receiveLocal(): HandlerReturn {
          throw new Error('boom');
        }
      }
      const crashy = await started(system, () => new Crashy());
      crashy.actorRef().tell('crash');
      await clock.settle();
      assert.equal(crashy.isFaulty(), true);
      const killed = await started(system, () => new Crashy());
      await within(system.killNotify(killed), DEADLINE_MS, 'killed to be killed');

      assert.doesNotThrow(() => crashy.actorRef().tell('more'));
      assert.doesNotThrow(() => killed.actorRef().tell('more'));
      assert.equal(system.deadLetters.count, 2);
    });
  });

  it('handles 200 self-sent messages that each block on an ask to another actor', async () => {
    await withGatedClock(async (system, clock) => {
      const registry = await started(system, () => new Adder());
      type SelfMsg = 'go' | 'tick' | 'reregister';
      class SelfSender extends ComponentDefinition<SelfMsg> {
        counter = 0;
        override receiveLocal(msg: SelfMsg): HandlerReturn {
          if (msg === 'go') {
            for (let i = 0; i < 100; i++) this.ctx.actorRef().tell('tick');
            for (let i = 0; i < 100; i++) this.ctx.actorRef().tell('reregister');
            return undefined;
          }
          return Handled.blockOn(async () => {
            await registry.actorRef().ask(1);
            this.counter++;
          });
        }
      }
      const self = await started(system, () => new SelfSender());
      self.actorRef().tell('go');
      await clock.settle();
      assert.equal(
        self.onDefinition((s) => s.counter),
        200,
      );
      assert.equal(
        registry.onDefinition((r) => r.counter),
        200,
      );
    });
  });
});

// ---- reference cases 50–52: async interaction ---------------------------------------------------

describe('Async handlers', () => {
  it('makes state set in a blockOn future visible to messages that were queued while it blocked', async () => {
    await withGatedClock(async (system, clock) => {
      let release!: (value: string) => void;
      const channel = new Promise<string>((resolve) => {
        release = resolve;
      });
      addGate(() => release('closed'));
      type Msg = 'on-channel' | 'now';
      class Mixed extends ComponentDefinition<Msg> {
        state = 'initial';
        override receiveLocal(msg: Msg): HandlerReturn {
          if (msg === 'now') {
            this.state = this.state === 'gotcha' ? 'done' : `unexpected after ${this.state}`;
            return undefined;
          }
          return Handled.blockOn(async () => {
            this.state = await channel;
          });
        }
      }
      const mixed = await started(system, () => new Mixed());
      mixed.actorRef().tell('on-channel');
      mixed.actorRef().tell('now');
      await clock.settle();
      assert.equal(
        mixed.onDefinition((m) => m.state),
        'initial',
      );
      release('gotcha');
      await clock.settle();
      assert.equal(
        mixed.onDefinition((m) => m.state),
        'done',
      );
    });
  });

  it('runs a ctx.spawnLocal future alongside messages, which may change state it observes', async () => {
    await withGatedClock(async (system, clock) => {
      const signal = gatedDeferred();
      type Msg = 'spawn' | 'set';
      class Concurrent extends ComponentDefinition<Msg> {
        state = 'initial';
        observed: string | undefined;
        override receiveLocal(msg: Msg): HandlerReturn {
          if (msg === 'set') {
            this.state = 'gotcha';
            return undefined;
          }
          this.ctx.spawnLocal(async () => {
            await signal.promise;
            this.observed = this.state;
            this.state = 'done';
          });
          return undefined;
        }
      }
      const concurrent = await started(system, () => new Concurrent());
      concurrent.actorRef().tell('spawn');
      await clock.settle();
      concurrent.actorRef().tell('set');
      await clock.settle();
      assert.equal(
        concurrent.onDefinition((c) => c.state),
        'gotcha',
        'the message was handled while the future was pending',
      );
      signal.resolve();
      await clock.settle();
      assert.equal(
        concurrent.onDefinition((c) => c.observed),
        'gotcha',
      );
      assert.equal(
        concurrent.onDefinition((c) => c.state),
        'done',
      );
    });
  });

  it('sets state from off-component work awaited in a blockOn future', async () => {
    await withGatedClock(async (system) => {
      const offComponent = async (): Promise<string> => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        return 'gotcha';
      };
      type Msg = 'go' | { kind: 'get'; reply: KPromise<string> };
      class Offloader extends ComponentDefinition<Msg> {
        state = 'initial';
        override receiveLocal(msg: Msg): HandlerReturn {
          if (msg !== 'go') {
            msg.reply.fulfil(this.state);
            return undefined;
          }
          return Handled.blockOn(async () => {
            this.state = await offComponent();
          });
        }
      }
      const offloader = await started(system, () => new Offloader());
      offloader.actorRef().tell('go');
      // The ask queues behind the blocked handler, so it answers once the future is done.
      const state = await offloader.actorRef().askWith<string>((reply) => ({ kind: 'get', reply }));
      assert.equal(state, 'gotcha');
    });
  });

  it('rejects a spawnLocal argument that is not a function with a TypeError', async () => {
    await withGatedClock(async (system) => {
      class Spawner extends ComponentDefinition<'go'> {}
      const spawner = system.create(() => new Spawner());
      const ctx = spawner.onDefinition((s) => s.ctx);
      assert.throws(() => ctx.spawnLocal(Promise.resolve() as unknown as () => Promise<void>), TypeError);
    });
  });
});
