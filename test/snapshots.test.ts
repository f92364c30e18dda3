// Snapshots (issue 15, points 1–3 and 5 for any store): the facade `system.snapshots` /
// `ctx.snapshots` over the memory store and over test stores that count, hold back or fail their
// writes. The SQLite store has its own file (sqlite-snapshot-store.test.ts) and crash test.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Component,
  ComponentDefinition,
  type HandlerReturn,
  KompactError,
  type KompactSystem,
  memorySnapshotStore,
  type SaveOutcome,
  SerialisationError,
  Serialisers,
  type SnapshotStore,
  type SnapshotWrite,
} from '../src/index.js';
import { testConfig, withSystem } from '../src/testing/index.js';
import { isKompactError } from './support/errors.js';
import { DEADLINE_MS, deferred, track, within } from './support/promises.js';
import { ofKind, withEnv } from './support/supervision.js';

/** Keeps the thread busy for `ms` milliseconds: a saver's own work after its acknowledgement. */
function work(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the saver's own work
  }
}

/**
 * `count` saves whose savers each work 20 µs once acknowledged; `continuedBeforeImmediate()` says how
 * many savers had continued when the event loop first turned after the first one did.
 */
function busySaves(
  system: KompactSystem,
  count: number,
): { readonly saves: Promise<void>[]; continuedBeforeImmediate(): number | undefined } {
  let continued = 0;
  let before: number | undefined;
  const saves = Array.from({ length: count }, (_, i) =>
    system.snapshots.save(`k${i}`, i).then(() => {
      if (continued++ === 0) {
        setImmediate(() => {
          before = continued;
        });
      }
      work(0.02);
    }),
  );
  return { saves, continuedBeforeImmediate: () => before };
}

/** A memory store that records each batch it was given and can hold back or fail the next write. */
class ProbeStore implements SnapshotStore {
  readonly batches: SnapshotWrite[][] = [];
  readonly inner = memorySnapshotStore();
  /** When set, the next write waits for this promise (and clears it). */
  hold: Promise<void> | undefined;
  /** When set, every write waits for this promise. */
  gate: Promise<void> | undefined;
  /** When set, writes reject with this error. */
  failWith: Error | undefined;
  isClosed = false;

  async write(batch: readonly SnapshotWrite[]): Promise<void> {
    this.batches.push([...batch]);
    const hold = this.hold;
    this.hold = undefined;
    if (hold !== undefined) await hold;
    if (this.gate !== undefined) await this.gate;
    if (this.failWith !== undefined) throw this.failWith;
    await this.inner.write(batch);
  }

  load(key: string): Promise<Uint8Array | undefined> {
    return this.inner.load(key);
  }

  keys(prefix?: string): AsyncIterable<string> {
    return this.inner.keys(prefix);
  }

  async close(): Promise<void> {
    this.isClosed = true;
    await this.inner.close();
  }
}

/** Saves `{ n }` under its key for every number it is sent, and reports each save's outcome. */
class Saver extends ComponentDefinition<number> {
  readonly outcomes: unknown[] = [];
  constructor(readonly key: string) {
    super();
  }
  override async receiveLocal(n: number): Promise<void> {
    try {
      await this.ctx.snapshots.save(this.key, { n });
      this.outcomes.push('ok');
    } catch (error) {
      this.outcomes.push(error);
      throw error; // the component decides: this one faults
    }
  }
}

