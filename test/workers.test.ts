// Worker systems: a KompactSystem per worker thread, reached by actor path as if it were a remote
// system. Spawning and its errors, messages across threads in every direction, logs, and shutdown.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { describe, it } from 'node:test';
import { ActorPath, type DeadLetter, type KompactSystem, type WorkerSystem } from '../src/index.js';
import { captureLogs, testConfig, withSystem } from '../src/testing/index.js';
import { isKompactError } from './support/errors.js';
import { INFO, WARN } from './support/logs.js';
import { startNamedProbe } from './support/probes.js';
import { DEADLINE_MS, within } from './support/promises.js';
import type { ProbeWorkerData } from './support/workers/probe-worker.js';

const PROBE_WORKER = new URL('./support/workers/probe-worker.js', import.meta.url);
const NOT_A_WORKER = new URL('./support/workers/not-a-worker.js', import.meta.url);

/** Worker threads start slowly on a loaded machine: a generous deadline for spawning one. */
const SPAWN_MS = 60_000;

function spawn(system: KompactSystem, data: ProbeWorkerData = {}, name?: string): Promise<WorkerSystem> {
  return within(
    system.spawnWorker(PROBE_WORKER, { data, ...(name === undefined ? {} : { name }) }),
    SPAWN_MS,
    'a worker to spawn',
  );
}

function on(worker: WorkerSystem, rest: string): ActorPath {
  return ActorPath.parse(`${worker.systemPath().toString()}${rest}`);
}

describe('spawnWorker', () => {
  it('resolves with a worker system on a thread of its own, at a thread:// path', async () => {
    await withSystem(async (system) => {
      const worker = await spawn(system);
      assert.equal(worker.systemPath().transport, 'thread');
      assert.equal(worker.state, 'up');
      assert.ok(worker.threadId > 0, `a thread id, got ${worker.threadId}`);
      const other = await spawn(system);
      assert.ok(!other.systemPath().equals(worker.systemPath()), 'each worker has its own path');
    });
  });

  it('rejects with WORKER_MODULE_INVALID for a missing module or one without defineWorker', async () => {
    await withSystem(async (system) => {
      await assert.rejects(
        within(
          system.spawnWorker(new URL('./support/workers/no-such-module.js', import.meta.url)),
          SPAWN_MS,
          'spawn',
        ),
        isKompactError('WORKER_MODULE_INVALID'),
      );
      await assert.rejects(
        within(system.spawnWorker(NOT_A_WORKER), SPAWN_MS, 'spawn'),
        (error: Error) =>
          isKompactError('WORKER_MODULE_INVALID')(error) && /defineWorker/.test(error.message),
      );
    });
  });

  it('rejects with WORKER_SETUP_FAILED when the setup throws, naming its error', async () => {
    await withSystem(async (system) => {
      await assert.rejects(
        within(system.spawnWorker(PROBE_WORKER, { data: { failSetup: true } }), SPAWN_MS, 'spawn'),
        (error: Error) =>
          isKompactError('WORKER_SETUP_FAILED')(error) && /setup refused to run/.test(error.message),
      );
    });
  });

  it('refuses to spawn workers from a worker system with WORKER_NESTED', async () => {
    await withSystem(async (system) => {
      const { probe, path } = await startNamedProbe(system, 'inbox');
      await spawn(system, { nested: path.toString() });
      await probe.waitFor(1);
      assert.deepEqual(probe.texts, ['WORKER_NESTED']);
    });
  });

  it('refuses a module URL that is not a URL, unknown options and data that cannot be cloned', async () => {
    await withSystem(async (system) => {
      await assert.rejects(system.spawnWorker(42 as unknown as URL), {
        name: 'TypeError',
        message: /Expected `moduleUrl` to be a URL/,
      });
      await assert.rejects(
        system.spawnWorker(PROBE_WORKER, { dat: {} } as never),
        isKompactError('CONFIG_INVALID'),
      );
      await assert.rejects(
        system.spawnWorker(PROBE_WORKER, { data: { probes: () => [] } }),
        isKompactError('SERIALISATION_FAILED'),
      );
    });
  });
});

