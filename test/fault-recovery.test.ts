// Fault recovery: Kompact's reference cases 16–33 and points 1–4 of the fault-recovery issue
// (the mechanism, every fault source, the supervisor, and what happens to a faulted instance).
// Replacement (`FaultContext.replaceWith`, restart limits and backoff) is in replace-with.test.ts,
// supervision events and contained recovery failures in supervision-events.test.ts, what each handler
// result does in handler-results.test.ts, and random interleavings in fault-recovery.property.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Ask,
  biconnectComponents,
  type Component,
  ComponentDefinition,
  type DeadLetter,
  type FaultContext,
  Handled,
  HandlerError,
  type HandlerReturn,
  type KompactSystem,
  type ScheduledTimer,
  type SystemHandle,
} from '../src/index.js';
import type { CapturedLog } from '../src/testing/index.js';
import { CountPort, CountProvider, PortUser } from './support/definitions.js';
import { isKompactError } from './support/errors.js';
import { ERROR, INFO, linesAt, WARN } from './support/logs.js';
import { DEADLINE_MS, deferred, track, within } from './support/promises.js';
import { watchRecovery, withEnv } from './support/supervision.js';

// ---- helpers ------------------------------------------------------------------------------------

type Msg = string | Ask<string, string>;

/**
 * Handles strings: `crash` throws `Error('boom')`, `put:<s>` sets its state, everything is recorded.
 * An ask is answered with `<state>:<request>`. Registers itself in `registry` when given one.
 */
class Crasher extends ComponentDefinition<Msg> {
  readonly handled: string[] = [];
  state: string;

  constructor(state = 'default', registry?: Crasher[]) {
    super();
    this.state = state;
    registry?.push(this);
  }

  override receiveLocal(msg: Msg): HandlerReturn {
    const text = msg instanceof Ask ? msg.request : msg;
    if (text === 'crash') throw new Error('boom');
    if (text.startsWith('put:')) this.state = text.slice(4);
    this.handled.push(text);
    if (msg instanceof Ask) msg.reply(`${this.state}:${text}`);
  }
}

/** Records what it handles into a shared log. */
class Recorder extends ComponentDefinition<string> {
  constructor(private readonly log: string[]) {
    super();
  }

  override receiveLocal(msg: string): HandlerReturn {
    this.log.push(`recorder handled ${msg}`);
  }
}

/** Crashes on `crash`, counts `ping`s; any other message installs a recovery function logging it. */
class Crashy extends ComponentDefinition<'crash' | 'ping' | string> {
  pings = 0;
  override receiveLocal(msg: string): HandlerReturn {
    if (msg === 'crash') throw new Error('boom');
    if (msg === 'ping') this.pings++;
    else
      this.ctx.setRecoveryFunction((fault) =>
        fault.recoverWith((_fault, _system, logger) => logger.info({ snapshot: msg }, 'recovering')),
      );
    return undefined;
  }
}

// ---- reference cases 16–33 ----------------------------------------------------------------------

