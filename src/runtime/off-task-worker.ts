/**
 * The module every `spawnOff` worker thread runs (Piscina's `filename`): it imports the task's module
 * (once per thread: Node caches it), finds the named function and calls it with the input. A missing
 * module or function comes back as a `not-found` answer rather than a thrown error, because a
 * thrown error reaches the parent through structured clone, which keeps neither its `code` nor custom
 * fields, and the parent should tell "no such task" (a `TASK_NOT_FOUND` error) from "the task threw".
 */

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What the parent sends: which function of which module, and its input. */
export interface OffTaskRequest {
  readonly module: string;
  readonly name: string;
  readonly input: unknown;
}

/** What the worker answers when the task ran (a throw of the task rejects instead). */
export type OffTaskAnswer =
  | { readonly kind: 'done'; readonly value: unknown }
  | { readonly kind: 'not-found'; readonly reason: string }
  | { readonly kind: 'uncloneable'; readonly reason: string };

/** Runs one task on this worker thread. */
export default async function runOffTask(request: OffTaskRequest): Promise<OffTaskAnswer> {
  const { module, name, input } = request;
  let exports: Record<string, unknown>;
  try {
    exports = (await import(module)) as Record<string, unknown>;
  } catch (error) {
    if (!existsSync(fileURLToPath(module))) return { kind: 'not-found', reason: `no module at ${module}` };
    // Any other load failure (a syntax error, a throw at the module's top level, a missing import of
    // the module's own) is the task's failure, reported as it was thrown.
    throw error;
  }
  const fn = exports[name];
  if (typeof fn !== 'function') {
    const functions = Object.keys(exports).filter((key) => typeof exports[key] === 'function');
    return {
      kind: 'not-found',
      reason:
        fn === undefined
          ? `${module} has no export named \`${name}\` (its functions: ${functions.join(', ') || 'none'})`
          : `the export \`${name}\` of ${module} is not a function (${typeof fn})`,
    };
  }
  const value = await (fn as (input: unknown) => unknown)(input);
  if (!isCloneable(value)) {
    return {
      kind: 'uncloneable',
      reason: `its result cannot be structured-cloned back to the event loop's thread (${describeUncloneable(value)})`,
    };
  }
  return { kind: 'done', value };
}

/**
 * Whether `value` survives the post back to the parent. A result that does not would make the post
 * throw inside Piscina, which ends this thread and rejects the task with an empty object; checking here,
 * on the worker thread, costs the event loop nothing. Primitives and byte buffers always clone.
 */
function isCloneable(value: unknown): boolean {
  if (typeof value === 'function' || typeof value === 'symbol') return false;
  if (typeof value !== 'object' || value === null) return true;
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return true;
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

function describeUncloneable(value: unknown): string {
  try {
    structuredClone(value);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return typeof value;
}
