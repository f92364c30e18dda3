import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Ask, ComponentDefinition } from '../src/index.js';
import { withSystem } from '../src/testing/index.js';

class Counter extends ComponentDefinition<Ask<number, number>> {
  count = 0;
  override receiveLocal(ask: Ask<number, number>): void {
    this.count += ask.request;
    ask.reply(this.count);
  }
}

describe('smoke', () => {
  it('asks a counter', async () => {
    await withSystem(async (system) => {
      const c = system.create(() => new Counter());
      await system.startNotify(c);
      assert.equal(await c.actorRef().ask(42), 42);
      assert.equal(await c.actorRef().ask(1), 43);
    });
  });
});
