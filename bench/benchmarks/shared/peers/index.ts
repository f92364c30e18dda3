import type { Benchmark } from '../../../infra/harness.js';
import type { PingPongParams } from '../../pingpong/params.js';
import type { ThroughputPingPongParams } from '../../throughput-pingpong/params.js';
import type { FibonacciParams } from './params.js';
import type { CrashLoopBenchmark } from './support.js';

// The JS peers' implementations of the suite, for the catalogue to load by benchmark and peer. Each
// loader imports its module only when called, so a point process loads one peer library only.

/** The JS actor libraries benchmarked beside kompact-ts; the names used in tables and `--json` rows. */
export type PeerName = 'nact' | 'xstate-transition' | 'xstate-machine' | 'effect' | 'comedy';

/** Every peer, in table order. */
export const PEER_NAMES: readonly PeerName[] = [
  'nact',
  'xstate-transition',
  'xstate-machine',
  'effect',
  'comedy',
];

type Loaders<B> = Readonly<Partial<Record<PeerName, () => Promise<B>>>>;

/** The peer implementations per benchmark; a peer missing from a benchmark has its reason in {@link peerNotes}. */
export const peerLoaders: {
  readonly B1: Loaders<Benchmark<PingPongParams>>;
  readonly B2: Loaders<Benchmark<ThroughputPingPongParams>>;
  readonly B3: Loaders<Benchmark<FibonacciParams>>;
  /** The B6 crash loop; each implementation also records per-fault restart latencies (`latenciesUs`). */
  readonly B6: Loaders<CrashLoopBenchmark>;
} = {
  B1: {
    nact: () => import('../../pingpong/peers/nact.js').then((m) => m.create()),
    'xstate-transition': () => import('../../pingpong/peers/xstate-transition.js').then((m) => m.create()),
    'xstate-machine': () => import('../../pingpong/peers/xstate-machine.js').then((m) => m.create()),
    effect: () => import('../../pingpong/peers/effect.js').then((m) => m.create()),
    comedy: () => import('../../pingpong/peers/comedy.js').then((m) => m.create()),
  },
  B2: {
    nact: () => import('../../throughput-pingpong/peers/nact.js').then((m) => m.create()),
    'xstate-transition': () =>
      import('../../throughput-pingpong/peers/xstate-transition.js').then((m) => m.create()),
    'xstate-machine': () =>
      import('../../throughput-pingpong/peers/xstate-machine.js').then((m) => m.create()),
    effect: () => import('../../throughput-pingpong/peers/effect.js').then((m) => m.create()),
    comedy: () => import('../../throughput-pingpong/peers/comedy.js').then((m) => m.create()),
  },
  B3: {
    nact: () => import('../../fibonacci/peers/nact.js').then((m) => m.create()),
    'xstate-machine': () => import('../../fibonacci/peers/xstate-machine.js').then((m) => m.create()),
    effect: () => import('../../fibonacci/peers/effect.js').then((m) => m.create()),
    comedy: () => import('../../fibonacci/peers/comedy.js').then((m) => m.create()),
  },
  B6: {
    nact: () => import('../../fault-recovery/peers/nact.js').then((m) => m.create()),
    'xstate-transition': () =>
      import('../../fault-recovery/peers/xstate-transition.js').then((m) => m.create()),
    'xstate-machine': () => import('../../fault-recovery/peers/xstate-machine.js').then((m) => m.create()),
    effect: () => import('../../fault-recovery/peers/effect.js').then((m) => m.create()),
  },
};

/**
 * Heap bytes per pending delayed message of the peers that can schedule one (the Timers benchmark's
 * `bytes-per-pending-timer`): one delayed message per entry of `delays` (milliseconds), all to one
 * idle actor; the process needs `--expose-gc`. The others are in `peerNotes.Timers`.
 */
export const peerTimers: Readonly<Partial<Record<PeerName, (delays: Int32Array) => Promise<number>>>> = {
  'xstate-machine': (delays) =>
    import('../../timers/peers/xstate-machine.js').then((m) => m.bytesPerPendingTimer(delays)),
  effect: (delays) => import('../../timers/peers/effect.js').then((m) => m.bytesPerPendingTimer(delays)),
};

