// Property test of fault recovery: random interleavings of messages, async handlers, crashes (from
// handlers, async handlers, timers and recoverable errors), snapshots, stops, starts, kills, asks and
// virtual time, on a few components recovered with `replaceWith(() => new Worker(snapshot))`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type ActorRef,
  type Component,
  ComponentDefinition,
  HandlerError,
  type HandlerReturn,
  KompactError,
  type KPromise,
  type ReplaceOptions,
  type ScheduledTimer,
} from '../src/index.js';
import { SimulatedClock, withSystem } from '../src/testing/index.js';
import { DEADLINE_MS, within } from './support/promises.js';

const SLOTS = 3;

type CrashHow = 'sync' | 'async' | 'timer' | 'recoverable';

type WorkerMsg =
  | { readonly kind: 'inc' }
  | { readonly kind: 'async-inc'; readonly yieldTo: 'microtask' | 'macrotask' }
  | { readonly kind: 'crash'; readonly how: CrashHow }
  | { readonly kind: 'snapshot' }
  | { readonly kind: 'suicide' }
  | { readonly kind: 'get'; readonly reply: KPromise<number> };

type Op =
  | { readonly kind: 'tell'; readonly slot: number; readonly msg: WorkerMsg }
  | { readonly kind: 'ask'; readonly slot: number }
  | { readonly kind: 'stop' | 'start' | 'kill'; readonly slot: number }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'settle' };

/** What one logical component (a slot: the original and its replacements) has done. */
interface Slot {
  /** A handler of one of the slot's instances is running (sync part or awaiting). */
  inHandler: boolean;
  /** The count captured by the recovery function installed last. */
  lastSnapshot: number;
  /** Crashes actually thrown (each must be exactly one fault). */
  crashes: number;
  readonly instances: Worker[];
}

interface World {
  readonly slots: Slot[];
  readonly violations: string[];
  readonly options: ReplaceOptions;
}

/**
 * One instance of a slot. It checks, in every handler, that no other handler of its slot is running
 * and that it is not itself crashed or killed; a replacement checks it starts from the latest snapshot.
 */
class Worker extends ComponentDefinition<WorkerMsg> {
  count: number;
  /** Crashed or killed: no handler of it may run again. */
  dead = false;
  readonly timers: ScheduledTimer[] = [];
  #periodic: ScheduledTimer | undefined;
  readonly #slot: Slot;

  constructor(
    private readonly world: World,
    private readonly index: number,
    snapshot: number,
  ) {
    super();
    const slot = world.slots[index] as Slot;
    this.#slot = slot;
    this.count = snapshot;
    if (slot.instances.length > 0 && snapshot !== slot.lastSnapshot) {
      this.#violation(
        `replacement starts from ${snapshot}, but the latest snapshot was ${slot.lastSnapshot}`,
      );
    }
    slot.instances.push(this);
    // The original installs its first snapshot; replacements inherit the recovery function.
    if (slot.instances.length === 1) this.#snapshot();
  }

  #violation(what: string): void {
    this.world.violations.push(`slot ${this.index}, instance ${this.#slot.instances.indexOf(this)}: ${what}`);
  }

  #enter(what: string): void {
    if (this.dead) this.#violation(`${what} ran on a crashed or killed instance`);
    if (this.#slot.inHandler) this.#violation(`${what} ran while another handler of the slot was running`);
    this.#slot.inHandler = true;
  }

  #exit(): void {
    this.#slot.inHandler = false;
  }

  #die(): void {
    this.dead = true;
    this.#slot.crashes++;
    this.#exit();
  }

  #snapshot(): void {
    const snapshot = this.count;
    const { world, index } = this;
    this.#slot.lastSnapshot = snapshot;
    this.ctx.setRecoveryFunction((fault) =>
      fault.replaceWith(() => new Worker(world, index, snapshot), world.options),
    );
  }

  #schedule(timer: ScheduledTimer): ScheduledTimer {
    this.timers.push(timer);
    return timer;
  }

  override onStart(): HandlerReturn {
    this.#enter('onStart');
    this.#periodic = this.#schedule(
      this.schedulePeriodic(7, 7, () => {
        this.#enter('a periodic timer');
        this.count++;
        this.#exit();
      }),
    );
    this.#exit();
  }

  override onStop(): HandlerReturn {
    this.#enter('onStop');
    if (this.#periodic !== undefined) this.cancelTimer(this.#periodic);
    this.#exit();
  }

  override onKill(): HandlerReturn {
    this.#enter('onKill');
    this.dead = true;
    this.#exit();
  }

  override receiveLocal(msg: WorkerMsg): HandlerReturn {
    this.#enter(`message ${msg.kind}`);
    switch (msg.kind) {
      case 'inc':
        this.count++;
        break;
      case 'async-inc':
        return (async () => {
          if (msg.yieldTo === 'microtask') await Promise.resolve();
          else await new Promise<void>((resolve) => setImmediate(resolve));
          this.count++;
          this.#exit();
        })();
      case 'snapshot':
        this.#snapshot();
        break;
      case 'suicide':
        this.ctx.suicide();
        break;
      case 'get':
        msg.reply.fulfil(this.count);
        break;
      case 'crash':
        switch (msg.how) {
          case 'sync':
            this.#die();
            throw new Error('crash');
          case 'recoverable':
            this.#die();
            return HandlerError.recoverable(new Error('recoverable crash'));
          case 'async':
            return (async () => {
              await new Promise<void>((resolve) => setImmediate(resolve));
              this.#die();
              throw new Error('async crash');
            })();
          case 'timer':
            this.#schedule(
              this.scheduleOnce(3, () => {
                this.#enter('a crashing timer');
                this.#die();
                throw new Error('timer crash');
              }),
            );
            break;
        }
        break;
    }
    this.#exit();
    return undefined;
  }
}

