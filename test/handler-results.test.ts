import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Component,
  ComponentDefinition,
  type FaultContext,
  Handled,
  HandlerError,
  type HandlerResult,
  type HandlerReturn,
  type KompactSystem,
} from '../src/index.js';
import type { CapturedLog } from '../src/testing/index.js';
import { isKompactError } from './support/errors.js';
import { ERROR, linesAt, WARN } from './support/logs.js';
import { DEADLINE_MS, within } from './support/promises.js';
import { type Env, watchRecovery, withEnv } from './support/supervision.js';

// ---- helpers ------------------------------------------------------------------------------------

type Outcome = 'ok' | 'shutdown' | 'benign' | 'recoverable' | 'unrecoverable' | 'panic';

/** The error each test's failing handler reports; tests check it arrives unchanged. */
function errorFor(outcome: Outcome): Error {
  return new Error(`${outcome} failure`);
}

/** What a handler hands back for `outcome`; a panic throws. */
function produce(outcome: Outcome, error: Error): HandlerResult {
  switch (outcome) {
    case 'ok':
      return Handled.Ok;
    case 'shutdown':
      return Handled.Shutdown;
    case 'benign':
      return HandlerError.benign(error);
    case 'recoverable':
      return HandlerError.recoverable(error);
    case 'unrecoverable':
      return HandlerError.unrecoverable(error);
    case 'panic':
      throw error;
  }
}

/** Throws for every outcome that is an error, so thrown `HandlerError`s can be tested too. */
function produceByThrowing(outcome: Outcome, error: Error): HandlerResult {
  const result = produce(outcome, error);
  if (result instanceof HandlerError) throw result;
  return result;
}

const sources = [
  'a message handler returning it',
  'a message handler throwing it',
  'an async message handler resolving to it',
  'an async message handler rejecting with it',
  'a Handled.blockOn future resolving to it',
  'a Handled.blockOn future rejecting with it',
  'a ctx.spawnLocal future resolving to it',
  'a ctx.spawnLocal future rejecting with it',
] as const;
type Source = (typeof sources)[number];

type ProbeMsg = 'fail' | 'ping';

class Probe extends ComponentDefinition<ProbeMsg> {
  pings = 0;
  kills = 0;

  constructor(
    readonly source: Source,
    readonly outcome: Outcome,
    readonly error: Error,
  ) {
    super();
  }

  override onKill(): HandlerReturn {
    this.kills++;
  }

