import { KompactError } from '../internal/kompact-error.js';
import type { ComponentCore } from './component-core.js';

let pending: ComponentCore | undefined;

/**
 * Called by the `ComponentDefinition` constructor: takes the core `system.create` prepared for it.
 * Throws when a definition is constructed outside `system.create`.
 */
export function claimCore(): ComponentCore {
  const core = pending;
  if (core === undefined) {
    throw new KompactError(
      'DEFINITION_OUTSIDE_CREATE',
      'A ComponentDefinition can only be constructed inside system.create(() => new MyComponent(...))',
    );
  }
  pending = undefined;
  return core;
}

/** Runs `factory` with `core` waiting to be claimed by the definition it constructs. */
export function constructFor<T>(core: ComponentCore, factory: () => T): T {
  const outer = pending;
  pending = core;
  try {
    return factory();
  } finally {
    pending = outer;
  }
}