/** The nice value of each thread of this process (Linux's /proc), by thread id. */
function threadNiceValues(): Map<number, number> {
  const values = new Map<number, number>();
  for (const id of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${id}/stat`, 'utf8');
      // Field 19 of stat(5); the fields after the command name start at field 3.
      values.set(Number(id), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // A thread that ended while we read.
    }
  }
  return values;
}

describe('threadPriority', () => {
  it('runs the worker thread at the priority asked, also after a restart, and leaves the parent at its own', {
    skip: process.platform === 'linux' ? false : 'thread priorities are set on Linux only',
  }, async () => {
    await withSystem(async (system) => {
      const atNice10 = (): number[] =>
        [...threadNiceValues()].filter(([, nice]) => nice === 10).map(([id]) => id);
      const before = atNice10();
      const parentPriority = getPriority();
      const worker = await within(
        system.spawnWorker(PROBE_WORKER, { threadPriority: 10, restart: {} }),
        SPAWN_MS,
        'a worker to spawn',
      );
      const first = atNice10().filter((id) => !before.includes(id));
      assert.equal(first.length, 1, 'one more thread at nice 10: the worker');
      assert.equal(getPriority(), parentPriority, "the parent's priority is unchanged");

      const restarted = new Promise<void>((resolve) => {
        system.supervision.on('worker-restarted', () => resolve());
      });
      const { component } = await startNamedProbe(system, 'client');
      on(worker, '/saboteur').tell('exit', component);
      await within(restarted, SPAWN_MS, 'the worker to restart');
      const second = atNice10().filter((id) => !before.includes(id) && !first.includes(id));
      assert.equal(second.length, 1, "the restarted worker's new thread is at nice 10 too");
      await within(worker.terminate(), DEADLINE_MS, 'the worker to end');
    });
  });

  it('refuses a priority that is not an integer from 0 to 19', async () => {
    await withSystem(async (system) => {
      for (const bad of [-1, 20, 1.5, '10']) {
        await assert.rejects(system.spawnWorker(PROBE_WORKER, { threadPriority: bad as number }), {
          name: 'TypeError',
          message: /^Expected `threadPriority` to be an integer from 0 to 19, got /,
        });
        await assert.rejects(
          system.spawnWorkers(PROBE_WORKER, { count: 1, threadPriority: bad as number }),
          TypeError,
        );
      }
    });
  });
});

describe('paths across threads', () => {
  it('carries a message from the parent to a worker and the reply back to msg.sender', async () => {
    await withSystem(async (system) => {
      const worker = await spawn(system, { probes: ['echo'] });
      const { probe, component } = await startNamedProbe(system, 'client');
      on(worker, '/echo').tell('echo hello', component);
      await probe.waitFor(1);
      assert.deepEqual(probe.texts, ['echo:hello']);
      assert.ok(probe.received[0]?.sender.system.equals(worker.systemPath()), 'the sender is on the worker');
    });
  });

  it('keeps the messages of one sender to one receiver in order (FIFO per pair)', async () => {
    await withSystem(async (system) => {
      const worker = await spawn(system, { probes: ['echo'] });
      const { probe, component } = await startNamedProbe(system, 'client');
      const echo = on(worker, '/echo');
      for (let i = 0; i < 500; i++) echo.tell(`echo ${i}`, component);
      await probe.waitFor(500);
      assert.deepEqual(
        probe.texts,
        Array.from({ length: 500 }, (_, i) => `echo:${i}`),
      );
    });
  });

  it('reaches the parent from a worker (a path given in data)', async () => {
    await withSystem(async (system) => {
      const { probe, path } = await startNamedProbe(system, 'inbox');
      await spawn(system, { greet: path.toString() }, 'greeter');
      await probe.waitFor(1);
      assert.match(probe.texts[0] ?? '', /^hello from .*\/greeter$/);
    });
  });

  it('reaches one worker from another, and the reply finds its way back', async () => {
    await withSystem(async (system) => {
      const { probe, path, component } = await startNamedProbe(system, 'report');
      const a = await spawn(system, { report: path.toString() });
      const b = await spawn(system, { probes: ['echo'] });
      // a's saboteur tells b's echo `echo sibling`; b answers a's saboteur, which reports the answer here.
      on(a, '/saboteur').tell(`forward ${on(b, '/echo').toString()} echo sibling`, component);
      await probe.waitFor(1);
      assert.deepEqual(probe.texts, ['echo:sibling']);
      assert.ok(probe.received[0]?.sender.system.equals(a.systemPath()));
    });
  });

  it('keeps two siblings in order on their direct port, and connects them again after a restart', async () => {
    await withSystem(async (system) => {
      const { probe, path, component } = await startNamedProbe(system, 'report');
      const a = await spawn(system, { report: path.toString() });
      const b = await within(
        system.spawnWorker(PROBE_WORKER, { data: { probes: ['echo'] }, restart: {} }),
        SPAWN_MS,
        'the second worker to spawn',
      );
      const echo = on(b, '/echo').toString();
      for (let i = 0; i < 300; i++) on(a, '/saboteur').tell(`forward ${echo} echo ${i}`, component);
      await probe.waitFor(300);
      assert.deepEqual(
        probe.texts,
        Array.from({ length: 300 }, (_, i) => `echo:${i}`),
      );
      const restarted = new Promise<void>((resolve) => {
        system.supervision.on('worker-restarted', () => resolve());
      });
      on(b, '/saboteur').tell('exit', component);
      await within(restarted, SPAWN_MS, 'the second worker to restart');
      for (let i = 0; i < 50; i++) on(a, '/saboteur').tell(`forward ${echo} echo again-${i}`, component);
      await probe.waitFor(350);
      assert.deepEqual(
        probe.texts.slice(300),
        Array.from({ length: 50 }, (_, i) => `echo:again-${i}`),
      );
    });
  });

  it('makes a message to a path nothing is registered at on the worker a dead letter there, not here', async () => {
    await withSystem(async (system) => {
      const worker = await spawn(system, { probes: ['echo'] });
      const { probe, component } = await startNamedProbe(system, 'client');
      on(worker, '/nobody').tell('echo lost', component);
      on(worker, '/echo').tell('echo after', component);
      await probe.waitFor(1);
      assert.deepEqual(probe.texts, ['echo:after']);
      assert.equal(system.deadLetters.count, 0);
    });
  });

  it('makes a value that cannot be serialised a dead letter on the sender, and sending goes on', async () => {
    await withSystem(async (system) => {
      const worker = await spawn(system, { probes: ['echo'] });
      const { probe, component } = await startNamedProbe(system, 'client');
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      const failing = {
        serId: 9000 as never,
        serialise: () => {
          throw new Error('cannot serialise this');
        },
        deserialise: () => undefined,
      };
      on(worker, '/echo').tell({ a: 1 }, component, failing as never);
      on(worker, '/echo').tell('echo still', component);
      await probe.waitFor(1);
      assert.equal(letters.length, 1);
      assert.equal(letters[0]?.reason, 'serialisation-failed');
    });
  });
});

describe('a networked parent', () => {
  it('carries messages between its workers and its own components, and from a worker to another process over TCP', async () => {
    await withSystem(
      async (parent) => {
        await withSystem(
          async (remote) => {
            const { probe: far, path: farPath } = await startNamedProbe(remote, 'far');
            const worker = await spawn(parent, { probes: ['echo'], greet: farPath.toString() });
            await far.waitFor(1);
            assert.ok(far.received[0]?.sender.system.equals(worker.systemPath()), 'sent by the worker');
            const { probe, component } = await startNamedProbe(parent, 'client');
            on(worker, '/echo').tell('echo over tcp parent', component);
            await probe.waitFor(1);
            assert.deepEqual(probe.texts, ['echo:over tcp parent']);
          },
          (config) => config.network(),
        );
      },
      (config) => config.network(),
    );
  });
});

describe('worker logs', () => {
  it("reach the parent's logger destination with a worker field", async () => {
    const { logger, lines } = captureLogs('info');
    const system = await testConfig().logger(logger).build();
    try {
      await spawn(system, { log: 'hello from the worker' }, 'logger-worker');
      const line = lines.find((l) => l.msg === 'hello from the worker');
      assert.ok(line !== undefined, `the worker's line in ${JSON.stringify(lines.map((l) => l.msg))}`);
      assert.equal(line.worker, 'logger-worker');
      assert.equal(line.level, INFO);
    } finally {
      await system.shutdown();
    }
  });
});

