import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ActorPath,
  type Ask,
  type Component,
  ComponentDefinition,
  type DeadLetter,
  Handled,
  type HandlerReturn,
  KompactConfig,
  type KompactSystem,
} from '../src/index.js';
import { type CapturedLog, captureLogs, SimulatedClock, withSystem } from '../src/testing/index.js';
import { isKompactError } from './support/errors.js';
import { WARN } from './support/logs.js';
import { DEADLINE_MS, gatedDeferred, openGates, track, within } from './support/promises.js';

// ---- helpers ------------------------------------------------------------------------------------

interface Env {
  readonly system: KompactSystem;
  readonly clock: SimulatedClock;
  readonly lines: CapturedLog[];
}

function withEnv<T>(body: (env: Env) => Promise<T>): Promise<T> {
  const clock = new SimulatedClock();
  const { logger, lines } = captureLogs();
  return withSystem(
    async (system) => {
      try {
        return await body({ system, clock, lines });
      } finally {
        openGates();
      }
    },
    (config) => config.clock(clock).logger(logger),
  );
}

/** Records its hooks in a shared log under its name. */
class Named extends ComponentDefinition<string> {
  constructor(
    readonly name: string,
    readonly log: string[],
  ) {
    super();
  }

  override onStart(): HandlerReturn {
    this.log.push(`${this.name}:start`);
  }

  override onKill(): HandlerReturn {
    this.log.push(`${this.name}:kill`);
  }

  override receiveLocal(msg: string): HandlerReturn {
    this.log.push(`${this.name}:${msg}`);
  }
}

// ---- reference cases 58–59 and shutdown ---------------------------------------------------------

