// Compiled examples run as child processes (`node .build/examples/<file> <args>`), for the tests of
// their multi-process mode: stdout collected line by line, stopped with SIGTERM, killed in `finally`.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** How a child process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One example running in its own Node.js process. */
export class ExampleProcess {
  /** Every line it printed on stdout so far. */
  readonly lines: string[] = [];
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
  readonly #child: ChildProcess;
  readonly #stderr: string[] = [];
  readonly #listeners = new Set<() => void>();

  /** Starts `node .build/examples/<file> ...args`; `name` labels its output in failure messages. */
  constructor(
    readonly name: string,
    file: string,
    args: readonly string[],
  ) {
    // Compiled to .build/test/support/: the examples are in .build/examples/.
    const script = fileURLToPath(new URL(`../../examples/${file}`, import.meta.url));
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      this.lines.push(line);
      for (const listener of this.#listeners) listener();
    });
    child.stderr?.on('data', (chunk: Buffer) => this.#stderr.push(chunk.toString('utf8')));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: null, signal: null }));
    });
    this.exited.then(() => {
      for (const listener of this.#listeners) listener();
    });
  }

  /** Whether the process is still running. */
  get isRunning(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Calls `listener` after every line and at exit; returns the function that removes it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Asks the process to shut down (SIGTERM); resolves with its exit, rejects if it takes over `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<Exit> {
    if (this.isRunning) this.#child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name} did not exit within ${timeoutMs} ms\n${this.output()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process if it still runs (for `finally`). */
  kill(): void {
    if (this.isRunning) this.#child.kill('SIGKILL');
  }

  /** Its stdout and stderr, labelled, for failure messages. */
  output(): string {
    return `--- ${this.name} stdout ---\n${this.lines.join('\n')}\n--- ${this.name} stderr ---\n${this.#stderr.join('')}`;
  }
}

/**
 * Resolves with the first value `check` returns that is not `undefined`, checked now and whenever one of
 * `processes` prints a line; rejects when one of them exits first, or after `timeoutMs`, with their output.
 */
export function whenOutput<T>(
  processes: readonly ExampleProcess[],
  check: () => T | undefined,
  timeoutMs: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const unsubscribes: (() => void)[] = [];
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      for (const unsubscribe of unsubscribes) unsubscribe();
      settle();
    };
    const failure = (why: string): Error =>
      new Error(`${why}\n${processes.map((example) => example.output()).join('\n')}`);
    const evaluate = (): void => {
      const value = check();
      if (value !== undefined) {
        finish(() => resolve(value));
        return;
      }
      const gone = processes.find((example) => !example.isRunning);
      if (gone !== undefined) finish(() => reject(failure(`${gone.name} exited early`)));
    };
    const timer = setTimeout(
      () => finish(() => reject(failure(`Nothing expected was printed within ${timeoutMs} ms`))),
      timeoutMs,
    );
    for (const example of processes) unsubscribes.push(example.onChange(evaluate));
    evaluate();
  });
}

/** The first group of the last of `lines` that `pattern` matches. */
export function lastMatch(lines: readonly string[], pattern: RegExp): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = pattern.exec(lines[i] as string);
    if (match !== null) return match[1];
  }
  return undefined;
}
