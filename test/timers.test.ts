import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it, mock } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  type Component,
  ComponentDefinition,
  type FaultContext,
  Handled,
  HandlerError,
  type HandlerReturn,
  type KompactSystem,
  ScheduledTimer,
  SystemClock,
} from '../src/index.js';
import { captureLogs, SimulatedClock, withSystem } from '../src/testing/index.js';
import { withClock } from './support/clock.js';
import { read } from './support/definitions.js';
import { DEADLINE_MS, deferred, within } from './support/promises.js';

// ---- helpers ------------------------------------------------------------------------------------

/** A component with no behaviour of its own: tests schedule timers on it and record what runs. */
class Host extends ComponentDefinition<string> {
  readonly log: string[] = [];
  kills = 0;
  gate: Promise<void> = Promise.resolve();

  override receiveLocal(message: string): HandlerReturn {
    if (message === 'crash') throw new Error('crashed by a message');
    if (message === 'block') {
      return Handled.blockOn(async () => {
        await this.gate;
        this.log.push('unblocked');
      });
    }
    this.log.push(`msg:${message}`);
    return undefined;
  }

  override onKill(): HandlerReturn {
    this.kills++;
  }
}

async function startedHost(system: KompactSystem): Promise<Component<Host>> {
  const host = system.create(() => new Host());
  await within(system.startNotify(host), DEADLINE_MS, 'the host to start');
  return host;
}

// ---- reference cases 34–39 ----------------------------------------------------------------------

