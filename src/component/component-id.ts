import { randomUUID } from 'node:crypto';

/** A component's unique id: a UUID v4 string, fixed for the life of the instance. Kompact: `ctx.id()`. */
export type ComponentId = string & { readonly __brand: 'ComponentId' };

/** Makes a fresh {@link ComponentId}. */
export function newComponentId(): ComponentId {
  return randomUUID() as ComponentId;
}
