// Pools of workers and components created on workers by class: a pool's select path (round-robin and
// sender-hash) and broadcast path, worker.create / pool.create / pool.createFor, and their errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type KompactSystem, Serialisers, type WorkerPool } from '../src/index.js';
import { withSystem } from '../src/testing/index.js';
import { isKompactError } from './support/errors.js';
import { startNamedProbe } from './support/probes.js';
import { within } from './support/promises.js';
import { PlainCounter, RemoteCounter } from './support/workers/remote-counter.js';

const PROBE_WORKER = new URL('./support/workers/probe-worker.js', import.meta.url);

/** Starting threads takes about a second each on a loaded machine: generous deadlines. */
const THREAD_MS = 60_000;

function spawnPool(
  system: KompactSystem,
  count: number,
  routing?: 'round-robin' | 'sender-hash',
): Promise<WorkerPool> {
  return within(
    system.spawnWorkers(PROBE_WORKER, {
      count,
      data: { probes: ['echo'] },
      ...(routing === undefined ? {} : { routing }),
    }),
    THREAD_MS,
    `a pool of ${count} to spawn`,
  );
}

describe('WorkerPool paths', () => {
  it('reaches one worker per message in turn with selectPath, and every worker with broadcastPath', async () => {
    await withSystem(async (system) => {
      const pool = await spawnPool(system, 2);
      assert.equal(pool.workers.length, 2);
      const { probe, component } = await startNamedProbe(system, 'client');
      const select = pool.selectPath('echo');
      assert.equal(select.marker, 'select');
      for (let i = 0; i < 4; i++) select.tell(`echo ${i}`, component);
      await probe.waitFor(4, THREAD_MS);
      const [first, second] = pool.workers.map((worker) => worker.systemPath().toString());
      // Replies from two threads interleave in any order; what each worker got shows the turns.
      const textsFrom = (system: string | undefined) =>
        probe.received
          .filter((msg) => msg.sender.system.toString() === system)
          .map((msg) => msg.tryDeserialise(Serialisers.string));
      assert.deepEqual(textsFrom(first), ['echo:0', 'echo:2'], 'the first worker got every other one');
      assert.deepEqual(textsFrom(second), ['echo:1', 'echo:3']);
      pool.broadcastPath('echo').tell('echo all', component);
      await probe.waitFor(6, THREAD_MS);
      assert.deepEqual(
        probe.received
          .slice(4)
          .map((msg) => msg.sender.system.toString())
          .sort(),
        [first, second].sort(),
      );
    });
  });

  it("sends one sender's messages to one worker with sender-hash routing", async () => {
    await withSystem(async (system) => {
      const pool = await spawnPool(system, 2, 'sender-hash');
      const { probe, component } = await startNamedProbe(system, 'client');
      for (let i = 0; i < 4; i++) pool.selectPath('echo').tell(`echo ${i}`, component);
      await probe.waitFor(4, THREAD_MS);
      assert.equal(new Set(probe.received.map((msg) => msg.sender.system.toString())).size, 1);
    });
  });

  it('rejects with the setup error when a worker of the pool fails, and ends the others', async () => {
    await withSystem(async (system) => {
      await assert.rejects(
        within(
          system.spawnWorkers(PROBE_WORKER, { count: 2, data: { failSetup: true } }),
          THREAD_MS,
          'the pool to fail',
        ),
        isKompactError('WORKER_SETUP_FAILED'),
      );
    });
  });

  it('starts kompact.runtime.threads workers when given no count', async () => {
    await withSystem(
      async (system) => {
        const pool = await within(system.spawnWorkers(PROBE_WORKER), THREAD_MS, 'the pool');
        assert.equal(pool.workers.length, 1);
      },
      (config) => config.setValue('kompact.runtime.threads', 1),
    );
  });
});

describe('components on workers by class', () => {
  it('creates a remotable class on a worker with its arguments, and drives its lifecycle', async () => {
    await withSystem(async (system) => {
      const worker = await within(system.spawnWorker(PROBE_WORKER), THREAD_MS, 'spawn');
      const counter = await within(worker.create(RemoteCounter, 41), THREAD_MS, 'create');
      assert.ok(counter.actorPath().system.equals(worker.systemPath()));
      await within(counter.startNotify(), THREAD_MS, 'start');
      const { probe, component } = await startNamedProbe(system, 'client');
      counter.actorPath().tell('inc', component);
      counter.actorPath().tell('count?', component);
      await probe.waitFor(1, THREAD_MS);
      assert.deepEqual(probe.texts, ['count:42']);
      assert.equal(await counter.isFaulty(), false);
      await within(counter.killNotify(), THREAD_MS, 'kill');
    });
  });

  it('refuses a class that is not remotable, and arguments that cannot be cloned', async () => {
    await withSystem(async (system) => {
      const worker = await within(system.spawnWorker(PROBE_WORKER), THREAD_MS, 'spawn');
      await assert.rejects(
        worker.create(PlainCounter),
        (error: Error) =>
          isKompactError('NOT_REMOTABLE')(error) && /remotable\(PlainCounter/.test(error.message),
      );
      await assert.rejects(
        worker.create(RemoteCounter, (() => 1) as unknown as number),
        isKompactError('SERIALISATION_FAILED'),
      );
    });
  });

  it('places one component per key with createFor and returns the same handle for the same key', async () => {
    await withSystem(async (system) => {
      const pool = await spawnPool(system, 2);
      const a = await within(pool.createFor('alice', RemoteCounter, 0), THREAD_MS, 'alice');
      const again = await pool.createFor('alice', RemoteCounter, 0);
      assert.equal(again, a, 'the same handle');
      const b = await within(pool.createFor('bob', RemoteCounter, 0), THREAD_MS, 'bob');
      assert.notEqual(b.id, a.id);
      await within(pool.create(RemoteCounter, 1), THREAD_MS, 'create by load');
    });
  });
});