describe('Timers', () => {
  it('fires a once-timer scheduled in onStart', async () => {
    class TimerTest extends ComponentDefinition {
      state = 'initial';
      override onStart(): HandlerReturn {
        this.scheduleOnce(100, () => {
          this.state = 'TimerTest';
        });
      }
    }
    await withClock(async (system, clock) => {
      const c = system.create(() => new TimerTest());
      await system.startNotify(c);
      assert.equal(
        read(c, (d) => d.state),
        'initial',
      );
      await clock.advance(1000);
      assert.equal(
        read(c, (d) => d.state),
        'TimerTest',
      );
    });
  });

  it('fires nothing until virtual time is advanced, and then exactly when due', async () => {
    class Fires extends ComponentDefinition {
      firedAt: number | undefined;
      override onStart(): HandlerReturn {
        this.scheduleOnce(10, () => {
          this.firedAt = this.ctx.system().now();
        });
      }
    }
    await withClock(async (system, clock) => {
      const c = system.create(() => new Fires());
      await system.startNotify(c);
      await clock.settle();
      assert.equal(
        read(c, (d) => d.firedAt),
        undefined,
      );
      await clock.advance(9);
      assert.equal(
        read(c, (d) => d.firedAt),
        undefined,
        'a timer never fires before its delay',
      );
      await clock.advance(1);
      assert.equal(
        read(c, (d) => d.firedAt),
        10,
      );
    });
  });

  it('runs a periodic timer until its handler cancels it, handing the handler the handle scheduling returned', async () => {
    class Periodic extends ComponentDefinition {
      count = 0;
      timer: ScheduledTimer | undefined;
      readonly seen: ScheduledTimer[] = [];
      readonly times: number[] = [];
      override onStart(): HandlerReturn {
        this.timer = this.schedulePeriodic(10, 100, (timer) => {
          this.count++;
          this.seen.push(timer);
          this.times.push(this.ctx.system().now());
          if (this.count > 10) this.cancelTimer(timer);
        });
      }
    }
    await withClock(async (system, clock) => {
      const c = system.create(() => new Periodic());
      await system.startNotify(c);
      await clock.advance(10 + 100 * 20);
      assert.equal(
        read(c, (d) => d.count),
        11,
      );
      const timer = read(c, (d) => d.timer);
      assert.ok(timer instanceof ScheduledTimer);
      assert.ok(read(c, (d) => d.seen.every((seen) => seen === timer)));
      assert.deepEqual(
        read(c, (d) => d.times),
        Array.from({ length: 11 }, (_, i) => 10 + 100 * i),
      );
      assert.equal(timer.state, 'cancelled');
      assert.equal(clock.pendingTimers, 0);
    });
  });

  it('never runs a once-timer cancelled before it fires', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      let fired = false;
      const timer = host.onDefinition((d) =>
        d.scheduleOnce(50, () => {
          fired = true;
        }),
      );
      await clock.advance(20);
      host.onDefinition((d) => d.cancelTimer(timer));
      await clock.advance(100);
      assert.equal(fired, false);
      assert.equal(timer.state, 'cancelled');
      assert.equal(clock.pendingTimers, 0);
    });
  });

  it('never runs a timer cancelled by another handler after its expiry was already queued', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const ran: string[] = [];
      host.onDefinition((d) => {
        let second: ScheduledTimer | undefined;
        // Both fall due at once, so both expiries are queued before the first handler runs.
        d.scheduleOnce(10, () => {
          ran.push('first');
          if (second !== undefined) d.cancelTimer(second);
        });
        second = d.scheduleOnce(10, () => {
          ran.push('second');
        });
      });
      await clock.advance(10);
      assert.deepEqual(ran, ['first']);
    });
  });

  it('never runs a timer cancelled from a blocking future after its expiry was queued', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const gate = deferred();
      let fired = false;
      const timer = host.onDefinition((d) => {
        const t = d.scheduleOnce(10, () => {
          fired = true;
        });
        d.gate = gate.promise.then(() => d.cancelTimer(t));
        return t;
      });
      host.actorRef().tell('block');
      await clock.settle();
      await clock.advance(10); // falls due while the component is blocked: queued, not run
      assert.equal(fired, false);
      gate.resolve();
      await clock.settle();
      assert.deepEqual(
        read(host, (d) => d.log),
        ['unblocked'],
      );
      assert.equal(fired, false);
      assert.equal(timer.state, 'cancelled');
    });
  });

  it('never runs a timer cancelled with system.cancelTimer, even after its expiry was queued', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      let fired = 0;
      const early = host.onDefinition((d) =>
        d.scheduleOnce(50, () => {
          fired++;
        }),
      );
      system.cancelTimer(early);
      await clock.advance(100);
      assert.equal(fired, 0);
      assert.equal(early.state, 'cancelled');

      // Stop the component so the expiry queues, then cancel from outside before the restart.
      const queued = host.onDefinition((d) =>
        d.scheduleOnce(10, () => {
          fired++;
        }),
      );
      await system.stopNotify(host);
      await clock.advance(10);
      system.cancelTimer(queued);
      await system.startNotify(host);
      await clock.settle();
      assert.equal(fired, 0);
      assert.equal(queued.state, 'cancelled');
    });
  });

  it('runs no timer handler while the component is stopped and runs the queued expiries after a restart', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const fires: number[] = [];
      const timer = host.onDefinition((d) =>
        d.schedulePeriodic(100, 100, () => {
          fires.push(clock.now());
        }),
      );
      await clock.advance(100);
      assert.equal(fires.length, 1);

      await system.stopNotify(host);
      await clock.advance(500); // five periods
      assert.equal(fires.length, 1, 'no handler runs while stopped');

      await system.startNotify(host);
      await clock.settle();
      assert.equal(fires.length, 6, 'one callback per queued expiry after the restart');
      assert.equal(timer.state, 'pending');

      await clock.advance(100);
      assert.equal(fires.length, 7, 'the timer goes on after the restart');
    });
  });

  it('runs no expiry queued behind a stop request in the same turn', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const gate = deferred();
      let fired = 0;
      host.onDefinition((d) => {
        d.gate = gate.promise;
        d.scheduleOnce(10, () => {
          fired++;
        });
      });
      host.actorRef().tell('block');
      await clock.settle();
      // While the component is blocked, a stop and the expiry queue up for its next turn.
      const stopped = system.stopNotify(host);
      await clock.advance(10);
      gate.resolve();
      await within(stopped, DEADLINE_MS, 'the stop');
      await clock.settle();
      assert.equal(host.isActive(), false);
      assert.equal(fired, 0, 'the stop comes first and the expiry waits');

      await system.startNotify(host);
      await clock.settle();
      assert.equal(fired, 1);
    });
  });

  it('runs a once-timer that fell due while stopped after the restart', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      let fired = 0;
      const timer = host.onDefinition((d) =>
        d.scheduleOnce(10, () => {
          fired++;
        }),
      );
      await system.stopNotify(host);
      await clock.advance(50);
      assert.equal(fired, 0);
      assert.equal(timer.state, 'pending');
      await system.startNotify(host);
      await clock.settle();
      assert.equal(fired, 1);
      assert.equal(timer.state, 'fired');
    });
  });

  it('runs timers that fall due in one advance in deadline order, each at its own time', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const ran: [string, number][] = [];
      host.onDefinition((d) => {
        for (const [name, delay] of [
          ['c', 30],
          ['a', 10],
          ['b', 20],
          ['a2', 10],
        ] as const) {
          d.scheduleOnce(delay, () => {
            ran.push([name, d.ctx.system().now()]);
          });
        }
      });
      await clock.advance(100);
      assert.deepEqual(ran, [
        ['a', 10],
        ['a2', 10],
        ['b', 20],
        ['c', 30],
      ]);
    });
  });

  it('fires a periodic timer first after its delay and then every period', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const fires: number[] = [];
      host.onDefinition((d) =>
        d.schedulePeriodic(5, 10, () => {
          fires.push(clock.now());
        }),
      );
      await clock.advance(50);
      assert.deepEqual(fires, [5, 15, 25, 35, 45]);
    });
  });

  it('fires a timer scheduled by a timer handler within the same advance when it falls due', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const fires: number[] = [];
      host.onDefinition((d) => {
        const again = (): void => {
          fires.push(clock.now());
          if (fires.length < 3) d.scheduleOnce(10, again);
        };
        d.scheduleOnce(10, again);
      });
      await clock.advance(100);
      assert.deepEqual(fires, [10, 20, 30]);
    });
  });

  it('fires a zero-delay timer on the next advance, not synchronously', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      let fired = false;
      host.onDefinition((d) =>
        d.scheduleOnce(0, () => {
          fired = true;
        }),
      );
      await clock.settle();
      assert.equal(fired, false);
      await clock.advance(0);
      assert.equal(fired, true);
    });
  });

  it('moves a once-timer from pending to fired, and a cancelled one to cancelled', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const once = host.onDefinition((d) => d.scheduleOnce(10, () => {}));
      const cancelled = host.onDefinition((d) => d.scheduleOnce(10, () => {}));
      const periodic = host.onDefinition((d) => d.schedulePeriodic(10, 10, () => {}));
      assert.equal(once.state, 'pending');
      assert.equal(once.periodMs, 0);
      assert.equal(periodic.periodMs, 10);
      host.onDefinition((d) => d.cancelTimer(cancelled));
      await clock.advance(10);
      assert.equal(once.state, 'fired');
      assert.equal(cancelled.state, 'cancelled');
      assert.equal(periodic.state, 'pending');
    });
  });

  it('never runs a timer handler while another handler of the component is running', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const gate = deferred();
      host.onDefinition((d) => {
        d.gate = gate.promise;
        d.scheduleOnce(10, () => {
          d.log.push('timer');
        });
      });
      host.actorRef().tell('block');
      await clock.settle();
      await clock.advance(20);
      assert.deepEqual(
        read(host, (d) => d.log),
        [],
      );
      gate.resolve();
      await clock.settle();
      assert.deepEqual(
        read(host, (d) => d.log),
        ['unblocked', 'timer'],
      );
    });
  });
});