describe('worker shutdown', () => {
  it('system.shutdown() ends every worker and leaves no handle behind', async () => {
    // Node 20 does not list worker threads among the active resources: a worker is 'terminated' only
    // once its thread's exit event came, and whatever else it held (timers, ports) is listed.
    const before = process.getActiveResourcesInfo();
    const system = await testConfig().build();
    const workers = [await spawn(system), await spawn(system)];
    await within(system.shutdown(), DEADLINE_MS, 'shutdown');
    for (const worker of workers) assert.equal(worker.state, 'terminated');
    assert.deepEqual(process.getActiveResourcesInfo(), before, 'no handle is left');
  });

  it('rejects a spawn still in its setup when the system shuts down, with WORKER_DOWN', async () => {
    const system = await testConfig().build();
    const spawning = system.spawnWorker(PROBE_WORKER, { data: { delaySetupMs: 2000 } });
    // Let the thread start; shutdown then ends it before its setup is done.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await within(system.shutdown(), DEADLINE_MS, 'shutdown');
    await assert.rejects(within(spawning, DEADLINE_MS, 'the spawn to settle'), isKompactError('WORKER_DOWN'));
  });

  it('terminates a worker that does not end within the grace period, and logs it', async () => {
    const { logger, lines } = captureLogs('warn');
    const system = await testConfig().logger(logger).shutdownGraceMs(300).build();
    const worker = await spawn(system, { hangOnShutdownMs: 30_000 }, 'hung');
    await within(worker.terminate(), DEADLINE_MS, 'terminate');
    assert.equal(worker.state, 'terminated');
    await system.shutdown();
    const warning = lines.find((l) => l.level === WARN && /did not end within 300 ms/.test(l.msg));
    assert.ok(warning !== undefined, `a warning in ${JSON.stringify(lines.map((l) => l.msg))}`);
  });

  it('makes messages to a terminated worker dead letters with reason worker-down', async () => {
    await withSystem(async (system) => {
      const worker = await spawn(system, { probes: ['echo'] });
      await worker.terminate();
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      on(worker, '/echo').tell('echo nobody', system);
      assert.equal(letters.length, 1);
      assert.equal(letters[0]?.reason, 'worker-down');
      assert.match(letters[0]?.detail ?? '', /terminated/);
    });
  });
});