describe('Fault recovery', () => {
  it('hands out the replacement a recovery handler created when an actor handler panics; the original stays faulty (case 16)', async () => {
    await withEnv(async ({ system, clock }) => {
      const original = system.create(() => new Crasher());
      const handedOut = deferred<Component<Crasher>>();
      original.setRecoveryFunction((fault) =>
        fault.recoverWith((_fault, handle) => {
          const replacement = handle.create(() => new Crasher());
          handle.start(replacement);
          handedOut.resolve(replacement);
        }),
      );
      await within(system.startNotify(original), DEADLINE_MS, 'original to start');
      original.actorRef().tell('crash');
      const replacement = await handedOut.promise;
      assert.equal(original.isFaulty(), true);
      assert.notEqual(replacement.id, original.id);

      replacement.actorRef().tell('hello');
      await clock.settle();
      assert.deepEqual(
        replacement.onDefinition((d) => d.handled),
        ['hello'],
      );
      assert.equal(replacement.isActive(), true);
    });
  });

  it('makes a component faulty when its port handler panics (case 17)', async () => {
    await withEnv(async ({ system, clock }) => {
      const provider = system.create(() => new CountProvider());
      const seen = watchRecovery(provider);
      await within(system.startNotify(provider), DEADLINE_MS, 'provider to start');
      const provided = provider.getProvidedPort(CountPort);
      assert.ok(provided);
      system.triggerR(-1, provided);
      await clock.settle();
      assert.equal(provider.isFaulty(), true);
      assert.equal(seen.contexts.length, 1);
      assert.match(seen.contexts[0]?.description ?? '', /negative request -1/);
      assert.equal(seen.handlerRuns, 1);
    });
  });

  it('rejects startNotify with PROMISE_DROPPED when onStart panics (case 18)', async () => {
    await withEnv(async ({ system, clock }) => {
      class BadStart extends ComponentDefinition {
        override onStart(): HandlerReturn {
          throw new Error('cannot start');
        }
      }
      const bad = system.create(() => new BadStart());
      const seen = watchRecovery(bad);
      await assert.rejects(system.startNotify(bad), isKompactError('PROMISE_DROPPED'));
      await clock.settle();
      assert.equal(bad.isFaulty(), true);
      assert.equal(seen.contexts.length, 1);
      assert.match(seen.contexts[0]?.description ?? '', /cannot start/);
    });
  });

  it('ignores a fault by default with a warning "Ignoring fault of component id=<id>"; nothing replaces it and others keep working (case 19)', async () => {
    await withEnv(async ({ system, clock, lines, events }) => {
      const registry: Crasher[] = [];
      const crashy = system.create(() => new Crasher('default', registry));
      const other = system.create(() => new Crasher());
      await within(system.startNotify(crashy), DEADLINE_MS, 'crashy to start');
      await within(system.startNotify(other), DEADLINE_MS, 'other to start');
      crashy.actorRef().tell('crash');
      await clock.settle();

      assert.equal(crashy.isFaulty(), true);
      const ignoring = linesAt(lines, WARN).filter((line) =>
        line.msg.includes(`Ignoring fault of component id=${crashy.id}`),
      );
      assert.equal(ignoring.length, 1, JSON.stringify(lines.map((line) => line.msg)));
      assert.match((ignoring[0] as CapturedLog).msg, /boom/);
      assert.equal(registry.length, 1, 'no replacement was created');
      const recovered = events.find((event) => event.kind === 'recovered');
      assert.ok(recovered?.kind === 'recovered');
      assert.equal(recovered.recovery, 'ignore');
      assert.equal(recovered.replacementId, undefined);

      other.actorRef().tell('still here');
      await clock.settle();
      assert.deepEqual(
        other.onDefinition((d) => d.handled),
        ['still here'],
      );
    });
  });

  it('restartDefault creates and starts a fresh component from the factory, with default state (case 20)', async () => {
    await withEnv(async ({ system, clock, lines, events }) => {
      const registry: Crasher[] = [];
      const original = system.create(() => new Crasher('default', registry));
      original.setRecoveryFunction((fault) => fault.restartDefault(() => new Crasher('default', registry)));
      await within(system.startNotify(original), DEADLINE_MS, 'original to start');
      original.actorRef().tell('put:changed');
      original.actorRef().tell('crash');
      await clock.settle();

      assert.equal(registry.length, 2);
      const fresh = registry[1] as Crasher;
      assert.equal(fresh.state, 'default');
      assert.notEqual(fresh.ctx.id, original.id);
      fresh.ctx.actorRef().tell('hello');
      await clock.settle();
      assert.deepEqual(fresh.handled, ['hello'], 'the replacement was started');
      const recovered = events.find((event) => event.kind === 'recovered');
      assert.ok(recovered?.kind === 'recovered');
      assert.equal(recovered.recovery, 'restart-default');
      assert.equal(recovered.replacementId, fresh.ctx.id);
      assert.ok(
        linesAt(lines, INFO).some((line) =>
          line.msg.includes(`Restarting faulted component id=${original.id}`),
        ),
      );
      // As in Kompact, the old reference stays dead.
      const before = system.deadLetters.count;
      original.actorRef().tell('lost');
      assert.equal(system.deadLetters.count, before + 1);
    });
  });

  it('restarts from the state captured by the recovery function installed last (case 21)', async () => {
    await withEnv(async ({ system, clock }) => {
      const registry: Crasher[] = [];
      /** Re-installs its recovery function on every put, capturing the new state: a snapshot. */
      class Snapshotter extends Crasher {
        override receiveLocal(msg: Msg): HandlerReturn {
          const result = super.receiveLocal(msg);
          const snapshot = this.state;
          this.ctx.setRecoveryFunction((fault) =>
            fault.recoverWith((_fault, handle) => {
              handle.start(handle.create(() => new Crasher(snapshot, registry)));
            }),
          );
          return result;
        }
      }
      const original = system.create(() => new Snapshotter());
      await within(system.startNotify(original), DEADLINE_MS, 'original to start');
      original.actorRef().tell('put:first');
      original.actorRef().tell('put:MsgTest');
      original.actorRef().tell('crash');
      await clock.settle();
      assert.equal(registry.length, 1);
      assert.equal(registry[0]?.state, 'MsgTest');
    });
  });

  it('hands the recovery function the component id, type, panic value and a readable description (case 22)', async () => {
    await withEnv(async ({ system, clock }) => {
      const crashy = system.create(() => new Crasher());
      const seen = watchRecovery(crashy);
      await within(system.startNotify(crashy), DEADLINE_MS, 'crashy to start');
      crashy.actorRef().tell('crash');
      await clock.settle();
      assert.equal(seen.contexts.length, 1);
      const context = seen.contexts[0] as FaultContext;
      assert.equal(context.componentId, crashy.id);
      assert.equal(context.componentType, 'Crasher');
      assert.equal(context.fault.kind, 'panic');
      assert.ok(context.fault.error instanceof Error);
      assert.equal(context.fault.error.message, 'boom');
      assert.match(context.description, /boom/);
    });
  });

  it('hands the recovery function a handler fault wrapping the error of a returned recoverable HandlerError (case 22)', async () => {
    await withEnv(async ({ system, clock }) => {
      const reported = new Error('bad input');
      class Reporter extends ComponentDefinition<string> {
        override receiveLocal(): HandlerReturn {
          return HandlerError.recoverable(reported);
        }
      }
      const reporter = system.create(() => new Reporter());
      const seen = watchRecovery(reporter);
      await within(system.startNotify(reporter), DEADLINE_MS, 'reporter to start');
      reporter.actorRef().tell('go');
      await clock.settle();
      const context = seen.contexts[0] as FaultContext;
      assert.equal(context.componentId, reporter.id);
      assert.equal(context.componentType, 'Reporter');
      assert.equal(context.fault.kind, 'handler');
      assert.equal(context.fault.error, reported);
      assert.match(context.description, /bad input/);
    });
  });

  it('calls the recovery function once, in the faulting turn, and runs its handler later on the supervisor (case 23)', async () => {
    await withEnv(async ({ system, clock }) => {
      const order: string[] = [];
      const crashy = system.create(() => new Crasher());
      const recorder = system.create(() => new Recorder(order));
      let calls = 0;
      crashy.setRecoveryFunction((fault) => {
        calls++;
        order.push('recovery function');
        return fault.recoverWith(() => {
          order.push('recovery handler');
        });
      });
      await within(system.startNotify(crashy), DEADLINE_MS, 'crashy to start');
      await within(system.startNotify(recorder), DEADLINE_MS, 'recorder to start');
      // Both are queued for a turn before the crash: the function runs in the crashing turn, before the
      // recorder's turn; the handler runs on the supervisor's turn, after it.
      crashy.actorRef().tell('crash');
      recorder.actorRef().tell('x');
      await clock.settle();
      assert.deepEqual(order, ['recovery function', 'recorder handled x', 'recovery handler']);
      assert.equal(calls, 1);
    });
  });

  it('runs the recovery handler in the same scheduler drain as the fault, before the event loop turns', async () => {
    await withEnv(async ({ system }) => {
      const crashy = system.create(() => new Crasher());
      const seen = watchRecovery(crashy);
      await within(system.startNotify(crashy), DEADLINE_MS, 'crashy to start');
      crashy.actorRef().tell('crash');
      await new Promise<void>((resolve) => setImmediate(resolve));
      assert.equal(seen.handlerRuns, 1);
    });
  });

  it("gives the recovery handler the supervisor's system handle (create, start, stop, kill, notify, cancelTimer, now) and logger (case 23)", async () => {
    await withEnv(async ({ system, clock, lines }) => {
      await clock.advance(250);
      class Ticker extends ComponentDefinition<string> {
        ticks = 0;
        timer: ScheduledTimer | undefined;
        override onStart(): HandlerReturn {
          this.timer = this.schedulePeriodic(10, 10, () => {
            this.ticks++;
          });
        }
      }
      const crashy = system.create(() => new Crasher());
      const toStop = system.create(() => new Crasher());
      const toKill = system.create(() => new Crasher());
      const ticker = system.create(() => new Ticker());
      for (const component of [crashy, toStop, toKill, ticker])
        await within(system.startNotify(component), DEADLINE_MS, 'component to start');
      const results: Record<string, unknown> = {};
      let created: Component<Crasher> | undefined;
      let notified: Component<Crasher> | undefined;
      crashy.setRecoveryFunction((fault) =>
        fault.recoverWith((context, handle: SystemHandle, logger) => {
          results.now = handle.now();
          results.label = handle.label;
          results.sameContext = context === fault;
          created = handle.create(() => new Crasher());
          handle.start(created);
          notified = handle.create(() => new Crasher());
          results.startNotify = track(handle.startNotify(notified));
          handle.stop(toStop);
          results.killNotify = track(handle.killNotify(toKill));
          const timer = ticker.onDefinition((d) => d.timer);
          if (timer !== undefined) handle.cancelTimer(timer);
          logger.info({ recovering: context.componentId }, 'recovering with the supervisor logger');
        }),
      );
      crashy.actorRef().tell('crash');
      await clock.settle();

      assert.equal(results.now, 250);
      assert.equal(results.label, system.label);
      assert.equal(results.sameContext, true);
      assert.equal(created?.isActive(), true);
      assert.equal(notified?.isActive(), true);
      assert.deepEqual(results.startNotify, { settled: true, error: undefined });
      assert.equal(toStop.isActive(), false);
      assert.equal(toStop.isFaulty() || toStop.isDestroyed(), false, 'stopped, not ended');
      assert.equal(toKill.isDestroyed(), true);
      assert.deepEqual(results.killNotify, { settled: true, error: undefined });
      const ticks = ticker.onDefinition((d) => d.ticks);
      await clock.advance(100);
      assert.equal(
        ticker.onDefinition((d) => d.ticks),
        ticks,
        'the timer cancelled by the handler never fires again',
      );
      const logged = lines.find((line) => line.msg === 'recovering with the supervisor logger');
      assert.ok(logged);
      assert.equal(logged.recovering, crashy.id);
      assert.equal(logged.level, INFO);
    });
  });

  it('lets a recovery handler shut the whole system down', async () => {
    await withEnv(async ({ system, clock }) => {
      const crashy = system.create(() => new Crasher());
      let shutdown: Promise<void> | undefined;
      crashy.setRecoveryFunction((fault) =>
        fault.recoverWith((_fault, handle) => {
          shutdown = handle.shutdown();
        }),
      );
      await within(system.startNotify(crashy), DEADLINE_MS, 'crashy to start');
      crashy.actorRef().tell('crash');
      await clock.settle();
      assert.ok(shutdown);
      await within(shutdown, DEADLINE_MS, 'the shutdown');
      assert.equal(system.state, 'terminated');
    });
  });

  it('never runs a faulty component again: messages, port events and timer expiries are not handled, and it stays faulty (case 24)', async () => {
    await withEnv(async ({ system, clock }) => {
      class Busy extends CountProvider {
        ticks = 0;
        override onStart(): HandlerReturn {
          this.schedulePeriodic(10, 10, () => {
            this.ticks++;
          });
        }

        override receiveLocal(msg: Msg): HandlerReturn {
          if (msg === 'crash') throw new Error('boom');
          this.received.push(0);
        }
      }
      const busy = system.create(() => new Busy());
      await within(system.startNotify(busy), DEADLINE_MS, 'busy to start');
      await clock.advance(35);
      assert.equal(
        busy.onDefinition((d) => d.ticks),
        3,
      );
      busy.actorRef().tell('crash');
      await clock.settle();
      assert.equal(busy.isFaulty(), true);

      const before = system.deadLetters.count;
      busy.actorRef().tell('hello');
      const provided = busy.getProvidedPort(CountPort);
      assert.ok(provided);
      system.triggerR(7, provided);
      await clock.advance(1000);
      assert.deepEqual(
        busy.onDefinition((d) => [d.ticks, d.received.length]),
        [3, 0],
      );
      assert.equal(system.deadLetters.count, before + 2, 'the message and the port event are dead letters');
      assert.equal(busy.isFaulty(), true);
      assert.equal(busy.isActive(), false);
      assert.equal(busy.isDestroyed(), false);
    });
  });

  it('rejects the ask in flight and asks queued behind it with PROMISE_DROPPED, the queued ones only after the recovery handler ran (case 25)', async () => {
    await withEnv(async ({ system, clock }) => {
      const crashy = system.create(() => new Crasher());
      let queuedSettledWhenHandlerRan: boolean | undefined;
      let queued: { settled: boolean; error: unknown } | undefined;
      crashy.setRecoveryFunction((fault) =>
        fault.recoverWith(() => {
          queuedSettledWhenHandlerRan = queued?.settled;
        }),
      );
      await within(system.startNotify(crashy), DEADLINE_MS, 'crashy to start');
      const ref = crashy.actorRef();
      const inFlight = track(ref.askWith<string>((promise) => new Ask(promise, 'crash')));
      queued = track(ref.askWith<string>((promise) => new Ask(promise, 'later')));
      await clock.settle();

      assert.equal(queuedSettledWhenHandlerRan, false, 'still pending while recovery could take it over');
      isKompactError('PROMISE_DROPPED')(inFlight.error);
      isKompactError('PROMISE_DROPPED')(queued.error);
      await assert.rejects(
        ref.askWith<string>((promise) => new Ask(promise, 'after')),
        isKompactError('PROMISE_DROPPED'),
      );
    });
  });

  it('rejects pending stop and kill notifications of a component that faults with PROMISE_DROPPED (case 26)', async () => {
    await withEnv(async ({ system, clock }) => {
      const gate = deferred();
      class Holder extends ComponentDefinition<string> {
        override async receiveLocal(): Promise<void> {
          await gate.promise;
          throw new Error('gave way');
        }
      }
      const holder = system.create(() => new Holder());
      const seen = watchRecovery(holder);
      await within(system.startNotify(holder), DEADLINE_MS, 'holder to start');
      holder.actorRef().tell('hold');
      await clock.settle();
      const stopped = track(system.stopNotify(holder));
      const killed = track(system.killNotify(holder));
      await clock.settle();
      assert.equal(stopped.settled || killed.settled, false, 'blocked: nothing completes yet');

      gate.resolve();
      await clock.settle();
      assert.equal(holder.isFaulty(), true);
      isKompactError('PROMISE_DROPPED')(stopped.error);
      isKompactError('PROMISE_DROPPED')(killed.error);
      assert.equal(seen.handlerRuns, 1);
    });
  });

  it('cancels the timers of a faulted component at once; a recovery handler may still cancel them harmlessly (case 27)', async () => {
    await withEnv(async ({ system, clock }) => {
      class Ticker extends ComponentDefinition<string> {
        ticks = 0;
        periodic!: ScheduledTimer;
        once!: ScheduledTimer;
        override onStart(): HandlerReturn {
          this.periodic = this.schedulePeriodic(10, 10, () => {
            this.ticks++;
          });
          this.once = this.scheduleOnce(500, () => {
            this.ticks += 1000;
          });
        }

        override receiveLocal(): HandlerReturn {
          throw new Error('tick tock boom');
        }
      }
      const ticker = system.create(() => new Ticker());
      await within(system.startNotify(ticker), DEADLINE_MS, 'ticker to start');
      const [periodic, once] = ticker.onDefinition((d) => [d.periodic, d.once] as const);
      const statesAtFault: string[] = [];
      ticker.setRecoveryFunction((fault) => {
        statesAtFault.push(periodic.state, once.state);
        return fault.recoverWith((_fault, handle) => {
          handle.cancelTimer(periodic);
          handle.cancelTimer(once);
        });
      });
      await clock.advance(25);
      ticker.actorRef().tell('crash');
      await clock.settle();
      assert.deepEqual(statesAtFault, ['cancelled', 'cancelled'], 'cancelled before recovery even ran');
      await clock.advance(1000);
      assert.equal(
        ticker.onDefinition((d) => d.ticks),
        2,
      );
      assert.equal(periodic.state, 'cancelled');
      assert.equal(once.state, 'cancelled');
    });
  });

  it('does not carry port connections over to a replacement made with recoverWith (case 28)', async () => {
    await withEnv(async ({ system, clock }) => {
      const user = system.create(() => new PortUser());
      const original = system.create(() => new CountProvider());
      biconnectComponents(CountPort, original, user);
      let replacement: Component<CountProvider> | undefined;
      original.setRecoveryFunction((fault) =>
        fault.recoverWith((_fault, handle) => {
          replacement = handle.create(() => new CountProvider());
          handle.start(replacement);
        }),
      );
      await within(system.startNotify(user), DEADLINE_MS, 'user to start');
      await within(system.startNotify(original), DEADLINE_MS, 'original to start');
      user.actorRef().tell([-1]);
      await clock.settle();
      assert.equal(original.isFaulty(), true);
      assert.ok(replacement);
      const before = system.deadLetters.count;

      user.actorRef().tell([5]);
      await clock.settle();
      assert.deepEqual(
        replacement.onDefinition((d) => d.received),
        [],
      );
      assert.equal(system.deadLetters.count, before + 1, 'the request reached the faulty original');

      biconnectComponents(CountPort, replacement, user);
      user.actorRef().tell([6]);
      await clock.settle();
      assert.deepEqual(
        replacement.onDefinition((d) => d.received),
        [6],
      );
      assert.deepEqual(
        user.onDefinition((d) => d.acks),
        ['ack 6'],
      );
    });
  });

  it('runs no recovery for a component that faults during shutdown, and shutdown completes (case 29)', async () => {
    await withEnv(async ({ system, clock, lines, events }) => {
      class BadKill extends ComponentDefinition {
        override onKill(): HandlerReturn {
          throw new Error('cannot die cleanly');
        }
      }
      const bad = system.create(() => new BadKill());
      let functionCalls = 0;
      bad.setRecoveryFunction((fault) => {
        functionCalls++;
        return fault.recoverWith(() => {
          throw new Error('must not run');
        });
      });
      await within(system.startNotify(bad), DEADLINE_MS, 'bad to start');
      await system.shutdown();
      await clock.settle();
      assert.equal(system.state, 'terminated');
      assert.equal(bad.isFaulty(), true);
      assert.equal(functionCalls, 0);
      assert.deepEqual(
        events.map((event) => event.kind),
        ['fault'],
      );
      assert.ok(lines.some((line) => line.msg === 'Not running recovery handler due to ongoing shutdown.'));
    });
  });

  it('does not run the handler of a fault that happened just before shutdown began, and shutdown completes (case 29)', async () => {
    await withEnv(async ({ system, lines, events }) => {
      class Stopper extends ComponentDefinition<string> {
        override receiveLocal(): HandlerReturn {
          void this.ctx.system().shutdown();
        }
      }
      const crashy = system.create(() => new Crasher());
      const stopper = system.create(() => new Stopper());
      let functionCalls = 0;
      let handlerRuns = 0;
      crashy.setRecoveryFunction((fault) => {
        functionCalls++;
        return fault.recoverWith(() => {
          handlerRuns++;
        });
      });
      await within(system.startNotify(crashy), DEADLINE_MS, 'crashy to start');
      await within(system.startNotify(stopper), DEADLINE_MS, 'stopper to start');
      crashy.actorRef().tell('crash');
      stopper.actorRef().tell('shut down');
      await system.awaitTermination();
      assert.equal(functionCalls, 1, 'the function ran at fault time, before shutdown');
      assert.equal(handlerRuns, 0);
      assert.ok(lines.some((line) => line.msg === 'Not running recovery handler due to ongoing shutdown.'));
      assert.equal(events.filter((event) => event.kind === 'recovered').length, 0);
    });
  });

  it('kills a component whose start was requested before shutdown right after it starts, and refuses new starts (case 30)', async () => {
    await withEnv(async ({ system }) => {
      const log: string[] = [];
      class Lifecycle extends ComponentDefinition {
        override onStart(): HandlerReturn {
          log.push('start');
        }

        override onKill(): HandlerReturn {
          log.push('kill');
        }
      }
      const late = system.create(() => new Lifecycle());
      const never = system.create(() => new Lifecycle());
      system.start(late);
      const done = system.shutdown();
      assert.throws(() => system.start(never), isKompactError('SYSTEM_SHUTTING_DOWN'));
      assert.throws(() => system.create(() => new Lifecycle()), isKompactError('SYSTEM_SHUTTING_DOWN'));
      await within(done, DEADLINE_MS, 'the shutdown');
      assert.deepEqual(log, ['start', 'kill']);
      assert.equal(late.isDestroyed(), true);
      assert.equal(never.isDestroyed(), true);
    });
  });

  it('contains a throwing recovery handler instead of poisoning the system: logged, reported, everything else keeps running (case 31)', async () => {
    await withEnv(async ({ system, clock, lines, events }) => {
      const crashy = system.create(() => new Crasher());
      const other = system.create(() => new Crasher());
      crashy.setRecoveryFunction((fault) =>
        fault.recoverWith(() => {
          throw new Error('handler exploded');
        }),
      );
      await within(system.startNotify(crashy), DEADLINE_MS, 'crashy to start');
      await within(system.startNotify(other), DEADLINE_MS, 'other to start');
      crashy.actorRef().tell('crash');
      await clock.settle();

      assert.equal(crashy.isFaulty(), true);
      const failed = events.find((event) => event.kind === 'recovery-failed');
      assert.ok(failed?.kind === 'recovery-failed');
      assert.equal(failed.stage, 'recovery-handler');
      assert.equal(failed.componentId, crashy.id);
      const error = linesAt(lines, ERROR).find((line) => line.msg.includes('handler exploded'));
      assert.ok(error, 'the failure is logged at error');
      assert.match(error.msg, /boom/, 'with the original fault');

      assert.equal(system.state, 'active');
      other.actorRef().tell('still here');
      const fresh = system.create(() => new Crasher());
      await within(system.startNotify(fresh), DEADLINE_MS, 'fresh to start');
      fresh.actorRef().tell('new');
      await clock.settle();
      assert.deepEqual(
        other.onDefinition((d) => d.handled),
        ['still here'],
      );
      assert.deepEqual(
        fresh.onDefinition((d) => d.handled),
        ['new'],
      );
      await system.shutdown();
      await system.awaitTermination();
    });
  });

  it('contains a throwing recovery function, where Kompact would hang its shutdown: the component stays faulty and shutdown completes (case 32)', async () => {
    await withEnv(async ({ system, clock, lines, events }) => {
      const crashy = system.create(() => new Crasher());
      crashy.setRecoveryFunction(() => {
        throw new Error('function exploded');
      });
      await within(system.startNotify(crashy), DEADLINE_MS, 'crashy to start');
      crashy.actorRef().tell('crash');
      crashy.actorRef().tell('queued');
      await clock.settle();
      assert.equal(crashy.isFaulty(), true);
      const failed = events.find((event) => event.kind === 'recovery-failed');
      assert.ok(failed?.kind === 'recovery-failed');
      assert.equal(failed.stage, 'recovery-function');
      const error = linesAt(lines, ERROR).find((line) => line.msg.includes('function exploded'));
      assert.ok(error);
      assert.match(error.msg, /boom/);
      assert.equal(system.deadLetters.count, 1, 'the queued message is a dead letter');
      await system.shutdown();
      assert.equal(system.state, 'terminated');
    });
  });

  it('restarts a crashing counter from its last snapshot, not from 0, and it crashes sooner the second time (case 33)', async () => {
    await withEnv(async ({ system, clock, events }) => {
      const starts: { from: number; atMs: number }[] = [];
      const faultsAt: number[] = [];
      system.supervision.on('fault', () => faultsAt.push(system.now()));
      const MAX = 47;
      /** Counts every 10 ms and overflows past MAX; snapshots its count every 100 ms (offset by 5). */
      class Overflowing extends ComponentDefinition {
        constructor(private count = 0) {
          super();
        }

        override onStart(): HandlerReturn {
          starts.push({ from: this.count, atMs: this.ctx.system().now() });
          this.schedulePeriodic(10, 10, () => {
            if (this.count === MAX) throw new Error('Count overflowed!');
            this.count++;
          });
          this.schedulePeriodic(5, 100, () => this.snapshot());
        }

        snapshot(): void {
          const count = this.count;
          this.ctx.setRecoveryFunction((fault) => fault.replaceWith(() => new Overflowing(count)));
        }
      }
      const counter = system.create(() => new Overflowing());
      await within(system.startNotify(counter), DEADLINE_MS, 'counter to start');
      await clock.advance(600);

      assert.deepEqual(starts.slice(0, 3), [
        { from: 0, atMs: 0 },
        { from: 40, atMs: 480 },
        { from: 40, atMs: 560 },
      ]);
      assert.deepEqual(faultsAt.slice(0, 2), [480, 560]);
      assert.ok((faultsAt[1] as number) - (faultsAt[0] as number) < (faultsAt[0] as number));
      assert.ok(events.every((event) => event.kind === 'fault' || event.kind === 'recovered'));
    });
  });
});