// ---- arbitraries --------------------------------------------------------------------------------

const slotArb = fc.integer({ min: 0, max: SLOTS - 1 });

const msgArb: fc.Arbitrary<WorkerMsg> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<WorkerMsg>({ kind: 'inc' }) },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom('microtask' as const, 'macrotask' as const)
      .map((yieldTo): WorkerMsg => ({ kind: 'async-inc', yieldTo })),
  },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom<CrashHow>('sync', 'async', 'timer', 'recoverable')
      .map((how): WorkerMsg => ({ kind: 'crash', how })),
  },
  { weight: 3, arbitrary: fc.constant<WorkerMsg>({ kind: 'snapshot' }) },
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 16, arbitrary: fc.record({ kind: fc.constant('tell' as const), slot: slotArb, msg: msgArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('ask' as const), slot: slotArb }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constantFrom('stop' as const, 'start' as const), slot: slotArb }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('kill' as const), slot: slotArb }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 40 }) }),
  },
  { weight: 2, arbitrary: fc.constant<Op>({ kind: 'settle' }) },
);

const optionsArb: fc.Arbitrary<ReplaceOptions> = fc
  .record({
    maxRestarts: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined, freq: 2 }),
    withinMs: fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined, freq: 2 }),
    backoff: fc.option(
      fc.record({
        initialMs: fc.integer({ min: 0, max: 10 }),
        extraMs: fc.integer({ min: 0, max: 40 }),
        factor: fc.integer({ min: 1, max: 3 }),
      }),
      { nil: undefined, freq: 2 },
    ),
  })
  .map(({ maxRestarts, withinMs, backoff }) => ({
    ...(maxRestarts === undefined ? {} : { maxRestarts }),
    ...(withinMs === undefined ? {} : { withinMs }),
    ...(backoff === undefined
      ? {}
      : {
          backoff: {
            initialMs: backoff.initialMs,
            maxMs: backoff.initialMs + backoff.extraMs,
            factor: backoff.factor,
          },
        }),
  }));

// ---- the property -------------------------------------------------------------------------------

