// Routing that looks at the message: FieldHashRouting (Kompact's FieldHashBucketRouting) and custom
// policies whose context carries the message, on one system and from another.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ActorPath,
  type DeadLetter,
  FieldHashRouting,
  type KompactSystem,
  type RoutingContext,
  type RoutingPolicy,
  Serialisers,
} from '../src/index.js';
import { withSystem } from '../src/testing/index.js';
import { type Probe, startNamedProbe, startProbe } from './support/probes.js';
import { DEADLINE_MS, within } from './support/promises.js';

async function group(system: KompactSystem, policy: RoutingPolicy, size = 3): Promise<Probe[]> {
  await system.setRoutingPolicy('workers', policy);
  const probes: Probe[] = [];
  for (let i = 0; i < size; i++) probes.push((await startNamedProbe(system, `workers/${i}`, `w${i}`)).probe);
  return probes;
}

/** Resolves once the probes received `count` messages between them. */
function untilTotal(probes: readonly Probe[], count: number): Promise<void> {
  const total = () => probes.reduce((n, p) => n + p.received.length, 0);
  return within(
    new Promise<void>((resolve) => {
      const until = Date.now() + DEADLINE_MS;
      // Stops polling at the deadline, so a failed wait leaves no timer behind.
      const check = () => (total() >= count ? resolve() : Date.now() < until && setTimeout(check, 5));
      check();
    }),
    DEADLINE_MS,
    `${count} messages in the group`,
  );
}

const groupPath = (system: KompactSystem) => ActorPath.parse(`${system.systemPath().toString()}/workers`);

describe('FieldHashRouting', () => {
  it('sends every message with the same field value to the same member, whoever sends it', async () => {
    await withSystem(async (system) => {
      const probes = await group(
        system,
        new FieldHashRouting((msg) => msg.tryDeserialise(Serialisers.string)),
      );
      const one = await startProbe(system, 'one');
      const two = await startProbe(system, 'two');
      const values = ['a', 'b', 'a', 'c', 'a', 'b', 'd', 'e', 'f'];
      for (const [i, value] of values.entries())
        groupPath(system).tell(value, i % 2 === 0 ? one.component : two.component);
      await untilTotal(probes, values.length);
      const holder = (value: string) => probes.filter((p) => p.texts.includes(value));
      // Each value lives on exactly one member, all its copies together.
      for (const value of new Set(values)) {
        const holders = holder(value);
        assert.equal(holders.length, 1, `${value} on one member`);
        assert.equal(
          holders[0]?.texts.filter((t) => t === value).length,
          values.filter((v) => v === value).length,
        );
      }
      assert.equal(
        probes.reduce((n, p) => n + p.received.length, 0),
        values.length,
      );
    });
  });

  it('reads the field from the bytes of a message from another system', async () => {
    await withSystem(
      async (a) =>
        withSystem(
          async (b) => {
            const probes = await group(
              b,
              new FieldHashRouting((msg) => msg.tryDeserialise(Serialisers.string).slice(0, 1)),
            );
            for (const value of ['k1', 'k2', 'k3', 'k4']) groupPath(b).tell(value, a);
            await untilTotal(probes, 4);
            const holders = probes.filter((p) => p.received.length > 0);
            assert.equal(holders.length, 1, 'one key, one member');
            assert.deepEqual(holders[0]?.texts, ['k1', 'k2', 'k3', 'k4']);
            assert.equal(holders[0]?.received[0]?.isLocal, false);
          },
          (config) => config.network(),
        ),
      (config) => config.network(),
    );
  });

  it('makes a message whose field cannot be read a dead letter, never an exception at the sender', async () => {
    await withSystem(async (system) => {
      await group(
        system,
        new FieldHashRouting(() => {
          throw new Error('no field here');
        }),
      );
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      groupPath(system).tell('x', system);
      assert.equal(letters[0]?.reason, 'unresolved');
      assert.match(letters[0]?.detail ?? '', /no field here/);
      assert.throws(
        () => new FieldHashRouting('sender' as never),
        /Expected `field` to be a function, got `"sender"` \(string\)/,
      );
    });
  });
});

describe('a custom routing policy', () => {
  it('sees the message, not only the sender', async () => {
    const seen: string[] = [];
    const byPrefix: RoutingPolicy = {
      kind: 'by-prefix',
      mode: 'select',
      route<T>(members: readonly T[], context: RoutingContext): readonly T[] {
        const text = context.message.tryDeserialise(Serialisers.string);
        seen.push(
          `${text} from ${context.sender.toString() === context.message.sender.toString() ? 'sender' : '?'}`,
        );
        const member = members[text.startsWith('urgent') ? 0 : 1];
        return member === undefined ? [] : [member];
      },
    };
    await withSystem(async (system) => {
      const [urgent, normal] = await group(system, byPrefix, 2);
      groupPath(system).tell('urgent: fire', system);
      groupPath(system).tell('later', system);
      groupPath(system).tell('urgent: flood', system);
      await urgent?.waitFor(2);
      await normal?.waitFor(1);
      assert.deepEqual(urgent?.texts, ['urgent: fire', 'urgent: flood']);
      assert.deepEqual(normal?.texts, ['later']);
      assert.deepEqual(seen, ['urgent: fire from sender', 'later from sender', 'urgent: flood from sender']);
    });
  });
});