// ---- the mechanism ------------------------------------------------------------------------------

describe('Recovery function', () => {
  it('logs "Ignoring fault of component id=<id>" when no recovery function is set, and others keep working', async () => {
    await withEnv(async (env) => {
      const crashy = env.system.create(() => new Crashy());
      const other = env.system.create(() => new Crashy());
      await env.system.startNotify(crashy);
      await env.system.startNotify(other);
      crashy.actorRef().tell('crash');
      await env.clock.settle();
      assert.equal(crashy.isFaulty(), true);
      const ignored = linesAt(env.lines, WARN).filter((line) =>
        line.msg.startsWith(`Ignoring fault of component id=${crashy.id}: `),
      );
      assert.equal(ignored.length, 1, JSON.stringify(env.lines));
      assert.match((ignored[0] as CapturedLog).msg, /boom/);

      other.actorRef().tell('ping');
      await env.clock.settle();
      assert.equal(
        other.onDefinition((c) => c.pings),
        1,
      );
    });
  });

  it('uses the recovery function the component installed last through ctx.setRecoveryFunction', async () => {
    await withEnv(async (env) => {
      const crashy = env.system.create(() => new Crashy());
      await env.system.startNotify(crashy);
      crashy.actorRef().tell('first');
      crashy.actorRef().tell('second');
      crashy.actorRef().tell('crash');
      await env.clock.settle();
      const recovering = env.lines.filter((line) => line.msg === 'recovering');
      assert.deepEqual(
        recovering.map((line) => line.snapshot),
        ['second'],
      );
    });
  });

  it('hands the recovery handler a system it can start a replacement with', async () => {
    await withEnv(async (env) => {
      const crashy = env.system.create(() => new Crashy());
      let replacement: Component<Crashy> | undefined;
      crashy.setRecoveryFunction((fault) =>
        fault.recoverWith((_fault, system) => {
          replacement = system.create(() => new Crashy());
          system.start(replacement);
        }),
      );
      await env.system.startNotify(crashy);
      crashy.actorRef().tell('crash');
      await env.clock.settle();
      assert.ok(replacement !== undefined);
      assert.notEqual(replacement.id, crashy.id);
      replacement.actorRef().tell('ping');
      await env.clock.settle();
      assert.equal(replacement.isActive(), true);
      assert.equal(
        replacement.onDefinition((c) => c.pings),
        1,
      );
      assert.equal(crashy.isFaulty(), true);
    });
  });

  it('uses the function set last, whether from outside or from inside the component', async () => {
    await withEnv(async ({ system, clock }) => {
      const used: string[] = [];
      class SetsOnStart extends Crasher {
        override onStart(): HandlerReturn {
          this.ctx.setRecoveryFunction((fault) => {
            used.push(`inside ${this.ctx.id === fault.componentId}`);
            return fault.ignore();
          });
        }
      }
      const outsideFirst = system.create(() => new SetsOnStart());
      outsideFirst.setRecoveryFunction((fault) => {
        used.push('outside, overwritten');
        return fault.ignore();
      });
      await within(system.startNotify(outsideFirst), DEADLINE_MS, 'outsideFirst to start');
      outsideFirst.actorRef().tell('crash');
      await clock.settle();

      const insideFirst = system.create(() => new SetsOnStart());
      await within(system.startNotify(insideFirst), DEADLINE_MS, 'insideFirst to start');
      insideFirst.setRecoveryFunction((fault) => {
        used.push('outside, last');
        return fault.ignore();
      });
      insideFirst.actorRef().tell('crash');
      await clock.settle();
      assert.deepEqual(used, ['inside true', 'outside, last']);
    });
  });

  it('is called exactly once per fault', async () => {
    await withEnv(async ({ system, clock }) => {
      const crashy = system.create(() => new Crasher());
      const seen = watchRecovery(crashy);
      await within(system.startNotify(crashy), DEADLINE_MS, 'crashy to start');
      crashy.actorRef().tell('crash');
      crashy.actorRef().tell('crash');
      await clock.advance(100);
      assert.equal(seen.contexts.length, 1);
      assert.equal(seen.handlerRuns, 1);
    });
  });

  it('rejects a recovery function that is not a function with a TypeError, from outside and inside', async () => {
    await withEnv(async ({ system }) => {
      const crashy = system.create(() => new Crasher());
      assert.throws(() => crashy.setRecoveryFunction('nope' as never), TypeError);
      assert.throws(
        () => crashy.onDefinition((d) => d.ctx.setRecoveryFunction(undefined as never)),
        TypeError,
      );
    });
  });

  it('rejects a non-function action or factory with a TypeError', async () => {
    await withEnv(async ({ system, clock }) => {
      const crashy = system.create(() => new Crasher());
      const errors: unknown[] = [];
      crashy.setRecoveryFunction((fault) => {
        for (const make of [
          () => fault.recoverWith(42 as never),
          () => fault.restartDefault('Crasher' as never),
          () => fault.replaceWith(undefined as never),
        ]) {
          try {
            make();
          } catch (error) {
            errors.push(error);
          }
        }
        return fault.ignore();
      });
      await within(system.startNotify(crashy), DEADLINE_MS, 'crashy to start');
      crashy.actorRef().tell('crash');
      await clock.settle();
      assert.equal(errors.length, 3);
      for (const error of errors) assert.ok(error instanceof TypeError);
    });
  });
});

