// Group commit under random interleavings (issue 15, "per key, the last acknowledged save wins"):
// random saves and deletes of a few keys, against a store that commits in call order whenever the
// program says so and fails the writes it is told to, with random batch sizes and writes in flight.
// Once everything settled, each key holds the value of its last acknowledged save (nothing after its
// last acknowledged delete), whatever failed in between.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { memorySnapshotStore, type SnapshotStore, type SnapshotWrite } from '../src/index.js';
import { withSystem } from '../src/testing/index.js';

type Op =
  | { readonly kind: 'save'; readonly key: string }
  | { readonly kind: 'delete'; readonly key: string }
  | { readonly kind: 'commit' }
  | { readonly kind: 'fail-next' }
  | { readonly kind: 'turn' };

/** A store that applies its writes in call order, one each time the program commits. */
class SteppedStore implements SnapshotStore {
  readonly inner = memorySnapshotStore();
  readonly #queue: { batch: readonly SnapshotWrite[]; fails: boolean; settle: (error?: Error) => void }[] =
    [];
  failNext = false;

  constructor(
    readonly maxBatchSize: number,
    readonly maxWritesInFlight: number,
  ) {}

  get pending(): number {
    return this.#queue.length;
  }

  write(batch: readonly SnapshotWrite[]): Promise<void> {
    const fails = this.failNext;
    this.failNext = false;
    return new Promise((resolve, reject) => {
      this.#queue.push({
        batch,
        fails,
        settle: (error) => (error === undefined ? resolve() : reject(error)),
      });
    });
  }

  /** Commits (or fails) the oldest write. */
  async commitOne(): Promise<void> {
    const head = this.#queue.shift();
    if (head === undefined) return;
    if (head.fails) {
      head.settle(new Error('disk full'));
      return;
    }
    await this.inner.write(head.batch);
    head.settle();
  }

  load(key: string): Promise<Uint8Array | undefined> {
    return this.inner.load(key);
  }

  keys(prefix?: string): AsyncIterable<string> {
    return this.inner.keys(prefix);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

const KEYS = ['a', 'b', 'c'];
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KEYS).map((key) => ({ kind: 'save', key }) as const) },
  { weight: 1, arbitrary: fc.constantFrom(...KEYS).map((key) => ({ kind: 'delete', key }) as const) },
  { weight: 2, arbitrary: fc.constant({ kind: 'commit' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'fail-next' } as const) },
  { weight: 2, arbitrary: fc.constant({ kind: 'turn' } as const) },
);

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Group commit under random interleavings', () => {
  it('leaves each key at its last acknowledged save or delete', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 60 }),
        fc.constantFrom(1, 2, 5, 100),
        fc.constantFrom(1, 2, 3),
        async (ops, maxBatchSize, maxWritesInFlight) => {
          const store = new SteppedStore(maxBatchSize, maxWritesInFlight);
          await withSystem(
            async (system) => {
              // Per key, the outcome of each of its saves and deletes, in the order they were made.
              const outcomes = new Map<string, { value: number | undefined; ok: boolean | undefined }[]>();
              const settled: Promise<void>[] = [];
              let next = 0;
              for (const step of ops) {
                if (step.kind === 'save' || step.kind === 'delete') {
                  const entry = {
                    value: step.kind === 'save' ? next++ : undefined,
                    ok: undefined as boolean | undefined,
                  };
                  outcomes.set(step.key, [...(outcomes.get(step.key) ?? []), entry]);
                  const done =
                    step.kind === 'save'
                      ? system.snapshots.save(step.key, entry.value)
                      : system.snapshots.delete(step.key);
                  settled.push(
                    done.then(
                      () => {
                        entry.ok = true;
                      },
                      () => {
                        entry.ok = false;
                      },
                    ),
                  );
                } else if (step.kind === 'commit') {
                  await store.commitOne();
                } else if (step.kind === 'fail-next') {
                  store.failNext = true;
                } else {
                  await turn();
                }
              }
              // Drain: commit until every save and delete has settled.
              let rounds = 0;
              const all = Promise.all(settled);
              let isDone = false;
              void all.then(() => {
                isDone = true;
              });
              while (!isDone) {
                assert.ok(++rounds < 10_000, 'the saves never settled');
                await store.commitOne();
                await turn();
              }
              for (const key of KEYS) {
                const acknowledged = (outcomes.get(key) ?? []).filter((entry) => entry.ok === true);
                const expected = acknowledged.at(-1)?.value;
                assert.equal(await system.snapshots.load(key), expected, `key ${key}`);
              }
            },
            (config) => config.snapshotStore(store),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
