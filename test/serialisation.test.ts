import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { KompactError } from '../src/internal/kompact-error.js';
import { ActorPath } from '../src/paths/actor-path.js';
import { PathParseError } from '../src/paths/path-parse-error.js';
import { BufferReader } from '../src/serialisation/buffer-reader.js';
import { BufferWriter } from '../src/serialisation/buffer-writer.js';
import { matchDeserialise } from '../src/serialisation/match-deserialise.js';
import { msgpackSerialiser } from '../src/serialisation/msgpack-serialiser.js';
import {
  isReservedSerId,
  MAX_RESERVED_SER_ID,
  ReservedSerIds,
  type SerId,
  serId,
} from '../src/serialisation/ser-id.js';
import {
  SerialisationError,
  type SerialisationErrorReason,
} from '../src/serialisation/serialisation-error.js';
import { deserialiseFromBytes, type Serialiser, serialiseToBytes } from '../src/serialisation/serialiser.js';
import { SerialiserRegistry } from '../src/serialisation/serialiser-registry.js';
import { Serialisers } from '../src/serialisation/serialisers.js';

// ---- helpers ------------------------------------------------------------------------------------

function roundTrip<T>(serialiser: Serialiser<T>, value: T): T {
  return deserialiseFromBytes(serialiser, serialiseToBytes(serialiser, value));
}

function serError(
  reason: SerialisationErrorReason | readonly SerialisationErrorReason[],
  id?: SerId,
): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof SerialisationError, `expected a SerialisationError, got ${String(error)}`);
    assert.ok(error instanceof KompactError);
    const reasons: readonly SerialisationErrorReason[] = typeof reason === 'string' ? [reason] : reason;
    assert.ok(reasons.includes(error.reason), `reason ${error.reason}: ${error.message}`);
    assert.equal(error.code, error.reason === 'unknown-ser-id' ? 'UNKNOWN_SER_ID' : 'SERIALISATION_FAILED');
    if (id !== undefined) assert.equal(error.serId, id);
    return true;
  };
}

/** Every strict prefix of a valid encoding fails with a SerialisationError naming the serId. */
function assertTruncationsFail<T>(serialiser: Serialiser<T>, value: T): void {
  const bytes = serialiseToBytes(serialiser, value);
  for (let length = 0; length < bytes.length; length++) {
    assert.throws(
      () => deserialiseFromBytes(serialiser, bytes.subarray(0, length)),
      serError(['buffer', 'invalid-data'], serialiser.serId),
    );
  }
  const longer = new Uint8Array(bytes.length + 1);
  longer.set(bytes);
  assert.throws(() => deserialiseFromBytes(serialiser, longer), serError('invalid-data', serialiser.serId));
}

function assertGarbageNeverEscapes(serialiser: Serialiser<unknown>): void {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      try {
        deserialiseFromBytes(serialiser, bytes);
      } catch (error) {
        assert.ok(error instanceof SerialisationError, String(error));
        assert.equal(error.serId, serialiser.serId);
      }
    }),
    { numRuns: 200 },
  );
}

type Move = { readonly kind: 'move'; readonly x: number; readonly y: number };
const isMove = (value: unknown): value is Move =>
  typeof value === 'object' &&
  value !== null &&
  (value as Move).kind === 'move' &&
  typeof (value as Move).x === 'number' &&
  typeof (value as Move).y === 'number';

// ---- tests --------------------------------------------------------------------------------------

describe('serId', () => {
  it('accepts unsigned integers below 2^32', () => {
    assert.equal(serId(0), 0);
    assert.equal(serId(42), 42);
    assert.equal(serId(0xffff_ffff), 0xffff_ffff);
  });

  it('rejects anything else with a TypeError in p-queue style', () => {
    assert.throws(() => serId(-1), {
      name: 'TypeError',
      message: 'Expected `serId` to be an integer from 0 to 4294967295, got `-1` (number)',
    });
    for (const bad of [1.5, 2 ** 32, Number.NaN, Number.POSITIVE_INFINITY, '5', 5n, null]) {
      assert.throws(() => serId(bad as number), TypeError);
    }
  });

  it('reserves 0 to 20 and gives every built-in a reserved id', () => {
    assert.equal(MAX_RESERVED_SER_ID, 20);
    assert.ok(isReservedSerId(serId(20)));
    assert.ok(!isReservedSerId(serId(21)));
    assert.equal(Serialisers.actorPath.serId, ReservedSerIds.actorPath);
    assert.equal(Serialisers.actorPath.serId, 6);
    assert.equal(Serialisers.bigint.serId, 7);
    assert.equal(Serialisers.string.serId, 9);
    assert.equal(Serialisers.number.serId, 10);
    assert.equal(Serialisers.bytes.serId, 11);
    const ids = Object.values(ReservedSerIds);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.every((id) => isReservedSerId(id)));
  });
});

