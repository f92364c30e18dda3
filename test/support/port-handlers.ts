// Port-handler components shared by test/port-handlers.test.ts and the child process it starts with
// code generation from strings disallowed, so both check the very same components.
import { biconnectComponents, type Component, ComponentDefinition, port } from '../../src/index.js';
import { withSystem } from '../../src/testing/index.js';

export const Echo = port<number, number>('Echo');

/** Provides Echo with a method handler: records each request and answers it doubled. */
export class MethodProvider extends ComponentDefinition {
  seen: number[] = [];
  readonly echo = this.providePort(Echo, this.handleRequest);

  handleRequest(request: number): void {
    this.seen.push(request);
    this.echo.trigger(request * 2);
  }
}

/** Requires Echo; its handler is a method of the base class that subclasses may override. */
export class BaseRequirer extends ComponentDefinition {
  seen: string[] = [];
  readonly echo = this.requirePort(Echo, this.onEcho);

  onEcho(indication: number): void {
    this.seen.push(`base ${indication}`);
  }
}

/** Overrides the base class's handler method. */
export class OverridingRequirer extends BaseRequirer {
  override onEcho(indication: number): void {
    this.seen.push(`override ${indication}`);
  }
}

/** Inherits the base class's handler method. */
export class InheritingRequirer extends BaseRequirer {}

/** Starts `requirer` and a MethodProvider connected to it, sends 21, and returns what it saw. */
export async function roundTrip<D extends { seen: unknown[]; echo: { trigger(request: number): void } }>(
  make: () => D & ComponentDefinition,
): Promise<unknown[]> {
  let seen: unknown[] = [];
  await withSystem(async (system) => {
    const provider = system.create(() => new MethodProvider());
    const requirer = system.create(make);
    // `D` is a type parameter, so the compile-time provider/requirer check cannot be decided for it.
    biconnectComponents(Echo, provider, requirer as Component<ComponentDefinition<never>>);
    await system.startNotify(provider);
    await system.startNotify(requirer);
    requirer.onDefinition((d) => d.echo.trigger(21));
    await new Promise((resolve) => setImmediate(resolve));
    seen = requirer.onDefinition((d) => [...d.seen]);
  });
  return seen;
}