describe('Timer handler results', () => {
  it('makes a component faulty when a timer handler returns a recoverable error, running recovery once', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const faults: FaultContext[] = [];
      host.setRecoveryFunction((fault) => {
        faults.push(fault);
        return fault.ignore();
      });
      let runs = 0;
      host.onDefinition((d) =>
        d.schedulePeriodic(10, 10, () => {
          runs++;
          return HandlerError.recoverable(new Error('timer trouble'));
        }),
      );
      await clock.advance(100);
      assert.equal(host.isFaulty(), true);
      assert.equal(runs, 1);
      assert.equal(faults.length, 1);
      assert.equal(faults[0]?.fault.kind, 'handler');
      assert.equal(faults[0]?.componentId, host.id);
      assert.match(String(faults[0]?.fault.error), /timer trouble/);
    });
  });

  it('makes a component faulty when a timer handler throws', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const faults: FaultContext[] = [];
      host.setRecoveryFunction((fault) => {
        faults.push(fault);
        return fault.ignore();
      });
      host.onDefinition((d) =>
        d.scheduleOnce(10, () => {
          throw new Error('timer boom');
        }),
      );
      host.actorRef().tell('after');
      await clock.advance(10);
      host.actorRef().tell('too late');
      await clock.settle();
      assert.equal(host.isFaulty(), true);
      assert.equal(faults.length, 1);
      assert.equal(faults[0]?.fault.kind, 'panic');
      assert.deepEqual(
        read(host, (d) => d.log),
        ['msg:after'],
      );
    });
  });

  it('destroys a component without recovery or onKill when a timer handler returns an unrecoverable error', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      let recoveries = 0;
      host.setRecoveryFunction((fault) => {
        recoveries++;
        return fault.ignore();
      });
      host.onDefinition((d) => d.scheduleOnce(10, () => HandlerError.unrecoverable(new Error('timer doom'))));
      await clock.advance(10);
      assert.equal(host.isDestroyed(), true);
      assert.equal(recoveries, 0);
      assert.equal(
        read(host, (d) => d.kills),
        0,
      );
    });
  });

  it('logs a benign error from a timer handler and keeps the component and the timer running', async () => {
    const { logger, lines } = captureLogs('warn');
    await withClock(
      async (system, clock) => {
        const host = await startedHost(system);
        let runs = 0;
        host.onDefinition((d) =>
          d.schedulePeriodic(10, 10, () => {
            runs++;
            return HandlerError.benign(new Error('timer shrug'));
          }),
        );
        await clock.advance(30);
        host.actorRef().tell('still here');
        await clock.settle();
        assert.equal(runs, 3);
        assert.equal(host.isActive(), true);
        assert.deepEqual(
          read(host, (d) => d.log),
          ['msg:still here'],
        );
        assert.equal(lines.filter((line) => line.level === 40 && /timer shrug/.test(line.msg)).length, 3);
      },
      (config) => config.logger(logger),
    );
  });

  it('destroys a component whose timer handler returns Handled.Shutdown, running onKill once', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      let runs = 0;
      host.onDefinition((d) =>
        d.schedulePeriodic(10, 10, () => {
          runs++;
          return Handled.Shutdown;
        }),
      );
      await clock.advance(50);
      assert.equal(host.isDestroyed(), true);
      assert.equal(runs, 1);
      assert.equal(
        read(host, (d) => d.kills),
        1,
      );
    });
  });

  it('blocks the component while an async timer handler runs', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const gate = deferred();
      host.onDefinition((d) =>
        d.scheduleOnce(10, async () => {
          d.log.push('timer start');
          await gate.promise;
          d.log.push('timer end');
        }),
      );
      await clock.advance(10);
      host.actorRef().tell('meanwhile');
      await clock.settle();
      assert.deepEqual(
        read(host, (d) => d.log),
        ['timer start'],
      );
      gate.resolve();
      await clock.settle();
      assert.deepEqual(
        read(host, (d) => d.log),
        ['timer start', 'timer end', 'msg:meanwhile'],
      );
    });
  });
});

