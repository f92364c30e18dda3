// Supervision events and counters (`system.supervision`), contained recovery failures
// (`recovery-failed`), the recovery budget (`recovery-slow`) and the replacement a `recovered` event
// hands over.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Component,
  ComponentDefinition,
  type FaultContext,
  HandlerError,
  type HandlerReturn,
  KompactConfig,
  type KompactSystem,
  type RecoveryHandler,
  type SupervisionEvent,
} from '../src/index.js';
import { type CapturedLog, withSystem } from '../src/testing/index.js';
import { ERROR, WARN } from './support/logs.js';
import { DEADLINE_MS, within } from './support/promises.js';
import { ofKind, withEnv } from './support/supervision.js';

// ---- helpers ------------------------------------------------------------------------------------

/** Busy-waits `ms` of wall-clock time: a recovery handler that blocks its supervisor. */
function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

/** `crash` throws `Error('boom')`; `report` returns a recoverable error; anything else is recorded. */
class Crasher extends ComponentDefinition<string> {
  readonly handled: string[] = [];

  constructor(registry?: Crasher[]) {
    super();
    registry?.push(this);
  }

  override receiveLocal(msg: string): HandlerReturn {
    if (msg === 'crash') throw new Error('boom');
    if (msg === 'report') return HandlerError.recoverable(new Error('reported trouble'));
    this.handled.push(msg);
    return undefined;
  }
}

/** Creates and starts a Crasher with `recovery` as its recovery function. */
async function startedCrasher(
  system: KompactSystem,
  recovery?: (fault: FaultContext) => RecoveryHandler,
  registry?: Crasher[],
): Promise<Component<Crasher>> {
  const crasher = system.create(() => new Crasher(registry));
  if (recovery !== undefined) crasher.setRecoveryFunction(recovery);
  await within(system.startNotify(crasher), DEADLINE_MS, 'the crasher to start');
  return crasher;
}

/** Crashes on `crash`, counts `ping`s: a component whose replacement a test drives after the event. */
class Fragile extends ComponentDefinition<'crash' | 'ping'> {
  pings = 0;
  override receiveLocal(message: 'crash' | 'ping'): void {
    if (message === 'crash') throw new Error('boom');
    this.pings += 1;
  }
}

// ---- events and counters ------------------------------------------------------------------------

