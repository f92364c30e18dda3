import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeValue } from '../internal/describe-value.js';

/**
 * A function exported by a module, which `spawnOff` runs on a worker thread: the module's URL and the
 * export's name. The type parameters are the function's input and (awaited) result, so that
 * `spawnOff(task, input)` is checked against the function; they cost nothing at run time.
 *
 * Kompact: the future given to `spawn_off` (JavaScript cannot move a closure to another thread, so a
 * task names a module the worker imports instead).
 *
 * @remarks Made by {@link offTask}; `new OffTask()` throws a `TypeError`.
 */
export class OffTask<I, R> {
  /** The module's URL (`file:`), as the worker imports it. */
  readonly module: string;
  /** The name of the exported function (`default` for the default export). */
  readonly name: string;
  /** Carries the input type; never set. */
  declare readonly input?: I;
  /** Carries the result type; never set. */
  declare readonly result?: R;

  /** @internal Made by `offTask`. */
  constructor(module: string, name: string, token: symbol) {
    if (token !== offTaskToken) {
      throw new TypeError(
        'Expected an `OffTask` to be made by `offTask(module, name)`, not constructed directly',
      );
    }
    this.module = module;
    this.name = name;
    Object.freeze(this);
  }

  /** `module#name`, as errors and logs name the task. */
  toString(): string {
    return `${this.module}#${this.name}`;
  }
}

const offTaskToken = Symbol('offTask');

/** The function type an {@link OffTask} can name: one argument (the input), any result. */
// `never` as the parameter lets every one-argument function match (parameters are contravariant).
export type OffTaskFunction = (input: never) => unknown;

/**
 * Names the function `name` (default: the default export) of the module at `module`, to run off the
 * event loop with `ctx.spawnOff` or `system.spawnOff`. Give the function's type to check the input and
 * result types: `offTask<typeof import('./fib-task.js').fib>(new URL('./fib-task.js', import.meta.url), 'fib')`.
 *
 * The module is imported by the worker thread, so it must be JavaScript Node can load there (compiled,
 * not TypeScript) and its function must take one structured-cloneable input and return (or resolve
 * to) a structured-cloneable result.
 *
 * Kompact: `spawn_off`'s future, as a module function.
 *
 * @throws TypeError when `module` is not a `file:` URL or an absolute path, or `name` is not a
 * non-empty string. Whether the module and its export exist is checked when the task first runs.
 */
export function offTask<F extends OffTaskFunction = (input: unknown) => unknown>(
  module: URL | string,
  name = 'default',
): OffTask<Parameters<F>[0], Awaited<ReturnType<F>>> {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(
      `Expected \`name\` to be the name of an exported function, got ${describeValue(name)}`,
    );
  }
  return new OffTask(moduleUrl(module), name, offTaskToken);
}

function moduleUrl(module: URL | string): string {
  if (module instanceof URL) {
    if (module.protocol !== 'file:') {
      throw new TypeError(`Expected \`module\` to be a file: URL, got \`${module.href}\` (URL)`);
    }
    return module.href;
  }
  if (typeof module === 'string') {
    if (module.startsWith('file:')) return new URL(module).href;
    if (isAbsolute(module)) return pathToFileURL(module).href;
  }
  throw new TypeError(
    `Expected \`module\` to be a file: URL (e.g. \`new URL('./task.js', import.meta.url)\`) or an absolute path, got ${describeValue(module)}`,
  );
}
