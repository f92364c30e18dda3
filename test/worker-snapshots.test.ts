// A worker's durable snapshots: a worker module opens its own snapshot store in its thread
// (`defineWorker`'s `snapshotStore`), and a thread that is restarted after a fault resumes from the
// last snapshot its predecessor saved.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ActorPath, defineWorker, type SupervisionEvent } from '../src/index.js';
import { withSystem } from '../src/testing/index.js';
import { isKompactError } from './support/errors.js';
import { startNamedProbe } from './support/probes.js';
import { within } from './support/promises.js';

const DURABLE_WORKER = new URL('./support/workers/durable-worker.js', import.meta.url);
const BROKEN_STORE_WORKER = new URL('./support/workers/broken-store-worker.js', import.meta.url);

/** Starting a thread takes about a second on a loaded machine: generous deadlines. */
const THREAD_MS = 60_000;

describe('worker snapshots', () => {
  it('a restarted worker thread resumes from the snapshot the last thread saved', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'kompact-worker-snapshots-'));
    try {
      await withSystem(async (system) => {
        const worker = await within(
          system.spawnWorker(DURABLE_WORKER, {
            data: { file: join(folder, 'state.db') },
            name: 'durable',
            restart: { maxRestarts: 3, withinMs: 600_000 },
          }),
          THREAD_MS,
          'the worker to spawn',
        );
        const counter = ActorPath.parse(`${worker.systemPath().toString()}/counter`);
        const { probe, component } = await startNamedProbe(system, 'client');
        for (let i = 1; i <= 3; i++) {
          counter.tell('inc', component);
          await probe.waitFor(i, THREAD_MS);
        }
        assert.deepEqual(probe.texts, ['count 1', 'count 2', 'count 3']);
        const firstThread = worker.threadId;
        const restarted = new Promise<SupervisionEvent>((resolve) =>
          system.supervision.on('worker-restarted', resolve),
        );
        counter.tell('exit', component);
        await within(restarted, THREAD_MS, 'the worker to restart');
        assert.notEqual(worker.threadId, firstThread, 'a new thread');
        counter.tell('get', component);
        await probe.waitFor(4, THREAD_MS);
        counter.tell('inc', component);
        await probe.waitFor(5, THREAD_MS);
        assert.deepEqual(probe.texts.slice(3), ['count 3', 'count 4']);
      });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('refuses a snapshotStore that is not a function', () => {
    assert.throws(
      () => defineWorker(async () => {}, { snapshotStore: 'state.db' as never }),
      /Expected `options.snapshotStore` to be a function that opens a store, got/,
    );
  });

  it('fails the spawn with WORKER_SETUP_FAILED when the worker cannot open its store', async () => {
    await withSystem(async (system) => {
      await assert.rejects(
        within(system.spawnWorker(BROKEN_STORE_WORKER), THREAD_MS, 'the spawn to fail'),
        (error: unknown) => {
          isKompactError('WORKER_SETUP_FAILED')(error);
          assert.match(String(error), /snapshot store of worker .* did not open.*the disk is gone/s);
          return true;
        },
      );
    });
  });
});
