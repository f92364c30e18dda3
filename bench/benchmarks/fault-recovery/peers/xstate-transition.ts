import { fromTransition } from 'xstate';
import { type CrashLoopBenchmark, type CrashLoopMsg, crashLoopStep } from '../../shared/peers/support.js';
import { createSupervisedCrashLoop, type WorkerInput } from './xstate-supervised.js';

// B6 crash loop with a `fromTransition` worker: the reducer throws on `crash`, which puts the actor in
// its `error` status. A transition actor has no supervision of its own (nor can it spawn), so the
// restart comes from a supervising xstate machine that invokes it and re-invokes it from its last
// state on error (see ../xstate-machine/supervised.ts); only the worker differs from the machine row.

const workerLogic = fromTransition(
  (state: WorkerInput, event: CrashLoopMsg): WorkerInput => {
    // xstate's own events (`xstate.stop`) keep the state.
    if (event.type !== 'crash' && event.type !== 'next') return state;
    const next = crashLoopStep(state, event);
    state.report(next.handled);
    return { handled: next.handled, report: state.report };
  },
  ({ input }: { input: WorkerInput }) => input,
);

/** B6 crash loop on an xstate `fromTransition` worker supervised by a machine. */
export function create(): CrashLoopBenchmark {
  return createSupervisedCrashLoop(workerLogic);
}
