// kompact-ts/testing's serialiser round trips: roundTrip and assertRoundTrips for users' serialisers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { msgpackSerialiser, SerialisationError, type Serialiser, Serialisers, serId } from '../src/index.js';
import { assertRoundTrips, roundTrip } from '../src/testing/index.js';

type Point = { readonly x: number; readonly y: number };
const PointSerialiser: Serialiser<Point> = {
  serId: serId(142),
  sizeHint: 16,
  serialise(point, out) {
    out.writeF64(point.x);
    out.writeF64(point.y);
  },
  deserialise(input) {
    return { x: input.readF64(), y: input.readF64() };
  },
};

/** Forgets `y` on the way: a broken serialiser the helpers must catch. */
const Lossy: Serialiser<Point> = {
  serId: serId(143),
  serialise(point, out) {
    out.writeF64(point.x);
  },
  deserialise(input) {
    return { x: input.readF64(), y: 0 };
  },
};

/** Writes more than it reads. */
const Sloppy: Serialiser<number> = {
  serId: serId(144),
  serialise(n, out) {
    out.writeF64(n);
    out.writeU8(0);
  },
  deserialise: (input) => input.readF64(),
};

describe('roundTrip and assertRoundTrips', () => {
  it('gives the bytes and the value read back, as a peer would read them', () => {
    const { bytes, value } = roundTrip(PointSerialiser, { x: 1.5, y: -2 });
    assert.equal(bytes.length, 16);
    assert.deepEqual(value, { x: 1.5, y: -2 });
    assert.equal(roundTrip(Serialisers.string, 'héllo').value, 'héllo');
  });

  it('passes serialisers that round-trip, the built-in and msgpack ones included', () => {
    assertRoundTrips(PointSerialiser, [
      { x: 1, y: 2 },
      { x: -0.5, y: 1e9 },
    ]);
    assertRoundTrips(Serialisers.bigint, [0n, -1n, 2n ** 70n]);
    assertRoundTrips(msgpackSerialiser<{ a: number[] }>(serId(145)), [{ a: [1, 2, 3] }]);
  });

  it('names the first value that comes back different, and what came back', () => {
    assert.throws(
      () =>
        assertRoundTrips(Lossy, [
          { x: 1, y: 0 },
          { x: 1, y: 2 },
        ]),
      /value 1 \(\{ x: 1, y: 2 \}\) came back as \{ x: 1, y: 0 \} from serId 143/,
    );
  });

  it('fails a serialiser whose reader does not consume exactly what its writer wrote', () => {
    assert.throws(() => roundTrip(Sloppy, 1), SerialisationError);
    assert.throws(() => assertRoundTrips(Sloppy, [1]), /value 0 \(1\) did not round-trip through serId 144/);
  });

  it('takes a comparison of its own, e.g. for values with NaN or identity', () => {
    assertRoundTrips(Serialisers.number, [Number.NaN], (a, b) => Object.is(a, b));
    assert.throws(() => assertRoundTrips(PointSerialiser, [{ x: 1, y: 2 }], () => false), /came back as/);
  });
});
