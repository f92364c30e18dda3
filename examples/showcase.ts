// `npm start`: runs every example in turn, the way the book introduces them.
import { main as buncherAdaptive } from './buncher-adaptive.js';
import { main as buncherRegular } from './buncher-regular.js';
import { main as configuration } from './configuration.js';
import { main as counter } from './counter.js';
import { main as durableCounter } from './durable-counter.js';
import { main as helloWorld } from './hello-world.js';
import { main as helloWorldActor } from './hello-world-actor.js';
import { main as leaderElection } from './leader-election.js';
import { main as parallelPool } from './parallel-pool.js';
import { main as pingPongPorts } from './ping-pong-ports.js';
import { main as quickStart } from './quick-start.js';
import { main as remoteUnstableCounter } from './remote-unstable-counter.js';
import { main as unstableCounter } from './unstable-counter.js';
import { main as workerUnstableCounter } from './worker-unstable-counter.js';

const examples: readonly [string, () => Promise<unknown>][] = [
  ['unstable-counter (fault recovery from a snapshot, 5 s)', () => unstableCounter()],
  [
    'durable-counter (snapshots in SQLite: killed with SIGKILL, restarted, resumes from the last save)',
    () => durableCounter(),
  ],
  ['quick-start (replaced in place, from a snapshot)', () => quickStart()],
  ['hello-world (a component)', () => helloWorld()],
  ['hello-world-actor (an actor)', () => helloWorldActor()],
  ['counter (internal state, ask and port)', () => counter()],
  ['configuration (TOML and setters, merged in order)', () => configuration()],
  ['ping-pong-ports (10 000 round trips over a port)', () => pingPongPorts()],
  ['buncher-regular (batching with a periodic timer)', () => buncherRegular()],
  ['buncher-adaptive (batching with a rescheduled timer)', () => buncherAdaptive()],
  ['leader-election (a bootstrap server and two nodes, three systems over TCP)', () => leaderElection()],
  [
    'remote-unstable-counter (a named service that crashes and keeps answering another system)',
    () => remoteUnstableCounter(),
  ],
  ['parallel-pool (Fibonacci on a pool of worker threads, one per core)', () => parallelPool()],
  [
    'worker-unstable-counter (a counter whose thread is killed and restarted while the parent asks it)',
    () => workerUnstableCounter(),
  ],
];

for (const [name, run] of examples) {
  console.log(`\n=== ${name} ===`);
  await run();
}
console.log('\nAll examples ran.');
console.log(
  'To watch a running system in the browser (components, port graph, faults): node .build/examples/inspector.js (until Ctrl-C; needs the optional packages uplot and cytoscape).',
);