describe('Supervision', () => {
  it('emits a fault event with the component id, type, fault and description', async () => {
    await withEnv(async ({ system, clock, events }) => {
      const crasher = await startedCrasher(system);
      const reporter = await startedCrasher(system);
      crasher.actorRef().tell('crash');
      reporter.actorRef().tell('report');
      await clock.settle();
      const faults = ofKind(events, 'fault');
      assert.equal(faults.length, 2);
      const [panic, handler] = faults as [(typeof faults)[0], (typeof faults)[0]];
      assert.equal(panic.componentId, crasher.id);
      assert.equal(panic.componentType, 'Crasher');
      assert.equal(panic.fault.kind, 'panic');
      assert.ok(panic.fault.error instanceof Error);
      assert.match(panic.description, /boom/);
      assert.equal(handler.componentId, reporter.id);
      assert.equal(handler.fault.kind, 'handler');
      assert.match(handler.description, /reported trouble/);
    });
  });

  const recoveries = [
    { kind: 'ignore', recovery: (fault: FaultContext) => fault.ignore(), replaces: false },
    { kind: 'recover-with', recovery: (fault: FaultContext) => fault.recoverWith(() => {}), replaces: false },
    {
      kind: 'restart-default',
      recovery: (fault: FaultContext) => fault.restartDefault(() => new Crasher()),
      replaces: true,
    },
    {
      kind: 'replace-with',
      recovery: (fault: FaultContext) => fault.replaceWith(() => new Crasher()),
      replaces: true,
    },
  ] as const;

  for (const { kind, recovery, replaces } of recoveries) {
    it(`emits fault, then recovered with recovery '${kind}'${replaces ? ' and the replacement id' : ''}`, async () => {
      await withEnv(async ({ system, clock, events }) => {
        const crasher = await startedCrasher(system, recovery);
        const ref = crasher.actorRef();
        ref.tell('crash');
        await clock.settle();
        assert.deepEqual(
          events.map((event) => event.kind),
          ['fault', 'recovered'],
        );
        const recovered = ofKind(events, 'recovered')[0];
        assert.ok(recovered);
        assert.equal(recovered.componentId, crasher.id);
        assert.equal(recovered.componentType, 'Crasher');
        assert.equal(recovered.recovery, kind);
        if (replaces) {
          assert.notEqual(recovered.replacementId, undefined);
          assert.notEqual(recovered.replacementId, crasher.id);
        } else {
          assert.equal(recovered.replacementId, undefined);
        }
        if (kind === 'replace-with') assert.equal(recovered.replacementId, ref.id);
        assert.deepEqual(system.supervision.stats, {
          faults: 1,
          recoveries: 1,
          recoveryFailures: 0,
          slowRecoveries: 0,
          gaveUp: 0,
          deadLetters: 0,
        });
      });
    });
  }

  it('returns from on a function that unsubscribes the listener (calling it twice is harmless)', async () => {
    await withEnv(async ({ system, clock }) => {
      const seen: string[] = [];
      const unsubscribe = system.supervision.on('fault', (event) => seen.push(event.componentId));
      const first = await startedCrasher(system);
      const second = await startedCrasher(system);
      first.actorRef().tell('crash');
      await clock.settle();
      unsubscribe();
      unsubscribe();
      second.actorRef().tell('crash');
      await clock.settle();
      assert.deepEqual(seen, [first.id]);
      assert.equal(system.supervision.stats.faults, 2, 'counters do not depend on listeners');
    });
  });

  it('calls only the listeners of the event kind they subscribed to', async () => {
    await withEnv(async ({ system, clock }) => {
      const seen: string[] = [];
      system.supervision.on('gave-up', (event) => seen.push(event.kind));
      system.supervision.on('recovery-failed', (event) => seen.push(event.kind));
      const crasher = await startedCrasher(system);
      crasher.actorRef().tell('crash');
      await clock.settle();
      assert.deepEqual(seen, []);
    });
  });

  it('logs a throwing listener at error and goes on with the other listeners and the recovery', async () => {
    await withEnv(async ({ system, clock, lines }) => {
      const seen: string[] = [];
      system.supervision.on('fault', () => {
        throw new Error('listener trouble');
      });
      system.supervision.on('fault', () => seen.push('second listener'));
      let handlerRuns = 0;
      const crasher = await startedCrasher(system, (fault) =>
        fault.recoverWith(() => {
          handlerRuns++;
        }),
      );
      crasher.actorRef().tell('crash');
      await clock.settle();
      assert.deepEqual(seen, ['second listener']);
      assert.equal(handlerRuns, 1);
      assert.ok(
        lines.some(
          (line) => line.level === ERROR && line.msg === "A supervision listener for 'fault' threw; ignored",
        ),
      );
    });
  });

  it('rejects a listener that is not a function with a TypeError', async () => {
    await withEnv(async ({ system }) => {
      assert.throws(() => system.supervision.on('fault', 'nope' as never), TypeError);
    });
  });

  it('counts faults, recoveries, failures, slow recoveries, gave-ups and dead letters', async () => {
    await withEnv(
      async ({ system, clock }) => {
        assert.deepEqual(system.supervision.stats, {
          faults: 0,
          recoveries: 0,
          recoveryFailures: 0,
          slowRecoveries: 0,
          gaveUp: 0,
          deadLetters: 0,
        });
        const ignored = await startedCrasher(system);
        const failing = await startedCrasher(system, () => {
          throw new Error('no plan');
        });
        const slow = await startedCrasher(system, (fault) => fault.recoverWith(async () => {}));
        const givingUp = await startedCrasher(system, (fault) =>
          fault.replaceWith(() => new Crasher(), { maxRestarts: 0 }),
        );
        for (const component of [ignored, failing, slow, givingUp]) component.actorRef().tell('crash');
        await clock.settle();
        ignored.actorRef().tell('dead 1');
        failing.actorRef().tell('dead 2');
        givingUp.actorRef().tell('dead 3');

        const stats = system.supervision.stats;
        assert.deepEqual(stats, {
          faults: 4,
          recoveries: 2,
          recoveryFailures: 1,
          slowRecoveries: 1,
          gaveUp: 1,
          deadLetters: 3,
        });
        assert.equal(stats.deadLetters, system.deadLetters.count);
      },
      (config) => config.recoveryBudgetMs(1000),
    );
  });
});

