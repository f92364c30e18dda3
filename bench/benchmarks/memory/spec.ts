import { define, peerLoadersOf, perSecond, policyFor } from '../../infra/spec.js';
import { PEER_NAMES } from '../shared/peers/index.js';
import { type MemoryParams, parseMemoryParams } from './params.js';

/** Memory: bytes per idle component. */
export const memorySpec = define<MemoryParams>({
  id: 'Memory',
  title: 'Memory (bytes per idle component; for the peers, per idle actor)',
  chartMetrics: ['bytes-per-component'],
  parse: parseMemoryParams,
  grid: (mode) => {
    const components = mode === 'smoke' ? 10_000 : 100_000;
    return [
      { implementation: 'raw-loop', params: { components, started: false } },
      { implementation: 'kompact-ts', params: { components, started: false } },
      { implementation: 'kompact-ts', params: { components, started: true } },
      ...PEER_NAMES.map((implementation) => ({ implementation, params: { components, started: true } })),
    ];
  },
  notes: (mode) => [
    `${mode === 'smoke' ? '10,000' : '100,000'} components of a small stateful actor (a counter and a message handler), created (started = false) or created and started (started = true, idle); heap delta after full collections / count; the handles' array is allocated before and not counted. Target: ≤ 1 KB (1,024 B).`,
    'created/s = components / median time of creating (and starting, until every onStart ran) them. raw-loop: a ready-loop cell with a ring-buffer mailbox and the same behaviour.',
    'Peers: as many idle actors of each peer (a counter with one handler; spawned, so started, and never sent a message), the same heap method (bench/benchmarks/shared/peers/support.ts: the handles in a preallocated array, full collections before and after); created/s = actors / time of the spawn calls alone (their iteration time also holds the collections and the stop).',
  ],
  metrics: ({ components }, row) => {
    // The peers time their spawn calls separately; kompact-ts and raw-loop time only the creation.
    const creationMs = row.observed('creationMs');
    const seconds = Number.isNaN(creationMs) ? row.seconds : creationMs / 1000;
    return [
      { metric: 'bytes-per-component', unit: 'B', value: row.observed('bytesPerComponent') },
      perSecond('created', 'components/s', components, seconds),
    ];
  },
  comparedBy: ['components'],
  policy: (mode) => policyFor(mode, { warmups: 1, minIterations: 3, maxIterations: 5 }),
  peerPolicy: (mode) => policyFor(mode, { warmups: 1, minIterations: 3, maxIterations: 5 }),
  peerKey: 'memory',
  loaders: {
    ...peerLoadersOf(
      PEER_NAMES,
      (peer) => async () => new (await import('./peers/adapter.js')).PeerMemory(peer),
    ),
    'raw-loop': async () => new (await import('./baseline.js')).RawLoopMemory(),
    'kompact-ts': async () => new (await import('./kompact.js')).KompactMemory(),
  },
});
