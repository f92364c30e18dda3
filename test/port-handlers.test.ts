import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { biconnectComponents, ComponentDefinition, type FaultContext } from '../src/index.js';
import { withSystem } from '../src/testing/index.js';
import {
  BaseRequirer,
  Echo,
  InheritingRequirer,
  MethodProvider,
  OverridingRequirer,
  roundTrip,
} from './support/port-handlers.js';
import { DEADLINE_MS, within } from './support/promises.js';

class FunctionRequirer extends ComponentDefinition {
  seen: number[] = [];
  readonly echo = this.requirePort(Echo, function (this: FunctionRequirer, indication: number) {
    this.seen.push(indication);
  });
}

const ON_ECHO = Symbol('onEcho');

/** Requires Echo with a handler stored under a symbol key. */
class SymbolRequirer extends ComponentDefinition {
  seen: number[] = [];
  readonly echo = this.requirePort(Echo, this[ON_ECHO]);

  [ON_ECHO](indication: number): void {
    this.seen.push(indication);
  }
}

/** Provides Echo with a method handler that throws on a negative request; counts what it handled. */
class FragileProvider extends ComponentDefinition {
  handled = 0;
  constructor(readonly generation: number) {
    super();
  }
  readonly echo = this.providePort(Echo, this.onRequest);

  onRequest(request: number): void {
    if (request < 0) throw new Error('negative request');
    this.handled++;
    this.echo.trigger(this.generation * 1000 + request);
  }
}

describe('port handlers', () => {
  it('given as a method run the method of the instance’s own class, inherited or overridden', async () => {
    assert.deepEqual(await roundTrip(() => new BaseRequirer()), ['base 42']);
    assert.deepEqual(await roundTrip(() => new InheritingRequirer()), ['base 42']);
    assert.deepEqual(await roundTrip(() => new OverridingRequirer()), ['override 42']);
  });

  it('given as a symbol-keyed method run with the definition as `this`', async () => {
    assert.deepEqual(await roundTrip(() => new SymbolRequirer()), [42]);
  });

  it('given as a method run on the replacement, with its own state, after a fault', async () => {
    await withSystem(async (system) => {
      const provider = system.create(() => new FragileProvider(1));
      provider.setRecoveryFunction((fault: FaultContext) => fault.replaceWith(() => new FragileProvider(2)));
      const requirer = system.create(() => new FunctionRequirer());
      biconnectComponents(Echo, provider, requirer);
      await within(system.startNotify(provider), DEADLINE_MS, 'provider to start');
      await within(system.startNotify(requirer), DEADLINE_MS, 'requirer to start');
      const replaced = new Promise<void>((resolve) => {
        const off = system.supervision.on('recovered', () => {
          off();
          resolve();
        });
      });
      requirer.onDefinition((d) => {
        d.echo.trigger(1);
        d.echo.trigger(-1);
        d.echo.trigger(2);
      });
      await within(replaced, DEADLINE_MS, 'the replacement');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(
        requirer.onDefinition((d) => d.seen),
        [1001, 2002],
      );
    });
  });

  it('given as a method still work where code generation from strings is disallowed', async () => {
    const support = fileURLToPath(new URL('./support/port-handlers.js', import.meta.url));
    const script = `
      const { BaseRequirer, roundTrip } = await import(${JSON.stringify(support)});
      console.log(JSON.stringify(await roundTrip(() => new BaseRequirer())));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--disallow-code-generation-from-strings',
      '--input-type=module',
      '-e',
      script,
    ]);
    assert.equal(stdout.trim(), '["base 42"]');
  });

  it('run with the definition as `this` when passed as a method reference or a function expression', async () => {
    await withSystem(async (system) => {
      const provider = system.create(() => new MethodProvider());
      const requirer = system.create(() => new FunctionRequirer());
      biconnectComponents(Echo, provider, requirer);
      await within(system.startNotify(provider), DEADLINE_MS, 'provider to start');
      await within(system.startNotify(requirer), DEADLINE_MS, 'requirer to start');
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