/** Why a peer has no implementation of a benchmark: `peerNotes[benchmark][peer]`. */
export const peerNotes: Record<string, Record<string, string>> = {
  B3: {
    'xstate-transition':
      'xstate transition actors cannot spawn actors (xstate docs, "Transition actor capabilities"), so they cannot express spawn churn; the xstate-machine row spawns from machines.',
  },
  Timers: {
    nact: 'nact has no scheduler or delayed dispatch: its API (index.d.ts 7.6.2) has `dispatch` and `query` only, and its only timers are the `query` timeout and `shutdownAfter`; a nact user writes `setTimeout(() => dispatch(ref, msg), ms)`, which is the set-timeout row plus a closure.',
    'xstate-transition':
      'a `fromTransition` actor runs no actions, and xstate’s delayed events are actions of machines (`raise`/`sendTo` with `delay`, `after` transitions); a transition actor can receive a machine’s delayed `sendTo`, which costs what the xstate-machine row shows (the cost is in the sender’s system scheduler, not in the target).',
    comedy:
      'comedy has no scheduler or delayed send for actors (no delay option on `send`/`sendAndReceive`, no timer API in its index.d.ts 2.1.7); a comedy user writes `setTimeout(() => actor.send(...), ms)`, which is the set-timeout row plus a closure.',
  },
  B6: {
    comedy:
      'comedy has no restart for in-memory actors: a throwing handler only rejects the sender’s promise (or is logged) and the same actor goes on with its state; `onCrash: "respawn"` exists only for forked/remote actors, where it starts a new process and loses the state, and forking is outside this suite.',
  },
};

/**
 * How a peer's implementation deviates from the benchmark's wording or what it relies on, for the notes
 * under a table: `peerRemarks[benchmark][peer]`.
 */
export const peerRemarks: Record<string, Record<string, string>> = {
  B1: {
    comedy:
      'comedy: in-memory actors, fire-and-forget `send` with the sender’s reference in the message (1.5× faster here than `sendAndReceive` replies); comedy has no mailbox, every message is a promise chain.',
    effect:
      'effect: one fiber per actor looping over its own `Queue` (`Queue.take` + `Effect.forever`, written with `pipe`).',
  },
  B3: {
    comedy:
      'comedy: `createChild` is asynchronous (resolves once the child is initialised); children destroy themselves.',
    effect:
      'effect: an actor is a `Queue` plus a fiber forked with `Effect.forkChild`; a finished fiber is a stopped actor.',
    'xstate-machine':
      'xstate-machine: children made with `spawn` in `assign`; an actor stops itself by reaching its final state.',
  },
  B6: {
    nact: 'nact: `onCrash` returns `ctx.reset` (restart: children stopped, `initialStateFunc` re-run, mailbox kept); reset alone restores the initial state, so the actor checkpoints each state and `initialStateFunc` starts from that checkpoint. `ctx.resume` would keep the state without restarting.',
    'xstate-transition':
      'xstate-transition: a `fromTransition` worker has no supervision of its own; it is invoked by a machine that re-enters its state on `onError` (re-invoking the worker) with the last state seen through `onSnapshot` as input.',
    'xstate-machine':
      'xstate-machine: xstate has no supervisor strategies; the worker machine is invoked by a parent machine that re-enters on `onError` (re-invoking it) with the last state seen through `onSnapshot` as input; senders find the current worker through `system.get(systemId)`.',
    effect:
      'effect: the handler’s throw becomes a failure via `Effect.try`; `Effect.retry(Schedule.forever)` restarts the actor loop on the same fiber and queue; the state is in a `Ref` outside the retried loop.',
  },
  Timers: {
    'xstate-machine':
      "xstate-machine: a scheduler machine invokes the idle target machine and sends it a static event with `sendTo('target', tick, { delay })`, one `schedule` event per timer; xstate’s system scheduler keeps a scheduled-event record, a timer-map entry and a host `setTimeout` per pending send; stopping the scheduler cancels them all.",
    effect:
      'effect: the target is an idle actor (a `Queue` and a fiber in `Queue.take`); each delayed message is a fiber `Effect.runFork(Queue.offer(inbox, tick).pipe(Effect.delay(ms)))`, the fibers kept in a preallocated array and interrupted with `Fiber.interruptAll`.',
  },
  memory: {
    'xstate-transition':
      'xstate: each idle actor is a root actor (`createActor(...).start()`), which carries its own actor system; children spawned into one parent would cost about 1.7 KB each, but spawning n of them is quadratic in xstate (the parent’s children map is copied per spawn).',
    'xstate-machine':
      'xstate: each idle actor is a root actor (`createActor(...).start()`), which carries its own actor system; children spawned into one parent are quadratic to create in xstate.',
    comedy:
      'comedy: the idle actors form a two-level tree (√n groups under the root) because destroying n children of one parent is quadratic in comedy.',
  },
};

/** Heap bytes per idle actor of each peer (`count` actors; the process needs `--expose-gc`). */
export const peerMemory: Record<PeerName, (count: number) => Promise<number>> = {
  nact: (count) => import('../../memory/peers/nact.js').then((m) => m.bytesPerIdleActor(count)),
  'xstate-transition': (count) =>
    import('../../memory/peers/xstate-transition.js').then((m) => m.bytesPerIdleActor(count)),
  'xstate-machine': (count) =>
    import('../../memory/peers/xstate-machine.js').then((m) => m.bytesPerIdleActor(count)),
  effect: (count) => import('../../memory/peers/effect.js').then((m) => m.bytesPerIdleActor(count)),
  comedy: (count) => import('../../memory/peers/comedy.js').then((m) => m.bytesPerIdleActor(count)),
};