describe('Timers of faulty and destroyed components', () => {
  it('cancels the timers of a component at once when it faults and never runs them again', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      let runs = 0;
      const periodic = host.onDefinition((d) =>
        d.schedulePeriodic(10, 10, () => {
          runs++;
        }),
      );
      const once = host.onDefinition((d) =>
        d.scheduleOnce(1000, () => {
          runs += 100;
        }),
      );
      await clock.advance(10);
      assert.equal(runs, 1);

      host.actorRef().tell('crash');
      await clock.settle();
      assert.equal(host.isFaulty(), true);
      assert.equal(periodic.state, 'cancelled');
      assert.equal(once.state, 'cancelled');
      assert.equal(clock.pendingTimers, 0, 'no host timer stays armed for them');
      await clock.advance(2000);
      assert.equal(runs, 1);
    });
  });

  it('drops expiries that were queued when the component faulted', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      let runs = 0;
      host.onDefinition((d) => {
        d.scheduleOnce(10, () => {
          throw new Error('first timer crashes');
        });
        d.scheduleOnce(10, () => {
          runs++;
        });
      });
      await clock.advance(10);
      assert.equal(host.isFaulty(), true);
      await clock.advance(100);
      assert.equal(runs, 0);
    });
  });

  it('cancels the timers of a killed component at once', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      let runs = 0;
      const timer = host.onDefinition((d) =>
        d.schedulePeriodic(10, 10, () => {
          runs++;
        }),
      );
      await system.killNotify(host);
      assert.equal(timer.state, 'cancelled');
      assert.equal(clock.pendingTimers, 0);
      await clock.advance(100);
      assert.equal(runs, 0);
    });
  });

  it('lets a recovery handler cancel the faulted component timers through the system handle without error', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      let runs = 0;
      const timer = host.onDefinition((d) =>
        d.schedulePeriodic(10, 10, () => {
          runs++;
        }),
      );
      let cancelError: unknown = 'recovery handler did not run';
      host.setRecoveryFunction((fault) =>
        fault.recoverWith((_fault, handle) => {
          try {
            handle.cancelTimer(timer);
            cancelError = undefined;
          } catch (error) {
            cancelError = error;
          }
        }),
      );
      host.actorRef().tell('crash');
      await clock.settle();
      assert.equal(cancelError, undefined);
      await clock.advance(100);
      assert.equal(runs, 0);
      assert.equal(timer.state, 'cancelled');
    });
  });

  it('cancels every timer when the system shuts down', async () => {
    await withClock(async (system, clock) => {
      const started = await startedHost(system);
      const neverStarted = system.create(() => new Host());
      const timers = [
        started.onDefinition((d) => d.scheduleOnce(100, () => {})),
        started.onDefinition((d) => d.schedulePeriodic(100, 100, () => {})),
        neverStarted.onDefinition((d) => d.scheduleOnce(100, () => {})),
      ];
      assert.ok(clock.pendingTimers > 0);
      await system.shutdown();
      assert.deepEqual(
        timers.map((t) => t.state),
        ['cancelled', 'cancelled', 'cancelled'],
      );
      assert.equal(clock.pendingTimers, 0);
    });
  });
});

