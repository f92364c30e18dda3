import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Component, ComponentDefinition, type SupervisionEvent } from '../src/index.js';
import { withSystem } from '../src/testing/index.js';
import { DEADLINE_MS, within } from './support/promises.js';

class Fragile extends ComponentDefinition<'crash' | 'ping'> {
  pings = 0;
  override receiveLocal(message: 'crash' | 'ping'): void {
    if (message === 'crash') throw new Error('boom');
    this.pings += 1;
  }
}

describe('the recovered event', () => {
  it('hands over the replacement component, so it can be driven like any other', async () => {
    await withSystem(async (system) => {
      const original = system.create(() => new Fragile());
      original.setRecoveryFunction((fault) => fault.replaceWith(() => new Fragile()));
      const recovered = new Promise<Extract<SupervisionEvent, { kind: 'recovered' }>>((resolve) => {
        system.supervision.on('recovered', resolve);
      });
      await within(system.startNotify(original), DEADLINE_MS, 'original to start');
      original.actorRef().tell('crash');
      const event = await within(recovered, DEADLINE_MS, 'the recovered event');
      const replacement = event.replacement as Component<Fragile>;
      assert.ok(replacement, 'replaceWith reports the component that took over');
      assert.equal(replacement.id, event.replacementId);
      assert.equal(original.actorRef().id, replacement.id, 'the old reference reaches it');
      original.actorRef().tell('ping');
      await new Promise((resolve) => setImmediate(resolve)); // let the ping be handled before the stop
      await within(system.stopNotify(replacement), DEADLINE_MS, 'replacement to stop');
      assert.equal(
        replacement.onDefinition((d) => d.pings),
        1,
      );
      await within(system.killNotify(replacement), DEADLINE_MS, 'replacement to be killed');
      assert.ok(replacement.isDestroyed());
    });
  });

  it('carries no replacement for a plain recoverWith', async () => {
    await withSystem(async (system) => {
      const original = system.create(() => new Fragile());
      original.setRecoveryFunction((fault) => fault.recoverWith(() => {}));
      const recovered = new Promise<Extract<SupervisionEvent, { kind: 'recovered' }>>((resolve) => {
        system.supervision.on('recovered', resolve);
      });
      await within(system.startNotify(original), DEADLINE_MS, 'original to start');
      original.actorRef().tell('crash');
      const event = await within(recovered, DEADLINE_MS, 'the recovered event');
      assert.equal(event.replacement, undefined);
      assert.equal(event.recovery, 'recover-with');
    });
  });
});
