// Workers that crash come back: the four ways a thread ends (throw, rejection, process.exit,
// resourceLimits), restarts with their limit and backoff, dead letters while down, and requests that
// settle when the thread ends under them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ActorPath,
  type DeadLetter,
  type KompactSystem,
  type SupervisionEvent,
  type WorkerRestart,
  type WorkerSystem,
} from '../src/index.js';
import { withSystem } from '../src/testing/index.js';
import { isKompactError } from './support/errors.js';
import { startNamedProbe } from './support/probes.js';
import { within } from './support/promises.js';
import { RemoteCounter } from './support/workers/remote-counter.js';

const PROBE_WORKER = new URL('./support/workers/probe-worker.js', import.meta.url);

/** Starting a thread takes about a second on a loaded machine: generous deadlines. */
const THREAD_MS = 60_000;

type WorkerEvent = Extract<SupervisionEvent, { kind: `worker-${string}` }>;

/** Every worker supervision event of `system`, and a wait for the next one of a kind. */
function watchWorkers(system: KompactSystem) {
  const events: WorkerEvent[] = [];
  const waiters: { kind: WorkerEvent['kind']; from: number; resolve: (event: WorkerEvent) => void }[] = [];
  for (const kind of ['worker-fault', 'worker-restarted', 'worker-gave-up'] as const) {
    system.supervision.on(kind, (event) => {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.kind === event.kind && events.length > waiter.from) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    });
  }
  return {
    events,
    /** The next event of `kind` from now on. */
    next<K extends WorkerEvent['kind']>(kind: K): Promise<Extract<WorkerEvent, { kind: K }>> {
      const promise = new Promise<WorkerEvent>((resolve) => {
        waiters.push({ kind, from: events.length, resolve });
      });
      return within(promise, THREAD_MS, `a ${kind} event`) as Promise<Extract<WorkerEvent, { kind: K }>>;
    },
  };
}

async function spawnRestarting(system: KompactSystem, restart: WorkerRestart): Promise<WorkerSystem> {
  return within(
    system.spawnWorker(PROBE_WORKER, {
      data: { probes: ['echo'] },
      name: 'unstable',
      restart,
      resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 },
    }),
    THREAD_MS,
    'the worker to spawn',
  );
}

function on(worker: WorkerSystem, rest: string): ActorPath {
  return ActorPath.parse(`${worker.systemPath().toString()}${rest}`);
}

describe('worker faults', () => {
  it('restarts a worker killed four ways (throw, rejection, exit, out of memory); its aliases answer again', async () => {
    await withSystem(async (system) => {
      const watch = watchWorkers(system);
      const worker = await spawnRestarting(system, { maxRestarts: 10, withinMs: 600_000 });
      const { probe, component } = await startNamedProbe(system, 'client');
      const expected = [
        ['throw', 'uncaught', /saboteur threw/],
        ['reject', 'uncaught', /saboteur rejected/],
        ['exit', 'exit', /code 3/],
        ['oom', 'out-of-memory', /out of memory/],
      ] as const;
      let answers = 0;
      for (const [command, cause, description] of expected) {
        const firstThread = worker.threadId;
        const fault = watch.next('worker-fault');
        const restarted = watch.next('worker-restarted');
        on(worker, '/saboteur').tell(command, component);
        const event = await fault;
        assert.equal(event.cause.kind, cause, `the cause of '${command}'`);
        assert.match(event.description, description);
        assert.equal(event.threadId, firstThread);
        assert.equal(event.willRestart, true);
        assert.ok(event.systemPath.equals(worker.systemPath()));
        await restarted;
        assert.notEqual(worker.threadId, firstThread, 'a new thread');
        assert.equal(worker.state, 'up');
        on(worker, '/echo').tell(`echo after-${command}`, component);
        answers++;
        await probe.waitFor(answers, THREAD_MS);
      }
      assert.deepEqual(probe.texts, [
        'echo:after-throw',
        'echo:after-reject',
        'echo:after-exit',
        'echo:after-oom',
      ]);
      assert.equal(worker.restarts, 4);
    });
  });

  it('gives up past maxRestarts within withinMs; messages to it are then dead letters (worker-down)', async () => {
    await withSystem(async (system) => {
      const watch = watchWorkers(system);
      const worker = await spawnRestarting(system, { maxRestarts: 1, withinMs: 600_000 });
      const restarted = watch.next('worker-restarted');
      on(worker, '/saboteur').tell('exit', system);
      await restarted;
      const gaveUp = watch.next('worker-gave-up');
      on(worker, '/saboteur').tell('exit', system);
      const event = await gaveUp;
      assert.equal(event.restarts, 1);
      assert.match(event.description, /restart limit/);
      assert.equal(worker.state, 'gave-up');
      const faults = watch.events.filter((e) => e.kind === 'worker-fault');
      assert.deepEqual(
        faults.map((e) => e.kind === 'worker-fault' && e.willRestart),
        [true, false],
      );
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      on(worker, '/echo').tell('echo anyone?', system);
      assert.equal(letters[0]?.reason, 'worker-down');
      assert.match(letters[0]?.detail ?? '', /given up/);
    });
  });

  it('waits the backoff before a restart; messages sent meanwhile are dead letters (worker-down)', async () => {
    await withSystem(async (system) => {
      const watch = watchWorkers(system);
      const worker = await spawnRestarting(system, {
        backoff: { initialMs: 1500, maxMs: 1500, factor: 2 },
      });
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      const fault = watch.next('worker-fault');
      const restarted = watch.next('worker-restarted');
      on(worker, '/saboteur').tell('exit', system);
      await fault;
      const faultedAt = performance.now();
      assert.equal(worker.state, 'down');
      on(worker, '/echo').tell('echo while down', system);
      assert.equal(letters.length, 1);
      assert.equal(letters[0]?.reason, 'worker-down');
      assert.match(letters[0]?.detail ?? '', /restarting/);
      await restarted;
      assert.ok(performance.now() - faultedAt >= 1400, 'the restart waited for the backoff');
    });
  });

  it('stays down after a fault without restart options', async () => {
    await withSystem(async (system) => {
      const watch = watchWorkers(system);
      const worker = await within(
        system.spawnWorker(PROBE_WORKER, { data: { probes: ['echo'] } }),
        THREAD_MS,
        'spawn',
      );
      const fault = watch.next('worker-fault');
      on(worker, '/saboteur').tell('throw', system);
      assert.equal((await fault).willRestart, false);
      assert.equal(worker.state, 'down');
    });
  });

  it('rejects a request still waiting when the thread ends with WORKER_DOWN', async () => {
    await withSystem(async (system) => {
      const worker = await within(system.spawnWorker(PROBE_WORKER), THREAD_MS, 'spawn');
      const counter = await within(worker.create(RemoteCounter, 0, true), THREAD_MS, 'create');
      const started = counter.startNotify();
      on(worker, '/saboteur').tell('exit', system);
      await assert.rejects(
        within(started, THREAD_MS, 'startNotify to settle'),
        isKompactError('WORKER_DOWN'),
      );
      await assert.rejects(counter.killNotify(), isKompactError('WORKER_DOWN'));
    });
  });
});