describe('Timer bad input', () => {
  it('rejects negative, non-finite and non-number delays with a TypeError and arms nothing', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const d = read(host, (def) => def);
      const handler = (): void => {};
      for (const bad of [-1, -0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        assert.throws(() => d.scheduleOnce(bad, handler), TypeError, `scheduleOnce(${bad})`);
        assert.throws(() => d.schedulePeriodic(bad, 10, handler), TypeError, `schedulePeriodic(${bad}, 10)`);
      }
      assert.throws(() => d.scheduleOnce('10' as unknown as number, handler), TypeError);
      assert.throws(() => d.scheduleOnce(undefined as unknown as number, handler), TypeError);
      assert.equal(clock.pendingTimers, 0);
    });
  });

  it('rejects a period that is zero, negative or not finite with a TypeError', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const d = read(host, (def) => def);
      const handler = (): void => {};
      for (const bad of [0, -10, Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.throws(() => d.schedulePeriodic(10, bad, handler), TypeError, `schedulePeriodic(10, ${bad})`);
      }
      assert.equal(clock.pendingTimers, 0);
    });
  });

  it('rejects a period under 1 ms with a TypeError naming the minimum', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const d = read(host, (def) => def);
      const handler = (): void => {};
      for (const bad of [1e-6, 0.001, 0.999]) {
        assert.throws(
          () => d.schedulePeriodic(0, bad, handler),
          { name: 'TypeError', message: /Expected `periodMs` to be a finite number of milliseconds >= 1/ },
          `schedulePeriodic(0, ${bad})`,
        );
      }
      assert.equal(clock.pendingTimers, 0);
      const periodic = d.schedulePeriodic(0, 1, handler);
      assert.equal(periodic.periodMs, 1, 'a period of exactly 1 ms is accepted');
      system.cancelTimer(periodic);
    });
  });

  it('rejects a handler that is not a function with a TypeError', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const d = read(host, (def) => def);
      assert.throws(() => d.scheduleOnce(10, undefined as unknown as () => void), TypeError);
      assert.throws(() => d.schedulePeriodic(10, 10, 'tick' as unknown as () => void), TypeError);
      assert.equal(clock.pendingTimers, 0);
    });
  });

  it('treats cancelling another component timer as a no-op, and that timer still fires', async () => {
    await withClock(async (system, clock) => {
      const owner = await startedHost(system);
      const stranger = await startedHost(system);
      let fired = 0;
      const timer = owner.onDefinition((d) =>
        d.scheduleOnce(10, () => {
          fired++;
        }),
      );
      assert.doesNotThrow(() => stranger.onDefinition((d) => d.cancelTimer(timer)));
      assert.equal(timer.state, 'pending');
      await clock.advance(10);
      assert.equal(fired, 1);
    });
  });

  it('treats system.cancelTimer with a timer of another system as a no-op', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      let fired = 0;
      const timer = host.onDefinition((d) =>
        d.scheduleOnce(10, () => {
          fired++;
        }),
      );
      await withSystem(async (other) => {
        assert.doesNotThrow(() => other.cancelTimer(timer));
      });
      assert.equal(timer.state, 'pending');
      await clock.advance(10);
      assert.equal(fired, 1);
    });
  });

  it('treats cancelling a fired or already cancelled timer as a no-op', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const fired = host.onDefinition((d) => d.scheduleOnce(10, () => {}));
      const cancelled = host.onDefinition((d) => d.scheduleOnce(10, () => {}));
      host.onDefinition((d) => d.cancelTimer(cancelled));
      await clock.advance(10);
      assert.equal(fired.state, 'fired');
      assert.doesNotThrow(() => host.onDefinition((d) => d.cancelTimer(fired)));
      assert.doesNotThrow(() => system.cancelTimer(fired));
      assert.doesNotThrow(() => host.onDefinition((d) => d.cancelTimer(cancelled)));
      assert.doesNotThrow(() => system.cancelTimer(cancelled));
      assert.equal(fired.state, 'fired');
      assert.equal(cancelled.state, 'cancelled');
    });
  });

  it('treats cancelling something that is not a timer as a no-op', async () => {
    await withClock(async (system) => {
      const host = await startedHost(system);
      for (const junk of [undefined, null, {}, 42]) {
        assert.doesNotThrow(() => host.onDefinition((d) => d.cancelTimer(junk as unknown as ScheduledTimer)));
        assert.doesNotThrow(() => system.cancelTimer(junk as unknown as ScheduledTimer));
      }
    });
  });

  it('tells a timer handle from look-alikes with instanceof, and a look-alike cancels nothing', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      let fired = 0;
      const timer = host.onDefinition((d) => d.scheduleOnce(10, () => void fired++));
      assert.ok(timer instanceof ScheduledTimer);
      const lookAlike = { state: 'pending', periodMs: 0, id: timer.id, handler: () => {}, core: {} };
      for (const value of [lookAlike, { ...timer, core: {} }, 'timer', undefined]) {
        assert.equal(value instanceof ScheduledTimer, false);
        system.cancelTimer(value as unknown as ScheduledTimer);
      }
      // A copy of a real handle passes the check but is not the timer: cancelling it does nothing.
      const copy = { ...timer };
      system.cancelTimer(copy);
      host.onDefinition((d) => d.cancelTimer(copy));
      assert.equal(timer.state, 'pending');
      await clock.advance(10);
      assert.equal(fired, 1);
      assert.equal(timer.state, 'fired');
    });
  });
});

