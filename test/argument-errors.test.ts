// Bad arguments name themselves: a TypeError in the house shape, never "x is not a function".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  biconnectComponents,
  biconnectPorts,
  ComponentDefinition,
  type HandlerReturn,
  type ProvidedPort,
  type RequiredPort,
} from '../src/index.js';
import { withGatedClock } from './support/clock.js';
import { CountPort, PortUser } from './support/definitions.js';

class Provider extends ComponentDefinition {
  readonly service = this.providePort(CountPort, (): HandlerReturn => {});
}

/** Calls `f` with arguments its types forbid, as untyped JavaScript callers can. */
function untyped<F>(f: F): (...args: unknown[]) => unknown {
  return f as unknown as (...args: unknown[]) => unknown;
}

describe('Argument errors', () => {
  it('refuses Component.onDefinition without a function, naming `fn`', async () => {
    await withGatedClock(async (system) => {
      const provider = system.create(() => new Provider());
      const onDefinition = untyped(provider.onDefinition.bind(provider));
      assert.throws(() => onDefinition(null), {
        name: 'TypeError',
        message: 'Expected `fn` to be a function, got `null` (null)',
      });
      assert.throws(() => onDefinition('service'), {
        name: 'TypeError',
        message: 'Expected `fn` to be a function, got `"service"` (string)',
      });
    });
  });

  it('refuses biconnectPorts of anything but a provided and a required port, naming the argument', async () => {
    await withGatedClock(async (system) => {
      const provider = system.create(() => new Provider());
      const user = system.create(() => new PortUser());
      const provided = provider.getProvidedPort(CountPort) as ProvidedPort<number, string>;
      const required = user.getRequiredPort(CountPort) as RequiredPort<number, string>;
      assert.throws(() => untyped(biconnectPorts)(null, null), {
        name: 'TypeError',
        message: 'Expected `provided` to be a provided port, got `null` (null)',
      });
      assert.throws(() => untyped(biconnectPorts)(provided, undefined), {
        name: 'TypeError',
        message: 'Expected `required` to be a required port, got `undefined` (undefined)',
      });
      assert.throws(() => untyped(biconnectPorts)(required, provided), {
        name: 'TypeError',
        message: 'Expected `provided` to be a provided port, got a required CountPort port',
      });
      // The right arguments still connect.
      biconnectPorts(provided, required).disconnect();
    });
  });

  it('refuses biconnectComponents without a port type or components, naming the argument', async () => {
    await withGatedClock(async (system) => {
      const provider = system.create(() => new Provider());
      const user = system.create(() => new PortUser());
      const connect = untyped(biconnectComponents);
      assert.throws(() => connect(null, provider, user), {
        name: 'TypeError',
        message: /^Expected `portType` to be a port type made by `port\(\)`, got `null` \(null\)$/,
      });
      assert.throws(() => connect(CountPort, null, user), {
        name: 'TypeError',
        message: 'Expected `provider` to be a Component, got `null` (null)',
      });
      assert.throws(() => connect(CountPort, provider, provider.actorRef()), {
        name: 'TypeError',
        message: /^Expected `requirer` to be a Component, got /,
      });
      biconnectComponents(CountPort, provider, user).disconnect();
    });
  });
});
