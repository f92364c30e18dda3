// Code still running for a component that ended (after an await in spawnLocal) acts for nobody.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ComponentDefinition, type HandlerReturn } from '../src/index.js';
import { captureLogs } from '../src/testing/index.js';
import { withGatedClock } from './support/clock.js';
import { gatedDeferred, within } from './support/promises.js';

const DEADLINE_MS = 10_000;

/** What the code after the await did, and what the component's line saw. */
interface Observed {
  readonly handled: string[];
  spawnedRan: boolean;
  timerFired: boolean;
  recoveryCalled: boolean;
  finished: boolean;
  error: unknown;
}

/** On `go`, spawns a future that waits for the gate, then uses the context in every way it can. */
class Lingerer extends ComponentDefinition<string> {
  constructor(
    readonly observed: Observed,
    readonly gate: Promise<void>,
  ) {
    super();
  }

  override receiveLocal(msg: string): HandlerReturn {
    this.observed.handled.push(msg);
    if (msg === 'crash') throw new Error('crash on request');
    if (msg !== 'go') return;
    const observed = this.observed;
    this.ctx.spawnLocal(async () => {
      await this.gate;
      try {
        this.ctx.actorRef().tell('from the past');
        this.scheduleOnce(10, () => {
          observed.timerFired = true;
        });
        this.schedulePeriodic(10, 10, () => {
          observed.timerFired = true;
        });
        this.ctx.spawnLocal(async () => {
          observed.spawnedRan = true;
        });
        this.ctx.setRecoveryFunction((fault) => {
          observed.recoveryCalled = true;
          return fault.ignore();
        });
        this.ctx.actorPath();
        this.ctx.suicide();
        observed.finished = true;
      } catch (error) {
        observed.error = error;
      }
    });
  }
}

function fresh(): Observed {
  return {
    handled: [],
    spawnedRan: false,
    timerFired: false,
    recoveryCalled: false,
    finished: false,
    error: undefined,
  };
}

describe('Code running for an ended component', () => {
  for (const ending of ['fault replaced by replaceWith', 'kill'] as const) {
    it(`is inert after an await in spawnLocal once the component ended by ${ending}, with one warning`, async () => {
      const { logger, lines } = captureLogs('warn');
      await withGatedClock(
        async (system, clock) => {
          const gate = gatedDeferred();
          const observed = fresh();
          const replacementSaw: string[] = [];
          const lingerer = system.create(() => new Lingerer(observed, gate.promise));
          lingerer.setRecoveryFunction((fault) =>
            fault.replaceWith(() => new Lingerer({ ...fresh(), handled: replacementSaw }, gate.promise)),
          );
          await within(system.startNotify(lingerer), DEADLINE_MS, 'startNotify');
          lingerer.actorRef().tell('go');
          await clock.settle();
          if (ending === 'kill') {
            await within(system.killNotify(lingerer), DEADLINE_MS, 'killNotify');
          } else {
            lingerer.actorRef().tell('crash');
            await clock.settle();
            assert.ok(lingerer.isFaulty());
          }
          const deadLetters = system.deadLetters.count;
          gate.resolve();
          await clock.settle();
          await clock.advance(50);

          assert.equal(observed.error, undefined, 'nothing it did threw');
          assert.equal(observed.finished, true);
          assert.deepEqual(replacementSaw, [], 'its message reached no replacement');
          assert.equal(system.deadLetters.count, deadLetters + 1, 'its message became a dead letter');
          assert.equal(observed.timerFired, false);
          assert.equal(observed.spawnedRan, false);
          assert.equal(clock.pendingTimers, 0);
          const warnings = lines.filter((line) => line.msg.includes('code still runs for it'));
          assert.equal(warnings.length, 1, 'one warning for the component');
          assert.match(warnings[0]?.msg ?? '', /ctx\.actorRef\(\)/);
          if (ending !== 'kill') {
            // The line goes on: the replacement still gets what is sent to the component.
            lingerer.actorRef().tell('later');
            await clock.settle();
            assert.deepEqual(replacementSaw, ['later']);
          }
        },
        (config) => config.logger(logger),
      );
    });
  }

  it('lets onKill use its context without a warning: its path is still its own', async () => {
    class Leaving extends ComponentDefinition<string> {
      path = '';
      override onKill(): HandlerReturn {
        this.path = this.ctx.actorPath().toString();
      }
    }
    const { logger, lines } = captureLogs('warn');
    await withGatedClock(
      async (system) => {
        const leaving = system.create(() => new Leaving());
        await within(system.startNotify(leaving), DEADLINE_MS, 'startNotify');
        const path = system.actorPathFor(leaving).toString();
        await within(system.killNotify(leaving), DEADLINE_MS, 'killNotify');
        assert.equal(
          leaving.onDefinition((l) => l.path),
          path,
        );
        assert.equal(lines.filter((line) => line.msg.includes('code still runs for it')).length, 0);
      },
      (config) => config.logger(logger),
    );
  });
});
