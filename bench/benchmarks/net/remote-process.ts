import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The second process of a B5 point: the point process (the "master", which times the run) forks it to
// host the remote side (the pongers' system, or a raw echo server) and talks to it over the IPC channel.
// MPP: the distributed benchmarks' "client" processes.

/** What the remote side runs. */
export type RemoteImplementation = 'kompact-ts' | 'raw-net-per-message' | 'raw-net-coalesced';

/** How the remote side is started: its one command-line argument, as JSON. */
export interface RemoteRequest {
  readonly implementation: RemoteImplementation;
  /** kompact-ts: one ponger per alias, registered under it; unused by the raw servers. */
  readonly aliases: readonly string[];
}

/** Messages from the point process to the remote side. */
export type ToRemote = { readonly kind: 'gc' } | { readonly kind: 'stop' };

/** Messages from the remote side to the point process. */
export type FromRemote =
  /** Listening: `address` is the system path (kompact-ts) or `host:port` (raw). */
  | { readonly kind: 'ready'; readonly address: string }
  | { readonly kind: 'gc-done' }
  | { readonly kind: 'failed'; readonly error: string };

const REMOTE_SCRIPT = fileURLToPath(new URL('./remote-side.js', import.meta.url));
const START_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * A forked remote side: started by {@link RemoteProcess.start}, always ended by
 * {@link RemoteProcess.stop} (which kills it if it does not exit in time).
 *
 * @remarks No leak on any path: the child exits on its own when the IPC channel closes (the point
 * process ended, even by `SIGKILL`), and this process kills it on `exit` if `stop` never ran. The child
 * gets this process's `execArgv` (`--expose-gc`, and `--cpu-prof` when profiling by hand); its stdout
 * goes to this process's stderr, so it can never be mistaken for the result line.
 */
export class RemoteProcess {
  /** Where the remote side listens: a system path (kompact-ts) or `host:port` (raw). */
  readonly address: string;
  /**
   * Rejects when the remote side exits before {@link RemoteProcess.stop} asked it to: race it with an
   * iteration's latch, so that a dead remote side fails the point at once instead of hanging it.
   */
  readonly unexpectedExit: Promise<never>;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #killOnExit: () => void;
  #stopping: Promise<void> | undefined;

  private constructor(child: ChildProcess, address: string, exited: Promise<void>, killOnExit: () => void) {
    this.#child = child;
    this.address = address;
    this.#exited = exited;
    this.#killOnExit = killOnExit;
    this.unexpectedExit = exited.then(() => {
      throw new Error(
        this.#stopping === undefined
          ? `The remote side exited unexpectedly (${child.signalCode ?? `code ${child.exitCode}`})`
          : 'The remote side was stopped',
      );
    });
    // Nobody may be racing it when it rejects.
    this.unexpectedExit.catch(() => {});
  }

  /** Forks the remote side and resolves once it listens; a failed start leaves no process behind. */
  static async start(request: RemoteRequest): Promise<RemoteProcess> {
    const child = fork(REMOTE_SCRIPT, [JSON.stringify(request)], {
      stdio: ['ignore', 2, 'inherit', 'ipc'],
      execArgv: process.execArgv,
    });
    const killOnExit = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        process.off('exit', killOnExit);
        resolve();
      });
    });
    try {
      const ready = await nextMessage(child, 'ready', START_TIMEOUT_MS);
      return new RemoteProcess(child, ready.address, exited, killOnExit);
    } catch (error) {
      child.kill('SIGKILL');
      await exited;
      throw error;
    }
  }

  /** The remote side's process id (`undefined` only if the fork failed, which `start` reports). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Runs a full collection in the remote side (between iterations, never in a timed region). */
  async collectGarbage(): Promise<void> {
    const done = nextMessage(this.#child, 'gc-done', REQUEST_TIMEOUT_MS);
    this.#child.send({ kind: 'gc' } satisfies ToRemote);
    await done;
  }

  /** Asks the remote side to shut down and waits until it exited; kills it after a timeout. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode === null && child.signalCode === null) {
      if (child.connected) child.send({ kind: 'stop' } satisfies ToRemote);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await this.#exited;
      clearTimeout(timer);
    }
    process.off('exit', this.#killOnExit);
  }
}

/** The next message of `kind` from `child`; rejects on a `failed` message, an exit or the timeout. */
function nextMessage<K extends FromRemote['kind']>(
  child: ChildProcess,
  kind: K,
  timeoutMs: number,
): Promise<Extract<FromRemote, { kind: K }>> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      reject(new Error(`The remote side has exited; no '${kind}' will come`));
      return;
    }
    const onMessage = (message: FromRemote): void => {
      if (message.kind === kind) {
        done();
        resolve(message as Extract<FromRemote, { kind: K }>);
      } else if (message.kind === 'failed') {
        done();
        reject(new Error(`The remote side failed: ${message.error}`));
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      done();
      reject(new Error(`The remote side exited (${signal ?? `code ${code}`}) before '${kind}'`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`The remote side sent no '${kind}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