describe('BufferWriter and BufferReader', () => {
  it('round-trip every primitive at its limits', () => {
    const out = new BufferWriter(1);
    out.writeU8(0);
    out.writeU8(255);
    out.writeU16(65535);
    out.writeU32(0xffff_ffff);
    out.writeU64(0xffff_ffff_ffff_ffffn);
    out.writeF64(-0);
    out.writeBytes(new Uint8Array([9, 8]));
    out.writeByteString(new Uint8Array([7]));
    out.writeString('héllo 🎉');
    out.writeString('');
    const input = new BufferReader(out.finish());
    assert.equal(input.readU8(), 0);
    assert.equal(input.readU8(), 255);
    assert.equal(input.readU16(), 65535);
    assert.equal(input.readU32(), 0xffff_ffff);
    assert.equal(input.readU64(), 0xffff_ffff_ffff_ffffn);
    assert.ok(Object.is(input.readF64(), -0));
    assert.deepEqual([...input.readBytes(2)], [9, 8]);
    assert.deepEqual([...input.readByteString()], [7]);
    assert.equal(input.readString(), 'héllo 🎉');
    assert.equal(input.readString(), '');
    assert.equal(input.remaining, 0);
    input.expectEnd();
  });

  it('writes integers big-endian', () => {
    const out = new BufferWriter();
    out.writeU16(0x0102);
    out.writeU32(0x03040506);
    assert.deepEqual([...out.finish()], [1, 2, 3, 4, 5, 6]);
  });

  it('grows past its initial capacity and starts empty again after finish', () => {
    const out = new BufferWriter(0);
    for (let i = 0; i < 1000; i++) out.writeU32(i);
    assert.equal(out.length, 4000);
    const first = out.finish();
    assert.equal(first.length, 4000);
    assert.equal(new BufferReader(first.subarray(3996)).readU32(), 999);
    assert.equal(out.length, 0);
    out.writeU8(1);
    assert.deepEqual([...out.finish()], [1]);
    assert.equal(first.length, 4000, 'a finished buffer is not overwritten by later writes');
  });

  it('never writes over a finished view, within a chunk or after moving to a new one', () => {
    const out = new BufferWriter(16);
    const views: Uint8Array[] = [];
    for (let i = 0; i < 50; i++) {
      out.writeU8(i);
      if (i % 7 === 0) out.writeBytes(new Uint8Array(20).fill(i));
      views.push(out.finish());
    }
    views.forEach((view, i) => {
      assert.equal(view[0], i);
      assert.equal(view.length, i % 7 === 0 ? 21 : 1);
      if (i % 7 === 0) assert.ok(view.subarray(1).every((b) => b === i));
    });
  });

  it('reads from a view with an offset into a larger buffer', () => {
    const backing = new Uint8Array([0xff, 0, 0, 0, 7, 0xff]);
    assert.equal(new BufferReader(backing.subarray(1, 5)).readU32(), 7);
  });

  it('refuses out-of-range values instead of wrapping them', () => {
    const out = new BufferWriter();
    assert.throws(() => out.writeU8(256), {
      name: 'TypeError',
      message: 'Expected `value` to be an integer from 0 to 255, got `256` (number)',
    });
    assert.throws(() => out.writeU8(1.5), TypeError);
    assert.throws(() => out.writeU16(-1), TypeError);
    assert.throws(() => out.writeU32(2 ** 32), TypeError);
    assert.throws(() => out.writeU64(-1n), TypeError);
    assert.throws(() => out.writeU64(1n << 64n), TypeError);
    assert.throws(() => out.writeU64(1 as unknown as bigint), TypeError);
    assert.throws(() => out.writeF64('1' as unknown as number), TypeError);
    assert.throws(() => out.writeBytes([1] as unknown as Uint8Array), TypeError);
    assert.throws(() => new BufferWriter(-1), TypeError);
    assert.equal(out.length, 0);
  });

  it('refuses strings with a lone surrogate, which have no UTF-8 form', () => {
    assert.throws(() => new BufferWriter().writeString('a\uD800b'), serError('invalid-type'));
  });

  it('throws a SerialisationError when reading past the end', () => {
    const input = new BufferReader(new Uint8Array([1, 2, 3]));
    assert.throws(() => input.readU32(), serError('buffer'));
    assert.equal(input.position, 0, 'a failed read consumes nothing');
    assert.throws(() => input.readU64(), serError('buffer'));
    assert.throws(() => input.readF64(), serError('buffer'));
    assert.throws(() => input.readBytes(4), serError('buffer'));
    assert.equal(input.readU16(), 0x0102);
    assert.throws(() => input.readU16(), /Needed a u16 at offset 2, but only 1 bytes remain/);
    assert.equal(input.readU8(), 3);
    assert.throws(() => input.readU8(), serError('buffer'));
  });

  it('throws a SerialisationError for a length prefix longer than the input', () => {
    const out = new BufferWriter();
    out.writeU32(0xffff_ffff);
    assert.throws(() => new BufferReader(out.finish()).readString(), serError('buffer'));
  });

  it('throws a SerialisationError for invalid UTF-8', () => {
    const out = new BufferWriter();
    out.writeByteString(new Uint8Array([0xc3, 0x28]));
    assert.throws(() => new BufferReader(out.finish()).readString(), serError('invalid-data'));
  });

  it('reports trailing bytes on expectEnd', () => {
    const input = new BufferReader(new Uint8Array([1, 2]));
    input.readU8();
    assert.throws(() => input.expectEnd(), serError('invalid-data'));
  });
});

