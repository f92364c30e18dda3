// The SQLite snapshot store when its worker thread dies (issue 15): the thread that owns the connection
// is terminated, or fails with an uncaught error. What it had pending rejects with SNAPSHOT_FAILED and
// the cause, nothing waits forever, the next request starts a new thread, and shutdown still closes.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { ComponentDefinition, KompactError, type KompactSystem, type SnapshotStore } from '../src/index.js';
import { sqliteSnapshotStore } from '../src/sqlite/index.js';
import { sqliteWorkerOf } from '../src/sqlite/sqlite-snapshot-store.js';
import { testConfig, withSystem } from '../src/testing/index.js';
import { isKompactError } from './support/errors.js';
import { DEADLINE_MS, within } from './support/promises.js';
import { withTempDir } from './support/sqlite.js';

/** Counts the messages it handled: proof that the system still runs components. */
class Counter extends ComponentDefinition<number> {
  count = 0;
  override receiveLocal(n: number): void {
    this.count += n;
  }
}

async function assertSystemRuns(system: KompactSystem): Promise<void> {
  const counter = system.create(() => new Counter());
  await within(system.startNotify(counter), DEADLINE_MS, 'a new component to start');
  counter.actorRef().tell(2);
  counter.actorRef().tell(3);
  await within(
    (async () => {
      while (counter.onDefinition((d) => d.count) < 5) await new Promise((r) => setImmediate(r));
    })(),
    DEADLINE_MS,
    'the new component to handle its messages',
  );
}

function workerOf(store: SnapshotStore): Worker {
  const worker = sqliteWorkerOf(store);
  assert.ok(worker !== undefined, 'the store has a running worker thread');
  return worker;
}

/** Checks a rejection is the store's SNAPSHOT_FAILED naming the dead thread, with the thread's cause. */
function isThreadDeath(how: RegExp, cause: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof KompactError, `a KompactError, got ${String(error)}`);
    assert.equal(error.code, 'SNAPSHOT_FAILED');
    assert.match(error.message, /worker thread of the snapshot database .*state\.db/);
    assert.match(error.message, how);
    assert.ok(error.cause instanceof Error, 'the cause is kept');
    // The facade's error wraps the store's, whose cause is the thread's own error.
    const inner = error.cause instanceof KompactError ? error.cause.cause : error.cause;
    assert.ok(inner instanceof Error);
    assert.match(inner.message, cause);
    return true;
  };
}

describe('sqliteSnapshotStore when its worker thread dies', () => {
  it('rejects the saves a terminated thread had pending, then saves on a new thread', async () => {
    await withTempDir(async (dir) => {
      const store = await sqliteSnapshotStore(join(dir, 'state.db'));
      await withSystem(
        async (system) => {
          await system.snapshots.save('kept', 'before');
          const dying = workerOf(store);
          const exited = new Promise((resolve) => dying.once('exit', resolve));
          // Terminated before the batch is posted (the facade posts on a microtask): the thread never
          // answers it, so only the thread's death can settle these saves.
          const pending = [1, 2, 3].map((n) => system.snapshots.save(`k${n}`, n));
          void dying.terminate();
          for (const save of pending) {
            await within(
              assert.rejects(save, isThreadDeath(/exited with code 1/, /exited with code 1/)),
              DEADLINE_MS,
              'a save pending on the terminated thread to reject',
            );
          }
          await within(exited, DEADLINE_MS, 'the terminated thread to exit');
          await assertSystemRuns(system);
          // The next save starts a new thread on the same file, which kept what was acknowledged.
          await within(system.snapshots.save('k1', 'after'), DEADLINE_MS, 'a save on the new thread');
          assert.notEqual(workerOf(store), dying);
          assert.equal(await system.snapshots.load('k1'), 'after');
          assert.equal(await system.snapshots.load('kept'), 'before');
        },
        (config) => config.snapshotStore(store),
      );
      await assert.rejects(store.load('kept'), isKompactError('SNAPSHOT_STORE_CLOSED'));
    });
  });

  it('rejects pending saves with the uncaught error that killed the thread', async () => {
    await withTempDir(async (dir) => {
      const store = await sqliteSnapshotStore(join(dir, 'state.db'));
      await withSystem(
        async (system) => {
          // A message that is no request: the worker throws it uncaught, and the thread dies.
          workerOf(store).postMessage({ op: 'no-such-op' });
          const pending = system.snapshots.save('k', 1);
          await within(
            assert.rejects(pending, isThreadDeath(/failed: .*no request/, /no request/)),
            DEADLINE_MS,
            'the save pending on the failed thread to reject',
          );
          await assertSystemRuns(system);
          await within(system.snapshots.save('k', 2), DEADLINE_MS, 'a save on the new thread');
          assert.equal(await system.snapshots.load('k'), 2);
        },
        (config) => config.snapshotStore(store),
      );
    });
  });

  it('rejects saves with the cause while a new thread cannot open the database, and recovers once it can', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'state.db');
      const store = await sqliteSnapshotStore(file);
      await withSystem(
        async (system) => {
          const dying = workerOf(store);
          await within(dying.terminate(), DEADLINE_MS, 'the thread to be terminated');
          // The file is no database any more: the new thread's open fails.
          await rm(`${file}-wal`, { force: true });
          await rm(`${file}-shm`, { force: true });
          await writeFile(
            file,
            'this is not a SQLite database, just text that is long enough to have a header',
          );
          await within(
            assert.rejects(system.snapshots.save('k', 1), (error: unknown) => {
              assert.ok(error instanceof KompactError);
              assert.equal(error.code, 'SNAPSHOT_FAILED');
              assert.match(error.message, /Could not start a new worker thread .*file is not a database/);
              return true;
            }),
            DEADLINE_MS,
            'a save while no thread can open the database',
          );
          await rm(file);
          await within(system.snapshots.save('k', 2), DEADLINE_MS, 'a save once the database opens again');
          assert.equal(await system.snapshots.load('k'), 2);
        },
        (config) => config.snapshotStore(store),
      );
    });
  });

  it('closes at shutdown when its thread died and was not started again', async () => {
    await withTempDir(async (dir) => {
      const store = await sqliteSnapshotStore(join(dir, 'state.db'));
      const system = await testConfig().snapshotStore(store).build();
      await system.snapshots.save('k', 1);
      await within(workerOf(store).terminate(), DEADLINE_MS, 'the thread to be terminated');
      await within(system.shutdown(), DEADLINE_MS, 'shutdown after the thread died');
      assert.equal(sqliteWorkerOf(store), undefined);
      await assert.rejects(system.snapshots.save('k', 2), isKompactError('SNAPSHOT_STORE_CLOSED'));
      await assert.rejects(
        store.write([{ kind: 'save', key: 'k', bytes: new Uint8Array(1) }]),
        isKompactError('SNAPSHOT_STORE_CLOSED'),
      );
    });
  });
});