// ---- every fault source -------------------------------------------------------------------------

type Source =
  | 'receiveLocal'
  | 'an async handler'
  | 'a blockOn future'
  | 'a spawnLocal future'
  | 'a timer handler'
  | 'a port handler'
  | 'onStart'
  | 'an async onStart'
  | 'onStop'
  | 'onKill';

/** Faults from exactly one place, with `Error('fault in <source>')`. */
class SourceFaulter extends ComponentDefinition<string> {
  readonly service = this.providePort(CountPort, () => this.fail('a port handler'));

  constructor(private readonly source: Source) {
    super();
  }

  private fail(source: Source): void {
    if (source === this.source) throw new Error(`fault in ${source}`);
  }

  override onStart(): HandlerReturn {
    this.fail('onStart');
    if (this.source === 'an async onStart') {
      return (async () => {
        await null;
        this.fail('an async onStart');
      })();
    }
    return undefined;
  }

  override onStop(): HandlerReturn {
    this.fail('onStop');
  }

  override onKill(): HandlerReturn {
    this.fail('onKill');
  }

  override receiveLocal(): HandlerReturn {
    this.fail('receiveLocal');
    switch (this.source) {
      case 'an async handler':
        return (async () => {
          await null;
          this.fail('an async handler');
        })();
      case 'a blockOn future':
        return Handled.blockOn(async () => {
          await null;
          this.fail('a blockOn future');
        });
      case 'a spawnLocal future':
        this.ctx.spawnLocal(async () => {
          await null;
          this.fail('a spawnLocal future');
        });
        return undefined;
      case 'a timer handler':
        this.scheduleOnce(5, () => this.fail('a timer handler'));
        return undefined;
      default:
        return undefined;
    }
  }
}

