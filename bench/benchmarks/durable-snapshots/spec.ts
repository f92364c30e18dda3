import { define, perSecond, policyFor } from '../../infra/spec.js';
import {
  type AckLatencyParams,
  parseAckLatencyParams,
  parseSaveRateParams,
  type SaveRateParams,
} from './params.js';

/** The most saves/s B8b's open loop sustained here (about 84,000 with 300,000 offered, on a loaded machine: indicative). */
const MAX_RATE = 80_000;
const COMPONENTS = 10_000;
/** B8b's offered rates: about 10 % and 80 % of the most its open loop sustained here (see the notes). */
const RATES = [MAX_RATE / 10, (MAX_RATE * 8) / 10];
const BYTES = 64;

/** B8a: durable saves per second, kompact-ts against raw better-sqlite3 at the same batch size. */
export const durableSaveRate = define<SaveRateParams>({
  id: 'B8a',
  title:
    'Durable snapshots (a): saves/s, 10,000 components saving a 64-byte state to SQLite as fast as acknowledged',
  baseline: 'raw-sqlite',
  chartMetrics: ['saves', 'lag-p99'],
  parse: parseSaveRateParams,
  grid: (mode) => {
    const components = mode === 'smoke' ? 1000 : COMPONENTS;
    const savesPerComponent = mode === 'smoke' ? 2 : 10;
    const batches = mode === 'smoke' ? [100] : [100, 1000];
    return [
      ...batches.flatMap((batch) =>
        (['raw-sqlite', 'kompact-ts', 'kompact-ts-await'] as const).map((implementation) => ({
          implementation,
          params: { components, savesPerComponent, bytes: BYTES, batch },
        })),
      ),
      // One transaction (and one sync) per save: what group commit saves. Fewer saves: about 300/s here.
      {
        implementation: 'raw-sqlite' as const,
        params: { components: mode === 'smoke' ? 20 : 500, savesPerComponent: 1, bytes: BYTES, batch: 1 },
      },
    ];
  },
  notes: () => [
    'saves/s = components × savesPerComponent / median iteration time. kompact-ts: each component saves its state with `this.ctx.saveSnapshot(key, state, onSaved, Serialisers.bytes)` (a 72-byte record), and its `onSaved` callback, run in a turn once the save is acknowledged, makes the next save; kompact-ts-await: the same with `await this.ctx.snapshots.save(key, state, Serialisers.bytes)` in a loop in an async handler (a suspended function and a promise reaction per waiting component); the store is `sqliteSnapshotStore(file, { maxBatchSize: batch })` (WAL, synchronous = FULL, its worker thread); group commit makes the batches. raw-sqlite: better-sqlite3 on the main thread, the same table and row sizes, `batch` upserts per transaction, yielding to the loop (setImmediate) between transactions. Targets: kompact-ts ≥ 0.6× raw at the same batch, ≥ 100× the batch-1 row.',
    'lag p99 = the 99th percentile of how late a 1 ms timer fired during the iteration (perf_hooks monitorEventLoopDelay, less its 1 ms interval). Target for kompact-ts ≤ 5 ms (kompact-ts-await shows what awaiting each save costs: its ten thousand suspended handlers are copied by every young-generation scavenge). raw-sqlite’s lag is what one commit with its sync blocks the loop for: the cost of committing on the event loop.',
  ],
  metrics: ({ components, savesPerComponent }, row) => [
    perSecond('saves', 'saves/s', components * savesPerComponent, row.seconds),
    { metric: 'lag-p99', unit: 'ms', value: row.observed('lagP99Ms') },
    { metric: 'lag-max', unit: 'ms', value: row.observed('lagMaxMs') },
  ],
  comparedBy: ['batch'],
  policy: (mode) => policyFor(mode, { warmups: 1, minIterations: 5, maxIterations: 15, maxTimedMs: 20_000 }),
  loaders: {
    'raw-sqlite': async () => new (await import('./baseline.js')).RawSqliteSaveRate(),
    'kompact-ts': async () => new (await import('./kompact.js')).KompactSaveRate(false),
    'kompact-ts-await': async () => new (await import('./kompact.js')).KompactSaveRate(true),
  },
});

/** B8b: acknowledgement latency at a fixed offered rate. */
export const durableAckLatency = define<AckLatencyParams>({
  id: 'B8b',
  title:
    'Durable snapshots (b): save acknowledgement latency, 64-byte states over 10,000 keys at a fixed offered rate',
  baseline: null,
  chartMetrics: ['ack-p99'],
  parse: parseAckLatencyParams,
  grid: (mode) => {
    const rates = mode === 'smoke' ? [2000] : RATES;
    return rates.map((rate) => ({
      implementation: 'kompact-ts' as const,
      params: {
        keys: mode === 'smoke' ? 1000 : COMPONENTS,
        rate,
        durationMs: mode === 'smoke' ? 200 : 2000,
        bytes: BYTES,
      },
    }));
  },
  notes: () => [
    'Saves are offered at `rate` saves/s for `durationMs` (open loop: each turn of the loop issues the saves due by then, whatever is still unacknowledged), through `system.snapshots.save`; ack = the time from the call to its acknowledgement (committed and synced). p50 and p99 over every save of an iteration, median over iterations. The rates are 10 % and 80 % of the most this open loop sustained here (MAX_RATE in spec.ts: about 84,000 saves/s with 300,000 offered, on a loaded machine).',
  ],
  metrics: ({ rate }, row) => [
    { metric: 'ack-p99', unit: 'ms', value: row.observed('ackP99Ms') },
    { metric: 'ack-p50', unit: 'ms', value: row.observed('ackP50Ms') },
    { metric: 'offered', unit: 'saves/s', value: rate },
    { metric: 'lag-p99', unit: 'ms', value: row.observed('lagP99Ms') },
  ],
  comparedBy: ['rate'],
  policy: (mode) => policyFor(mode, { warmups: 1, minIterations: 5, maxIterations: 10, maxTimedMs: 20_000 }),
  loaders: {
    'kompact-ts': async () => new (await import('./kompact.js')).KompactAckLatency(),
  },
});