describe('Serialisers', () => {
  it('round-trip strings, including empty, unicode, NUL and a leading BOM', () => {
    for (const text of ['', 'hello', 'größe 日本語 🎉👩‍👩‍👧', '\0', '\uFEFFbom', 'x'.repeat(100_000)]) {
      assert.equal(roundTrip(Serialisers.string, text), text);
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        assert.equal(roundTrip(Serialisers.string, text), text);
      }),
      { numRuns: 200 },
    );
  });

  it('round-trip numbers, including NaN, ±Infinity and -0', () => {
    const edge = [0, -0, 1, -1, 0.1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    edge.push(2 ** 30, -(2 ** 30) - 1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 32, -1.5);
    for (const n of [...edge, Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER, Number.EPSILON]) {
      assert.ok(Object.is(roundTrip(Serialisers.number, n), n), String(n));
    }
    fc.assert(
      fc.property(fc.double(), (n) => {
        assert.ok(Object.is(roundTrip(Serialisers.number, n), n));
      }),
      { numRuns: 200 },
    );
  });

  it('decode an integral number as a small integer, as a structured clone does', () => {
    // A heap double n makes V8 optimise fib(n) in a handler for doubles: 1.7× the CPU time of a
    // small integer (measured on a worker system, whose numbers all arrive serialised).
    setFlagsFromString('--allow-natives-syntax');
    const isSmi = new Function('value', 'return %IsSmi(value)') as (value: number) => boolean;
    for (const n of [0, 1, -1, 32, 2 ** 30 - 1, -(2 ** 30)]) {
      assert.ok(isSmi(roundTrip(Serialisers.number, n)), `${n} decoded as a heap double`);
    }
    assert.ok(!isSmi(roundTrip(Serialisers.number, -0)), '-0 must stay a double');
    assert.ok(!isSmi(roundTrip(Serialisers.number, 0.5)));
  });

  it('round-trip bigints of any size and sign', () => {
    const edge = [
      0n,
      1n,
      -1n,
      255n,
      256n,
      -256n,
      1n << 64n,
      -(1n << 64n),
      (1n << 4096n) + 1n,
      -(10n ** 400n),
    ];
    for (const n of edge) assert.equal(roundTrip(Serialisers.bigint, n), n);
    fc.assert(
      fc.property(fc.bigInt(), (n) => {
        assert.equal(roundTrip(Serialisers.bigint, n), n);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses non-canonical bigint encodings', () => {
    const encode = (sign: number, magnitude: number[]) => {
      const out = new BufferWriter();
      out.writeU8(sign);
      out.writeByteString(new Uint8Array(magnitude));
      return out.finish();
    };
    assert.equal(deserialiseFromBytes(Serialisers.bigint, encode(1, [1])), -1n);
    for (const bytes of [encode(2, [1]), encode(1, []), encode(0, [0, 1])]) {
      assert.throws(
        () => deserialiseFromBytes(Serialisers.bigint, bytes),
        serError('invalid-data', serId(7)),
      );
    }
  });

  it('round-trip bytes, including empty, and hand back a copy', () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array([0, 255]), new Uint8Array(65_536).fill(7)]) {
      assert.deepEqual(roundTrip(Serialisers.bytes, bytes), bytes);
    }
    const encoded = serialiseToBytes(Serialisers.bytes, new Uint8Array([1, 2, 3]));
    const decoded = deserialiseFromBytes(Serialisers.bytes, encoded);
    const fromBuffer = deserialiseFromBytes(Serialisers.bytes, Buffer.from(encoded));
    encoded.fill(0);
    assert.deepEqual([...decoded], [1, 2, 3]);
    assert.equal(
      Object.getPrototypeOf(fromBuffer),
      Uint8Array.prototype,
      'a plain Uint8Array, not a Buffer view',
    );
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => {
        assert.deepEqual(roundTrip(Serialisers.bytes, bytes), bytes);
      }),
      { numRuns: 100 },
    );
  });

  it('round-trip unique, named and marked actor paths', () => {
    for (const text of [
      'tcp://127.0.0.1:63482#0f8c2a4e-9b1d-4c3a-8e2f-6a5b4c3d2e1f',
      'tcp://[::1]:1/my-service/instance1',
      'local://localhost:0/group/*',
      'tcp://10.0.0.1:9/group/?',
    ]) {
      const path = ActorPath.parse(text);
      const back = roundTrip(Serialisers.actorPath, path);
      assert.ok(back.equals(path));
      assert.equal(back.kind, path.kind);
    }
  });

  it('refuses a malformed actor path with a SerialisationError caused by the PathParseError', () => {
    const bytes = serialiseToBytes(Serialisers.string, 'tcp://127.0.0.1:99999/a');
    assert.throws(
      () => deserialiseFromBytes(Serialisers.actorPath, bytes),
      (error: unknown) =>
        serError('invalid-data', serId(6))(error) &&
        (error as SerialisationError).cause instanceof PathParseError,
    );
  });

  it('fail on every truncation and on trailing bytes', () => {
    assertTruncationsFail(Serialisers.string, 'héllo');
    assertTruncationsFail(Serialisers.number, Math.PI);
    assertTruncationsFail(Serialisers.bigint, -(1n << 100n));
    assertTruncationsFail(Serialisers.bytes, new Uint8Array([1, 2, 3]));
    assertTruncationsFail(Serialisers.actorPath, ActorPath.parse('tcp://127.0.0.1:1/a/b'));
  });

  it('answer random bytes with a value or a SerialisationError, nothing else (property)', () => {
    for (const serialiser of Object.values(Serialisers) as Serialiser<unknown>[]) {
      assertGarbageNeverEscapes(serialiser);
    }
  });

  it('refuse values of the wrong type with a SerialisationError naming the serId', () => {
    const cases: [Serialiser<unknown>, unknown][] = [
      [Serialisers.string as Serialiser<unknown>, 5],
      [Serialisers.string as Serialiser<unknown>, 'lone \uDC00 surrogate'],
      [Serialisers.number as Serialiser<unknown>, '5'],
      [Serialisers.bigint as Serialiser<unknown>, 5],
      [Serialisers.bytes as Serialiser<unknown>, [1, 2]],
      [Serialisers.actorPath as Serialiser<unknown>, 'tcp://127.0.0.1:1/a'],
    ];
    for (const [serialiser, value] of cases) {
      assert.throws(() => serialiseToBytes(serialiser, value), serError('invalid-type', serialiser.serId));
    }
  });
});