// ---- recovery-failed ----------------------------------------------------------------------------

describe('recovery-failed', () => {
  it('contains a throwing recovery function: logged with the original fault, reported, the component stays faulty, others run on', async () => {
    await withEnv(async ({ system, clock, lines, events }) => {
      const failure = new Error('function exploded');
      const crasher = await startedCrasher(system, () => {
        throw failure;
      });
      const other = await startedCrasher(system);
      crasher.actorRef().tell('crash');
      other.actorRef().tell('hello');
      await clock.settle();

      assert.equal(crasher.isFaulty(), true);
      assert.deepEqual(
        events.map((event) => event.kind),
        ['fault', 'recovery-failed'],
      );
      const failed = ofKind(events, 'recovery-failed')[0];
      assert.ok(failed);
      assert.equal(failed.stage, 'recovery-function');
      assert.equal(failed.componentId, crasher.id);
      assert.equal(failed.componentType, 'Crasher');
      assert.equal(failed.error, failure);
      const logged = lines.filter((line) => line.level === ERROR && line.msg.includes('function exploded'));
      assert.equal(logged.length, 1);
      assert.match((logged[0] as CapturedLog).msg, /boom/, 'names the original fault');
      assert.match((logged[0] as CapturedLog).msg, new RegExp(crasher.id));
      assert.deepEqual(
        other.onDefinition((d) => d.handled),
        ['hello'],
      );
    });
  });

  for (const { label, made } of [
    { label: 'undefined', made: undefined },
    { label: 'a plain object', made: { plan: 'ignore' } },
    { label: 'a promise of a handler', made: Promise.resolve('later') },
  ]) {
    it(`reports a recovery function returning ${label} instead of a RecoveryHandler as failed`, async () => {
      await withEnv(async ({ system, clock, lines, events }) => {
        const crasher = await startedCrasher(system, () => made as never);
        crasher.actorRef().tell('crash');
        await clock.settle();
        const failed = ofKind(events, 'recovery-failed')[0];
        assert.ok(failed);
        assert.equal(failed.stage, 'recovery-function');
        assert.ok(failed.error instanceof TypeError);
        assert.match(failed.error.message, /not a RecoveryHandler/);
        assert.ok(
          lines.some(
            (line) =>
              line.level === ERROR && line.msg.includes('not a RecoveryHandler') && line.msg.includes('boom'),
          ),
        );
        assert.equal(crasher.isFaulty(), true);
      });
    });
  }

  it('reports a recovery function whose replaceWith options are invalid as failed, with the TypeError', async () => {
    await withEnv(async ({ system, clock, events }) => {
      const crasher = await startedCrasher(system, (fault) =>
        fault.replaceWith(() => new Crasher(), { maxRestarts: -1 }),
      );
      crasher.actorRef().tell('crash');
      await clock.settle();
      const failed = ofKind(events, 'recovery-failed')[0];
      assert.equal(failed?.stage, 'recovery-function');
      assert.ok(failed?.error instanceof TypeError);
      assert.match(failed.error.message, /maxRestarts/);
    });
  });

  it('contains a throwing recovery handler: logged with the original fault, reported, no recovered event', async () => {
    await withEnv(async ({ system, clock, lines, events }) => {
      const crasher = await startedCrasher(system, (fault) =>
        fault.recoverWith(() => {
          throw new Error('handler exploded');
        }),
      );
      crasher.actorRef().tell('report');
      crasher.actorRef().tell('queued');
      await clock.settle();
      assert.deepEqual(
        events.map((event) => event.kind),
        ['fault', 'recovery-failed'],
      );
      const failed = ofKind(events, 'recovery-failed')[0];
      assert.equal(failed?.stage, 'recovery-handler');
      assert.match(String(failed?.error), /handler exploded/);
      const logged = lines.find((line) => line.level === ERROR && line.msg.includes('handler exploded'));
      assert.ok(logged);
      assert.match(logged.msg, /reported trouble/, 'names the original fault');
      assert.equal(crasher.isFaulty(), true);
      assert.equal(system.deadLetters.count, 1, 'what was queued is dropped as after any recovery');
    });
  });

  it('reports a replacement factory that throws as a failed recovery handler', async () => {
    await withEnv(async ({ system, clock, events }) => {
      class Unbuildable extends ComponentDefinition {
        constructor() {
          super();
          throw new Error('cannot construct');
        }
      }
      const restarting = await startedCrasher(system, (fault) =>
        fault.restartDefault(() => new Unbuildable()),
      );
      const replacing = await startedCrasher(system, (fault) => fault.replaceWith(() => new Unbuildable()));
      const ref = replacing.actorRef();
      restarting.actorRef().tell('crash');
      ref.tell('crash');
      await clock.settle();
      const failed = ofKind(events, 'recovery-failed');
      assert.deepEqual(
        failed.map((event) => [event.componentId, event.stage]),
        [
          [restarting.id, 'recovery-handler'],
          [replacing.id, 'recovery-handler'],
        ],
      );
      for (const event of failed) assert.match(String(event.error), /cannot construct/);
      assert.equal(ref.id, replacing.id, 'the reference still names the faulted component');
      const before = system.deadLetters.count;
      ref.tell('lost');
      assert.equal(system.deadLetters.count, before + 1);
    });
  });

  it('reports a recovery handler whose returned promise rejects as failed, after reporting it as slow', async () => {
    await withEnv(async ({ system, clock, events }) => {
      const crasher = await startedCrasher(system, (fault) =>
        fault.recoverWith(async () => {
          await null;
          throw new Error('async handler exploded');
        }),
      );
      crasher.actorRef().tell('crash');
      await clock.settle();
      assert.deepEqual(
        events.map((event) => event.kind),
        ['fault', 'recovery-slow', 'recovered', 'recovery-failed'],
      );
      const failed = ofKind(events, 'recovery-failed')[0];
      assert.equal(failed?.stage, 'recovery-handler');
      assert.match(String(failed?.error), /async handler exploded/);
      assert.equal(ofKind(events, 'recovery-slow')[0]?.returnedPromise, true);
    });
  });
});

