import { randomUUID } from 'node:crypto';

/** A component's unique id: a UUID v4 string, fixed for the life of the instance. Kompact: `ctx.id()`. */
export type ComponentId = string & { readonly __brand: 'ComponentId' };

/** Makes a fresh {@link ComponentId}. */
export function newComponentId(): ComponentId {
  const id = randomUUID();
  // randomUUID builds its string as a rope of small pieces (~450 bytes); reading a character
  // flattens it into one 36-character string (~56 bytes) for the component's whole life.
  id.charCodeAt(0);
  return id as ComponentId;
}
