import { type Actor, type AnyActorLogic, assign, createActor, setup } from 'xstate';
import {
  type CrashLoopBenchmark,
  CrashLoopDriver,
  type CrashLoopMsg,
  type CrashLoopState,
} from '../../shared/peers/support.js';
import type { CrashLoopParams } from '../params.js';

// The B6 crash loop on xstate, shared by the machine and the `fromTransition` worker. xstate has no
// supervisor strategies; what its docs give is the statechart way: a parent machine `invoke`s the
// worker, `onError` re-enters the invoking state (which stops the failed worker and invokes a fresh
// one), and the fresh worker's `input` is the last state the parent saw through `onSnapshot`. The
// worker is addressed through the system registry (`systemId`), since each restart makes a new ref.

/** What a crash-loop worker starts from: the last state, and where it reports each handled `next`. */
export type WorkerInput = CrashLoopState & { readonly report: (handled: number) => void };

type SupervisorContext = { readonly last: WorkerInput; readonly onStart: () => void };

function lastState(snapshot: unknown, previous: WorkerInput): WorkerInput {
  if (typeof snapshot === 'object' && snapshot !== null && 'context' in snapshot) {
    const context = snapshot.context as WorkerInput | undefined;
    if (context !== undefined && typeof context.handled === 'number') return context;
  }
  return previous;
}

/** The supervising machine for `worker`: invokes it, restarts it from its last state on error. */
function supervisorFor(worker: AnyActorLogic) {
  return setup({
    types: {
      context: {} as SupervisorContext,
      input: {} as SupervisorContext,
    },
    actors: { worker },
  }).createMachine({
    id: 'supervisor',
    context: ({ input }) => input,
    initial: 'running',
    states: {
      running: {
        invoke: {
          src: 'worker',
          id: 'worker',
          systemId: 'worker',
          input: ({ context }: { readonly context: SupervisorContext }) => {
            context.onStart();
            return context.last;
          },
          onSnapshot: {
            actions: assign({ last: ({ context, event }) => lastState(event.snapshot, context.last) }),
          },
          onError: { target: 'running', reenter: true },
        },
      },
    },
  });
}

type Supervisor = ReturnType<typeof supervisorFor>;

class XstateCrashLoop implements CrashLoopBenchmark {
  latenciesUs: Float64Array = new Float64Array(0);
  readonly #supervisorMachine: Supervisor;
  #faults = 0;
  #supervisor: Actor<Supervisor> | undefined;
  #driver: CrashLoopDriver | undefined;
  #starts = 0;

  constructor(worker: AnyActorLogic) {
    this.#supervisorMachine = supervisorFor(worker);
  }

  setup(params: CrashLoopParams): void {
    this.#faults = params.faults;
  }

  prepareIteration(): void {
    let supervisor: Actor<Supervisor> | undefined;
    const send = (msg: CrashLoopMsg): void => {
      const worker = supervisor!.system.get('worker');
      if (worker === undefined) throw new Error('xstate crash loop: no worker registered');
      worker.send(msg);
    };
    const driver = new CrashLoopDriver(this.#faults, send);
    this.#starts = 0;
    const report = (handled: number): void => driver.handled(handled);
    const onStart = (): void => {
      this.#starts++;
    };
    supervisor = createActor(this.#supervisorMachine, { input: { last: { handled: 0, report }, onStart } });
    supervisor.start();
    this.#supervisor = supervisor;
    this.#driver = driver;
  }

  runIteration(): Promise<void> {
    return this.#driver!.run();
  }

  cleanupIteration(): void {
    this.#supervisor!.stop();
    this.#supervisor = undefined;
    const driver = this.#driver!;
    this.latenciesUs = driver.latenciesUs;
    driver.verify(this.#starts - 1);
  }

  teardown(): void {}
}

/** A B6 crash loop whose worker (input {@link WorkerInput}) is supervised by an xstate machine. */
export function createSupervisedCrashLoop(worker: AnyActorLogic): CrashLoopBenchmark {
  return new XstateCrashLoop(worker);
}