describe('Timer facility', () => {
  it('keeps one host timer armed however many timers are pending, and none once they are all cancelled', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      assert.equal(clock.pendingTimers, 0);
      const timers = host.onDefinition((d) =>
        Array.from({ length: 1000 }, (_, i) => d.scheduleOnce(10 + (i % 97), () => {})),
      );
      const periodic = host.onDefinition((d) => d.schedulePeriodic(5, 5, () => {}));
      assert.equal(clock.pendingTimers, 1);
      for (const timer of timers.slice(0, 500)) host.onDefinition((d) => d.cancelTimer(timer));
      for (const timer of timers.slice(500)) system.cancelTimer(timer);
      assert.equal(clock.pendingTimers, 1, 'the periodic timer is still pending');
      system.cancelTimer(periodic);
      assert.equal(clock.pendingTimers, 0);
    });
  });

  it('keeps no host timer once every timer has fired', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      let fired = 0;
      host.onDefinition((d) => {
        for (const delay of [5, 10, 10, 25]) {
          d.scheduleOnce(delay, () => {
            fired++;
          });
        }
      });
      await clock.advance(30);
      assert.equal(fired, 4);
      assert.equal(clock.pendingTimers, 0);
    });
  });

  it('fires a once-timer 2^31 ms or more away at its deadline, not earlier', async () => {
    await withClock(async (system, clock) => {
      const host = await startedHost(system);
      const delays = [2 ** 31, 2 ** 31 + 5, 2 ** 33 + 7];
      const firedAt: number[] = [];
      host.onDefinition((d) => {
        for (const delay of delays) d.scheduleOnce(delay, () => void firedAt.push(clock.now()));
      });
      await clock.advance(2 ** 31 - 1);
      assert.deepEqual(firedAt, [], 'nothing fires before the shortest delay');
      await clock.advance(2 ** 33 + 7 - (2 ** 31 - 1));
      assert.deepEqual(firedAt, delays);
    });
  });

  it('lets an idle system on the host clock exit the process without a shutdown', async () => {
    // A child process builds a system on the default SystemClock, fires one timer, cancels the rest
    // (one from inside, one through the system) and never shuts down: it must exit on its own.
    const index = fileURLToPath(new URL('../src/index.js', import.meta.url));
    const script = `
      const { ComponentDefinition, KompactConfig } = await import(${JSON.stringify(index)});
      class Host extends ComponentDefinition {}
      const system = await KompactConfig.default().logLevel('silent').build();
      const host = system.create(() => new Host());
      await system.startNotify(host);
      await new Promise((resolve) => host.onDefinition((d) => d.scheduleOnce(1, resolve)));
      const once = host.onDefinition((d) => d.scheduleOnce(60000, () => {}));
      host.onDefinition((d) => d.cancelTimer(once));
      const periodic = host.onDefinition((d) => d.schedulePeriodic(60000, 60000, () => {}));
      system.cancelTimer(periodic);
      console.log('idle');
    `;
    const started = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 4000,
    });
    assert.equal(stdout.trim(), 'idle');
    assert.ok(Date.now() - started < 4000);
  });
});