describe('Fault sources', () => {
  const sources: {
    readonly source: Source;
    /** Makes it fault; returns the lifecycle notification it rejects, if any. */
    readonly trigger: (system: KompactSystem, component: Component<SourceFaulter>) => Promise<void>;
  }[] = [
    { source: 'receiveLocal', trigger: async (_s, c) => c.actorRef().tell('go') },
    { source: 'an async handler', trigger: async (_s, c) => c.actorRef().tell('go') },
    { source: 'a blockOn future', trigger: async (_s, c) => c.actorRef().tell('go') },
    { source: 'a spawnLocal future', trigger: async (_s, c) => c.actorRef().tell('go') },
    { source: 'a timer handler', trigger: async (_s, c) => c.actorRef().tell('go') },
    {
      source: 'a port handler',
      trigger: async (s, c) => s.triggerR(1, c.getProvidedPort(CountPort) as never),
    },
    { source: 'onStart', trigger: () => Promise.resolve() },
    { source: 'an async onStart', trigger: () => Promise.resolve() },
    { source: 'onStop', trigger: (s, c) => s.stopNotify(c) },
    { source: 'onKill', trigger: (s, c) => s.killNotify(c) },
  ];

  for (const { source, trigger } of sources) {
    it(`makes the component faulty and runs its recovery once when ${source} throws, with a readable description`, async () => {
      await withEnv(async ({ system, clock, lines, events }) => {
        const faulter = system.create(() => new SourceFaulter(source));
        const seen = watchRecovery(faulter);
        const started = system.startNotify(faulter);
        if (source === 'onStart' || source === 'an async onStart') {
          await assert.rejects(started, isKompactError('PROMISE_DROPPED'));
        } else {
          await started;
          const notification = trigger(system, faulter);
          if (source === 'onStop' || source === 'onKill') {
            await assert.rejects(notification, isKompactError('PROMISE_DROPPED'));
          } else {
            await notification;
          }
        }
        await clock.advance(10);

        assert.equal(faulter.isFaulty(), true, 'faulty, not destroyed');
        assert.equal(seen.contexts.length, 1);
        assert.equal(seen.handlerRuns, 1);
        const context = seen.contexts[0] as FaultContext;
        assert.equal(context.fault.kind, 'panic');
        assert.match(context.description, new RegExp(`fault in ${source}`));
        assert.deepEqual(
          events.map((event) => event.kind),
          ['fault', 'recovered'],
        );
        assert.ok(
          linesAt(lines, ERROR).some((line) => line.msg.includes(`fault in ${source}`)),
          'the fault is logged at error',
        );
      });
    });
  }

  const thrownValues: { readonly label: string; readonly value: unknown; readonly readable: RegExp }[] = [
    { label: 'a string', value: 'plain string trouble', readable: /plain string trouble/ },
    { label: 'undefined', value: undefined, readable: /undefined/ },
    { label: 'null', value: null, readable: /null/ },
    { label: 'a number', value: 42, readable: /42/ },
    {
      label: 'a frozen object',
      value: Object.freeze({ code: 'E_FROZEN', detail: 7 }),
      readable: /E_FROZEN.*7|7.*E_FROZEN/,
    },
    {
      label: 'an Error subclass',
      value: new RangeError('out of range'),
      readable: /RangeError: out of range/,
    },
  ];

  for (const { label, value, readable } of thrownValues) {
    it(`turns ${label} thrown by a handler into a panic whose description a person can read`, async () => {
      await withEnv(async ({ system, clock, events }) => {
        class Thrower extends ComponentDefinition<string> {
          override receiveLocal(): HandlerReturn {
            throw value;
          }
        }
        const thrower = system.create(() => new Thrower());
        const seen = watchRecovery(thrower);
        await within(system.startNotify(thrower), DEADLINE_MS, 'thrower to start');
        thrower.actorRef().tell('go');
        await clock.settle();
        assert.equal(thrower.isFaulty(), true);
        const context = seen.contexts[0] as FaultContext;
        assert.equal(context.fault.kind, 'panic');
        assert.equal(context.fault.error, value, 'the very value thrown');
        assert.match(context.description, readable);
        const fault = events[0];
        assert.ok(fault?.kind === 'fault');
        assert.equal(fault.description, context.description);
      });
    });
  }

  it('turns a non-Error value rejected by an async handler into a readable panic', async () => {
    await withEnv(async ({ system, clock }) => {
      class Rejecter extends ComponentDefinition<string> {
        override receiveLocal(): HandlerReturn {
          return Promise.reject('rejected as a string');
        }
      }
      const rejecter = system.create(() => new Rejecter());
      const seen = watchRecovery(rejecter);
      await within(system.startNotify(rejecter), DEADLINE_MS, 'rejecter to start');
      rejecter.actorRef().tell('go');
      await clock.settle();
      assert.equal(rejecter.isFaulty(), true);
      assert.match(seen.contexts[0]?.description ?? '', /rejected as a string/);
    });
  });
});

