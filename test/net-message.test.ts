// A NetMessage read from received bytes: the payload lies at an offset inside a larger chunk (a decoded
// batch), and numbers are read from it without a reader. These check that the short read gives what
// the reader gives, at every position, and that a wrong-sized number payload still fails the same way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { remoteNetMessage } from '../src/messaging/net-message.js';
import { NamedPath } from '../src/paths/actor-path.js';
import { SystemPath } from '../src/paths/system-path.js';
import { BufferWriter } from '../src/serialisation/buffer-writer.js';
import { SerialisationError } from '../src/serialisation/serialisation-error.js';
import { serialiseToBytes } from '../src/serialisation/serialiser.js';
import { Serialisers } from '../src/serialisation/serialisers.js';

const system = new SystemPath('tcp', '127.0.0.1', 9);
const sender = new NamedPath(system, ['sender']);
const receiver = new NamedPath(system, ['receiver']);

/** `values` serialised one after another into one chunk, as a decoded batch holds them. */
function batchOf(values: readonly number[]): { chunk: Uint8Array; offsets: number[] } {
  const out = new BufferWriter();
  const offsets: number[] = [];
  for (const value of values) {
    out.writeU8(0xee); // a byte of another field between payloads, as in a frame
    offsets.push(out.length);
    out.writeF64(value);
  }
  return { chunk: out.finish(), offsets };
}

describe('NetMessage from received bytes', () => {
  it('reads numbers at any offset of a chunk as they were sent, NaN, -0 and the infinities included', () => {
    const edge = [0, -0, 1, -1, 0.1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    edge.push(2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53, -1.5, Number.MAX_VALUE, Number.MIN_VALUE);
    const { chunk, offsets } = batchOf(edge);
    edge.forEach((value, i) => {
      const msg = remoteNetMessage(sender, receiver, Serialisers.number.serId, chunk, offsets[i], 8);
      assert.ok(Object.is(msg.tryDeserialise(Serialisers.number), value), String(value));
    });
    fc.assert(
      fc.property(fc.array(fc.double(), { minLength: 1, maxLength: 20 }), (values) => {
        const batch = batchOf(values);
        values.forEach((value, i) => {
          const msg = remoteNetMessage(
            sender,
            receiver,
            Serialisers.number.serId,
            batch.chunk,
            batch.offsets[i],
            8,
          );
          assert.ok(Object.is(msg.tryDeserialise(Serialisers.number), value), String(value));
        });
      }),
      { numRuns: 100 },
    );
  });

  it('hands an integral number over as a small integer, -0 as a double', () => {
    setFlagsFromString('--allow-natives-syntax');
    const isSmi = new Function('value', 'return %IsSmi(value)') as (value: number) => boolean;
    const { chunk, offsets } = batchOf([7, -(2 ** 30), -0, 0.5]);
    const read = (i: number): number =>
      remoteNetMessage(sender, receiver, Serialisers.number.serId, chunk, offsets[i], 8).tryDeserialise(
        Serialisers.number,
      );
    assert.ok(isSmi(read(0)), '7 read as a heap double');
    assert.ok(isSmi(read(1)), '-2^30 read as a heap double');
    assert.ok(!isSmi(read(2)), '-0 must stay a double');
    assert.ok(Object.is(read(2), -0));
    assert.equal(read(3), 0.5);
  });

  it('refuses a number payload of any other size than 8 bytes with a SerialisationError of serId 10', () => {
    const bytes = serialiseToBytes(Serialisers.number, 42);
    const chunk = new Uint8Array(20);
    chunk.set(bytes, 4);
    for (const length of [0, 7, 9, 16]) {
      const msg = remoteNetMessage(sender, receiver, Serialisers.number.serId, chunk, 4, length);
      assert.throws(
        () => msg.tryDeserialise(Serialisers.number),
        (error: unknown) =>
          error instanceof SerialisationError &&
          error.serId === Serialisers.number.serId &&
          (error.reason === 'buffer' || error.reason === 'invalid-data'),
        `a payload of ${length} bytes`,
      );
    }
    assert.equal(
      remoteNetMessage(sender, receiver, Serialisers.number.serId, chunk, 4, 8).tryDeserialise(
        Serialisers.number,
      ),
      42,
    );
  });

  it('reads a number that ends exactly at the end of its chunk', () => {
    const bytes = serialiseToBytes(Serialisers.number, -123.25);
    const chunk = new Uint8Array(11);
    chunk.set(bytes, 3);
    const msg = remoteNetMessage(sender, receiver, Serialisers.number.serId, chunk, 3, 8);
    assert.equal(msg.tryDeserialise(Serialisers.number), -123.25);
  });
});