describe('SystemClock', () => {
  it('waits a delay of 2^31 ms or more instead of firing after 1 ms, with no TimeoutOverflowWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);
    const clock = new SystemClock();
    const fired: number[] = [];
    const timers = [2 ** 31, 2 ** 32, 2 ** 40].map((delay) => clock.setTimer(() => fired.push(delay), delay));
    try {
      // Node turns an overlong setTimeout into 1 ms and warns on the next tick: well within this.
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(fired, [], 'no long timer fired early');
      assert.deepEqual(warnings, [], 'no TimeoutOverflowWarning');
    } finally {
      for (const timer of timers) clock.clearTimer(timer);
      process.off('warning', onWarning);
    }
  });

  it('re-arms a long delay in chunks that add up to the whole delay, and clears it between chunks', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const clock = new SystemClock();
      let fired = 0;
      clock.setTimer(() => fired++, 2 ** 32 + 10);
      const cleared = clock.setTimer(() => fired++, 2 ** 32 + 10);
      mock.timers.tick(2 ** 31 - 1);
      mock.timers.tick(2 ** 31 - 1);
      clock.clearTimer(cleared);
      mock.timers.tick(11);
      assert.equal(fired, 0, 'one millisecond short of the delay');
      mock.timers.tick(1);
      assert.equal(fired, 1, 'fires at its delay; the cleared one never does');
      mock.timers.tick(2 ** 31);
      assert.equal(fired, 1);
    } finally {
      mock.timers.reset();
    }
  });
});

describe('SimulatedClock', () => {
  it('fires a timer 2^31 ms or more away when advanced to it, and refuses a NaN delay with a TypeError', async () => {
    const clock = new SimulatedClock();
    const fired: number[] = [];
    clock.setTimer(() => fired.push(clock.now()), 2 ** 32);
    assert.throws(() => clock.setTimer(() => fired.push(-1), Number.NaN), {
      name: 'TypeError',
      message: 'Expected `delayMs` to be a number of milliseconds, got `NaN` (number)',
    });
    await clock.advance(2 ** 32 - 1);
    assert.deepEqual(fired, []);
    await clock.advance(1);
    assert.deepEqual(fired, [2 ** 32]);
    assert.equal(clock.pendingTimers, 0);
  });
});
