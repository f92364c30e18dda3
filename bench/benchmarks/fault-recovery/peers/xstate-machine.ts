import { assign, setup } from 'xstate';
import { type CrashLoopBenchmark, type CrashLoopMsg, crashLoopStep } from '../../shared/peers/support.js';
import { createSupervisedCrashLoop, type WorkerInput } from './xstate-supervised.js';

// B6 crash loop on xstate machines: the worker machine's `step` action (an `assign`) throws on `crash`,
// which puts the worker in its `error` status; its supervising machine restarts it from the last state
// (see supervised.ts).

const workerMachine = setup({
  types: { context: {} as WorkerInput, events: {} as CrashLoopMsg, input: {} as WorkerInput },
  actions: {
    step: assign(({ context, event }) => crashLoopStep(context, event)),
    report: ({ context }) => context.report(context.handled),
  },
}).createMachine({
  id: 'worker',
  context: ({ input }) => input,
  on: {
    crash: { actions: 'step' },
    next: { actions: ['step', 'report'] },
  },
});

/** B6 crash loop on xstate machines (invoke + `onError` re-entry, state from `onSnapshot`). */
export function create(): CrashLoopBenchmark {
  return createSupervisedCrashLoop(workerMachine);
}