describe('KompactSystem.shutdown', () => {
  it('can be called by a component from onStart, and awaitTermination then resolves', async () => {
    await withEnv(async ({ system }) => {
      class Terminator extends ComponentDefinition {
        override onStart(): HandlerReturn {
          void this.ctx.system().shutdown();
        }
      }
      const terminator = system.create(() => new Terminator());
      system.start(terminator);
      await system.awaitTermination();
      assert.equal(system.state, 'terminated');
      assert.equal(terminator.isDestroyed(), true);
    });
  });

  it('runs onKill of every started component before it resolves, and not of never-started ones', async () => {
    await withEnv(async ({ system }) => {
      const log: string[] = [];
      const a = system.create(() => new Named('a', log));
      const b = system.create(() => new Named('b', log));
      const paused = system.create(() => new Named('paused', log));
      const idle = system.create(() => new Named('idle', log));
      await within(system.startNotify(a), DEADLINE_MS, 'a to start');
      await within(system.startNotify(b), DEADLINE_MS, 'b to start');
      await within(system.startNotify(paused), DEADLINE_MS, 'paused to start');
      await within(system.stopNotify(paused), DEADLINE_MS, 'paused to stop');

      await system.shutdown();
      assert.deepEqual(log.filter((entry) => entry.endsWith(':kill')).sort(), [
        'a:kill',
        'b:kill',
        'paused:kill',
      ]);
      for (const component of [a, b, paused, idle]) assert.equal(component.isDestroyed(), true);
    });
  });

  it('kills exactly the components still live, whichever were killed before and in what order', async () => {
    await withEnv(async ({ system }) => {
      const log: string[] = [];
      const components = Array.from({ length: 12 }, (_, i) => system.create(() => new Named(String(i), log)));
      for (const component of components) system.start(component);
      // First, last, middle and neighbours: every position of the live components' table ends once.
      const killed = [0, 11, 5, 6, 3, 10];
      for (const i of killed) {
        await within(system.killNotify(components[i]!), DEADLINE_MS, `component ${i} to be killed`);
      }
      const before = log.filter((entry) => entry.endsWith(':kill')).length;

      await within(system.shutdown(), DEADLINE_MS, 'shutdown');
      const atShutdown = log
        .filter((entry) => entry.endsWith(':kill'))
        .slice(before)
        .sort((x, y) => Number.parseInt(x, 10) - Number.parseInt(y, 10));
      assert.deepEqual(atShutdown, ['1:kill', '2:kill', '4:kill', '7:kill', '8:kill', '9:kill']);
      for (const component of components) assert.equal(component.isDestroyed(), true);
    });
  });

  it('kills exactly the components still live after thousands ended and new ones took their places', async () => {
    await withEnv(async ({ system }) => {
      const log: string[] = [];
      const make = (name: string) => {
        const component = system.create(() => new Named(name, log));
        system.start(component);
        return component;
      };
      // Enough that the live components' table empties most of its slots (and compacts), then refills them.
      const first = Array.from({ length: 3000 }, (_, i) => make(`a${i}`));
      const survivors = new Set<string>();
      const kills: Promise<void>[] = [];
      for (const [i, component] of first.entries()) {
        if (i % 7 === 3) survivors.add(`a${i}`);
        else kills.push(system.killNotify(component));
      }
      await within(Promise.all(kills), DEADLINE_MS, 'the first kills to run');
      // Then some of those left, whose slots the new ones below take.
      const more: Promise<void>[] = [];
      for (const [i, component] of first.entries()) {
        if (i % 14 === 3) {
          survivors.delete(`a${i}`);
          more.push(system.killNotify(component));
        }
      }
      await within(Promise.all(more), DEADLINE_MS, 'the second kills to run');
      for (let i = 0; i < 300; i++) {
        make(`b${i}`);
        survivors.add(`b${i}`);
      }
      const before = log.length;

      await within(system.shutdown(), DEADLINE_MS, 'shutdown');
      const atShutdown = log.slice(before).filter((entry) => entry.endsWith(':kill'));
      assert.equal(atShutdown.length, survivors.size);
      assert.deepEqual(new Set(atShutdown.map((entry) => entry.slice(0, -':kill'.length))), survivors);
    });
  });

  it('returns the same promise when called twice, and awaitTermination resolves once it is done', async () => {
    await withEnv(async ({ system }) => {
      const terminated = track(system.awaitTermination());
      assert.equal(system.state, 'active');
      const first = system.shutdown();
      assert.equal(system.state, 'shutting-down');
      const second = system.shutdown();
      assert.equal(first, second);
      await first;
      assert.equal(system.state, 'terminated');
      await system.awaitTermination();
      assert.equal(terminated.settled, true);
    });
  });

  it('refuses to create or start components while shutting down with SYSTEM_SHUTTING_DOWN', async () => {
    await withEnv(async ({ system }) => {
      const log: string[] = [];
      const created = system.create(() => new Named('created', log));
      const done = system.shutdown();
      assert.throws(
        () => system.create(() => new Named('late', log)),
        isKompactError('SYSTEM_SHUTTING_DOWN'),
      );
      assert.throws(() => system.start(created), isKompactError('SYSTEM_SHUTTING_DOWN'));
      await assert.rejects(system.startNotify(created), isKompactError('SYSTEM_SHUTTING_DOWN'));
      await within(done, DEADLINE_MS, 'the shutdown');
      assert.deepEqual(log, []);
    });
  });

  it('fails every call after shutdown with SYSTEM_TERMINATED', async () => {
    await withEnv(async ({ system }) => {
      const log: string[] = [];
      const component = system.create(() => new Named('c', log));
      await system.shutdown();
      assert.throws(() => system.create(() => new Named('late', log)), isKompactError('SYSTEM_TERMINATED'));
      assert.throws(() => system.start(component), isKompactError('SYSTEM_TERMINATED'));
      assert.throws(() => system.stop(component), isKompactError('SYSTEM_TERMINATED'));
      assert.throws(() => system.kill(component), isKompactError('SYSTEM_TERMINATED'));
      await assert.rejects(system.startNotify(component), isKompactError('SYSTEM_TERMINATED'));
      await assert.rejects(system.stopNotify(component), isKompactError('SYSTEM_TERMINATED'));
      await assert.rejects(system.killNotify(component), isKompactError('SYSTEM_TERMINATED'));
      assert.deepEqual(log, []);
    });
  });

  it('turns a tell after shutdown into a dead letter and rejects an ask with PROMISE_DROPPED', async () => {
    await withEnv(async ({ system }) => {
      class Echo extends ComponentDefinition<Ask<number, number>> {
        override receiveLocal(ask: Ask<number, number>): HandlerReturn {
          ask.reply(ask.request);
        }
      }
      const echo = system.create(() => new Echo());
      await within(system.startNotify(echo), DEADLINE_MS, 'echo to start');
      await system.shutdown();
      await assert.rejects(
        within(echo.actorRef().ask(1), DEADLINE_MS, 'the ask to fail'),
        isKompactError('PROMISE_DROPPED'),
      );
      assert.equal(system.deadLetters.count, 1);
    });
  });

  it('waits for an onKill that blocks', async () => {
    await withEnv(async ({ system, clock }) => {
      const gate = gatedDeferred();
      let cleaned = false;
      class Slow extends ComponentDefinition {
        override onKill(): HandlerReturn {
          return Handled.blockOn(async () => {
            await gate.promise;
            cleaned = true;
          });
        }
      }
      await system.startNotify(system.create(() => new Slow()));
      const done = track(system.shutdown());
      await clock.settle();
      assert.equal(done.settled, false);
      gate.resolve();
      await system.shutdown();
      assert.equal(cleaned, true);
    });
  });

  it('waits for a blocked handler to finish and then kills its component', async () => {
    await withEnv(async ({ system, clock }) => {
      const gate = gatedDeferred();
      const log: string[] = [];
      class Busy extends Named {
        override receiveLocal(msg: string): HandlerReturn {
          return Handled.blockOn(async () => {
            await gate.promise;
            log.push(`busy:${msg}`);
          });
        }
      }
      const busy = system.create(() => new Busy('busy', log));
      await within(system.startNotify(busy), DEADLINE_MS, 'busy to start');
      busy.actorRef().tell('work');
      await clock.settle();
      const done = track(system.shutdown());
      await clock.settle();
      assert.equal(done.settled, false);
      gate.resolve();
      await system.shutdown();
      assert.deepEqual(log, ['busy:start', 'busy:work', 'busy:kill']);
    });
  });

  it('kills a component whose blocking onStart finishes during shutdown, and waits for it', async () => {
    await withEnv(async ({ system, clock }) => {
      const gate = gatedDeferred();
      const log: string[] = [];
      class SlowStart extends Named {
        override onStart(): HandlerReturn {
          return Handled.blockOn(async () => {
            await gate.promise;
            log.push('slow:start');
          });
        }
      }
      const slow = system.create(() => new SlowStart('slow', log));
      system.start(slow);
      await clock.settle();
      const done = track(system.shutdown());
      await clock.settle();
      assert.equal(done.settled, false, 'shutdown waits for the component that is starting');
      gate.resolve();
      await system.shutdown();
      assert.deepEqual(log, ['slow:start', 'slow:kill']);
      assert.equal(slow.isDestroyed(), true);
    });
  });

  it('does not run recovery for a component that faults during shutdown, and still completes', async () => {
    await withEnv(async ({ system }) => {
      let recoveries = 0;
      class BadKill extends ComponentDefinition {
        override onKill(): HandlerReturn {
          throw new Error('cannot clean up');
        }
      }
      const bad = system.create(() => new BadKill());
      bad.setRecoveryFunction((fault) => {
        recoveries++;
        return fault.ignore();
      });
      await within(system.startNotify(bad), DEADLINE_MS, 'bad to start');
      await system.shutdown();
      assert.equal(recoveries, 0);
      assert.equal(bad.isFaulty(), true);
      assert.equal(system.state, 'terminated');
    });
  });

  it('turns messages queued in never-started components into dead letters and rejects their asks', async () => {
    await withEnv(async ({ system }) => {
      class Idle extends ComponentDefinition<Ask<number, number>> {
        override receiveLocal(ask: Ask<number, number>): HandlerReturn {
          ask.reply(ask.request);
        }
      }
      const idle = system.create(() => new Idle());
      const answer = idle.actorRef().ask(1);
      await system.shutdown();
      await assert.rejects(within(answer, DEADLINE_MS, 'the ask to fail'), isKompactError('PROMISE_DROPPED'));
      assert.equal(system.deadLetters.count, 1);
    });
  });
});