describe('Snapshots over the memory store', () => {
  it('saves, loads and deletes plain data through system.snapshots', async () => {
    await withSystem(async (system) => {
      const value = { name: 'counter', count: 7, tags: ['a', 'b'], nested: { ok: true, ratio: 0.5 } };
      await system.snapshots.save('c/1', value);
      assert.deepEqual(await system.snapshots.load('c/1'), value);
      await system.snapshots.save('c/2', [1, 'two', 3]);
      await system.snapshots.save('other', 'text');
      const keys: string[] = [];
      for await (const key of system.snapshots.keys('c/')) keys.push(key);
      assert.deepEqual(keys.sort(), ['c/1', 'c/2']);
      await system.snapshots.delete('c/1');
      assert.equal(await system.snapshots.load('c/1'), undefined);
      assert.equal(await system.snapshots.load('never-saved'), undefined);
      assert.equal(await system.snapshots.load('other'), 'text');
    });
  });

  it('keeps the value as it was when save was called', async () => {
    await withSystem(async (system) => {
      const state = { count: 1 };
      const saved = system.snapshots.save('k', state);
      state.count = 2;
      await saved;
      assert.deepEqual(await system.snapshots.load('k'), { count: 1 });
    });
  });

  it('round-trips with a given serialiser and refuses to load it with another', async () => {
    await withSystem(async (system) => {
      await system.snapshots.save('s', 'hello', Serialisers.string);
      assert.equal(await system.snapshots.load('s', Serialisers.string), 'hello');
      await assert.rejects(system.snapshots.load('s'), (error: unknown) => {
        assert.ok(error instanceof SerialisationError);
        assert.match(error.message, /saved with serId 9, not with the given serialiser's 12/);
        return true;
      });
    });
  });

  it('is the same object as ctx.snapshots of every component', async () => {
    await withSystem(async (system) => {
      const saver = system.create(() => new Saver('from-component'));
      await system.startNotify(saver);
      assert.equal(
        saver.onDefinition((definition) => definition.ctx.snapshots),
        system.snapshots,
      );
      saver.actorRef().tell(5);
      await within(
        (async () => {
          while (saver.onDefinition((d) => d.outcomes.length) === 0)
            await new Promise((r) => setImmediate(r));
        })(),
        DEADLINE_MS,
        'the component saving its snapshot',
      );
      assert.deepEqual(await system.snapshots.load('from-component'), { n: 5 });
    });
  });

  it('lets a replacement started by the recovery function resume from the last acknowledged snapshot', async () => {
    /** Counts messages, saving each count; a `crash` faults it. The replacement loads the count. */
    class Tally extends ComponentDefinition<'add' | 'crash'> {
      count = 0;
      override async onStart(): Promise<void> {
        this.count = (await this.ctx.snapshots.load<number>('tally')) ?? 0;
        this.ctx.setRecoveryFunction((fault) =>
          fault.recoverWith((_fault, system) => {
            replacement = system.create(() => new Tally());
            system.start(replacement);
          }),
        );
      }
      override receiveLocal(message: 'add' | 'crash'): Promise<void> {
        if (message === 'crash') throw new Error('crash');
        this.count += 1;
        return this.ctx.snapshots.save('tally', this.count);
      }
    }
    let replacement: Component<Tally> | undefined;
    await withEnv(async ({ system, events }) => {
      const tally = system.create(() => new Tally());
      await system.startNotify(tally);
      for (let i = 0; i < 3; i++) tally.actorRef().tell('add');
      await within(
        (async () => {
          while ((await system.snapshots.load('tally')) !== 3) await new Promise((r) => setImmediate(r));
        })(),
        DEADLINE_MS,
        'three acknowledged saves',
      );
      tally.actorRef().tell('crash');
      await within(
        (async () => {
          while (
            ofKind(events, 'recovered').length === 0 ||
            replacement?.onDefinition((d) => d.count) !== 3
          ) {
            await new Promise((r) => setImmediate(r));
          }
        })(),
        DEADLINE_MS,
        'the replacement loading the count',
      );
      assert.equal(
        replacement?.onDefinition((d) => d.count),
        3,
      );
    });
  });

  it('refuses bad arguments with the argument-error shape', async () => {
    await withSystem(async (system) => {
      assert.throws(() => system.snapshots.save('', 1), /Expected `key` to be a non-empty string, got/);
      assert.throws(
        () => system.snapshots.save(42 as unknown as string, 1),
        /Expected `key` to be a non-empty string, got `42` \(number\)/,
      );
      assert.throws(
        () => system.snapshots.save('k', 1, {} as never),
        /Expected `serialiser` to be a Serialiser, got/,
      );
      const cyclic: { self?: unknown } = {};
      cyclic.self = cyclic;
      assert.throws(() => system.snapshots.save('k', cyclic), SerialisationError);
      assert.throws(
        () => testConfig().snapshotStore({} as never),
        /Expected `store` to be a SnapshotStore \(write, load, keys, close\), got/,
      );
    });
  });
});

describe('Group commit', () => {
  it('commits the saves of one turn in one write', async () => {
    const store = new ProbeStore();
    await withSystem(
      async (system) => {
        const saves = [];
        for (let i = 0; i < 50; i++) saves.push(system.snapshots.save(`k${i}`, i));
        await within(Promise.all(saves), DEADLINE_MS, 'the 50 saves');
        assert.equal(store.batches.length, 1);
        assert.equal(store.batches[0]?.length, 50);
      },
      (config) => config.snapshotStore(store),
    );
  });

  it('hands the store each key of a turn once, with its last value, whatever the sizes before it', async () => {
    const store = new ProbeStore();
    await withSystem(
      async (system) => {
        const cyclic: { self?: unknown } = {};
        cyclic.self = cyclic;
        const saves = [
          system.snapshots.save('a', 'x'.repeat(5000)), // more than a batch's first buffer holds
          system.snapshots.save('b', 1),
          system.snapshots.save('a', 'short'),
          system.snapshots.delete('b'),
          system.snapshots.save('c', [1, 2]),
        ];
        assert.throws(() => system.snapshots.save('d', cyclic), SerialisationError);
        saves.push(system.snapshots.save('e', { e: 5 }));
        await within(Promise.all(saves), DEADLINE_MS, 'the saves of one turn');
        assert.equal(store.batches.length, 1);
        assert.deepEqual(
          store.batches[0]?.map((change) => `${change.kind} ${change.key}`),
          ['save a', 'delete b', 'save c', 'save e'],
        );
        assert.equal(await system.snapshots.load('a'), 'short');
        assert.equal(await system.snapshots.load('b'), undefined);
        assert.deepEqual(await system.snapshots.load('c'), [1, 2]);
        assert.equal(await system.snapshots.load('d'), undefined);
        assert.deepEqual(await system.snapshots.load('e'), { e: 5 });
      },
      (config) => config.snapshotStore(store),
    );
  });

  it('releases the saves of a large batch across turns of the event loop, not in one burst', async () => {
    const store = new ProbeStore();
    await withSystem(
      async (system) => {
        const gate = deferred();
        store.hold = gate.promise;
        // One write of 300 saves, whose savers each work 20 µs once acknowledged: 6 ms in all.
        const { saves, continuedBeforeImmediate } = busySaves(system, 300);
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(store.batches.length, 1);
        assert.equal(store.batches[0]?.length, 300);
        gate.resolve();
        await within(Promise.all(saves), DEADLINE_MS, 'the 300 saves');
        const before = continuedBeforeImmediate();
        assert.ok(
          before !== undefined && before < 300,
          `the event loop turned before the last saver continued (after ${before} of 300)`,
        );
      },
      (config) => config.snapshotStore(store),
    );
  });

  it('releases the saves of many batches acknowledged together across turns of the event loop', async () => {
    // Twenty writes in flight at once, all acknowledged in one turn (as a worker's queued replies are):
    // each batch alone is cheap to release, together they are not.
    const store = Object.assign(new ProbeStore(), { maxBatchSize: 50, maxWritesInFlight: 20 });
    await withSystem(
      async (system) => {
        const gate = deferred();
        store.gate = gate.promise;
        // 20 batches of 50 saves, whose savers each work 20 µs once acknowledged: 20 ms in all.
        const { saves, continuedBeforeImmediate } = busySaves(system, 1000);
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(store.batches.length, 20, 'all 20 batches are in flight');
        gate.resolve();
        await within(Promise.all(saves), DEADLINE_MS, 'the 1,000 saves');
        const before = continuedBeforeImmediate();
        assert.ok(
          before !== undefined && before < 1000,
          `the event loop turned before the last saver continued (after ${before} of 1000)`,
        );
      },
      (config) => config.snapshotStore(store),
    );
  });

  it('runs one window of released savers between two ticks of a 1 ms timer, also when I/O acknowledges', async () => {
    // Twelve writes in flight, acknowledged together from an I/O callback (the poll phase, where a
    // worker's replies arrive). Each saver works 1.5 ms once acknowledged, more than a window's 1 ms,
    // so each window runs exactly one of them (whatever the machine's load): a window opened in the
    // poll phase must not run on into a second one in the check phase of the same turn of the event
    // loop, before the timers run again.
    const store = Object.assign(new ProbeStore(), { maxBatchSize: 1, maxWritesInFlight: 12 });
    await withSystem(
      async (system) => {
        const gate = deferred();
        store.gate = gate.promise;
        let continued = 0;
        const saves = Array.from({ length: 12 }, (_, i) =>
          system.snapshots.save(`k${i}`, i).then(() => {
            continued++;
            work(1.5);
          }),
        );
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(store.batches.length, 12, 'all 12 batches are in flight');
        const perTick: number[] = [];
        let atLastTick = 0;
        const ticker = setInterval(() => {
          perTick.push(continued - atLastTick);
          atLastTick = continued;
        }, 1);
        const { port1, port2 } = new MessageChannel();
        try {
          port1.once('message', () => gate.resolve());
          port2.postMessage('acknowledged');
          await within(Promise.all(saves), DEADLINE_MS, 'the 12 saves');
        } finally {
          clearInterval(ticker);
          port1.close();
        }
        perTick.push(continued - atLastTick);
        assert.ok(
          perTick.every((count) => count <= 1),
          `one saver (one window) at most between two ticks: ${perTick.join(' ')}`,
        );
      },
      (config) => config.snapshotStore(store),
    );
  });

  it('acknowledges a later batch only after every save of an earlier one, however it is sliced', async () => {
    const store = new ProbeStore();
    await withSystem(
      async (system) => {
        const gate = deferred();
        store.hold = gate.promise;
        const order: string[] = [];
        // The first batch: 200 saves whose savers work 20 µs each, so it is released over several turns.
        const first = Array.from({ length: 200 }, (_, i) =>
          system.snapshots.save(`a${i}`, i).then(() => {
            order.push('first');
            work(0.02);
          }),
        );
        await new Promise((resolve) => setImmediate(resolve));
        // The second batch commits at once (the store is a memory store) while the first is released.
        const second = system.snapshots.save('b', 1).then(() => order.push('second'));
        gate.resolve();
        await within(Promise.all([...first, second]), DEADLINE_MS, 'both batches');
        assert.equal(store.batches.length, 2);
        assert.equal(
          order.indexOf('second'),
          200,
          'the second batch is acknowledged after all 200 of the first',
        );
      },
      (config) => config.snapshotStore(store),
    );
  });

  it('lets saves made while a write is in flight join the next write', async () => {
    const store = new ProbeStore();
    await withSystem(
      async (system) => {
        const gate = deferred();
        store.hold = gate.promise;
        const first = track(system.snapshots.save('a', 1));
        await new Promise((resolve) => setImmediate(resolve)); // the first write is now in flight
        assert.equal(store.batches.length, 1);
        const later = [
          system.snapshots.save('b', 2),
          system.snapshots.save('c', 3),
          system.snapshots.save('a', 4),
        ];
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(store.batches.length, 1, 'nothing else is written while a write is in flight');
        assert.equal(first.settled, false, 'a save resolves only once its write did');
        gate.resolve();
        await within(Promise.all(later), DEADLINE_MS, 'the saves of the second write');
        assert.equal(store.batches.length, 2);
        assert.deepEqual(
          store.batches[1]?.map((change) => change.key),
          ['b', 'c', 'a'],
        );
        assert.equal(await system.snapshots.load('a'), 4);
      },
      (config) => config.snapshotStore(store),
    );
  });

  it('keeps the last acknowledged save of a key under concurrent saves', async () => {
    const store = new ProbeStore();
    await withSystem(
      async (system) => {
        let lastAcknowledged = -1;
        const saves: Promise<void>[] = [];
        for (let i = 0; i < 200; i++) {
          saves.push(
            system.snapshots.save('one-key', i).then(() => {
              lastAcknowledged = Math.max(lastAcknowledged, i);
            }),
          );
          // Spread the saves over several writes.
          if (i % 37 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
        await within(Promise.all(saves), DEADLINE_MS, 'the 200 saves');
        assert.ok(store.batches.length > 1, 'the saves were spread over several writes');
        assert.equal(lastAcknowledged, 199);
        assert.equal(await system.snapshots.load('one-key'), 199);
      },
      (config) => config.snapshotStore(store),
    );
  });

  it('splits a long queue of saves into writes of at most maxBatchSize', async () => {
    const store = Object.assign(new ProbeStore(), { maxBatchSize: 10 });
    await withSystem(
      async (system) => {
        const saves = [];
        for (let i = 0; i < 35; i++) saves.push(system.snapshots.save(`k${i}`, i));
        await within(Promise.all(saves), DEADLINE_MS, 'the 35 saves');
        assert.deepEqual(
          store.batches.map((batch) => batch.length),
          [10, 10, 10, 5],
        );
      },
      (config) => config.snapshotStore(store),
    );
  });

  it('hands a store that takes two writes in flight the next batch while the first commits', async () => {
    const store = Object.assign(new ProbeStore(), { maxWritesInFlight: 2 });
    await withSystem(
      async (system) => {
        const gate = deferred();
        store.hold = gate.promise;
        const first = system.snapshots.save('a', 1);
        await new Promise((resolve) => setImmediate(resolve));
        store.hold = gate.promise;
        const second = system.snapshots.save('b', 2);
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(store.batches.length, 2, 'the second batch went while the first was in flight');
        const third = system.snapshots.save('c', 3);
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(store.batches.length, 2, 'no more than two writes in flight');
        gate.resolve();
        await within(Promise.all([first, second, third]), DEADLINE_MS, 'the three saves');
        assert.deepEqual(
          store.batches.map((batch) => batch.map((change) => change.key)),
          [['a'], ['b'], ['c']],
        );
      },
      (config) => config.snapshotStore(store),
    );
  });

  it('lets load wait for a pending save of its key also among many keys saved once', async () => {
    // Thousands of keys, each saved once: the facade forgets the places of settled keys now and then
    // (it keeps them per key, across batches), and must still find the pending ones.
    const store = Object.assign(new ProbeStore(), { maxBatchSize: 100 });
    await withSystem(
      async (system) => {
        for (let round = 1; round <= 30; round++) {
          const gate = deferred();
          store.hold = gate.promise; // the write with the save of x
          const saves = [system.snapshots.save('x', round)];
          for (let i = 0; i < 1000; i++) saves.push(system.snapshots.save(`k${round}/${i}`, i));
          const loaded = system.snapshots.load('x');
          const loading = track(loaded);
          await new Promise((resolve) => setImmediate(resolve));
          assert.equal(loading.settled, false, `round ${round}: load waits for the save of x`);
          gate.resolve();
          await within(Promise.all(saves), DEADLINE_MS, `the saves of round ${round}`);
          assert.equal(await within(loaded, DEADLINE_MS, `the load of round ${round}`), round);
        }
      },
      (config) => config.snapshotStore(store),
    );
  });

  it('hands a store full batches beyond two writes in flight, and a batch that can still grow only below two', async () => {
    const store = Object.assign(new ProbeStore(), { maxWritesInFlight: 4, maxBatchSize: 2 });
    await withSystem(
      async (system) => {
        const gate = deferred();
        store.gate = gate.promise;
        const saves = [];
        for (let i = 0; i < 7; i++) saves.push(system.snapshots.save(`k${i}`, i));
        await new Promise((resolve) => setImmediate(resolve));
        const keys = (): string[][] => store.batches.map((batch) => batch.map((change) => change.key));
        assert.deepEqual(keys(), [
          ['k0', 'k1'],
          ['k2', 'k3'],
          ['k4', 'k5'],
        ]);
        saves.push(system.snapshots.save('k7', 7));
        await new Promise((resolve) => setImmediate(resolve));
        assert.deepEqual(keys().at(-1), ['k6', 'k7'], 'the last batch went once it was full');
        saves.push(system.snapshots.save('k8', 8));
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(store.batches.length, 4, 'no more than maxWritesInFlight writes');
        gate.resolve();
        await within(Promise.all(saves), DEADLINE_MS, 'the saves');
        assert.deepEqual(keys().at(-1), ['k8']);
      },
      (config) => config.snapshotStore(store),
    );
  });

  it('lets load wait for a pending save of its key', async () => {
    const store = new ProbeStore();
    await withSystem(
      async (system) => {
        const gate = deferred();
        store.hold = gate.promise;
        void system.snapshots.save('k', 'new');
        const loaded = track(system.snapshots.load('k'));
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(loaded.settled, false, 'load waits for the save in flight');
        gate.resolve();
        assert.equal(await within(system.snapshots.load('k'), DEADLINE_MS, 'the load'), 'new');
      },
      (config) => config.snapshotStore(store),
    );
  });
});

describe('A failing snapshot store', () => {
  it('rejects the saves of the failed write with SNAPSHOT_FAILED and its cause, and keeps the system working', async () => {
    const store = new ProbeStore();
    await withEnv(
      async ({ system, lines }) => {
        const diskFull = Object.assign(new Error('SQLITE_FULL: database or disk is full'), {
          code: 'SQLITE_FULL',
        });
        store.failWith = diskFull;
        await assert.rejects(system.snapshots.save('k', 1), (error: unknown) => {
          assert.ok(error instanceof KompactError);
          assert.equal(error.code, 'SNAPSHOT_FAILED');
          assert.equal(error.cause, diskFull);
          assert.match(error.message, /Could not save 1 snapshot change\(s\) \(k\): .*disk is full/);
          return true;
        });
        assert.ok(
          lines.some((line) => /Could not save 1 snapshot change/.test(line.msg)),
          'the failure is logged',
        );
        store.failWith = undefined;
        await system.snapshots.save('k', 2);
        assert.equal(await system.snapshots.load('k'), 2);
      },
      (config) => config.snapshotStore(store),
    );
  });

  it('rejects the saves of a write that throws instead of rejecting, and commits the next batch', async () => {
    const store = new ProbeStore();
    const locked = new Error('database is locked');
    const throwing: SnapshotStore = {
      write: (batch) => {
        if (batch.some((change) => change.key === 'bad')) throw locked;
        return store.write(batch);
      },
      load: (key) => store.load(key),
      keys: (prefix) => store.keys(prefix),
      close: () => store.close(),
    };
    await withEnv(
      async ({ system }) => {
        const saves = [system.snapshots.save('bad', 1), system.snapshots.save('other', 1)];
        for (const save of saves) {
          await assert.rejects(within(save, DEADLINE_MS, 'the rejected save'), (error: unknown) => {
            assert.ok(error instanceof KompactError);
            assert.equal(error.code, 'SNAPSHOT_FAILED');
            assert.equal(error.cause, locked);
            return true;
          });
        }
        await within(system.snapshots.save('other', 2), DEADLINE_MS, 'the next save');
        assert.equal(await system.snapshots.load('other'), 2);
      },
      (config) => config.snapshotStore(throwing),
    );
  });

  it('lets a component whose save failed fault while the system keeps running', async () => {
    const store = new ProbeStore();
    await withEnv(
      async ({ system, events }) => {
        store.failWith = new Error('database is locked');
        const saver = system.create(() => new Saver('k'));
        await system.startNotify(saver);
        saver.actorRef().tell(1);
        await within(
          (async () => {
            while (ofKind(events, 'fault').length === 0) await new Promise((r) => setImmediate(r));
          })(),
          DEADLINE_MS,
          'the fault of the component whose save failed',
        );
        const outcome = saver.onDefinition((d) => d.outcomes[0]);
        assert.ok(outcome instanceof KompactError && outcome.code === 'SNAPSHOT_FAILED');
        store.failWith = undefined;
        const other = system.create(() => new Saver('other'));
        await system.startNotify(other);
        await system.snapshots.save('still', 'working');
        assert.equal(await system.snapshots.load('still'), 'working');
      },
      (config) => config.snapshotStore(store),
    );
  });
});

describe('Shutdown with pending saves', () => {
  it('commits pending saves, then closes the store, and refuses saves afterwards', async () => {
    const store = new ProbeStore();
    const system = await testConfig().snapshotStore(store).build();
    const gate = deferred();
    store.hold = gate.promise;
    const first = system.snapshots.save('a', 1);
    await new Promise((resolve) => setImmediate(resolve));
    const second = system.snapshots.save('b', 2);
    const shutdown = track(system.shutdown());
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(shutdown.settled, false, 'shutdown waits for the write in flight');
    assert.equal(store.isClosed, false);
    gate.resolve();
    await within(system.shutdown(), DEADLINE_MS, 'shutdown');
    await first;
    await second;
    assert.equal(store.batches.length, 2, 'the pending save was written before the store closed');
    assert.equal(store.isClosed, true);
    await assert.rejects(system.snapshots.save('c', 3), isKompactError('SNAPSHOT_STORE_CLOSED'));
    await assert.rejects(system.snapshots.load('a'), isKompactError('SNAPSHOT_STORE_CLOSED'));
  });

  it('rejects saves a hanging store has not acknowledged once the shutdown grace period is over', async () => {
    const store = new ProbeStore();
    const system = await testConfig().snapshotStore(store).shutdownGraceMs(50).build();
    store.hold = new Promise(() => {}); // a write that never settles
    const hanging = system.snapshots.save('a', 1);
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = system.snapshots.save('b', 2);
    await within(system.shutdown(), DEADLINE_MS, 'shutdown with a hanging store');
    for (const save of [hanging, waiting]) {
      await assert.rejects(save, (error: unknown) => {
        assert.ok(error instanceof KompactError);
        assert.equal(error.code, 'SNAPSHOT_STORE_CLOSED');
        assert.match(error.message, /shutdown waited 50 ms for the snapshot store/);
        return true;
      });
    }
    assert.equal(store.batches.length, 1, 'the waiting save was never handed to the store');
  });

  it('commits what a component saves in onKill', async () => {
    const store = new ProbeStore();
    class SavesOnKill extends ComponentDefinition {
      override onKill(): HandlerReturn {
        return this.ctx.snapshots.save('last-words', 'bye');
      }
    }
    const system = await testConfig().snapshotStore(store).build();
    await system.startNotify(system.create(() => new SavesOnKill()));
    await within(system.shutdown(), DEADLINE_MS, 'shutdown');
    assert.deepEqual(
      store.batches.flat().map((change) => change.key),
      ['last-words'],
    );
  });
});

/**
 * Saves `{ n }` under its key with `ctx.saveSnapshot` for every number it is sent; records, per
 * callback, the outcome, the definition it ran on and whether its handler had returned.
 */
class CallbackSaver extends ComponentDefinition<number> {
  readonly seen: { n: number; outcome: SaveOutcome; self: unknown }[] = [];
  inHandler = false;
  /** Saves this many more after each acknowledged one (each from the callback of the last). */
  chain = 0;
  /** When set, the callback throws a failed save's error. */
  throwOnFailure = false;
  /** When set, each callback appends the key here. */
  log: string[] | undefined;

  constructor(readonly key: string) {
    super();
  }

  override receiveLocal(n: number): void {
    this.inHandler = true;
    this.#save(n);
    this.inHandler = false;
  }

  #save(n: number): void {
    const saver = this;
    this.ctx.saveSnapshot(this.key, { n }, function (this: unknown, outcome) {
      assert.equal(saver.inHandler, false, 'the callback runs in a turn of its own');
      saver.seen.push({ n, outcome, self: this });
      saver.log?.push(saver.key);
      if (outcome.kind === 'failed' && saver.throwOnFailure) throw outcome.error;
      if (outcome.kind === 'saved' && saver.chain > 0) {
        saver.chain--;
        saver.#save(n + 1);
      }
    });
  }
}

/** A started CallbackSaver under `key`, and its definition. */
async function startedSaver(
  system: KompactSystem,
  key: string,
): Promise<{ saver: Component<CallbackSaver>; definition: CallbackSaver }> {
  let made: CallbackSaver | undefined;
  const saver = system.create(() => {
    made = new CallbackSaver(key);
    return made;
  });
  await system.startNotify(saver);
  return { saver, definition: made as CallbackSaver };
}

/**
 * A started CallbackSaver under `key` told `n`, whose save the store holds (its write has begun) until
 * `gate` is resolved.
 */
async function heldSave(
  system: KompactSystem,
  store: ProbeStore,
  key: string,
  n: number,
): Promise<{ saver: Component<CallbackSaver>; definition: CallbackSaver; gate: { resolve: () => void } }> {
  const { saver, definition } = await startedSaver(system, key);
  const gate = deferred();
  store.hold = gate.promise;
  saver.actorRef().tell(n);
  while (store.batches.length === 0) await new Promise((r) => setImmediate(r));
  return { saver, definition, gate };
}

async function untilSeen(saver: Component<CallbackSaver>, count: number, what: string): Promise<void> {
  await within(
    (async () => {
      while (saver.onDefinition((d) => d.seen.length) < count) await new Promise((r) => setImmediate(r));
    })(),
    DEADLINE_MS,
    what,
  );
}

describe('Saves acknowledged in a turn (ctx.saveSnapshot)', () => {
  it('runs onSaved on the definition, in its own turn, once the save is durable and not before', async () => {
    const store = new ProbeStore();
    await withEnv(
      async ({ system }) => {
        const { saver, definition, gate } = await heldSave(system, store, 'k', 1);
        await new Promise((r) => setTimeout(r, 5));
        assert.equal(definition.seen.length, 0, 'not told before the write settled');
        gate.resolve();
        await untilSeen(saver, 1, 'the callback');
        const [seen] = definition.seen;
        assert.deepEqual(seen?.outcome, { kind: 'saved' });
        assert.equal(seen?.self, definition, '`this` is the definition');
        assert.deepEqual(await system.snapshots.load('k'), { n: 1 });
      },
      (config) => config.snapshotStore(store),
    );
  });

  it('chains saves from its callbacks, in order, the store ending with the last', async () => {
    await withEnv(async ({ system }) => {
      const savers = await Promise.all(Array.from({ length: 50 }, (_, i) => startedSaver(system, `c/${i}`)));
      for (const { saver, definition } of savers) {
        definition.chain = 9;
        saver.actorRef().tell(1);
      }
      for (const { saver } of savers) await untilSeen(saver, 10, 'ten acknowledged saves');
      for (const [i, { definition }] of savers.entries()) {
        assert.deepEqual(
          definition.seen.map((s) => [s.n, s.outcome.kind]),
          Array.from({ length: 10 }, (_, k) => [k + 1, 'saved']),
        );
        assert.deepEqual(await system.snapshots.load(`c/${i}`), { n: 10 });
      }
    });
  });

  it('tells callbacks in commit order: a later batch only after every save of an earlier one', async () => {
    const store = new ProbeStore();
    await withEnv(
      async ({ system }) => {
        const first = await Promise.all(Array.from({ length: 150 }, (_, i) => startedSaver(system, `a${i}`)));
        const second = await startedSaver(system, 'b');
        const order: string[] = [];
        for (const { definition } of [...first, second]) definition.log = order;
        const gate = deferred();
        store.hold = gate.promise;
        for (const { saver } of first) saver.actorRef().tell(1);
        while (store.batches.length === 0) await new Promise((r) => setImmediate(r));
        second.saver.actorRef().tell(1); // joins the next write, which waits for the first
        await new Promise((r) => setTimeout(r, 5));
        gate.resolve();
        await untilSeen(second.saver, 1, 'the later save');
        assert.equal(order.length, 151, 'every callback ran');
        assert.equal(order.at(-1), 'b', 'the later batch is told last');
      },
      (config) => config.snapshotStore(store),
    );
  });

  it('tells a failed save as failed with SNAPSHOT_FAILED and its cause; a callback that throws faults the component', async () => {
    const store = new ProbeStore();
    await withEnv(
      async ({ system, events }) => {
        const locked = new Error('database is locked');
        store.failWith = locked;
        const saver = system.create(() => new CallbackSaver('k'));
        await system.startNotify(saver);
        saver.onDefinition((d) => {
          d.throwOnFailure = true;
        });
        saver.actorRef().tell(1);
        await untilSeen(saver, 1, 'the failed save');
        const [seen] = saver.onDefinition((d) => d.seen);
        assert.equal(seen?.outcome.kind, 'failed');
        const error = seen?.outcome.kind === 'failed' ? seen.outcome.error : undefined;
        assert.ok(error instanceof KompactError);
        assert.equal(error.code, 'SNAPSHOT_FAILED');
        assert.equal(error.cause, locked);
        await within(
          (async () => {
            while (ofKind(events, 'fault').length === 0) await new Promise((r) => setImmediate(r));
          })(),
          DEADLINE_MS,
          'the fault',
        );
        assert.equal(saver.isFaulty(), true);
        store.failWith = undefined;
        const other = system.create(() => new CallbackSaver('other'));
        await system.startNotify(other);
        other.actorRef().tell(2);
        await untilSeen(other, 1, 'the next component’s save');
        assert.deepEqual(await system.snapshots.load('other'), { n: 2 });
      },
      (config) => config.snapshotStore(store),
    );
  });

  it('still commits the save of a component that was killed before its acknowledgement, and tells nobody', async () => {
    const store = new ProbeStore();
    await withEnv(
      async ({ system }) => {
        const { saver, definition, gate } = await heldSave(system, store, 'k', 7);
        await system.killNotify(saver);
        gate.resolve();
        await system.snapshots.flush();
        await new Promise((r) => setTimeout(r, 5));
        assert.equal(definition.seen.length, 0);
        assert.deepEqual(await system.snapshots.load('k'), { n: 7 });
      },
      (config) => config.snapshotStore(store),
    );
  });

  it('does not hold shutdown for a hanging store while a component waits in onKill for its callback', async () => {
    const store = new ProbeStore();
    const system = await testConfig().snapshotStore(store).shutdownGraceMs(50).build();
    const outcomes: SaveOutcome[] = [];
    class SavesOnKill extends ComponentDefinition {
      override onKill(): HandlerReturn {
        return new Promise<void>((resolve) => {
          this.ctx.saveSnapshot('last-words', 'bye', (outcome) => {
            outcomes.push(outcome);
            resolve();
          });
        });
      }
    }
    store.hold = new Promise(() => {}); // a write that never settles
    await system.startNotify(system.create(() => new SavesOnKill()));
    await within(system.shutdown(), DEADLINE_MS, 'shutdown with a hanging store');
    assert.deepEqual(
      store.batches.flat().map((change) => change.key),
      ['last-words'],
      'the save was handed to the store',
    );
    // The component was destroyed when its kill's grace ran out, before the store was given up on.
    assert.deepEqual(outcomes, []);
  });

  it('refuses bad arguments at once and saves nothing', async () => {
    const store = new ProbeStore();
    await withEnv(
      async ({ system }) => {
        const errors: unknown[] = [];
        class Bad extends ComponentDefinition<string> {
          override receiveLocal(what: string): void {
            const attempt = (f: () => void): void => {
              try {
                f();
              } catch (error) {
                errors.push(error);
              }
            };
            const ok = (): void => {};
            if (what !== 'go') return;
            attempt(() => this.ctx.saveSnapshot('', 1, ok));
            attempt(() => this.ctx.saveSnapshot('k', 1, 'not a function' as never));
            attempt(() => this.ctx.saveSnapshot('k', 1, ok, {} as never));
            attempt(() => this.ctx.saveSnapshot('k', Symbol('no'), ok));
          }
        }
        const bad = system.create(() => new Bad());
        await system.startNotify(bad);
        bad.actorRef().tell('go');
        await within(
          (async () => {
            while (errors.length < 4) await new Promise((r) => setImmediate(r));
          })(),
          DEADLINE_MS,
          'four refusals',
        );
        assert.ok(errors[0] instanceof TypeError && /non-empty string/.test(errors[0].message));
        assert.ok(errors[1] instanceof TypeError && /`onSaved` to be a function/.test(errors[1].message));
        assert.ok(errors[2] instanceof TypeError && /Serialiser/.test(errors[2].message));
        assert.ok(errors[3] instanceof SerialisationError);
        await system.snapshots.flush();
        assert.equal(store.batches.length, 0, 'nothing was saved');
        assert.equal(bad.isFaulty(), false);
      },
      (config) => config.snapshotStore(store),
    );
  });
});
