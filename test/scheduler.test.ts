import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type Component,
  ComponentDefinition,
  type HandlerReturn,
  type KompactSystem,
  type KPromise,
} from '../src/index.js';
import { type Runnable, Scheduler } from '../src/runtime/scheduler.js';
import { withSystem } from '../src/testing/index.js';
import { withGatedClock } from './support/clock.js';
import { DEADLINE_MS, gatedDeferred, within } from './support/promises.js';

// ---- helpers ------------------------------------------------------------------------------------

/** Appends `<name>` to a shared log for every message. */
class Recorder extends ComponentDefinition<number> {
  constructor(
    readonly name: string,
    readonly log: string[],
  ) {
    super();
  }

  override receiveLocal(): HandlerReturn {
    this.log.push(this.name);
  }
}

/** Lengths of the runs of equal entries: ['a','a','b'] → [['a', 2], ['b', 1]]. */
function runs(log: string[]): [string, number][] {
  const out: [string, number][] = [];
  for (const entry of log) {
    const last = out[out.length - 1];
    if (last !== undefined && last[0] === entry) last[1]++;
    else out.push([entry, 1]);
  }
  return out;
}

async function startedRecorder(
  system: KompactSystem,
  name: string,
  log: string[],
): Promise<Component<Recorder>> {
  const recorder = system.create(() => new Recorder(name, log));
  await within(system.startNotify(recorder), DEADLINE_MS, `recorder ${name} to start`);
  return recorder;
}

/** Holds the thread for `ms` milliseconds of wall-clock time (a handler doing slow, synchronous work). */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: the point is to hold the event loop
  }
}

/** Handles each message by spinning for `ms` milliseconds, counting the messages it handled. */
class SlowTurn extends ComponentDefinition<'work'> {
  constructor(
    readonly ms: number,
    readonly handled: { count: number },
  ) {
    super();
  }

  override receiveLocal(): HandlerReturn {
    spin(this.ms);
    this.handled.count++;
  }
}

async function startedSlowTurns(
  system: KompactSystem,
  n: number,
  ms: number,
  handled: { count: number },
): Promise<Component<SlowTurn>[]> {
  const components = Array.from({ length: n }, () => system.create(() => new SlowTurn(ms, handled)));
  await within(
    Promise.all(components.map((c) => system.startNotify(c))),
    DEADLINE_MS,
    'the slow components to start',
  );
  return components;
}

// ---- throughput and fairness --------------------------------------------------------------------