// ---- dead letters -------------------------------------------------------------------------------

describe('DeadLetters', () => {
  async function deadComponent(system: KompactSystem): Promise<Component<Named>> {
    const component = system.create(() => new Named('dead', []));
    await within(system.startNotify(component), DEADLINE_MS, 'component to start');
    await within(system.killNotify(component), DEADLINE_MS, 'component to be killed');
    return component;
  }

  it('counts messages sent to a destroyed component and hands each to subscribers', async () => {
    await withEnv(async ({ system }) => {
      const dead = await deadComponent(system);
      const letters: DeadLetter[] = [];
      const unsubscribe = system.deadLetters.subscribe((letter) => letters.push(letter));
      assert.equal(system.deadLetters.count, 0);
      dead.actorRef().tell('hello');
      assert.equal(system.deadLetters.count, 1);
      assert.deepEqual(letters, [
        {
          recipient: dead.id,
          recipientType: 'Named',
          path: undefined,
          message: 'hello',
          reason: 'destroyed',
          detail: undefined,
        },
      ]);

      unsubscribe();
      dead.actorRef().tell('again');
      assert.equal(system.deadLetters.count, 2);
      assert.equal(letters.length, 1);
    });
  });

  it('reports reason faulty for messages to a faulty component', async () => {
    await withEnv(async ({ system, clock }) => {
      class Crashy extends ComponentDefinition<string> {
        override receiveLocal(): HandlerReturn {
          throw new Error('boom');
        }
      }
      const crashy = system.create(() => new Crashy());
      await within(system.startNotify(crashy), DEADLINE_MS, 'crashy to start');
      crashy.actorRef().tell('crash');
      await clock.settle();
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      crashy.actorRef().tell('after');
      assert.deepEqual(
        letters.map((l) => [l.message, l.reason]),
        [['after', 'faulty']],
      );
    });
  });

  it('logs dead letters at warn at most once a second, with the number left unlogged', async () => {
    await withEnv(async ({ system, clock, lines }) => {
      const dead = await deadComponent(system);
      const deadLetterLines = () =>
        lines.filter((line) => line.level === WARN && /dead letter/i.test(line.msg));
      for (let i = 0; i < 5; i++) dead.actorRef().tell(`m${i}`);
      assert.equal(deadLetterLines().length, 1);
      const first = deadLetterLines()[0] as CapturedLog;
      assert.ok(first.msg.includes(dead.id), first.msg);
      assert.equal(first.system, system.label);

      await clock.advance(1000);
      dead.actorRef().tell('later');
      assert.equal(deadLetterLines().length, 2);
      const second = deadLetterLines()[1] as CapturedLog;
      assert.equal(second.suppressed, 4);
      assert.match(second.msg, /4 more/);
    });
  });

  it('reports the dead letters the rate limit kept out of the log when the system shuts down, by reason', async () => {
    const clock = new SimulatedClock();
    const { logger, lines } = captureLogs();
    const system = await KompactConfig.default().clock(clock).logger(logger).build();
    const dead = await deadComponent(system);
    const nobody = ActorPath.parse(`${system.systemPath().toString()}/nobody`);
    nobody.tell('lost', system); // unresolved: nothing registered there
    for (let i = 0; i < 3; i++) dead.actorRef().tell(`m${i}`);
    nobody.tell('lost again', system);
    const warnings = () => lines.filter((line) => line.level === WARN).map((line) => line.msg);
    assert.equal(warnings().length, 1, 'only the first is logged before the second is up');
    await within(system.shutdown(), 10_000, 'shutdown');
    assert.equal(warnings().length, 2, warnings().join('\n'));
    assert.equal(warnings()[1], '4 more dead letters were not logged: 3 destroyed, 1 unresolved');
  });

  it('says nothing more at shutdown when every dead letter was logged', async () => {
    const { logger, lines } = captureLogs();
    const system = await KompactConfig.default().logger(logger).build();
    (await deadComponent(system)).actorRef().tell('once');
    await within(system.shutdown(), 10_000, 'shutdown');
    assert.equal(lines.filter((line) => line.level === WARN).length, 1);
  });

  it('keeps delivering to other subscribers when one throws', async () => {
    await withEnv(async ({ system }) => {
      const dead = await deadComponent(system);
      const seen: unknown[] = [];
      system.deadLetters.subscribe(() => {
        throw new Error('bad subscriber');
      });
      system.deadLetters.subscribe((letter) => seen.push(letter.message));
      assert.doesNotThrow(() => dead.actorRef().tell('x'));
      assert.deepEqual(seen, ['x']);
    });
  });

  it('refuses a subscriber that is not a function with a TypeError', async () => {
    await withEnv(async ({ system }) => {
      assert.throws(() => system.deadLetters.subscribe('nope' as unknown as () => void), TypeError);
    });
  });
});