describe('serialiseToBytes and deserialiseFromBytes', () => {
  it('wrap whatever a custom serialiser throws into a SerialisationError with its serId and cause', () => {
    const boom = new Error('boom');
    const faulty: Serialiser<number> = {
      serId: serId(99),
      serialise() {
        throw boom;
      },
      deserialise() {
        throw boom;
      },
    };
    assert.throws(
      () => serialiseToBytes(faulty, 1),
      (error: unknown) => serError('invalid-type', serId(99))(error) && (error as Error).cause === boom,
    );
    assert.throws(
      () => deserialiseFromBytes(faulty, new Uint8Array(0)),
      (error: unknown) => serError('invalid-data', serId(99))(error) && (error as Error).cause === boom,
    );
  });

  it('let a serialiser serialise other values while it runs', () => {
    const nested: Serialiser<string[]> = {
      serId: serId(77),
      serialise(values, out) {
        out.writeU32(values.length);
        for (const value of values) out.writeByteString(serialiseToBytes(Serialisers.string, value));
      },
      deserialise(input) {
        const count = input.readU32();
        return Array.from({ length: count }, () =>
          deserialiseFromBytes(Serialisers.string, input.readByteString()),
        );
      },
    };
    assert.deepEqual(roundTrip(nested, ['a', 'bc', '']), ['a', 'bc', '']);
    assert.equal(roundTrip(Serialisers.string, 'after'), 'after');
  });

  it('start clean after a serialiser failed half-way', () => {
    const halfWay: Serialiser<number> = {
      serId: serId(78),
      serialise(value, out) {
        out.writeU32(value);
        throw new Error('half-way');
      },
      deserialise: (input) => input.readU32(),
    };
    assert.throws(() => serialiseToBytes(halfWay, 1), SerialisationError);
    assert.deepEqual([...serialiseToBytes(Serialisers.number, 0)], [0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('use a custom serialiser that writes fields in order', () => {
    const point: Serialiser<{ x: number; y: number }> = {
      serId: serId(42),
      sizeHint: 16,
      serialise(value, out) {
        out.writeF64(value.x);
        out.writeF64(value.y);
      },
      deserialise(input) {
        return { x: input.readF64(), y: input.readF64() };
      },
    };
    assert.equal(serialiseToBytes(point, { x: 1, y: 2 }).length, 16);
    assert.deepEqual(roundTrip(point, { x: 1, y: -2.5 }), { x: 1, y: -2.5 });
  });
});

describe('msgpackSerialiser', () => {
  const any = msgpackSerialiser(serId(100));

  it('round-trips structured data', () => {
    const value = {
      kind: 'state',
      list: [1, 'two', null, true, false, [[]], {}],
      nested: { deep: { deeper: 'x'.repeat(300) } },
      numbers: [
        0,
        -1,
        2 ** 40,
        -(2 ** 53),
        0.5,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
      ],
      big: [5n, -(1n << 63n), 1n << 200n],
      text: ['', 'größe 日本語 🎉'],
      missing: undefined,
      when: new Date(1_700_000_000_000),
      bytes: new Uint8Array([0, 1, 255]),
      emptyBytes: new Uint8Array(0),
      set: new Set([1, 2]),
    };
    assert.deepEqual(roundTrip(any, value), value);
    assert.equal(roundTrip(any, 'plain'), 'plain');
    assert.equal(roundTrip(any, null), null);
    assert.equal(roundTrip(any, undefined), undefined);
  });

  it('round-trips JSON values (property)', () => {
    fc.assert(
      fc.property(
        fc.jsonValue().filter((v) => !JSON.stringify(v).includes('"__proto__"')),
        (value) => {
          // JSON values lose -0 in MessagePack as in JSON; compare with the JSON round trip.
          assert.deepEqual(roundTrip(any, value), JSON.parse(JSON.stringify(value)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('documents what does not survive: -0 becomes 0 and a Map becomes an object', () => {
    assert.ok(Object.is(roundTrip(any, -0), 0));
    assert.deepEqual(roundTrip(any, new Map([['a', 1]])), { a: 1 });
  });

  it('never pollutes prototypes from a __proto__ key', () => {
    const value = roundTrip(any, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('checks deserialised values with validate', () => {
    const moves = msgpackSerialiser(serId(101), isMove);
    const move: Move = { kind: 'move', x: 1, y: 2 };
    assert.deepEqual(roundTrip(moves, move), move);
    const notAMove = serialiseToBytes(any, { kind: 'jump' });
    assert.throws(
      () => deserialiseFromBytes({ ...moves, serId: any.serId }, notAMove),
      serError('invalid-data', serId(100)),
    );
    assert.throws(() => deserialiseFromBytes(moves, serialiseToBytes(msgpackSerialiser(serId(101)), [1])), {
      message: 'The value deserialised for serId 101 failed validation (got an array of 1)',
    });
  });

  it('refuses reserved serIds and bad arguments', () => {
    for (const reserved of [0, 6, 20]) {
      assert.throws(() => msgpackSerialiser(reserved), {
        name: 'TypeError',
        message: `Expected \`serId\` to be a user serId from 21 up (0 to 20 are reserved for kompact-ts), got \`${reserved}\` (number)`,
      });
    }
    assert.equal(msgpackSerialiser(21).serId, 21);
    assert.throws(() => msgpackSerialiser(2 ** 32), TypeError);
    assert.throws(() => msgpackSerialiser(100, 'yes' as unknown as (v: unknown) => v is string), TypeError);
  });

  it('refuses values msgpack cannot encode', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => serialiseToBytes(any, cyclic), serError('invalid-type', serId(100)));
    assert.throws(() => serialiseToBytes(any, Symbol('s')), serError('invalid-type', serId(100)));
  });

  it('fails on every truncation, on trailing bytes and on garbage', () => {
    assertTruncationsFail(any, { a: [1, 2, 'three'], b: 4n });
    const out = new BufferWriter();
    out.writeByteString(new Uint8Array([0x92, 0x01])); // an array of 2 with 1 element
    assert.throws(() => deserialiseFromBytes(any, out.finish()), serError('invalid-data', serId(100)));
    assertGarbageNeverEscapes(any);
  });
});

describe('SerialiserRegistry', () => {
  it('holds the built-ins from the start', () => {
    const registry = new SerialiserRegistry();
    for (const serialiser of Object.values(Serialisers) as Serialiser<unknown>[]) {
      assert.equal(registry.get(serialiser.serId), serialiser);
    }
    assert.equal(registry.deserialise(serId(9), serialiseToBytes(Serialisers.string, 'hi')), 'hi');
  });

  it('deserialises with a registered serialiser', () => {
    const registry = new SerialiserRegistry();
    const moves = msgpackSerialiser(serId(200), isMove);
    registry.register(moves);
    assert.ok(registry.has(serId(200)));
    const bytes = serialiseToBytes(moves, { kind: 'move', x: 3, y: 4 });
    assert.deepEqual(registry.deserialise(serId(200), bytes), { kind: 'move', x: 3, y: 4 });
  });

  it('refuses a second serialiser under a taken serId but accepts the same one again', () => {
    const registry = new SerialiserRegistry();
    const first = msgpackSerialiser(serId(300));
    registry.register(first);
    registry.register(first);
    assert.throws(
      () => registry.register(msgpackSerialiser(serId(300))),
      (error: unknown) => {
        assert.ok(error instanceof KompactError);
        assert.equal(error.code, 'DUPLICATE_SER_ID');
        assert.match(error.message, /SerId 300 is already registered/);
        return true;
      },
    );
    assert.equal(registry.get(serId(300)), first);
  });

  it('refuses reserved serIds and things that are not serialisers', () => {
    const registry = new SerialiserRegistry();
    assert.throws(() => registry.register({ ...Serialisers.string }), TypeError);
    assert.throws(() => registry.register(null as unknown as Serialiser<string>), TypeError);
    assert.throws(
      () => registry.register({ serId: serId(400), serialise: () => {} } as unknown as Serialiser<string>),
      TypeError,
    );
  });

  it('refuses to deserialise an unknown serId with code UNKNOWN_SER_ID', () => {
    const registry = new SerialiserRegistry();
    assert.throws(
      () => registry.deserialise(serId(12345), new Uint8Array([1])),
      (error: unknown) => {
        assert.ok(serError('unknown-ser-id', serId(12345))(error));
        assert.equal((error as SerialisationError).code, 'UNKNOWN_SER_ID');
        return true;
      },
    );
    assert.throws(() => registry.deserialise(-1 as SerId, new Uint8Array(0)), TypeError);
  });

  it('reports undecodable bytes under a known serId with code SERIALISATION_FAILED', () => {
    const registry = new SerialiserRegistry();
    assert.throws(
      () => registry.deserialise(serId(10), new Uint8Array([1, 2])),
      serError('buffer', serId(10)),
    );
  });
});

describe('matchDeserialise', () => {
  const moves = msgpackSerialiser(serId(500), isMove);

  const describeMessage = (id: SerId, bytes: Uint8Array): string =>
    matchDeserialise(
      id,
      bytes,
      [
        [Serialisers.string, (text) => `string ${text.toUpperCase()}`],
        [Serialisers.number, (n) => `number ${n.toFixed(1)}`],
        [moves, (move) => `move ${move.x},${move.y}`],
      ],
      (unknownId) => `no case for ${unknownId}`,
    );

  it('picks the case whose serialiser has the serId', () => {
    assert.equal(describeMessage(serId(9), serialiseToBytes(Serialisers.string, 'hi')), 'string HI');
    assert.equal(describeMessage(serId(10), serialiseToBytes(Serialisers.number, 2)), 'number 2.0');
    assert.equal(
      describeMessage(serId(500), serialiseToBytes(moves, { kind: 'move', x: 1, y: 2 })),
      'move 1,2',
    );
  });

  it('calls orElse when no case has the serId, without reading the bytes', () => {
    assert.equal(describeMessage(serId(7), new Uint8Array([0xde, 0xad])), 'no case for 7');
  });

  it('throws a SerialisationError when the matching case cannot read the bytes', () => {
    assert.throws(() => describeMessage(serId(10), new Uint8Array([1])), serError('buffer', serId(10)));
  });

  it('lets errors from handlers pass through unchanged', () => {
    const boom = new RangeError('handler failed');
    assert.throws(
      () =>
        matchDeserialise(
          serId(9),
          serialiseToBytes(Serialisers.string, 'x'),
          [
            [
              Serialisers.string,
              () => {
                throw boom;
              },
            ],
          ],
          () => undefined,
        ),
      (error: unknown) => error === boom,
    );
  });

  it('types each handler by its serialiser', () => {
    matchDeserialise(
      serId(9),
      serialiseToBytes(Serialisers.string, 'x'),
      [
        // @ts-expect-error: a number has no toUpperCase
        [Serialisers.number, (n) => n.toUpperCase()],
        [Serialisers.string, (text) => text.toUpperCase()],
      ],
      () => '',
    );
  });
});

describe('msgpackSerialiser against hostile bytes', () => {
  const any = msgpackSerialiser(serId(100));
  /** `msgpack` as the serialiser's payload: a u32 length, then the bytes. */
  const framed = (msgpack: readonly number[]): Uint8Array => {
    const out = new BufferWriter();
    out.writeByteString(Uint8Array.from(msgpack));
    return out.finish();
  };
  const refuses = (
    serialiser: Serialiser<unknown>,
    msgpack: readonly number[],
    message: RegExp,
    what: string,
  ) =>
    assert.throws(
      () => deserialiseFromBytes(serialiser, framed(msgpack)),
      (error: unknown) =>
        serError('invalid-data', serialiser.serId)(error) && message.test((error as Error).message),
      what,
    );

  it('refuses a length or count larger than the bytes that remain, before allocating for it', () => {
    // 0xdd 0x01b40000: an array of 28.5 million, which msgpackr allocated (229 MB) before failing.
    refuses(
      any,
      [0xdd, 0x01, 0xb4, 0x00, 0x00],
      /declares 28573696 values, but only 0 bytes remain/,
      'array32',
    );
    refuses(any, [0xdc, 0xff, 0xff, 0x01], /declares 65535 values, but only 1 bytes remain/, 'array16');
    refuses(any, [0xdf, 0x00, 0x10, 0x00, 0x00, 0x01, 0x02], /declares 2097152 values/, 'map32');
    refuses(
      any,
      [0xdb, 0xff, 0xff, 0xff, 0xff, 0x61],
      /declares 4294967295 bytes, but only 1 remain/,
      'str32',
    );
    refuses(any, [0xc6, 0x7f, 0xff, 0xff, 0xff], /declares 2147483647 bytes/, 'bin32');
    refuses(any, [0xc9, 0x7f, 0xff, 0xff, 0xff, 0x42], /declares 2147483647 bytes/, 'ext32');
    refuses(any, [0x01, 0x02], /1 bytes follow its value/, 'trailing bytes');
    refuses(
      any,
      [...Array.from({ length: 600 }, () => 0x91), 0xc0],
      /nests deeper than 512 levels/,
      'deep nesting',
    );
  });

  it('refuses Error and RegExp extensions, cyclic references and record definitions by default', () => {
    const error = [0xd4, 0x65, 0x00, 0x93, 0xa9, ...Buffer.from('TypeError'), 0xa2, 0x68, 0x69, 0xc0];
    const regExp = [0xd4, 0x78, 0x00, 0x92, 0xa3, ...Buffer.from('a+$'), 0xa0];
    const cyclic = [0xd6, 0x69, 0, 0, 0, 1, 0x91, 0xd6, 0x70, 0, 0, 0, 1]; // [itself]
    const record = [0xd4, 0x72, 0x40, 0x91, 0xa1, 0x61, 0x40, 0x01];
    const bundle = [0xd6, 0x62, 0, 0, 0, 0, 0xc0];
    refuses(any, error, /holds an Error, which this serialiser does not accept/, 'Error');
    refuses(any, regExp, /holds a RegExp/, 'RegExp');
    refuses(any, cyclic, /extension type 0x69/, 'a structured-clone reference');
    refuses(any, record, /extension type 0x72/, 'a record definition');
    refuses(any, bundle, /extension type 0x62/, 'a string bundle');
    refuses(any, [0xc1], /unused token 0xc1/, '0xc1');
    const serialised = serialiseToBytes(any, { error: new TypeError('hi') });
    assert.throws(() => deserialiseFromBytes(any, serialised), serError('invalid-data', serId(100)));
  });

  it('decodes Error and RegExp when the serialiser opts in, and never cyclic references', () => {
    const rich = msgpackSerialiser(serId(101), undefined, { allowErrorsAndRegExps: true });
    const value = roundTrip(rich, { error: new TypeError('hi'), pattern: /a+$/g }) as {
      error: Error;
      pattern: RegExp;
    };
    assert.ok(value.error instanceof TypeError);
    assert.equal(value.error.message, 'hi');
    assert.ok(value.pattern instanceof RegExp);
    assert.equal(value.pattern.source, 'a+$');
    refuses(rich, [0xd6, 0x69, 0, 0, 0, 1, 0x91, 0xd6, 0x70, 0, 0, 0, 1], /extension type 0x69/, 'cyclic');
    assert.throws(
      () => msgpackSerialiser(serId(102), undefined, { allowErrorAndRegExp: true } as never),
      TypeError,
    );
  });
});

describe('BufferReader arguments', () => {
  it('refuses bytes that are not a Uint8Array, and a start or end outside them, with house-style errors', () => {
    assert.throws(() => new BufferReader(null as never), {
      name: 'TypeError',
      message: 'Expected `bytes` to be a Uint8Array, got `null` (null)',
    });
    const four = new Uint8Array(4);
    assert.throws(() => new BufferReader(four, 3, 100), {
      name: 'RangeError',
      message: 'Expected `end` to be an integer from 0 to 4 (the length of `bytes`), got `100` (number)',
    });
    assert.throws(() => new BufferReader(four, 3, 2), {
      name: 'RangeError',
      message: 'Expected `start` to be an integer from 0 to 2, got `3` (number)',
    });
    assert.throws(() => new BufferReader(four, -1), RangeError);
    assert.throws(() => new BufferReader(four, 0.5), TypeError);
    assert.throws(() => new BufferReader(four, 0, Number.NaN), TypeError);
    const reader = new BufferReader(Uint8Array.from([9, 8, 7, 6]), 1, 3);
    assert.equal(reader.remaining, 2);
    assert.equal(reader.readU8(), 8);
  });
});