describe('Scheduler', () => {
  it('lets another component handle its message after one turn of a flooded component (throughput 10)', async () => {
    await withGatedClock(
      async (system, clock) => {
        const log: string[] = [];
        const flooded = await startedRecorder(system, 'flooded', log);
        const other = await startedRecorder(system, 'other', log);
        for (let i = 0; i < 100; i++) flooded.actorRef().tell(i);
        other.actorRef().tell(0);
        await clock.settle();
        assert.equal(log.length, 101);
        assert.equal(log.indexOf('other'), 10, 'the other component ran after the first turn of 10');
      },
      (config) => config.throughput(10),
    );
  });

  it('alternates two flooded components in turns of `throughput` messages', async () => {
    await withGatedClock(
      async (system, clock) => {
        const log: string[] = [];
        const a = await startedRecorder(system, 'a', log);
        const b = await startedRecorder(system, 'b', log);
        for (let i = 0; i < 30; i++) {
          a.actorRef().tell(i);
          b.actorRef().tell(i);
        }
        await clock.settle();
        assert.deepEqual(runs(log), [
          ['a', 10],
          ['b', 10],
          ['a', 10],
          ['b', 10],
          ['a', 10],
          ['b', 10],
        ]);
      },
      (config) => config.throughput(10),
    );
  });

  it('gives actor messages the whole turn when there are no port events, even with a low message priority', async () => {
    await withGatedClock(
      async (system, clock) => {
        const log: string[] = [];
        const a = await startedRecorder(system, 'a', log);
        const b = await startedRecorder(system, 'b', log);
        for (let i = 0; i < 20; i++) {
          a.actorRef().tell(i);
          b.actorRef().tell(i);
        }
        await clock.settle();
        assert.deepEqual(runs(log), [
          ['a', 10],
          ['b', 10],
          ['a', 10],
          ['b', 10],
        ]);
      },
      (config) => config.throughput(10).messagePriority(0.1),
    );
  });

  it('uses turns of 50 messages by default', async () => {
    await withGatedClock(async (system, clock) => {
      const log: string[] = [];
      const flooded = await startedRecorder(system, 'flooded', log);
      const other = await startedRecorder(system, 'other', log);
      for (let i = 0; i < 120; i++) flooded.actorRef().tell(i);
      other.actorRef().tell(0);
      await clock.settle();
      assert.equal(log.indexOf('other'), 50);
    });
  });

  it('handles 10 000 messages with a handful of event-loop yields, not one per message', async () => {
    await withGatedClock(async (system) => {
      type Msg = number | { reply: KPromise<number> };
      class Tally extends ComponentDefinition<Msg> {
        total = 0;
        override receiveLocal(msg: Msg): HandlerReturn {
          if (typeof msg === 'number') this.total += msg;
          else msg.reply.fulfil(this.total);
        }
      }
      const tally = system.create(() => new Tally());
      await within(system.startNotify(tally), DEADLINE_MS, 'tally to start');
      const realSetImmediate = globalThis.setImmediate;
      let yields = 0;
      globalThis.setImmediate = ((...args: Parameters<typeof setImmediate>) => {
        yields++;
        return realSetImmediate(...args);
      }) as typeof setImmediate;
      let total: number;
      try {
        for (let i = 0; i < 10_000; i++) tally.actorRef().tell(1);
        total = await tally.actorRef().askWith<number>((reply) => ({ reply }));
      } finally {
        globalThis.setImmediate = realSetImmediate;
      }
      assert.equal(total, 10_000);
      assert.ok(yields <= 20, `${yields} setImmediate calls for 10 000 messages`);
    });
  });

  it('lets a host timer fire between slow turns, long before the budget of handler calls is spent', async () => {
    await withSystem(async (system) => {
      const handled = { count: 0 };
      const slow = await startedSlowTurns(system, 60, 2, handled);
      let handledWhenTimerFired = -1;
      const timerFired = new Promise<void>((resolve) =>
        setTimeout(() => {
          handledWhenTimerFired = handled.count;
          resolve();
        }, 0),
      );
      for (const component of slow) component.actorRef().tell('work');
      await within(timerFired, DEADLINE_MS, 'the host timer');
      await within(
        new Promise<void>((resolve) => {
          const poll = (): void => {
            if (handled.count === 60) resolve();
            else setImmediate(poll);
          };
          poll();
        }),
        DEADLINE_MS,
        'the 60 slow turns to finish',
      );
      // 60 turns of 2 ms fit the budget of 2,048 handler calls: only the drain's time slice yields.
      assert.ok(
        handledWhenTimerFired < 20,
        `the timer fired after ${handledWhenTimerFired} of 60 turns of 2 ms, not within a few`,
      );
    });
  });

  it('ends drains by handler calls only on a simulated clock, which stands still while handlers run', async () => {
    await withGatedClock(async (system, clock) => {
      const handled = { count: 0 };
      const slow = await startedSlowTurns(system, 20, 1, handled);
      let handledAtImmediate = -1;
      for (const component of slow) component.actorRef().tell('work');
      setImmediate(() => {
        handledAtImmediate = handled.count;
      });
      await clock.settle();
      assert.equal(handled.count, 20);
      assert.equal(handledAtImmediate, 20, 'the 20 turns of 1 ms ran in one drain, before the immediate');
    });
  });

  it('does not starve the event loop when a component sends itself messages forever', {
    timeout: 5000,
  }, async () => {
    await withSystem(async (system) => {
      class Spinner extends ComponentDefinition<'spin'> {
        spins = 0;
        override receiveLocal(): HandlerReturn {
          this.spins++;
          this.ctx.actorRef().tell('spin');
        }
      }
      const spinner = system.create(() => new Spinner());
      await within(system.startNotify(spinner), DEADLINE_MS, 'spinner to start');
      spinner.actorRef().tell('spin');

      await new Promise<void>((resolve) => setImmediate(resolve));
      const afterImmediate = spinner.onDefinition((s) => s.spins);
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
      await readFile(fileURLToPath(import.meta.url));
      const afterIo = spinner.onDefinition((s) => s.spins);

      await within(system.killNotify(spinner), DEADLINE_MS, 'spinner to be killed');
      assert.ok(afterImmediate > 0, 'the spinner ran before the setImmediate callback');
      assert.ok(afterIo > afterImmediate, 'the spinner kept running while timers and I/O were served');
      assert.equal(spinner.isDestroyed(), true);
    });
  });

  it('does not starve the event loop when two components bounce a message forever', {
    timeout: 5000,
  }, async () => {
    await withSystem(async (system) => {
      let bounces = 0;
      class Bouncer extends ComponentDefinition<'ball'> {
        peer: Component<Bouncer> | undefined;
        override receiveLocal(): HandlerReturn {
          bounces++;
          this.peer?.actorRef().tell('ball');
        }
      }
      const ping = system.create(() => new Bouncer());
      const pong = system.create(() => new Bouncer());
      ping.onDefinition((d) => {
        d.peer = pong;
      });
      pong.onDefinition((d) => {
        d.peer = ping;
      });
      await within(system.startNotify(ping), DEADLINE_MS, 'ping to start');
      await within(system.startNotify(pong), DEADLINE_MS, 'pong to start');
      ping.actorRef().tell('ball');
      await new Promise<void>((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
      assert.ok(bounces > 0);
      await within(system.killNotify(ping), DEADLINE_MS, 'ping to be killed');
      await within(system.killNotify(pong), DEADLINE_MS, 'pong to be killed');
    });
  });
});

// ---- one handler at a time ----------------------------------------------------------------------

describe('Component turns', () => {
  it('never interleaves two async message handlers of one component', async () => {
    await withGatedClock(async (system, clock) => {
      const log: string[] = [];
      const release = [gatedDeferred(), gatedDeferred(), gatedDeferred()];
      class Sequential extends ComponentDefinition<number> {
        override async receiveLocal(n: number): Promise<void> {
          log.push(`start ${n}`);
          await release[n]?.promise;
          log.push(`end ${n}`);
        }
      }
      const sequential = system.create(() => new Sequential());
      await within(system.startNotify(sequential), DEADLINE_MS, 'sequential to start');
      for (const n of [0, 1, 2]) sequential.actorRef().tell(n);
      await clock.settle();
      assert.deepEqual(log, ['start 0']);

      release[1]?.resolve();
      await clock.settle();
      assert.deepEqual(log, ['start 0'], 'message 1 waits for message 0 even when its own signal came');

      release[0]?.resolve();
      await clock.settle();
      assert.deepEqual(log, ['start 0', 'end 0', 'start 1', 'end 1', 'start 2']);

      release[2]?.resolve();
      await clock.settle();
      assert.deepEqual(log, ['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
    });
  });

  it('holds a stop requested during an async handler until that handler has finished', async () => {
    await withGatedClock(async (system, clock) => {
      const log: string[] = [];
      const gate = gatedDeferred();
      class Worker extends ComponentDefinition<string> {
        override onStop(): HandlerReturn {
          log.push('stop');
        }
        override async receiveLocal(msg: string): Promise<void> {
          log.push(`start ${msg}`);
          if (msg === 'slow') await gate.promise;
          log.push(`end ${msg}`);
        }
      }
      const worker = system.create(() => new Worker());
      await within(system.startNotify(worker), DEADLINE_MS, 'worker to start');
      worker.actorRef().tell('slow');
      worker.actorRef().tell('next');
      await clock.settle();
      const stopped = system.stopNotify(worker);
      await clock.settle();
      assert.deepEqual(log, ['start slow']);

      gate.resolve();
      await within(stopped, DEADLINE_MS, 'the stop');
      await clock.settle();
      assert.deepEqual(log, ['start slow', 'end slow', 'stop'], 'the queued message waits for a restart');

      await within(system.startNotify(worker), DEADLINE_MS, 'worker to start');
      await clock.settle();
      assert.deepEqual(log, ['start slow', 'end slow', 'stop', 'start next', 'end next']);
    });
  });
});

// ---- holding the drain for a socket read ----------------------------------------------------------

describe('Scheduler.hold and release', () => {
  /** A runnable that counts its turns and reports `calls` handler calls per turn. */
  function counter(calls = 1): Runnable & { turns: number } {
    return {
      turns: 0,
      runTurn() {
        this.turns++;
        return calls;
      },
    };
  }

  /** Lets every queued microtask (and the ones they queue) run. */
  const microtasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it('runs the turns scheduled while held in release, not in a microtask', async () => {
    const scheduler = new Scheduler();
    const a = counter();
    const b = counter();
    scheduler.hold();
    scheduler.schedule(a);
    scheduler.schedule(b);
    await Promise.resolve();
    assert.deepEqual([a.turns, b.turns], [0, 0], 'no microtask drained while held');
    scheduler.release();
    assert.deepEqual([a.turns, b.turns], [1, 1], 'the turns ran inside release');
    assert.ok(scheduler.isIdle);
  });

  it('drains work scheduled after the release in a microtask again, once', async () => {
    const scheduler = new Scheduler();
    const a = counter();
    const b = counter();
    scheduler.hold();
    scheduler.schedule(a);
    scheduler.release();
    scheduler.schedule(b);
    assert.equal(b.turns, 0);
    await microtasks();
    assert.deepEqual([a.turns, b.turns], [1, 1]);
  });

  it('leaves a queued drain alone: hold and release change nothing while one is pending', async () => {
    const scheduler = new Scheduler();
    const a = counter();
    scheduler.schedule(a);
    scheduler.hold();
    scheduler.release();
    assert.equal(a.turns, 0, 'the queued microtask still owns the drain');
    await microtasks();
    assert.equal(a.turns, 1);
  });

  it('keeps the yield of a drain run by release: the rest waits for the check phase', async () => {
    const scheduler = new Scheduler();
    // One turn spends the whole yield budget; the second waits for the check phase.
    const big = counter(4096);
    const next = counter();
    scheduler.hold();
    scheduler.schedule(big);
    scheduler.schedule(next);
    scheduler.release();
    assert.deepEqual([big.turns, next.turns], [1, 0]);
    await Promise.resolve();
    assert.equal(next.turns, 0, 'no microtask resumed the yielded drain');
    await within(new Promise<void>((resolve) => setImmediate(resolve)), DEADLINE_MS, 'the check phase');
    assert.equal(next.turns, 1);
  });

  it('resolves whenIdle at a release that found nothing to run', async () => {
    const scheduler = new Scheduler();
    scheduler.hold();
    let isResolved = false;
    const idle = scheduler.whenIdle().then(() => {
      isResolved = true;
    });
    await microtasks();
    assert.equal(isResolved, false, 'still held');
    scheduler.release();
    await within(idle, DEADLINE_MS, 'whenIdle after the release');
    assert.ok(scheduler.isIdle);
  });
});
