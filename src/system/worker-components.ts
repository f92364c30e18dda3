// The worker side of components created by class from the parent (`worker.create(Class, ...args)`).
import type { Component } from '../component/component.js';
import { ComponentDefinition } from '../component/component-definition.js';
import { KompactError } from '../internal/kompact-error.js';
import type { KompactSystem } from './kompact-system.js';

/** The components the parent created here, by id, for its lifecycle requests. */
const created = new Map<string, Component<ComponentDefinition<unknown>>>();

/** What the parent gets back for a created component. */
export interface CreatedReply {
  readonly componentId: string;
  readonly path: string;
}

/** Imports `exportName` of `moduleUrl`, creates a component of it with `args` and registers it. */
export async function createOnWorker(
  system: KompactSystem,
  moduleUrl: string,
  exportName: string,
  args: readonly unknown[],
): Promise<CreatedReply> {
  const loaded = (await import(moduleUrl)) as Record<string, unknown>;
  const definitionClass = loaded[exportName];
  if (typeof definitionClass !== 'function' || !(definitionClass.prototype instanceof ComponentDefinition)) {
    throw new KompactError(
      'NOT_REMOTABLE',
      `${moduleUrl} exports no component class named ${exportName} (export the class made remotable)`,
    );
  }
  const make = definitionClass as new (...args: unknown[]) => ComponentDefinition<unknown>;
  const component = system.create(() => new make(...args));
  const path = system.actorPathFor(component);
  created.set(component.id, component);
  return { componentId: component.id, path: path.toString() };
}

/** Runs a lifecycle request of the parent on a component it created here. */
export async function lifecycleOnWorker(
  system: KompactSystem,
  componentId: string,
  action: 'start' | 'stop' | 'kill' | 'is-faulty',
): Promise<unknown> {
  const component = created.get(componentId);
  if (component === undefined) {
    throw new KompactError('COMPONENT_DESTROYED', `No component ${componentId} was created on this worker`);
  }
  switch (action) {
    case 'start':
      return system.startNotify(component);
    case 'stop':
      return system.stopNotify(component);
    case 'kill':
      created.delete(componentId);
      return system.killNotify(component);
    case 'is-faulty':
      return component.isFaulty();
  }
}
