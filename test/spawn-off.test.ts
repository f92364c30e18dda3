// ctx.spawnOff and system.spawnOff: module functions run on the system's worker pool, their results
// handled by the component that asked (or dropped when it ended first), the pool ended by shutdown.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  type ComponentContext,
  ComponentDefinition,
  type DeadLetter,
  type HandlerReturn,
  KompactError,
  type OffTask,
  offTask,
  type SupervisionEvent,
} from '../src/index.js';
import { withSystem } from '../src/testing/index.js';
import { DEADLINE_MS, deferred, within } from './support/promises.js';

type Tasks = typeof import('./support/off-tasks.js');
const TASKS = new URL('./support/off-tasks.js', import.meta.url);
const double = offTask<Tasks['double']>(TASKS, 'double');
const whereAmI = offTask<Tasks['whereAmI']>(TASKS, 'whereAmI');
const fail = offTask<Tasks['fail']>(TASKS, 'fail');
const waitForGate = offTask<Tasks['waitForGate']>(TASKS, 'waitForGate');
const unclonable = offTask<Tasks['unclonable']>(TASKS, 'unclonable');

/** A gate a `waitForGate` task blocks its worker thread on until the test opens it. */
function gate(): { readonly buffer: SharedArrayBuffer; open(): void } {
  const buffer = new SharedArrayBuffer(4);
  return {
    buffer,
    open() {
      const cells = new Int32Array(buffer);
      Atomics.store(cells, 0, 1);
      Atomics.notify(cells, 0);
    },
  };
}

/** The threads of this process (Linux), or `undefined` where `/proc` does not list them. */
function osThreads(): number | undefined {
  return existsSync('/proc/self/task') ? readdirSync('/proc/self/task').length : undefined;
}

/**
 * The threads of this process once their number has stopped changing: a thread that ended leaves
 * `/proc` a moment after its exit event, so a count taken right after a shutdown may still include it.
 */
async function settledThreads(): Promise<number | undefined> {
  const deadline = Date.now() + DEADLINE_MS;
  let count = osThreads();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const next = osThreads();
    if (next === count || Date.now() > deadline) return next;
    count = next;
  }
}

function isThreadHandle(type: string): boolean {
  return type === 'Worker' || type === 'MessagePort';
}

/** Starts an off-loop task through the component's context; how the component waits for it. */
interface Run {
  readonly how: 'in-handler' | 'alongside';
  readonly start: (ctx: ComponentContext<Run | string>) => Promise<unknown>;
}

/**
 * Runs what it is told off the loop: awaiting it in an async handler (the component waits) or in a
 * spawnLocal future (it goes on handling strings meanwhile). Reports each result it handled.
 */
class Offloader extends ComponentDefinition<Run | string> {
  readonly handled: string[] = [];

  constructor(private readonly report: (result: unknown) => void) {
    super();
  }

  override receiveLocal(msg: Run | string): HandlerReturn {
    if (typeof msg === 'string') {
      this.handled.push(msg);
      this.report(msg);
      return;
    }
    if (msg.how === 'in-handler') {
      return (async () => {
        this.report(await msg.start(this.ctx));
      })();
    }
    this.ctx.spawnLocal(async () => {
      this.report(await msg.start(this.ctx));
    });
  }
}