  override receiveLocal(msg: ProbeMsg): HandlerReturn {
    if (msg === 'ping') {
      this.pings++;
      return undefined;
    }
    const { outcome, error } = this;
    switch (this.source) {
      case 'a message handler returning it':
        return produce(outcome, error);
      case 'a message handler throwing it':
        return produceByThrowing(outcome, error);
      case 'an async message handler resolving to it':
        return this.#later(() => produce(outcome, error));
      case 'an async message handler rejecting with it':
        return this.#later(() => produceByThrowing(outcome, error));
      case 'a Handled.blockOn future resolving to it':
        return Handled.blockOn(() => this.#later(() => produce(outcome, error)));
      case 'a Handled.blockOn future rejecting with it':
        return Handled.blockOn(() => this.#later(() => produceByThrowing(outcome, error)));
      case 'a ctx.spawnLocal future resolving to it':
        this.ctx.spawnLocal(() => this.#later(() => produce(outcome, error)));
        return undefined;
      case 'a ctx.spawnLocal future rejecting with it':
        this.ctx.spawnLocal(() => this.#later(() => produceByThrowing(outcome, error)));
        return undefined;
    }
  }

  async #later(f: () => HandlerResult): Promise<HandlerResult> {
    await Promise.resolve();
    return f();
  }
}

/** Starts a probe, makes it handle 'fail', then sends it a 'ping' once it has settled. */
async function runProbe(env: Env, source: Source, outcome: Outcome) {
  const error = errorFor(outcome);
  const probe = env.system.create(() => new Probe(source, outcome, error));
  const recovery = watchRecovery(probe);
  await env.system.startNotify(probe);
  probe.actorRef().tell('fail');
  await env.clock.settle();
  probe.actorRef().tell('ping');
  await env.clock.settle();
  const { pings, kills } = probe.onDefinition((p) => ({ pings: p.pings, kills: p.kills }));
  return { probe, recovery, error, pings, kills };
}

// ---- reference cases 11–13, for every source ----------------------------------------------------

describe('Handler results', () => {
  for (const source of sources) {
    const throws = source.includes('throwing') || source.includes('rejecting');

    if (!throws) {
      it(`keeps the component active when ${source} is Handled.Ok`, async () => {
        await withEnv(async (env) => {
          const { probe, recovery, pings } = await runProbe(env, source, 'ok');
          assert.equal(probe.isActive(), true);
          assert.equal(pings, 1);
          assert.equal(recovery.contexts.length, 0);
          assert.deepEqual(linesAt(env.lines, WARN), []);
        });
      });

      it(`destroys the component and runs onKill once when ${source} is Handled.Shutdown`, async () => {
        await withEnv(async (env) => {
          const { probe, recovery, pings, kills } = await runProbe(env, source, 'shutdown');
          assert.equal(probe.isDestroyed(), true);
          assert.equal(kills, 1);
          assert.equal(pings, 0);
          assert.equal(recovery.contexts.length, 0);
          assert.equal(env.system.deadLetters.count, 1);
        });
      });
    }

    it(`logs a warning and carries on when ${source} is a benign error`, async () => {
      await withEnv(async (env) => {
        const { probe, recovery, pings, error } = await runProbe(env, source, 'benign');
        assert.equal(probe.isActive(), true);
        assert.equal(probe.isFaulty(), false);
        assert.equal(pings, 1, 'the next message is handled');
        assert.equal(recovery.contexts.length, 0);
        const warnings = linesAt(env.lines, WARN);
        assert.equal(warnings.length, 1, JSON.stringify(warnings));
        const warning = warnings[0] as CapturedLog;
        assert.match(warning.msg, /^Component handler reported a benign handler error: /);
        assert.ok(warning.msg.includes(error.message), warning.msg);
        assert.equal(warning.cid, probe.id);
        assert.equal(warning.ctype, 'Probe');
      });
    });

    it(`makes the component faulty and runs its recovery once when ${source} is a recoverable error`, async () => {
      await withEnv(async (env) => {
        const { probe, recovery, pings, kills, error } = await runProbe(env, source, 'recoverable');
        assert.equal(probe.isFaulty(), true);
        assert.equal(probe.isActive(), false);
        assert.equal(recovery.contexts.length, 1);
        assert.equal(recovery.handlerRuns, 1);
        const context = recovery.contexts[0] as FaultContext;
        assert.equal(context.componentId, probe.id);
        assert.equal(context.componentType, 'Probe');
        assert.equal(context.fault.kind, 'handler');
        assert.equal(context.fault.error, error);
        assert.ok(context.description.includes(error.message), context.description);
        assert.equal(pings, 0, 'a faulty component handles nothing more');
        assert.equal(kills, 0);
        assert.equal(env.system.deadLetters.count, 1);
        const errors = linesAt(env.lines, ERROR).filter((line) => line.cid === probe.id);
        assert.equal(errors.length, 1, JSON.stringify(env.lines));
      });
    });

    it(`destroys the component without onKill or recovery when ${source} is an unrecoverable error`, async () => {
      await withEnv(async (env) => {
        const { probe, recovery, pings, kills } = await runProbe(env, source, 'unrecoverable');
        assert.equal(probe.isDestroyed(), true);
        assert.equal(probe.isFaulty(), false);
        assert.equal(recovery.contexts.length, 0);
        assert.equal(recovery.handlerRuns, 0);
        assert.equal(kills, 0);
        assert.equal(pings, 0);
        assert.equal(env.system.deadLetters.count, 1);
        const errors = linesAt(env.lines, ERROR).filter((line) => line.cid === probe.id);
        assert.equal(errors.length, 1, JSON.stringify(env.lines));
      });
    });

    if (throws) {
      it(`treats a plain Error from ${source.replace(' it', ' an Error')} as a panic: faulty, recovered once`, async () => {
        await withEnv(async (env) => {
          const { probe, recovery, pings, kills, error } = await runProbe(env, source, 'panic');
          assert.equal(probe.isFaulty(), true);
          assert.equal(recovery.contexts.length, 1);
          assert.equal(recovery.handlerRuns, 1);
          const context = recovery.contexts[0] as FaultContext;
          assert.equal(context.componentId, probe.id);
          assert.equal(context.fault.kind, 'panic');
          assert.equal(context.fault.error, error);
          assert.match(context.description, /panicked with: .*panic failure/);
          assert.equal(pings, 0);
          assert.equal(kills, 0);
          const errors = linesAt(env.lines, ERROR).filter((line) => line.cid === probe.id);
          assert.equal(errors.length, 1, JSON.stringify(env.lines));
          assert.match((errors[0] as CapturedLog).msg, /panicked with: .*panic failure/);
        });
      });
    }
  }

  it('treats a thrown value that is not an Error as a panic', async () => {
    await withEnv(async (env) => {
      class Thrower extends ComponentDefinition<'go'> {
        override receiveLocal(): HandlerReturn {
          throw 'plain string';
        }
      }
      const thrower = env.system.create(() => new Thrower());
      const recovery = watchRecovery(thrower);
      await env.system.startNotify(thrower);
      thrower.actorRef().tell('go');
      await env.clock.settle();
      assert.equal(thrower.isFaulty(), true);
      assert.equal(recovery.contexts[0]?.fault.kind, 'panic');
      assert.equal(recovery.contexts[0]?.fault.error, 'plain string');
    });
  });
});

// ---- reference case 14: lifecycle hooks × classifications ---------------------------------------

type Hook = 'onStart' | 'onStop' | 'onKill';
type HookOutcome = 'benign' | 'recoverable' | 'unrecoverable' | 'panic';

class HookProbe extends ComponentDefinition<'ping'> {
  pings = 0;
  kills = 0;
  armed = true;

  constructor(
    readonly hook: Hook,
    readonly outcome: HookOutcome,
    readonly mode: 'sync' | 'async',
    readonly error: Error,
  ) {
    super();
  }

  #run(hook: Hook): HandlerReturn {
    if (hook !== this.hook || !this.armed) return undefined;
    this.armed = false; // fail once: a restart after a benign onStop must succeed
    if (this.mode === 'sync') return produce(this.outcome, this.error);
    return (async () => {
      await Promise.resolve();
      return produce(this.outcome, this.error);
    })();
  }

  override onStart(): HandlerReturn {
    return this.#run('onStart');
  }

  override onStop(): HandlerReturn {
    return this.#run('onStop');
  }

  override onKill(): HandlerReturn {
    this.kills++;
    return this.#run('onKill');
  }

  override receiveLocal(): HandlerReturn {
    this.pings++;
  }
}

/** Starts the probe (unless the hook under test is onStart) and triggers the hook; returns its notify promise. */
async function triggerHook(system: KompactSystem, probe: Component<HookProbe>, hook: Hook): Promise<void> {
  if (hook === 'onStart') return system.startNotify(probe);
  await within(system.startNotify(probe), DEADLINE_MS, 'probe to start');
  return hook === 'onStop' ? system.stopNotify(probe) : system.killNotify(probe);
}

describe('Lifecycle hook results', () => {
  for (const hook of ['onStart', 'onStop', 'onKill'] as const) {
    for (const mode of ['sync', 'async'] as const) {
      const label = mode === 'sync' ? hook : `an async ${hook}`;
      const notify = hook === 'onStart' ? 'startNotify' : hook === 'onStop' ? 'stopNotify' : 'killNotify';

      it(`completes the transition with a warning when ${label} returns a benign error`, async () => {
        await withEnv(async (env) => {
          const error = errorFor('benign');
          const probe = env.system.create(() => new HookProbe(hook, 'benign', mode, error));
          const recovery = watchRecovery(probe);
          await triggerHook(env.system, probe, hook);
          await env.clock.settle();
          assert.equal(recovery.contexts.length, 0);
          const warnings = linesAt(env.lines, WARN).filter((line) => line.cid === probe.id);
          assert.equal(warnings.length, 1, JSON.stringify(env.lines));
          assert.match((warnings[0] as CapturedLog).msg, /benign handler error: .*benign failure/);
          if (hook === 'onKill') {
            assert.equal(probe.isDestroyed(), true);
            return;
          }
          if (hook === 'onStop') {
            assert.equal(probe.isActive(), false);
            assert.equal(probe.isFaulty(), false);
            assert.equal(probe.isDestroyed(), false);
            await env.system.startNotify(probe);
          }
          assert.equal(probe.isActive(), true);
          probe.actorRef().tell('ping');
          await env.clock.settle();
          assert.equal(
            probe.onDefinition((p) => p.pings),
            1,
          );
        });
      });

      for (const outcome of ['recoverable', 'panic'] as const) {
        const what = outcome === 'panic' ? 'throws' : 'returns a recoverable error';
        it(`makes the component faulty, rejects ${notify} and runs recovery once when ${label} ${what}`, async () => {
          await withEnv(async (env) => {
            const error = errorFor(outcome);
            const probe = env.system.create(() => new HookProbe(hook, outcome, mode, error));
            const recovery = watchRecovery(probe);
            await assert.rejects(triggerHook(env.system, probe, hook), isKompactError('PROMISE_DROPPED'));
            await env.clock.settle();
            assert.equal(probe.isFaulty(), true);
            assert.equal(recovery.contexts.length, 1);
            assert.equal(recovery.handlerRuns, 1);
            const context = recovery.contexts[0] as FaultContext;
            assert.equal(context.fault.kind, outcome === 'panic' ? 'panic' : 'handler');
            assert.equal(context.fault.error, error);
            assert.equal(context.componentId, probe.id);
            assert.equal(context.componentType, 'HookProbe');
          });
        });
      }

      it(`destroys the component without onKill or recovery when ${label} returns an unrecoverable error`, async () => {
        await withEnv(async (env) => {
          const error = errorFor('unrecoverable');
          const probe = env.system.create(() => new HookProbe(hook, 'unrecoverable', mode, error));
          const recovery = watchRecovery(probe);
          const done = triggerHook(env.system, probe, hook);
          if (hook === 'onKill') await done;
          else await assert.rejects(done, isKompactError('PROMISE_DROPPED'));
          await env.clock.settle();
          assert.equal(probe.isDestroyed(), true);
          assert.equal(recovery.contexts.length, 0);
          assert.equal(recovery.handlerRuns, 0);
          assert.equal(
            probe.onDefinition((p) => p.kills),
            hook === 'onKill' ? 1 : 0,
            'onKill is not run because of an unrecoverable error',
          );
        });
      });
    }
  }
});

// ---- reference case 15 and the constructors ---------------------------------------------------

describe('HandlerError', () => {
  it('keeps the kind and the wrapped error it was made with', () => {
    const cause = new RangeError('out of range');
    for (const kind of ['benign', 'recoverable', 'unrecoverable'] as const) {
      const error = HandlerError[kind](cause);
      assert.ok(error instanceof HandlerError);
      assert.ok(error instanceof Error);
      assert.equal(error.kind, kind);
      assert.equal(error.error, cause);
      assert.equal(error.cause, cause);
      assert.equal(error.message, `${kind} handler error: RangeError: out of range`);
    }
  });

  it('wraps values that are not Errors', () => {
    const error = HandlerError.recoverable('disk full');
    assert.equal(error.error, 'disk full');
    assert.equal(error.message, 'recoverable handler error: disk full');
  });
});

describe('Handled', () => {
  it('refuses a blockOn argument that is not a function with a TypeError', () => {
    assert.throws(() => Handled.blockOn(Promise.resolve() as unknown as () => Promise<void>), TypeError);
  });

  it('offers distinct Ok and Shutdown results', () => {
    assert.notEqual(Handled.Ok, Handled.Shutdown);
    assert.equal(Handled.Ok.kind, 'ok');
    assert.equal(Handled.Shutdown.kind, 'shutdown');
  });

  it('keeps blocking when a blockOn future resolves to another Handled.blockOn', async () => {
    await withEnv(async (env) => {
      const events: string[] = [];
      class Chain extends ComponentDefinition<string> {
        override receiveLocal(msg: string): HandlerReturn {
          events.push(msg);
          if (msg !== 'chain') return undefined;
          return Handled.blockOn(async () => {
            events.push('first');
            return Handled.blockOn(async () => {
              await Promise.resolve();
              events.push('second');
            });
          });
        }
      }
      const chain = env.system.create(() => new Chain());
      await env.system.startNotify(chain);
      chain.actorRef().tell('chain');
      chain.actorRef().tell('after');
      await env.clock.settle();
      assert.deepEqual(events, ['chain', 'first', 'second', 'after']);
      assert.equal(chain.isActive(), true);
    });
  });

  it('settles a block once, with the first call, when a thenable calls back twice', async () => {
    await withEnv(async (env) => {
      const events: string[] = [];
      class Twice extends ComponentDefinition<string> {
        override receiveLocal(msg: string): HandlerReturn {
          events.push(msg);
          if (msg !== 'twice') return undefined;
          // Breaks the promise contract: fulfils at once, then rejects.
          return {
            // biome-ignore lint/suspicious/noThenProperty: the hand-made thenable under test
            then(fulfil: (value: HandlerResult) => void, reject: (error: unknown) => void) {
              fulfil(undefined);
              reject(new Error('a second settle'));
            },
          } as PromiseLike<HandlerResult>;
        }
      }
      const twice = env.system.create(() => new Twice());
      await env.system.startNotify(twice);
      twice.actorRef().tell('twice');
      twice.actorRef().tell('after');
      await env.clock.settle();
      assert.deepEqual(events, ['twice', 'after']);
      assert.equal(twice.isActive(), true, 'the late rejection did not fault the component');
    });
  });

  it('blocks again after a block settled, on a new promise each time', async () => {
    await withEnv(async (env) => {
      const events: string[] = [];
      class Saver extends ComponentDefinition<number> {
        override async receiveLocal(n: number): Promise<void> {
          events.push(`start ${n}`);
          await Promise.resolve();
          await Promise.resolve();
          events.push(`end ${n}`);
          if (n === 2) throw new Error('third block rejects');
        }
      }
      const saver = env.system.create(() => new Saver());
      await env.system.startNotify(saver);
      for (let n = 0; n < 4; n++) saver.actorRef().tell(n);
      await env.clock.settle();
      assert.deepEqual(events, ['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
      assert.equal(saver.isFaulty(), true);
    });
  });
});
