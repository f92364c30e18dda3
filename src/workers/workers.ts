import { describeValue } from '../internal/describe-value.js';
import { KompactError } from '../internal/kompact-error.js';
import { SystemPath } from '../paths/system-path.js';
import { poolRoute, type SpawnWorkersOptions, WorkerPool } from './worker-pool.js';
import {
  type SpawnWorkerOptions,
  startWorker,
  type WorkerHost,
  WorkerSystem,
  workerRoute,
} from './worker-system.js';

/** Numbers of worker and pool system paths: unique in the process, whichever system spawns. */
let lastNumber = 0;

const SPAWN_OPTIONS: ReadonlySet<string> = new Set([
  'data',
  'name',
  'restart',
  'resourceLimits',
  'threadPriority',
]);
const POOL_OPTIONS: ReadonlySet<string> = new Set([...SPAWN_OPTIONS, 'count', 'routing']);

/**
 * The workers a system spawned: spawning them, and ending them all at shutdown.
 *
 * Kompact: none; a system's threads (`kompact.runtime.threads`) are its workers here.
 */
export class Workers {
  readonly #host: WorkerHost;
  readonly #all = new Set<WorkerSystem>();

  constructor(host: WorkerHost) {
    this.#host = host;
  }

  /** The worker systems spawned and not terminated, pools' members included (for an inspector). */
  list(): readonly WorkerSystem[] {
    return [...this.#all];
  }

  /** Spawns one worker and resolves once its setup has finished. */
  async spawn(moduleUrl: URL | string, options: SpawnWorkerOptions = {}): Promise<WorkerSystem> {
    const url = checkUrl(moduleUrl);
    checkOptions(options, SPAWN_OPTIONS, 'spawnWorker');
    checkThreadPriority(options.threadPriority);
    const worker = this.#make(url, options, options.name);
    await this.#started(worker);
    return worker;
  }

  /** Spawns `count` workers of one module and resolves with their pool once every setup has finished. */
  async spawnPool(
    moduleUrl: URL | string,
    options: SpawnWorkersOptions,
    defaultCount: number,
  ): Promise<WorkerPool> {
    const url = checkUrl(moduleUrl);
    checkOptions(options, POOL_OPTIONS, 'spawnWorkers');
    checkThreadPriority(options.threadPriority);
    const count = options.count ?? defaultCount;
    if (!Number.isInteger(count) || count < 1) {
      throw new TypeError(`Expected \`count\` to be an integer from 1 and up, got ${describeValue(count)}`);
    }
    const routing = options.routing ?? 'round-robin';
    if (routing !== 'round-robin' && routing !== 'sender-hash') {
      throw new TypeError(
        `Expected \`routing\` to be 'round-robin' or 'sender-hash', got ${describeValue(routing)}`,
      );
    }
    const path = new SystemPath('thread', 'pool', ++lastNumber);
    const base = options.name ?? `pool-${path.port}`;
    const workers: WorkerSystem[] = [];
    for (let i = 0; i < count; i++) workers.push(this.#make(url, options, `${base}-${i + 1}`));
    const pool = new WorkerPool(
      path,
      workers,
      workers.map((worker) => workerRoute(worker)),
      routing,
    );
    this.#host.link.addPool(path, poolRoute(pool));
    const started = await Promise.allSettled(workers.map((worker) => this.#started(worker)));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) {
      // One bad start fails the pool: the others are ended too, rather than left running unreachable.
      await pool.terminate();
      throw failed.reason;
    }
    return pool;
  }

  /** Ends every worker: their systems shut down (each with its grace period), then their threads. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.#all].map((worker) => worker.terminate()));
  }

  #make(url: string, options: SpawnWorkerOptions, name: string | undefined): WorkerSystem {
    if (name !== undefined && (typeof name !== 'string' || name === '')) {
      throw new TypeError(`Expected \`name\` to be a non-empty string, got ${describeValue(name)}`);
    }
    const path = new SystemPath('thread', 'worker', ++lastNumber);
    const worker = new WorkerSystem(
      this.#host,
      url,
      path,
      name ?? `worker-${path.port}`,
      options,
      () => this.#all,
    );
    this.#all.add(worker);
    return worker;
  }

  /** Starts `worker`; when its setup fails, its thread is ended and it is forgotten. */
  async #started(worker: WorkerSystem): Promise<void> {
    try {
      await startWorker(worker);
    } catch (error) {
      this.#all.delete(worker);
      await worker.terminate();
      throw error;
    }
  }
}

/** The module's URL as a string: a `URL` or a `file:` URL string (what `new URL(..., import.meta.url)` gives). */
function checkUrl(moduleUrl: unknown): string {
  if (moduleUrl instanceof URL) return moduleUrl.href;
  if (typeof moduleUrl === 'string' && URL.canParse(moduleUrl)) return new URL(moduleUrl).href;
  throw new TypeError(
    `Expected \`moduleUrl\` to be a URL (e.g. new URL('./my-worker.js', import.meta.url)), got ${describeValue(moduleUrl)}`,
  );
}

/** Nice values from 0 to 19: lowering a thread's priority needs no privilege, raising it does. */
function checkThreadPriority(priority: unknown): void {
  if (priority === undefined) return;
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0 || priority > 19) {
    throw new TypeError(
      `Expected \`threadPriority\` to be an integer from 0 to 19, got ${describeValue(priority)}`,
    );
  }
}

function checkOptions(options: unknown, known: ReadonlySet<string>, call: string): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected \`options\` to be an object, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new KompactError(
        'CONFIG_INVALID',
        `Unknown option \`${key}\` of ${call} (known: ${[...known].join(', ')})`,
      );
    }
  }
}
