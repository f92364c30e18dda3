import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { biconnectComponents, ComponentDefinition, port } from '../src/index.js';
import { withSystem } from '../src/testing/index.js';

const Echo = port<number, number>('Echo');

class MethodProvider extends ComponentDefinition {
  seen: number[] = [];
  readonly echo = this.providePort(Echo, this.handleRequest);

  handleRequest(request: number): void {
    this.seen.push(request);
    this.echo.trigger(request * 2);
  }
}

class FunctionRequirer extends ComponentDefinition {
  seen: number[] = [];
  readonly echo = this.requirePort(Echo, function (this: FunctionRequirer, indication: number) {
    this.seen.push(indication);
  });
}

describe('port handlers', () => {
  it('run with the definition as `this` when passed as a method reference or a function expression', async () => {
    await withSystem(async (system) => {
      const provider = system.create(() => new MethodProvider());
      const requirer = system.create(() => new FunctionRequirer());
      biconnectComponents(Echo, provider, requirer);
      await system.startNotify(provider);
      await system.startNotify(requirer);
      requirer.onDefinition((d) => d.echo.trigger(21));
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(
        provider.onDefinition((d) => d.seen),
        [21],
      );
      assert.deepEqual(
        requirer.onDefinition((d) => d.seen),
        [42],
      );
    });
  });
});
