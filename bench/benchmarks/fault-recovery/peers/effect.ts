import { Effect, Fiber, Queue, Ref, Schedule } from 'effect';
import {
  type CrashLoopBenchmark,
  CrashLoopDriver,
  type CrashLoopMsg,
  type CrashLoopState,
  crashLoopStep,
} from '../../shared/peers/support.js';
import type { CrashLoopParams } from '../params.js';

// B6 crash loop on effect. The actor is a fiber over its `Queue`; its handler throws on `crash`, and
// `Effect.try` turns the throw into a typed failure. Supervision is effect's own: `Effect.retry` with
// `Schedule.forever` restarts the whole actor loop after each failure (a fresh run of the loop on the
// same fiber, the queue and its pending messages kept). The state lives in a `Ref` made outside the
// retried loop, so the restarted loop continues from the last state.

function worker(
  inbox: Queue.Dequeue<CrashLoopMsg>,
  state: Ref.Ref<CrashLoopState>,
  report: (handled: number) => void,
): Effect.Effect<never, unknown> {
  return Effect.gen(function* () {
    for (;;) {
      const msg = yield* Queue.take(inbox);
      const current = yield* Ref.get(state);
      const next = yield* Effect.try({ try: () => crashLoopStep(current, msg), catch: (error) => error });
      yield* Ref.set(state, next);
      report(next.handled);
    }
  });
}

class EffectCrashLoop implements CrashLoopBenchmark {
  latenciesUs: Float64Array = new Float64Array(0);
  #faults = 0;
  #fiber: Fiber.Fiber<never, unknown> | undefined;
  #driver: CrashLoopDriver | undefined;
  #restarts = 0;

  setup(params: CrashLoopParams): void {
    this.#faults = params.faults;
  }

  prepareIteration(): void {
    const inbox = Effect.runSync(Queue.unbounded<CrashLoopMsg>());
    const state = Effect.runSync(Ref.make<CrashLoopState>({ handled: 0 }));
    const driver = new CrashLoopDriver(this.#faults, (msg) => Effect.runSync(Queue.offer(inbox, msg)));
    this.#restarts = 0;
    const supervised = worker(inbox, state, (handled) => driver.handled(handled)).pipe(
      Effect.tapError(() =>
        Effect.sync(() => {
          this.#restarts++;
        }),
      ),
      Effect.retry(Schedule.forever),
    );
    this.#fiber = Effect.runFork(supervised);
    this.#driver = driver;
  }

  runIteration(): Promise<void> {
    return this.#driver!.run();
  }

  async cleanupIteration(): Promise<void> {
    await Effect.runPromise(Fiber.interrupt(this.#fiber!));
    this.#fiber = undefined;
    const driver = this.#driver!;
    this.latenciesUs = driver.latenciesUs;
    driver.verify(this.#restarts);
  }

  teardown(): void {}
}

/** B6 crash loop on effect (`Effect.try` + `Effect.retry(Schedule.forever)`, state in a `Ref`). */
export function create(): CrashLoopBenchmark {
  return new EffectCrashLoop();
}