// ---- the faulted instance -----------------------------------------------------------------------

describe('Faulted component', () => {
  it('turns messages queued behind the failed one, and those sent before its recovery handler ran, into dead letters after it ran', async () => {
    await withEnv(async ({ system, clock }) => {
      class Relay extends ComponentDefinition<string> {
        constructor(private readonly target: Component<Crasher>) {
          super();
        }

        override receiveLocal(msg: string): HandlerReturn {
          this.target.actorRef().tell(msg);
        }
      }
      const crashy = system.create(() => new Crasher());
      const relay = system.create(() => new Relay(crashy));
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      let lettersWhenHandlerRan = -1;
      crashy.setRecoveryFunction((fault) => {
        crashy.actorRef().tell('sent by the recovery function');
        return fault.recoverWith(() => {
          lettersWhenHandlerRan = letters.length;
        });
      });
      await within(system.startNotify(crashy), DEADLINE_MS, 'crashy to start');
      await within(system.startNotify(relay), DEADLINE_MS, 'relay to start');
      const ref = crashy.actorRef();
      ref.tell('crash');
      ref.tell('queued 1');
      ref.tell('queued 2');
      relay.actorRef().tell('relayed after the fault');
      await clock.settle();

      assert.equal(lettersWhenHandlerRan, 0, 'nothing was dropped before the recovery handler ran');
      assert.deepEqual(
        letters.map((letter) => letter.message),
        ['queued 1', 'queued 2', 'sent by the recovery function', 'relayed after the fault'],
      );
      for (const letter of letters) {
        assert.equal(letter.recipient, crashy.id);
        assert.equal(letter.recipientType, 'Crasher');
        assert.equal(letter.reason, 'faulty');
      }
      assert.deepEqual(
        crashy.onDefinition((d) => d.handled),
        [],
      );

      ref.tell('after recovery');
      assert.equal(letters.length, 5, 'a later tell is a dead letter at once');
      assert.equal(system.supervision.stats.deadLetters, system.deadLetters.count);
    });
  });

  it('turns port events queued behind the failed one into dead letters', async () => {
    await withEnv(async ({ system, clock }) => {
      const user = system.create(() => new PortUser());
      const provider = system.create(() => new CountProvider());
      biconnectComponents(CountPort, provider, user);
      await within(system.startNotify(user), DEADLINE_MS, 'user to start');
      await within(system.startNotify(provider), DEADLINE_MS, 'provider to start');
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      user.actorRef().tell([-1, 1, 2]);
      await clock.settle();
      assert.equal(provider.isFaulty(), true);
      assert.deepEqual(
        letters.map((letter) => [letter.message, letter.reason]),
        [
          [1, 'faulty'],
          [2, 'faulty'],
        ],
      );
    });
  });

  it('stays faulty for good: later time, messages and kills do not change it', async () => {
    await withEnv(async ({ system, clock }) => {
      const crashy = system.create(() => new Crasher());
      await within(system.startNotify(crashy), DEADLINE_MS, 'crashy to start');
      crashy.actorRef().tell('crash');
      await clock.settle();
      crashy.actorRef().tell('hello');
      system.kill(crashy);
      await within(system.killNotify(crashy), DEADLINE_MS, 'crashy to be killed');
      await clock.advance(10_000);
      assert.equal(crashy.isFaulty(), true);
      assert.equal(crashy.isDestroyed(), false);
    });
  });
});