describe('spawnOff', () => {
  it('runs a module function on a worker thread and hands its result to the handler that awaits it', async () => {
    await withSystem(async (system) => {
      const results: unknown[] = [];
      const twoResults = deferred();
      const offloader = system.create(
        () =>
          new Offloader((result) => {
            results.push(result);
            if (results.length === 2) twoResults.resolve();
          }),
      );
      await within(system.startNotify(offloader), DEADLINE_MS, 'the start');
      offloader.actorRef().tell({ how: 'in-handler', start: (ctx) => ctx.spawnOff(whereAmI, undefined) });
      offloader.actorRef().tell({ how: 'in-handler', start: (ctx) => ctx.spawnOff(double, 21) });
      await within(twoResults.promise, DEADLINE_MS, 'both results');
      const [thread, doubled] = results;
      assert.equal(typeof thread, 'number');
      assert.notEqual(thread, 0, 'the task ran on a worker thread, not the main one');
      assert.equal(doubled, 42);
    });
  });

  it('lets the component handle messages while a spawnLocal future awaits its task', async () => {
    await withSystem(async (system) => {
      const reports: unknown[] = [];
      let onReport = (): void => {};
      const offloader = system.create(
        () =>
          new Offloader((result) => {
            reports.push(result);
            onReport();
          }),
      );
      await within(system.startNotify(offloader), DEADLINE_MS, 'the start');
      const blocker = gate();
      offloader.actorRef().tell({
        how: 'alongside',
        start: (ctx) => ctx.spawnOff(waitForGate, { gate: blocker.buffer, value: 7 }),
      });
      const pings = deferred();
      onReport = () => {
        if (reports.length === 3) pings.resolve();
      };
      for (const ping of ['a', 'b', 'c']) offloader.actorRef().tell(ping);
      await within(pings.promise, DEADLINE_MS, 'three messages handled while the task runs');
      assert.deepEqual(reports, ['a', 'b', 'c'], 'no result before the gate opens');
      const result = deferred();
      onReport = () => result.resolve();
      blocker.open();
      await within(result.promise, DEADLINE_MS, 'the task result');
      assert.deepEqual(reports, ['a', 'b', 'c', 7]);
    });
  });

  it('faults the component when the task it awaits throws, with the task error as the fault', async () => {
    await withSystem(async (system) => {
      const faulted = deferred<SupervisionEvent>();
      system.supervision.on('fault', (event) => faulted.resolve(event));
      const offloader = system.create(() => new Offloader(() => {}));
      await within(system.startNotify(offloader), DEADLINE_MS, 'the start');
      offloader
        .actorRef()
        .tell({ how: 'in-handler', start: (ctx) => ctx.spawnOff(fail, 'task failed on purpose') });
      const event = await within(faulted.promise, DEADLINE_MS, 'the fault');
      assert.ok(offloader.isFaulty());
      assert.equal(event.kind, 'fault');
      if (event.kind !== 'fault') return;
      assert.ok(event.fault.error instanceof Error, 'the error thrown in the worker, cloned');
      assert.equal(event.fault.error.message, 'task failed on purpose');
    });
  });

  it('resolves system.spawnOff with the result, and rejects it with what the task threw', async () => {
    await withSystem(async (system) => {
      assert.equal(await within(system.spawnOff(double, 4), DEADLINE_MS, 'the result'), 8);
      await assert.rejects(within(system.spawnOff(fail, 'no luck'), DEADLINE_MS, 'the failure'), {
        name: 'Error',
        message: 'no luck',
      });
    });
  });

  it('rejects with TASK_NOT_FOUND naming the module or export when there is no such task', async () => {
    await withSystem(async (system) => {
      const missingModule = offTask(new URL('./support/no-such-tasks.js', import.meta.url));
      const missingExport = offTask(TASKS, 'noSuchExport');
      const notAFunction = offTask(TASKS, 'notAFunction');
      const notFound = (needle: string) => (error: unknown) =>
        error instanceof KompactError && error.code === 'TASK_NOT_FOUND' && error.message.includes(needle);
      await assert.rejects(
        within(system.spawnOff(missingModule, 1), DEADLINE_MS, 'missing module'),
        notFound('no module at file://'),
      );
      await assert.rejects(
        within(system.spawnOff(missingExport, 1), DEADLINE_MS, 'missing export'),
        notFound('has no export named `noSuchExport` (its functions: '),
      );
      await assert.rejects(
        within(system.spawnOff(notAFunction, 1), DEADLINE_MS, 'not a function'),
        notFound('`notAFunction`'),
      );
      assert.equal(await within(system.spawnOff(double, 1), DEADLINE_MS, 'a task after those'), 2);
    });
  });

  it('rejects with SERIALISATION_FAILED when the input cannot be cloned to a worker thread', async () => {
    await withSystem(async (system) => {
      const echo = offTask<(input: unknown) => unknown>(TASKS, 'double');
      await assert.rejects(
        within(system.spawnOff(echo, { callback: () => 1 }), DEADLINE_MS, 'the clone failure'),
        (error: unknown) =>
          error instanceof KompactError &&
          error.code === 'SERIALISATION_FAILED' &&
          error.message.includes('structured-cloneable'),
      );
    });
  });

  it('rejects with SERIALISATION_FAILED when the result cannot be cloned back, and the pool goes on', async () => {
    await withSystem(async (system) => {
      await assert.rejects(
        within(system.spawnOff(unclonable, undefined), DEADLINE_MS, 'the clone failure'),
        (error: unknown) =>
          error instanceof KompactError &&
          error.code === 'SERIALISATION_FAILED' &&
          error.message.includes('its result cannot be structured-cloned'),
      );
      assert.equal(await within(system.spawnOff(double, 5), DEADLINE_MS, 'a task after it'), 10);
    });
  });

  it('runs no more tasks at once than kompact.runtime.threads: with one thread the next waits for the first', async () => {
    await withSystem(
      async (system) => {
        const blocker = gate();
        try {
          const first = system.spawnOff(waitForGate, { gate: blocker.buffer, value: 1 });
          const second = system.spawnOff(double, 2);
          let secondDone = false;
          void second.then(() => {
            secondDone = true;
          });
          // Long enough for a free thread to have answered many times over.
          await new Promise((resolve) => setTimeout(resolve, 300));
          assert.equal(secondDone, false, 'the second task waits while the only thread runs the first');
          blocker.open();
          assert.deepEqual(await within(Promise.all([first, second]), DEADLINE_MS, 'both tasks'), [1, 4]);
        } finally {
          blocker.open();
        }
      },
      (config) => config.setValue('kompact.runtime.threads', 1),
    );
  });

  it('refuses a task not made by offTask, and a module that is not a file URL or absolute path', async () => {
    await withSystem(async (system) => {
      const fake = { module: TASKS.href, name: 'double' } as unknown as OffTask<number, number>;
      assert.throws(() => system.spawnOff(fake, 1), /Expected `task` to be an OffTask made by offTask\(\)/);
      assert.throws(() => offTask('./relative.js'), /Expected `module` to be a file: URL/);
      assert.throws(
        () => offTask(new URL('https://example.com/task.js')),
        /Expected `module` to be a file: URL/,
      );
      assert.throws(() => offTask(TASKS, ''), /Expected `name` to be the name of an exported function/);
    });
  });

  for (const ending of ['kill', 'fault'] as const) {
    it(`turns the result of a task whose component ended by ${ending} into a dead letter, and runs nothing after the await`, async () => {
      await withSystem(async (system) => {
        const reports: unknown[] = [];
        const started = deferred();
        const offloader = system.create(
          () =>
            new Offloader((result) => {
              if (result === 'started') started.resolve();
              else reports.push(result);
            }),
        );
        await within(system.startNotify(offloader), DEADLINE_MS, 'the start');
        const blocker = gate();
        const letter = deferred<DeadLetter>();
        system.deadLetters.subscribe((dead) => {
          if (dead.message === 99) letter.resolve(dead);
        });
        offloader.actorRef().tell({
          how: 'alongside',
          start: (ctx) => ctx.spawnOff(waitForGate, { gate: blocker.buffer, value: 99 }),
        });
        // The future's first step (which calls spawnOff) runs before the next message is handled.
        offloader.actorRef().tell('started');
        await within(started.promise, DEADLINE_MS, 'the task started');
        if (ending === 'kill') {
          // Not blocked (the task runs alongside), so the kill does not wait for the task.
          await within(system.killNotify(offloader), DEADLINE_MS, 'the kill');
        } else {
          const faulted = deferred();
          system.supervision.on('fault', () => faulted.resolve());
          offloader.actorRef().tell({ how: 'in-handler', start: (ctx) => ctx.spawnOff(fail, 'crash') });
          await within(faulted.promise, DEADLINE_MS, 'the fault');
        }
        blocker.open();
        const dead = await within(letter.promise, DEADLINE_MS, 'the dropped result as a dead letter');
        assert.equal(dead.reason, ending === 'kill' ? 'destroyed' : 'faulty');
        assert.deepEqual(reports, [], 'nothing after the await ran for the ended component');
      });
    });
  }

  it('ends its worker threads at shutdown: a running task rejects with SYSTEM_TERMINATED and no thread or handle is left', async () => {
    // A first system loads Piscina and whatever Node starts once (its own thread pool), so that the
    // baseline is what a system that ran tasks must return to.
    await withSystem(async (system) => {
      await within(system.spawnOff(double, 1), DEADLINE_MS, 'a warm-up task');
    });
    const threadsBefore = await settledThreads();
    const handlesBefore = process.getActiveResourcesInfo().filter(isThreadHandle).length;
    const blocker = gate();
    let outcome: Promise<unknown> | undefined;
    let threadsDuring = 0;
    await withSystem(async (system) => {
      assert.equal(await within(system.spawnOff(double, 1), DEADLINE_MS, 'a first task'), 2);
      outcome = system.spawnOff(waitForGate, { gate: blocker.buffer, value: 1 }).then(
        (value) => value,
        (error: unknown) => error,
      );
      threadsDuring = osThreads() ?? 0;
    });
    try {
      const error = await within(outcome as Promise<unknown>, DEADLINE_MS, 'the running task');
      assert.ok(error instanceof KompactError, `a KompactError, got ${String(error)}`);
      assert.equal(error.code, 'SYSTEM_TERMINATED');
      if (threadsBefore !== undefined) {
        assert.ok(threadsDuring > threadsBefore, 'the pool had started a thread');
        // An ended thread leaves the process's thread list a moment after its exit event.
        const deadline = Date.now() + DEADLINE_MS;
        while (osThreads() !== threadsBefore && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.equal(osThreads(), threadsBefore, 'no worker thread left');
      }
      // A terminated worker's port handle can go a few event-loop turns after its thread (seen once in
      // ten runs under load): wait for it, with a deadline, rather than count at one instant.
      const threadHandles = () => process.getActiveResourcesInfo().filter(isThreadHandle).length;
      for (let waited = 0; threadHandles() > handlesBefore && waited < 2_000; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(threadHandles(), handlesBefore, 'no handle left');
    } finally {
      blocker.open();
    }
  });

  it('rejects system.spawnOff after shutdown with SYSTEM_TERMINATED', async () => {
    let ended: { spawnOff: typeof import('../src/index.js').KompactSystem.prototype.spawnOff } | undefined;
    await withSystem(async (system) => {
      ended = system;
    });
    await assert.rejects(
      (ended as NonNullable<typeof ended>).spawnOff(double, 1),
      (error: unknown) => error instanceof KompactError && error.code === 'SYSTEM_TERMINATED',
    );
  });

  it('never loads Piscina in a process whose systems do not call spawnOff', () => {
    // A child process with a resolve hook that reports every specifier naming piscina.
    const index = new URL('../src/index.js', import.meta.url).href;
    const script = `
      import { register } from 'node:module';
      import { MessageChannel } from 'node:worker_threads';
      const { port1, port2 } = new MessageChannel();
      const seen = [];
      port1.on('message', (specifier) => seen.push(specifier));
      port1.unref();
      register('data:text/javascript,' + encodeURIComponent(
        'let port; export function initialize(data) { port = data.port; }' +
        'export async function resolve(specifier, context, next) {' +
        '  if (specifier.includes("piscina")) port.postMessage(specifier);' +
        '  return next(specifier, context); }'), { data: { port: port2 }, transferList: [port2] });
      const { KompactConfig, ComponentDefinition } = await import(${JSON.stringify(index)});
      const system = await KompactConfig.default().logLevel('silent').build();
      class Idle extends ComponentDefinition {}
      await system.startNotify(system.create(() => new Idle()));
      await system.shutdown();
      if (process.argv[1] === 'control') await import('piscina');
      await new Promise((resolve) => setTimeout(resolve, 100));
      console.log(JSON.stringify(seen));
    `;
    const run = (arg: string): string[] => {
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, arg], {
        encoding: 'utf8',
        timeout: 60_000,
        cwd: new URL('../..', import.meta.url),
      });
      assert.equal(child.status, 0, `the child process failed: ${child.stderr}`);
      return JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as string[];
    };
    assert.deepEqual(run('plain'), [], 'Piscina was not loaded');
    assert.ok(run('control').length > 0, 'the hook does see an import of Piscina (the check can fail)');
  });
});