// ---- recovery-slow ------------------------------------------------------------------------------

describe('recovery-slow', () => {
  it('warns, naming the component, and reports a recovery handler that ran past recoveryBudgetMs', async () => {
    await withEnv(
      async ({ system, clock, lines, events }) => {
        const crasher = await startedCrasher(system, (fault) => fault.recoverWith(() => blockFor(30)));
        crasher.actorRef().tell('crash');
        await clock.settle();
        const slow = ofKind(events, 'recovery-slow');
        assert.equal(slow.length, 1);
        const [event] = slow as [(typeof slow)[0]];
        assert.equal(event.componentId, crasher.id);
        assert.equal(event.componentType, 'Crasher');
        assert.equal(event.budgetMs, 5);
        assert.equal(event.returnedPromise, false);
        assert.ok(event.durationMs >= 30, `took ${event.durationMs} ms`);
        const warning = lines.find((line) => line.level === WARN && line.msg.includes('over its budget'));
        assert.ok(warning, JSON.stringify(lines.map((line) => line.msg)));
        assert.match(warning.msg, new RegExp(crasher.id));
        assert.equal(ofKind(events, 'recovered').length, 1, 'a slow recovery still recovers');
        assert.equal(system.supervision.stats.slowRecoveries, 1);
      },
      (config) => config.recoveryBudgetMs(5),
    );
  });

  it('warns about and reports a recovery handler that returns a promise, even a fast one, against the default budget of 100 ms', async () => {
    await withEnv(async ({ system, clock, lines, events }) => {
      const crasher = await startedCrasher(system, (fault) => fault.recoverWith(async () => {}));
      crasher.actorRef().tell('crash');
      await clock.settle();
      const slow = ofKind(events, 'recovery-slow')[0];
      assert.ok(slow);
      assert.equal(slow.returnedPromise, true);
      assert.equal(slow.budgetMs, 100);
      assert.ok(slow.durationMs < 100);
      const warning = lines.find((line) => line.level === WARN && line.msg.includes('returned a promise'));
      assert.ok(warning);
      assert.match(warning.msg, new RegExp(crasher.id));
      assert.equal(ofKind(events, 'recovery-failed').length, 0, 'a promise that resolves is no failure');
    });
  });

  it('does not report a recovery handler within its budget', async () => {
    await withEnv(async ({ system, clock, events, lines }) => {
      const crasher = await startedCrasher(system, (fault) =>
        fault.recoverWith((_fault, handle) => handle.start(handle.create(() => new Crasher()))),
      );
      crasher.actorRef().tell('crash');
      await clock.settle();
      assert.equal(ofKind(events, 'recovery-slow').length, 0);
      assert.ok(!lines.some((line) => line.msg.includes('budget')));
    });
  });

  it('rejects an invalid recoveryBudgetMs when the system is configured', () => {
    assert.throws(() => KompactConfig.default().recoveryBudgetMs(-1), /recovery-budget-ms/);
    assert.throws(
      () => KompactConfig.default().recoveryBudgetMs(Number.POSITIVE_INFINITY),
      /recovery-budget-ms/,
    );
  });
});

