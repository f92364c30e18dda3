// The fault path as one hand-over: the core hands its fault to the supervisor once, the supervisor
// keeps each line's restart history and drives recovery; lifecycle reads `faulty` from the fault on,
// whether its recovery has run yet or not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Component, ComponentDefinition, type DeadLetter, type HandlerReturn } from '../src/index.js';
import { within } from './support/promises.js';
import { ofKind, withEnv } from './support/supervision.js';

/** Records strings; `crash` throws. Registers itself in `registry`. */
class Worker extends ComponentDefinition<string> {
  readonly handled: string[] = [];

  constructor(readonly registry: Worker[]) {
    super();
    registry.push(this);
  }

  override receiveLocal(msg: string): HandlerReturn {
    if (msg === 'crash') throw new Error('boom');
    this.handled.push(msg);
  }
}

const WAIT_MS = 20_000;

describe('The fault hand-over', () => {
  it('keeps restart history per line: two lines faulting in turn each count only their own restarts', async () => {
    await withEnv(async ({ system, clock, events }) => {
      const lines: { registry: Worker[]; component: Component<Worker> }[] = [];
      for (let i = 0; i < 2; i++) {
        const registry: Worker[] = [];
        const component = system.create(() => new Worker(registry));
        component.setRecoveryFunction((fault) =>
          fault.replaceWith(() => new Worker(registry), { maxRestarts: 1, withinMs: 1000 }),
        );
        await within(system.startNotify(component), WAIT_MS, `line ${i} starting`);
        lines.push({ registry, component });
      }
      const [a, b] = lines as [(typeof lines)[0], (typeof lines)[0]];
      a.component.actorRef().tell('crash');
      await within(clock.advance(10), WAIT_MS, 'the first fault of line A being handled');
      b.component.actorRef().tell('crash');
      await within(clock.advance(10), WAIT_MS, 'the first fault of line B being handled');
      assert.equal(a.registry.length, 2, 'line A was replaced once');
      assert.equal(b.registry.length, 2, "line B was replaced once: line A's restart does not count for it");
      assert.equal(ofKind(events, 'gave-up').length, 0);

      // The second fault of line A within the window is past its limit (its replacement carries the line's history).
      a.component.actorRef().tell('crash');
      await within(clock.advance(10), WAIT_MS, 'the second fault of line A being handled');
      assert.equal(a.registry.length, 2, 'line A gave up');
      const gaveUp = ofKind(events, 'gave-up');
      assert.equal(gaveUp.length, 1);
      assert.equal(gaveUp[0]?.componentId, a.registry[1]?.ctx.id);

      b.component.actorRef().tell('after');
      await within(clock.settle(), WAIT_MS, 'line B handling a message');
      assert.deepEqual(b.registry[1]?.handled, ['after'], 'line B lives on');
    });
  });

  it('reads faulty from the fault on; messages queue while its recovery waits and are dead letters once it ran', async () => {
    await withEnv(async ({ system, clock }) => {
      const registry: Worker[] = [];
      const component = system.create(() => new Worker(registry));
      const seenInRecovery: { faulty: boolean; active: boolean; destroyed: boolean }[] = [];
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      component.setRecoveryFunction((fault) => {
        // Called at fault time, before the supervisor's turn: the component awaits its recovery.
        seenInRecovery.push({
          faulty: component.isFaulty(),
          active: component.isActive(),
          destroyed: component.isDestroyed(),
        });
        component.actorRef().tell('sent while awaiting recovery');
        return fault.ignore();
      });
      await within(system.startNotify(component), WAIT_MS, 'the worker starting');
      component.actorRef().tell('crash');
      component.actorRef().tell('queued behind the fault');
      await within(clock.settle(), WAIT_MS, 'the fault being handled');
      assert.deepEqual(seenInRecovery, [{ faulty: true, active: false, destroyed: false }]);
      assert.deepEqual(
        letters.map((letter) => [letter.message, letter.reason]),
        [
          ['queued behind the fault', 'faulty'],
          ['sent while awaiting recovery', 'faulty'],
        ],
        'queued while its recovery waited, then dead letters when it ran (ignore: no replacement)',
      );
      assert.ok(component.isFaulty(), 'still faulty after its recovery ran');

      component.actorRef().tell('sent after recovery');
      assert.deepEqual(letters.at(-1)?.message, 'sent after recovery', 'a dead letter at once');
      assert.equal(letters.at(-1)?.reason, 'faulty');
      assert.deepEqual(registry[0]?.handled, []);
    });
  });
});