/** Runs `ops` on a fresh system and checks the invariants; throws on the first broken one. */
async function runScenario(options: ReplaceOptions, ops: readonly Op[]): Promise<void> {
  const clock = new SimulatedClock();
  const world: World = {
    slots: Array.from({ length: SLOTS }, () => ({
      inHandler: false,
      lastSnapshot: 0,
      crashes: 0,
      instances: [],
    })),
    violations: [],
    options,
  };
  const asks: { settled: boolean; error: unknown }[] = [];
  await withSystem(
    async (system) => {
      let faultsDuringShutdown = 0;
      system.supervision.on('fault', () => {
        if (system.state !== 'active') faultsDuringShutdown++;
      });
      const originals: Component<Worker>[] = [];
      const refs: ActorRef<WorkerMsg>[] = [];
      for (let index = 0; index < SLOTS; index++) {
        const original = system.create(() => new Worker(world, index, 0));
        originals.push(original);
        refs.push(original.actorRef());
        await within(system.startNotify(original), DEADLINE_MS, 'original to start');
      }

      for (const op of ops) {
        switch (op.kind) {
          case 'tell':
            (refs[op.slot] as ActorRef<WorkerMsg>).tell(op.msg);
            break;
          case 'ask': {
            const state = { settled: false, error: undefined as unknown };
            asks.push(state);
            (refs[op.slot] as ActorRef<WorkerMsg>)
              .askWith<number>((reply) => ({ kind: 'get', reply }))
              .then(
                () => {
                  state.settled = true;
                },
                (error: unknown) => {
                  state.settled = true;
                  state.error = error;
                },
              );
            break;
          }
          case 'stop':
          case 'start':
          case 'kill': {
            const original = originals[op.slot] as Component<Worker>;
            const usable = !original.isFaulty() && !original.isDestroyed();
            if (op.kind === 'kill') {
              // Only the original has a Component handle; a replacement is killed from inside.
              if (usable) system.kill(original);
              else (refs[op.slot] as ActorRef<WorkerMsg>).tell({ kind: 'suicide' });
            } else if (usable) {
              if (op.kind === 'stop') system.stop(original);
              else system.start(original);
            } else {
              assert.throws(
                () => (op.kind === 'stop' ? system.stop(original) : system.start(original)),
                (error: unknown) =>
                  error instanceof KompactError &&
                  (error.code === 'COMPONENT_FAULTY' || error.code === 'COMPONENT_DESTROYED'),
              );
            }
            break;
          }
          case 'advance':
            await clock.advance(op.ms);
            break;
          case 'settle':
            await clock.settle();
            break;
        }
      }
      await clock.advance(200);

      // (4) Shutdown always completes (a hang fails the test by its timeout).
      await system.shutdown();
      await clock.settle();
      assert.equal(system.state, 'terminated');

      // (1), (2), (3) as checked by the workers themselves.
      assert.deepEqual(world.violations, []);
      // (3) Every timer of a crashed or killed instance was released; after shutdown, every timer.
      for (const [index, slot] of world.slots.entries()) {
        for (const [n, instance] of slot.instances.entries()) {
          for (const timer of instance.timers) {
            assert.notEqual(timer.state, 'pending', `slot ${index}, instance ${n}: a timer outlived it`);
          }
        }
      }
      // Every crash was one fault; every fault was recovered by a replacement, given up on, or
      // happened during shutdown; no recovery failed.
      const stats = system.supervision.stats;
      const crashes = world.slots.reduce((sum, slot) => sum + slot.crashes, 0);
      const replacements = world.slots.reduce((sum, slot) => sum + slot.instances.length - 1, 0);
      assert.equal(stats.faults, crashes);
      assert.equal(stats.recoveryFailures, 0);
      assert.equal(stats.recoveries, replacements);
      assert.equal(stats.faults, stats.recoveries + stats.gaveUp + faultsDuringShutdown);
      if (options.maxRestarts === undefined) assert.equal(stats.gaveUp, 0);
      // No ask is left hanging: each got a reply or PROMISE_DROPPED.
      for (const ask of asks) {
        assert.equal(ask.settled, true, 'an ask never settled');
        if (ask.error !== undefined) {
          assert.ok(
            ask.error instanceof KompactError && ask.error.code === 'PROMISE_DROPPED',
            String(ask.error),
          );
        }
      }
    },
    (config) => config.clock(clock),
  );
}

describe('Fault recovery under random interleavings', () => {
  it('never runs two handlers of one component at once, never loses the latest snapshot, never runs a timer of a gone instance, and always shuts down', {
    timeout: 20_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        optionsArb,
        fc.array(opArb, { minLength: 1, maxLength: 60, size: 'max' }),
        runScenario,
      ),
      { numRuns: 100 },
    );
  });

  it('holds for a crash-heavy scenario with backoff and a restart limit', { timeout: 20_000 }, async () => {
    const ops: Op[] = [];
    for (let round = 0; round < 10; round++) {
      for (let slot = 0; slot < SLOTS; slot++) {
        ops.push({ kind: 'tell', slot, msg: { kind: 'inc' } });
        ops.push({ kind: 'tell', slot, msg: { kind: 'snapshot' } });
        ops.push({ kind: 'tell', slot, msg: { kind: 'async-inc', yieldTo: 'macrotask' } });
        ops.push({ kind: 'tell', slot, msg: { kind: 'crash', how: round % 2 === 0 ? 'async' : 'timer' } });
        ops.push({ kind: 'ask', slot });
      }
      ops.push({ kind: 'advance', ms: 15 });
    }
    await runScenario(
      { maxRestarts: 8, withinMs: 100, backoff: { initialMs: 2, maxMs: 20, factor: 2 } },
      ops,
    );
  });
});
