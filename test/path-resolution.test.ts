// The dispatcher remembers the last path object it resolved to one component, so that a run of
// messages to one path (a peer's frames of one pair) resolves once. These send through one path
// object before and after the path's target changes, and check that the remembered target is never
// used once it is no longer the path's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ActorPath, type DeadLetter, SystemPath } from '../src/index.js';
import { NamedPath } from '../src/paths/actor-path.js';
import { messageSource } from '../src/paths/message-source.js';
import { serialiseToBytes } from '../src/serialisation/serialiser.js';
import { Serialisers } from '../src/serialisation/serialisers.js';
import { withSystem } from '../src/testing/index.js';
import { Probe, settle, startNamedProbe, startProbe } from './support/probes.js';

/** What a system's dispatcher takes from a transport: a decoded frame's fields. */
interface Receiving {
  receive(
    sender: ActorPath,
    receiver: ActorPath,
    serId: number,
    chunk: Uint8Array,
    offset: number,
    length: number,
  ): void;
}

describe('resolving a path again', () => {
  it('sends to the new component once an alias is re-pointed, through the same path object', async () => {
    await withSystem(async (system) => {
      const first = await startNamedProbe(system, 'svc', 'first');
      const path = first.path;
      path.tell('one', system);
      path.tell('two', system);
      await first.probe.waitFor(2);
      const second = await startProbe(system, 'second');
      await system.updateAliasRegistration(second.component, 'svc');
      path.tell('three', system);
      await second.probe.waitFor(1);
      await settle();
      assert.deepEqual(first.probe.texts, ['one', 'two']);
      assert.deepEqual(second.probe.texts, ['three']);
    });
  });

  it('makes messages to a killed component dead letters, by alias and by unique path, after it was reached', async () => {
    await withSystem(async (system) => {
      const { component, probe, path: alias } = await startNamedProbe(system, 'gone');
      const unique = await system.register(component);
      alias.tell('a', system);
      unique.tell('b', system);
      await probe.waitFor(2);
      await system.killNotify(component);
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      unique.tell('c', system);
      alias.tell('d', system);
      await settle();
      assert.deepEqual(
        letters.map((l) => l.reason),
        ['unresolved', 'unresolved'],
      );
      assert.equal(probe.received.length, 2);
    });
  });

  it('gives a component unregistered between two frames from a peer no message', async () => {
    await withSystem(async (system) => {
      const { component, probe, path } = await startNamedProbe(system, 'target');
      const dispatcher = system[messageSource]().dispatcher as unknown as Receiving;
      const peer = new SystemPath('tcp', '127.0.0.1', 9);
      const sender = new NamedPath(peer, ['peer']);
      const bytes = serialiseToBytes(Serialisers.string, 'frame');
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      dispatcher.receive(sender, path, Serialisers.string.serId, bytes, 0, bytes.length);
      await probe.waitFor(1);
      await system.killNotify(component);
      dispatcher.receive(sender, path, Serialisers.string.serId, bytes, 0, bytes.length);
      await settle();
      assert.equal(probe.received.length, 1);
      assert.deepEqual(
        letters.map((l) => l.reason),
        ['unresolved'],
      );
    });
  });

  it('reaches the replacement of a faulted component through the path objects that reached it', async () => {
    await withSystem(async (system) => {
      const generations: Probe[] = [];
      const make = (): Probe => {
        const probe = new Probe(`g${generations.length}`);
        generations.push(probe);
        return probe;
      };
      const component = system.create(make);
      component.setRecoveryFunction((fault) => fault.replaceWith(make));
      await system.startNotify(component);
      const unique = await system.register(component);
      const alias = await system.registerByAlias(component, 'svc');
      unique.tell('by unique path', system);
      alias.tell('by alias', system);
      await generations[0]?.waitFor(2);
      unique.tell('crash', system);
      await settle(5);
      unique.tell('after, by unique path', system);
      alias.tell('after, by alias', system);
      await generations[1]?.waitFor(2);
      assert.deepEqual(generations[0]?.texts, ['by unique path', 'by alias', 'crash']);
      assert.deepEqual(generations[1]?.texts, ['after, by unique path', 'after, by alias']);
    });
  });
});