// ---- the supervisor -----------------------------------------------------------------------------

describe('ComponentSupervisor', () => {
  it('runs recovery handlers one at a time, in the order the components faulted', async () => {
    await withEnv(async ({ system, clock }) => {
      const order: string[] = [];
      let running = false;
      const components = ['a', 'b', 'c'].map((name) => {
        const component = system.create(() => new Crasher());
        component.setRecoveryFunction((fault) =>
          fault.recoverWith((_fault, handle) => {
            assert.equal(running, false, 'no other recovery handler is running');
            running = true;
            order.push(`begin ${name}`);
            handle.start(handle.create(() => new Crasher()));
            order.push(`end ${name}`);
            running = false;
          }),
        );
        return component;
      });
      for (const component of components)
        await within(system.startNotify(component), DEADLINE_MS, 'component to start');
      for (const component of components) component.actorRef().tell('crash');
      await clock.settle();
      assert.deepEqual(order, ['begin a', 'end a', 'begin b', 'end b', 'begin c', 'end c']);
    });
  });

  it('logs that the component was marked faulty, naming it', async () => {
    await withEnv(async ({ system, clock, lines }) => {
      const crashy = system.create(() => new Crasher());
      await within(system.startNotify(crashy), DEADLINE_MS, 'crashy to start');
      crashy.actorRef().tell('crash');
      await clock.settle();
      assert.ok(
        linesAt(lines, WARN).some(
          (line) => line.msg === `Component(${crashy.id}) has been marked as faulty.`,
        ),
      );
    });
  });

  it('completes shutdown with faulted, recovered and replaced components around', async () => {
    await withEnv(async ({ system, clock }) => {
      const ignored = system.create(() => new Crasher());
      const replaced = system.create(() => new Crasher());
      replaced.setRecoveryFunction((fault) => fault.replaceWith(() => new Crasher()));
      const restarted = system.create(() => new Crasher());
      restarted.setRecoveryFunction((fault) => fault.restartDefault(() => new Crasher()));
      for (const component of [ignored, replaced, restarted]) {
        await within(system.startNotify(component), DEADLINE_MS, 'component to start');
        component.actorRef().tell('crash');
      }
      await clock.settle();
      await system.shutdown();
      assert.equal(system.state, 'terminated');
    });
  });
});
