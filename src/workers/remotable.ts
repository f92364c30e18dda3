import type { ComponentDefinition } from '../component/component-definition.js';
import { describeValue } from '../internal/describe-value.js';
import { KompactError } from '../internal/kompact-error.js';

/** Where a remotable class comes from: the module a worker imports and the name it is exported as. */
export interface RemotableOrigin {
  readonly moduleUrl: string;
  readonly exportName: string;
}

/** A component class, constructed with `new` and any arguments. */
// biome-ignore lint/suspicious/noExplicitAny: a constructor type must accept any argument list
export type DefinitionClass<D extends ComponentDefinition<unknown>> = new (...args: any[]) => D;

const ORIGIN: unique symbol = Symbol.for('kompact-ts.remotable') as never;

/**
 * Makes a component class creatable on a worker with `worker.create(Class, ...args)`: call it in the
 * class's module, beside the class, which must be exported under its own name.
 *
 * Kompact: none (Kompact's `system.create` takes a closure, which cannot cross a thread).
 *
 * @example
 * ```ts
 * export class Counter extends ComponentDefinition { ... }
 * remotable(Counter, import.meta);
 * ```
 */
export function remotable<C extends DefinitionClass<ComponentDefinition<unknown>>>(
  definitionClass: C,
  meta: { readonly url: string },
): C {
  if (typeof definitionClass !== 'function') {
    throw new TypeError(`Expected \`definitionClass\` to be a class, got ${describeValue(definitionClass)}`);
  }
  if (typeof meta !== 'object' || meta === null || typeof meta.url !== 'string') {
    throw new TypeError(`Expected \`meta\` to be the module's import.meta, got ${describeValue(meta)}`);
  }
  const origin: RemotableOrigin = { moduleUrl: meta.url, exportName: definitionClass.name };
  Object.defineProperty(definitionClass, ORIGIN, { value: origin, enumerable: false });
  return definitionClass;
}

/**
 * Where `definitionClass` was made remotable.
 *
 * @throws {@link KompactError} `NOT_REMOTABLE` for a class that was not.
 */
export function originOf(definitionClass: unknown): RemotableOrigin {
  const origin =
    typeof definitionClass === 'function'
      ? (Object.getOwnPropertyDescriptor(definitionClass, ORIGIN)?.value as RemotableOrigin | undefined)
      : undefined;
  if (origin === undefined) {
    const name =
      typeof definitionClass === 'function' ? definitionClass.name : describeValue(definitionClass);
    throw new KompactError(
      'NOT_REMOTABLE',
      `${name} cannot be created on a worker: call remotable(${name}, import.meta) in its module, and export it`,
    );
  }
  return origin;
}
