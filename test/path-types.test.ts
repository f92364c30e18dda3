// Type-level tests of `path.tell`: every `// @ts-expect-error` line below must be a compile error, or
// `tsc` fails with "Unused '@ts-expect-error' directive". The functions holding them are never called;
// the runtime tests at the end check that what the types let through without a serialiser is what the
// runtime serialises without one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ActorPath,
  type BuiltInSerialisable,
  ComponentDefinition,
  type KompactSystem,
  msgpackSerialiser,
  type Serialiser,
  Serialisers,
  serId,
} from '../src/index.js';
import { withSystem } from '../src/testing/index.js';
import { startNamedProbe } from './support/probes.js';
import { within } from './support/promises.js';

interface Heartbeat {
  readonly kind: 'heartbeat';
  readonly seq: number;
}
const HeartbeatSerialiser = msgpackSerialiser<Heartbeat>(serId(4200));

/** Sends from inside a component, as handlers do. Never started by the compile-time checks. */
class Sender extends ComponentDefinition {
  /** Compile-time checks of `tell` from a component. Never called. */
  tellChecks(path: ActorPath, heartbeat: Heartbeat, maybe: string | Heartbeat, bytes: Buffer): void {
    // What is allowed: built-in value types without a serialiser, anything with one.
    path.tell('increment', this);
    path.tell(42, this);
    path.tell(42n, this);
    path.tell(new Uint8Array(4), this);
    path.tell(bytes, this);
    path.tell(path, this);
    path.tell('text', this, Serialisers.string);
    path.tell(heartbeat, this, HeartbeatSerialiser);
    path.tell({ kind: 'heartbeat', seq: 1 }, this, HeartbeatSerialiser);
    path.tell(maybe, this, msgpackSerialiser<string | Heartbeat>(serId(4201)));

    // @ts-expect-error an object has no built-in serialiser: pass one
    path.tell(heartbeat, this);
    // @ts-expect-error an object literal has no built-in serialiser: pass one
    path.tell({ kind: 'heartbeat', seq: 1 }, this);
    // @ts-expect-error a union with an object in it has no built-in serialiser either
    path.tell(maybe, this);
    // @ts-expect-error a boolean has no built-in serialiser
    path.tell(true, this);
    // @ts-expect-error an array has no built-in serialiser
    path.tell([1, 2], this);
    // @ts-expect-error the serialiser must be for the value's type
    path.tell(heartbeat, this, Serialisers.string);
    // @ts-expect-error the serialiser must be for the value's type
    path.tell('text', this, HeartbeatSerialiser);
  }
}
void Sender;

/** Compile-time checks of generic callers and of `tell` from a system. Never called. */
export function genericChecks<V extends BuiltInSerialisable, W>(
  path: ActorPath,
  system: KompactSystem,
  builtIn: V,
  other: W,
  serialiser: Serialiser<W>,
): void {
  // What is allowed: a type parameter bounded by the built-in types, or any value with its serialiser.
  path.tell(builtIn, system);
  path.tell(other, system, serialiser);

  // @ts-expect-error an unbounded type parameter may be anything: pass a serialiser
  path.tell(other, system);
  // @ts-expect-error a value of unknown type may be anything: pass a serialiser
  path.tell(other as unknown, system);
}

describe('path.tell types', () => {
  it('sends every value type the types allow without a serialiser with its built-in serialiser', async () => {
    await withSystem(async (system) => {
      const { probe, path } = await startNamedProbe(system, 'types');
      const values: BuiltInSerialisable[] = ['text', 7, 7n, new Uint8Array([1]), Buffer.from([2]), path];
      for (const value of values) path.tell(value, system);
      await within(probe.waitFor(values.length), 10_000, `${values.length} path messages arriving`);
      const serIds = [
        Serialisers.string,
        Serialisers.number,
        Serialisers.bigint,
        Serialisers.bytes,
        Serialisers.bytes,
        Serialisers.actorPath,
      ].map((serialiser) => serialiser.serId);
      assert.deepEqual(
        probe.received.map((msg) => msg.serId),
        serIds,
      );
    });
  });

  it('refuses at run time an object without a serialiser that a cast let through, naming the fix', async () => {
    await withSystem(async (system) => {
      const { probe, path } = await startNamedProbe(system, 'refused');
      const heartbeat: unknown = { kind: 'heartbeat', seq: 1 };
      assert.throws(
        () => path.tell(heartbeat as string, system),
        (error: unknown) =>
          error instanceof TypeError &&
          error.message.startsWith('Expected a serialiser for') &&
          error.message.includes('msgpackSerialiser'),
      );
      assert.equal(probe.received.length, 0);
    });
  });
});