// ---- the recovered event's replacement ---------------------------------------------------------

describe('The recovered event', () => {
  it('hands over the replacement component, so it can be driven like any other', async () => {
    await withSystem(async (system) => {
      const original = system.create(() => new Fragile());
      original.setRecoveryFunction((fault) => fault.replaceWith(() => new Fragile()));
      const recovered = new Promise<Extract<SupervisionEvent, { kind: 'recovered' }>>((resolve) => {
        system.supervision.on('recovered', resolve);
      });
      await within(system.startNotify(original), DEADLINE_MS, 'original to start');
      original.actorRef().tell('crash');
      const event = await within(recovered, DEADLINE_MS, 'the recovered event');
      const replacement = event.replacement as Component<Fragile>;
      assert.ok(replacement, 'replaceWith reports the component that took over');
      assert.equal(replacement.id, event.replacementId);
      assert.equal(original.actorRef().id, replacement.id, 'the old reference reaches it');
      original.actorRef().tell('ping');
      await new Promise((resolve) => setImmediate(resolve)); // let the ping be handled before the stop
      await within(system.stopNotify(replacement), DEADLINE_MS, 'replacement to stop');
      assert.equal(
        replacement.onDefinition((d) => d.pings),
        1,
      );
      await within(system.killNotify(replacement), DEADLINE_MS, 'replacement to be killed');
      assert.ok(replacement.isDestroyed());
    });
  });

  it('carries no replacement for a plain recoverWith', async () => {
    await withSystem(async (system) => {
      const original = system.create(() => new Fragile());
      original.setRecoveryFunction((fault) => fault.recoverWith(() => {}));
      const recovered = new Promise<Extract<SupervisionEvent, { kind: 'recovered' }>>((resolve) => {
        system.supervision.on('recovered', resolve);
      });
      await within(system.startNotify(original), DEADLINE_MS, 'original to start');
      original.actorRef().tell('crash');
      const event = await within(recovered, DEADLINE_MS, 'the recovered event');
      assert.equal(event.replacement, undefined);
      assert.equal(event.recovery, 'recover-with');
    });
  });
});
