// System plumbing: killSystem, createUnsupervised (a fault ends the system), the dead-letter path and
// reference, component.waitEnded() and the public lifecycle state.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ComponentDefinition,
  type DeadLetter,
  type FaultContext,
  Handled,
  type HandlerReturn,
  type NetMessage,
  type RecoveryHandler,
} from '../src/index.js';
import { captureLogs, testConfig, withSystem } from '../src/testing/index.js';
import { ERROR, linesAt } from './support/logs.js';
import { settle, startProbe } from './support/probes.js';
import { DEADLINE_MS, track, within } from './support/promises.js';

/** Counts its onKill calls; a message 'crash' throws, 'block' blocks on a promise that never settles. */
class Worker extends ComponentDefinition<string> {
  kills = 0;
  handled: string[] = [];
  override onKill(): HandlerReturn {
    this.kills++;
  }
  override receiveLocal(msg: string): HandlerReturn {
    this.handled.push(msg);
    if (msg === 'crash') throw new Error('worker crashed');
    if (msg === 'block') return Handled.blockOn(() => new Promise<never>(() => {}));
    if (msg === 'shutdown') return Handled.Shutdown;
  }
}

describe('killSystem', () => {
  it('ends the system at once: no onKill runs, blocked components are not waited for', async () => {
    const system = await testConfig().build();
    const blocked = system.create(() => new Worker());
    const idle = system.create(() => new Worker());
    await system.startNotify(blocked);
    await system.startNotify(idle);
    blocked.actorRef().tell('block');
    blocked.actorRef().tell('queued');
    await settle();
    assert.deepEqual(
      blocked.onDefinition((d) => d.handled),
      ['block'],
      'blocked before the kill',
    );
    const letters: DeadLetter[] = [];
    system.deadLetters.subscribe((letter) => letters.push(letter));
    // The default grace period is 10 s: a plain shutdown would wait that long for the blocked one.
    await within(system.killSystem(), DEADLINE_MS / 2, 'killSystem to finish without the grace period');
    assert.equal(system.state, 'terminated');
    assert.equal(
      blocked.onDefinition((d) => d.kills),
      0,
    );
    assert.equal(
      idle.onDefinition((d) => d.kills),
      0,
    );
    assert.equal(blocked.state, 'destroyed');
    assert.deepEqual(
      letters.map((l) => l.message),
      ['queued'],
    );
    await within(system.awaitTermination(), DEADLINE_MS, 'termination');
    assert.equal(system.killSystem(), system.shutdown(), 'one ending, whichever was asked first');
  });

  it("closes a networked system's sockets too", async () => {
    const system = await testConfig().network().build();
    await within(system.killSystem(), DEADLINE_MS, 'killSystem of a networked system');
    assert.equal(system.state, 'terminated');
  });
});

describe('createUnsupervised', () => {
  it('ends the whole system when the component faults, without running its recovery', async () => {
    const { logger, lines } = captureLogs();
    const system = await testConfig().logger(logger).build();
    try {
      const worker = system.createUnsupervised(() => new Worker());
      let recoveries = 0;
      worker.setRecoveryFunction((fault: FaultContext): RecoveryHandler => {
        recoveries++;
        return fault.ignore();
      });
      await system.startNotify(worker);
      worker.actorRef().tell('crash');
      await within(system.awaitTermination(), DEADLINE_MS, 'the poisoned system to terminate');
      assert.equal(recoveries, 0);
      assert.equal(worker.state, 'faulty');
      assert.ok(linesAt(lines, ERROR).some((line) => /Poisoning system/.test(line.msg)));
    } finally {
      await system.shutdown();
    }
  });

  it("leaves a supervised component's fault to recovery, the system running", async () => {
    await withSystem(async (system) => {
      const worker = system.create(() => new Worker());
      await system.startNotify(worker);
      worker.actorRef().tell('crash');
      await within(worker.waitEnded(), DEADLINE_MS, 'the fault');
      assert.equal(system.state, 'active');
    });
  });
});

describe('dead-letter path and reference', () => {
  it('is the sender of messages the system tells, and a message to it is a dead letter', async () => {
    await withSystem(async (system) => {
      const { component, probe } = await startProbe(system);
      const path = system.actorPathFor(component);
      path.tell('hi', system);
      await probe.waitFor(1);
      const received = probe.received[0] as NetMessage;
      assert.ok(received.sender.equals(system.deadLetterPath()));
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      system.deadLetterPath().tell('to nobody', system);
      assert.equal(letters[0]?.reason, 'unresolved');
      assert.match(letters[0]?.detail ?? '', /dead-letter path/);
    });
  });

  it("gives a reference whose messages are dead letters, also from a component's system handle", async () => {
    class Sender extends ComponentDefinition<string> {
      override receiveLocal(msg: string): HandlerReturn {
        this.ctx.system().deadLetterRef().tell(msg);
      }
    }
    await withSystem(async (system) => {
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      system.deadLetterRef().tell({ any: 'thing' });
      const sender = system.create(() => new Sender());
      await system.startNotify(sender);
      sender.actorRef().tell('from inside');
      await within(
        new Promise<void>((resolve) => system.deadLetters.subscribe(() => resolve())),
        DEADLINE_MS,
        'the second dead letter',
      );
      assert.deepEqual(
        letters.map((l) => [l.reason, l.message]),
        [
          ['sent-to-dead-letters', { any: 'thing' }],
          ['sent-to-dead-letters', 'from inside'],
        ],
      );
      assert.equal(system.deadLetterRef(), system.deadLetterRef());
    });
  });
});

describe('component.waitEnded and component.state', () => {
  it('follows the lifecycle: passive, active, passive after a stop, destroyed after a kill', async () => {
    await withSystem(async (system) => {
      const worker = system.create(() => new Worker());
      assert.equal(worker.state, 'passive');
      await system.startNotify(worker);
      assert.equal(worker.state, 'active');
      await system.stopNotify(worker);
      assert.equal(worker.state, 'passive');
      const ended = track(worker.waitEnded());
      await system.startNotify(worker);
      assert.equal(ended.settled, false);
      await system.killNotify(worker);
      assert.equal(worker.state, 'destroyed');
      await within(worker.waitEnded(), DEADLINE_MS, 'waitEnded after the kill');
      assert.equal(ended.settled, true);
      assert.equal(ended.error, undefined);
    });
  });

  it('resolves when the component faults or shuts itself down, never rejecting', async () => {
    await withSystem(async (system) => {
      const faulting = system.create(() => new Worker());
      const quitting = system.create(() => new Worker());
      await system.startNotify(faulting);
      await system.startNotify(quitting);
      const faulted = faulting.waitEnded();
      const quit = quitting.waitEnded();
      faulting.actorRef().tell('crash');
      quitting.actorRef().tell('shutdown');
      await within(faulted, DEADLINE_MS, 'waitEnded of the faulted component');
      await within(quit, DEADLINE_MS, 'waitEnded of the component that shut itself down');
      assert.equal(faulting.state, 'faulty');
      assert.equal(quitting.state, 'destroyed');
    });
  });
});
