import { dispatch, type Ref, spawn, start, stop } from 'nact';
import {
  type CrashLoopBenchmark,
  CrashLoopDriver,
  type CrashLoopMsg,
  type CrashLoopState,
  crashLoopStep,
} from '../../shared/peers/support.js';
import type { CrashLoopParams } from '../params.js';

// B6 crash loop on nact. nact's supervision is the actor's `onCrash` policy; returning `ctx.reset`
// restarts the actor: nact stops its children, re-runs `initialStateFunc` and resumes with the mailbox
// it had. Restarting from the *last* state is the application's job in nact (reset alone restores the
// initial state): the actor checkpoints each state it returns, and `initialStateFunc` starts from that
// checkpoint. (`ctx.resume` would keep the state without any restart; see peerNotes.)

const ZERO: CrashLoopState = Object.freeze({ handled: 0 });

class NactCrashLoop implements CrashLoopBenchmark {
  latenciesUs: Float64Array = new Float64Array(0);
  #system: Ref<never> | undefined;
  #faults = 0;
  #actor: Ref<CrashLoopMsg> | undefined;
  #driver: CrashLoopDriver | undefined;
  #starts = 0;

  setup(params: CrashLoopParams): void {
    this.#faults = params.faults;
    this.#system = start();
  }

  prepareIteration(): void {
    let actor: Ref<CrashLoopMsg> | undefined;
    const driver = new CrashLoopDriver(this.#faults, (msg) => dispatch(actor!, msg));
    let checkpoint = ZERO;
    this.#starts = 0;
    actor = spawn(
      this.#system!,
      (state: CrashLoopState, msg: CrashLoopMsg): CrashLoopState => {
        const next = crashLoopStep(state, msg);
        checkpoint = next;
        driver.handled(next.handled);
        return next;
      },
      undefined,
      {
        initialStateFunc: () => {
          this.#starts++;
          return checkpoint;
        },
        onCrash: (_msg, _error, ctx) => ctx.reset,
      },
    );
    this.#actor = actor;
    this.#driver = driver;
  }

  runIteration(): Promise<void> {
    return this.#driver!.run();
  }

  cleanupIteration(): void {
    stop(this.#actor!);
    this.#actor = undefined;
    const driver = this.#driver!;
    this.latenciesUs = driver.latenciesUs;
    driver.verify(this.#starts - 1);
  }

  teardown(): void {
    if (this.#system !== undefined) stop(this.#system);
  }
}

/** B6 crash loop on nact (`onCrash` → `ctx.reset`, state restored from the actor's checkpoint). */
export function create(): CrashLoopBenchmark {
  return new NactCrashLoop();
}