// ---- logging ------------------------------------------------------------------------------------

describe('System logging', () => {
  it('gives each component a logger with its cid and ctype under the system label', async () => {
    const clock = new SimulatedClock();
    const { logger, lines } = captureLogs();
    await withSystem(
      async (system) => {
        class Greeter extends ComponentDefinition {
          override onStart(): HandlerReturn {
            this.ctx.log.info('Hello World!');
          }
        }
        const greeter = system.create(() => new Greeter());
        await within(system.startNotify(greeter), DEADLINE_MS, 'greeter to start');
        const hello = lines.find((line) => line.msg === 'Hello World!');
        assert.ok(hello !== undefined, JSON.stringify(lines));
        assert.equal(hello.cid, greeter.id);
        assert.equal(hello.ctype, 'Greeter');
        assert.equal(hello.system, 'test-system');
        assert.equal(system.label, 'test-system');
      },
      (config) => config.clock(clock).logger(logger).label('test-system'),
    );
  });

  it('reads the time from the configured clock', async () => {
    const clock = new SimulatedClock(5000);
    await withSystem(
      async (system) => {
        assert.equal(system.now(), 5000);
        await clock.advance(250);
        assert.equal(system.now(), 5250);
      },
      (config) => config.clock(clock),
    );
  });
});

describe('component ids', () => {
  it('are distinct lower-case version 4 UUIDs, also across many creates', async () => {
    await withSystem(async (system) => {
      const ids = Array.from({ length: 1000 }, (_, i) => system.create(() => new Named(String(i), [])).id);
      const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
      for (const id of ids) assert.match(id, uuidV4);
      assert.equal(new Set(ids).size, ids.length);
    });
  });
});
