import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { KompactError } from '../src/internal/kompact-error.js';
import { encodeAckFrame, encodeDataFields, encodeNumberByReference } from '../src/net/frame.js';
import type { DataSink } from '../src/net/frame-decoder.js';
import {
  type DataFrame,
  dataFrame,
  encodeFrame,
  encodeFrames,
  FRAME_HEADER_BYTES,
  type Frame,
  FrameDecoder,
  FrameError,
  type FrameErrorReason,
  FrameQueue,
  frameSize,
  NONCE_BYTES,
  PathTable,
  PROOF_BYTES,
  PROTOCOL_VERSION,
} from '../src/net/index.js';
import { canonicalIp } from '../src/net/ip-address.js';
import { type ActorPath, NamedPath, UniquePath } from '../src/paths/actor-path.js';
import { SystemPath } from '../src/paths/system-path.js';
import { serId } from '../src/serialisation/ser-id.js';

const SYSTEM = new SystemPath('tcp', '127.0.0.1', 4000);
const OTHER = new SystemPath('tcp', '::1', 4001);
const SENDER: ActorPath = new UniquePath(SYSTEM, '0f8c2a4e-9b1d-4c3a-8e2f-6a5b4c3d2e1f');
const RECEIVER: ActorPath = new NamedPath(OTHER, ['service', 'héllo']);

function sampleFrames(): Frame[] {
  return [
    {
      kind: 'hello',
      version: PROTOCOL_VERSION,
      system: SYSTEM,
      nonce: new Uint8Array(NONCE_BYTES).fill(7),
      proof: undefined,
    },
    {
      kind: 'hello',
      version: PROTOCOL_VERSION,
      system: OTHER,
      nonce: new Uint8Array(NONCE_BYTES).fill(1),
      proof: new Uint8Array(PROOF_BYTES).fill(9),
    },
    { kind: 'hello-ack', proof: undefined },
    { kind: 'hello-ack', proof: new Uint8Array(PROOF_BYTES).fill(3) },
    dataFrame(serId(42), SENDER, RECEIVER, new Uint8Array([1, 2, 3])),
    dataFrame(serId(0xffff_ffff), RECEIVER, SENDER, new Uint8Array(0)),
    { kind: 'ack', count: 0xffff_ffff },
    { kind: 'bye', isError: false, reason: 'closing — für immer' },
    { kind: 'bye', isError: true, reason: '' },
  ];
}

function decodeAll(bytes: Uint8Array, chunkSizes: readonly number[], maxFrameBytes = 1 << 20) {
  const decoder = new FrameDecoder(maxFrameBytes);
  const frames: Frame[] = [];
  let error: FrameError | undefined;
  let offset = 0;
  let i = 0;
  while (offset < bytes.length && error === undefined) {
    const size = Math.max(1, chunkSizes[i++ % Math.max(1, chunkSizes.length)] ?? bytes.length);
    error = decoder.push(bytes.subarray(offset, offset + size), (frame) => frames.push(frame));
    offset += size;
  }
  return { frames, error, decoder };
}

/** Frames in a comparable shape: paths as strings, bytes as arrays. */
function plain(frame: Frame): unknown {
  switch (frame.kind) {
    case 'data':
      return {
        ...frame,
        sender: frame.sender.toString(),
        receiver: frame.receiver.toString(),
        payload: [...frame.payload],
      };
    case 'hello':
      return {
        ...frame,
        system: frame.system.toString(),
        nonce: [...frame.nonce],
        proof: frame.proof && [...frame.proof],
      };
    case 'hello-ack':
      return { ...frame, proof: frame.proof && [...frame.proof] };
    default:
      return frame;
  }
}

function frameWith(kind: number, body: number[]): Buffer {
  const out = Buffer.alloc(5 + body.length);
  out.writeUInt32BE(1 + body.length, 0);
  out[4] = kind;
  Buffer.from(body).copy(out, 5);
  return out;
}

function u32(n: number): number[] {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

function str(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...u32(bytes.length), ...bytes];
}

function expectReason(result: { error: FrameError | undefined }, reason: FrameErrorReason): void {
  assert.ok(result.error instanceof FrameError, 'expected a FrameError');
  assert.ok(result.error instanceof KompactError);
  assert.equal(result.error.reason, reason, result.error.message);
  assert.equal(result.error.code, reason === 'too-large' ? 'FRAME_TOO_LARGE' : 'MALFORMED_FRAME');
}

describe('frame encoding', () => {
  it('round-trips every frame kind', () => {
    const frames = sampleFrames();
    const bytes = encodeFrames(frames);
    assert.equal(
      bytes.length,
      frames.reduce((sum, frame) => sum + frameSize(frame), 0),
    );
    const { frames: decoded, error } = decodeAll(bytes, []);
    assert.equal(error, undefined);
    assert.deepEqual(decoded.map(plain), frames.map(plain));
  });

  it('decodes the same frames whatever the chunk boundaries', () => {
    const frames = sampleFrames();
    const bytes = encodeFrames(frames);
    const expected = frames.map(plain);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        const { frames: decoded, error, decoder } = decodeAll(bytes, sizes);
        assert.equal(error, undefined);
        assert.deepEqual(decoded.map(plain), expected);
        assert.equal(decoder.bufferedBytes, 0);
      }),
      { numRuns: 200 },
    );
    for (let size = 1; size <= bytes.length; size++) {
      assert.deepEqual(decodeAll(bytes, [size]).frames.map(plain), expected, `chunks of ${size}`);
    }
  });

  it('decodes data frames with the same path objects for a repeated pair', () => {
    const frames = [1, 2, 3].map((n) => dataFrame(serId(30), SENDER, RECEIVER, new Uint8Array([n])));
    const { frames: decoded } = decodeAll(encodeFrames(frames), [7]);
    const data = decoded as DataFrame[];
    assert.equal(data.length, 3);
    assert.equal(data[0]?.sender, data[2]?.sender);
    assert.ok(data[0]?.receiver.equals(RECEIVER));
    assert.deepEqual(
      data.map((frame) => frame.payload[0]),
      [1, 2, 3],
    );
  });

  it('sends each path in full once per path table, then as a two-byte reference', () => {
    const table = new PathTable();
    const frames = [1, 2, 3].map((n) => dataFrame(serId(30), SENDER, RECEIVER, new Uint8Array([n])));
    const out = Buffer.alloc(frames.reduce((sum, f) => sum + frameSize(f), 0));
    let at = 0;
    const ends: number[] = [];
    for (const f of frames) {
      at = encodeFrame(f, out, at, undefined, table);
      ends.push(at);
    }
    const first = ends[0] as number;
    assert.equal(first, frameSize(frames[0] as Frame), 'the first frame defines both paths');
    assert.equal(
      (ends[1] as number) - first,
      FRAME_HEADER_BYTES + 4 + 3 + 3 + 1,
      'later frames refer to them',
    );
    const decoded = decodeAll(out.subarray(0, at), [5]).frames as DataFrame[];
    assert.deepEqual(decoded.map(plain), frames.map(plain));
    assert.equal(decoded[0]?.sender, decoded[2]?.sender, 'one path object per table entry');
    // A fresh decoder has no table: a reference without its definition is malformed.
    expectReason(decodeAll(out.subarray(first, at), []), 'invalid-field');
  });

  it('encodes an ack without a frame object exactly as encodeFrame does', () => {
    for (const count of [0, 1, 1000, 0xffff_ffff]) {
      const expected = encodeFrames([{ kind: 'ack', count }]);
      const out = Buffer.alloc(expected.length + 3);
      assert.equal(encodeAckFrame(out, 3, count), 3 + expected.length);
      assert.deepEqual(out.subarray(3), expected);
    }
  });

  it('encodes a number frame between a pair of path-table references exactly as encodeDataFields does', () => {
    // 300 paths first, so ids above 255 (both id bytes) are written too.
    const paths = Array.from({ length: 300 }, (_, i) => new NamedPath(SYSTEM, ['c', String(i)]));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0xffff_ffff }),
        fc.integer({ min: 0, max: 299 }),
        fc.integer({ min: 0, max: 299 }),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        fc.integer({ min: 0, max: 5 }),
        (id, from, to, payload, at) => {
          const table = new PathTable();
          const scratch = Buffer.alloc(64 * 1024);
          let offset = 0;
          for (const path of paths) offset = table.put(scratch, offset, path);
          const sender = paths[from] as ActorPath;
          const receiver = paths[to] as ActorPath;
          const chunk = new Uint8Array(16);
          chunk.set(payload, 3);
          const expected = Buffer.alloc(40);
          const end = encodeDataFields(expected, at, serId(id), sender, receiver, chunk, 3, 8, table);
          assert.ok(table.isLastPair(sender, receiver));
          const out = Buffer.alloc(40);
          const view = new DataView(out.buffer, out.byteOffset, out.length);
          assert.equal(encodeNumberByReference(view, at, serId(id), table.lastPairIds, chunk, 3), end);
          assert.deepEqual(out, expected);
        },
      ),
    );
  });

  it('refuses a data frame with serId 0 when encoding', () => {
    assert.throws(
      () => encodeFrames([dataFrame(0 as ReturnType<typeof serId>, SENDER, RECEIVER, new Uint8Array(0))]),
      TypeError,
    );
  });
});

describe('FrameDecoder', () => {
  it('refuses a declared length above the maximum before buffering the body', () => {
    const decoder = new FrameDecoder(100);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(101, 0);
    const error = decoder.push(header, () => assert.fail('no frame expected'));
    assert.ok(error instanceof FrameError);
    assert.equal(error.reason, 'too-large');
    assert.equal(error.code, 'FRAME_TOO_LARGE');
    assert.equal(decoder.bufferedBytes, 0);
    // Poisoned: later input returns the same error and delivers nothing.
    assert.equal(
      decoder.push(encodeFrames([{ kind: 'ack', count: 1 }]), () => assert.fail()),
      error,
    );
  });

  it('accepts a frame of exactly the maximum size', () => {
    const frame = dataFrame(serId(21), SENDER, RECEIVER, new Uint8Array(50));
    const max = frameSize(frame) - 4;
    const ok = decodeAll(encodeFrames([frame]), [3], max);
    assert.equal(ok.error, undefined);
    assert.equal(ok.frames.length, 1);
    expectReason(decodeAll(encodeFrames([frame]), [3], max - 1), 'too-large');
  });

  it('delivers the frames before a malformed one, then reports it', () => {
    const good = encodeFrames([{ kind: 'ack', count: 5 }]);
    const bad = frameWith(99, []);
    const result = decodeAll(Buffer.concat([good, bad, good]), []);
    assert.equal(result.frames.length, 1);
    expectReason(result, 'unknown-kind');
  });

  const malformed: [string, Buffer, FrameErrorReason][] = [
    ['a zero length', Buffer.from([0, 0, 0, 0]), 'empty'],
    ['an unknown kind', frameWith(0, []), 'unknown-kind'],
    ['a truncated ack', frameWith(4, [0, 0, 1]), 'truncated'],
    ['an ack with trailing bytes', frameWith(4, [0, 0, 0, 1, 9]), 'trailing-bytes'],
    [
      'a data frame with serId 0',
      frameWith(3, [...u32(0), 0, ...str(SENDER.toString()), 0, ...str(RECEIVER.toString())]),
      'invalid-field',
    ],
    [
      'a data frame with a bad path',
      frameWith(3, [...u32(30), 0, ...str('nonsense'), 0, ...str(RECEIVER.toString())]),
      'invalid-path',
    ],
    [
      'a data frame with invalid UTF-8',
      frameWith(3, [...u32(30), 1, ...u32(2), 0xc3, 0x28, 0, ...str('x')]),
      'invalid-utf8',
    ],
    [
      'a data frame whose path runs past the end',
      frameWith(3, [...u32(30), 0, ...u32(1000), 1, 2]),
      'truncated',
    ],
    ['a data frame with an unknown path tag', frameWith(3, [...u32(30), 3, ...str('x')]), 'invalid-field'],
    ['a reference to a path never defined', frameWith(3, [...u32(30), 2, 0, 0, 2, 0, 1]), 'invalid-field'],
    [
      'a path definition above the size limit',
      frameWith(3, [...u32(30), 1, ...str(`tcp://127.0.0.1:1/${'a'.repeat(1100)}`)]),
      'invalid-field',
    ],
    [
      'a hello of another version',
      frameWith(1, [0, 99, ...new Array(NONCE_BYTES).fill(0), 0, ...str(SYSTEM.toString())]),
      'unsupported-version',
    ],
    [
      'a hello with a bad proof flag',
      frameWith(1, [0, PROTOCOL_VERSION, ...new Array(NONCE_BYTES).fill(0), 2, ...str(SYSTEM.toString())]),
      'invalid-field',
    ],
    [
      'a hello with a bad system path',
      frameWith(1, [0, PROTOCOL_VERSION, ...new Array(NONCE_BYTES).fill(0), 0, ...str('tcp://nowhere')]),
      'invalid-path',
    ],
    ['a hello-ack with a short proof', frameWith(2, [1, 1, 2, 3]), 'truncated'],
    ['a bye with invalid UTF-8', frameWith(5, [0, ...u32(1), 0xff]), 'invalid-utf8'],
    ['a bye with a bad error flag', frameWith(5, [2, ...u32(0)]), 'invalid-field'],
  ];
  for (const [name, bytes, reason] of malformed) {
    it(`reports ${name} as '${reason}'`, () => {
      expectReason(decodeAll(bytes, []), reason);
      expectReason(decodeAll(bytes, [1]), reason);
    });
  }

  it('never throws on random input, whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
        (bytes, sizes) => {
          const { error } = decodeAll(bytes, sizes, 256);
          assert.ok(error === undefined || error instanceof FrameError);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws on valid frames with random bytes flipped', () => {
    const bytes = encodeFrames(sampleFrames());
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.integer({ min: 1, max: 50 }),
        (flips, size) => {
          const copy = Buffer.from(bytes);
          for (const [at, value] of flips) copy[at] = value;
          const { error } = decodeAll(copy, [size]);
          assert.ok(error === undefined || error instanceof FrameError);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('stops delivering when stopped from inside the sink', () => {
    const decoder = new FrameDecoder(1024);
    const seen: Frame[] = [];
    const bytes = encodeFrames([
      { kind: 'ack', count: 1 },
      { kind: 'ack', count: 2 },
    ]);
    decoder.push(bytes, (frame) => {
      seen.push(frame);
      decoder.stop();
    });
    assert.equal(seen.length, 1);
  });

  it('rejects an invalid maximum frame size', () => {
    assert.throws(() => new FrameDecoder(0), TypeError);
    assert.throws(() => new FrameDecoder(1.5), TypeError);
    assert.throws(() => new FrameDecoder(100).setMaxFrameBytes(-1), TypeError);
  });

  it('applies a raised limit from the next frame of the same chunk, and names a lowered one', () => {
    const big = encodeFrames([{ kind: 'bye', isError: false, reason: 'x'.repeat(200) }]);
    const decoder = new FrameDecoder(100);
    const seen: Frame[] = [];
    // As a connection does: the first frame completes the handshake and raises the limit in the sink.
    const error = decoder.push(Buffer.concat([encodeFrames([{ kind: 'ack', count: 1 }]), big]), (frame) => {
      seen.push(frame);
      decoder.setMaxFrameBytes(1024);
    });
    assert.equal(error, undefined);
    assert.deepEqual(
      seen.map((frame) => frame.kind),
      ['ack', 'bye'],
    );
    const handshake = new FrameDecoder(1024);
    handshake.setMaxFrameBytes(100, 'the handshake frame limit');
    const refused = handshake.push(big, () => assert.fail('no frame expected'));
    assert.equal(refused?.reason, 'too-large');
    assert.match(refused?.message ?? '', /above the handshake frame limit of 100 bytes/);
  });

  it('counts the header in FRAME_HEADER_BYTES', () => {
    assert.equal(frameSize({ kind: 'hello-ack', proof: undefined }), FRAME_HEADER_BYTES + 1);
  });
});

/** Decodes `bytes` in `size`-byte chunks with a data sink: data frames in place, others as frames. */
function decodeInPlace(bytes: Uint8Array, size: number, withAck = false) {
  const decoder = new FrameDecoder(1 << 20);
  const frames: Frame[] = [];
  const sink: DataSink = {
    data: (id, sender, receiver, chunk, offset, length) =>
      frames.push(dataFrame(id, sender, receiver, chunk.slice(offset, offset + length))),
  };
  if (withAck) sink.ack = (count) => frames.push({ kind: 'ack', count });
  let error: FrameError | undefined;
  for (let at = 0; at < bytes.length && error === undefined; at += size) {
    error = decoder.push(bytes.subarray(at, at + size), (frame) => frames.push(frame), sink);
  }
  return { frames, error };
}

describe('FrameDecoder with a data sink (in place)', () => {
  const paths: ActorPath[] = [
    SENDER,
    RECEIVER,
    new UniquePath(SYSTEM, '1f8c2a4e-9b1d-4c3a-8e2f-6a5b4c3d2e1f'),
    new NamedPath(OTHER, ['x']),
  ];

  it('hands over the same data frames as the frame sink, paths by reference or not, whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            sender: fc.nat(paths.length - 1),
            receiver: fc.nat(paths.length - 1),
            id: fc.integer({ min: 1, max: 0xffff_ffff }),
            payload: fc.uint8Array({ maxLength: 20 }),
            isAck: fc.boolean(),
          }),
          { maxLength: 12 },
        ),
        fc.integer({ min: 1, max: 80 }),
        (specs, size) => {
          const table = new PathTable();
          const frames: Frame[] = specs.map(({ sender, receiver, id, payload, isAck }) =>
            isAck
              ? { kind: 'ack', count: id }
              : dataFrame(serId(id), paths[sender] as ActorPath, paths[receiver] as ActorPath, payload),
          );
          const out = Buffer.alloc(frames.reduce((sum, f) => sum + frameSize(f), 0));
          let at = 0;
          for (const f of frames) at = encodeFrame(f, out, at, undefined, table);
          const bytes = out.subarray(0, at);
          for (const withAck of [false, true]) {
            const inPlace = decodeInPlace(bytes, size, withAck);
            assert.equal(inPlace.error, undefined);
            assert.deepEqual(inPlace.frames.map(plain), decodeAll(bytes, [size]).frames.map(plain));
            assert.deepEqual(inPlace.frames.map(plain), frames.map(plain));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hands every whole ack to the data sink in place, not as a frame object', () => {
    const table = new PathTable();
    const frames: Frame[] = [
      { kind: 'ack', count: 1 },
      dataFrame(serId(30), SENDER, RECEIVER, new Uint8Array([1])),
      dataFrame(serId(30), SENDER, RECEIVER, new Uint8Array([2])),
      { kind: 'ack', count: 0xffff_ffff },
    ];
    const out = Buffer.alloc(frames.reduce((sum, f) => sum + frameSize(f), 0));
    let at = 0;
    for (const f of frames) at = encodeFrame(f, out, at, undefined, table);
    const acks: number[] = [];
    const objects: Frame[] = [];
    const sink: DataSink = { data: () => {}, ack: (count) => acks.push(count) };
    assert.equal(
      new FrameDecoder(1024).push(out.subarray(0, at), (frame) => objects.push(frame), sink),
      undefined,
    );
    assert.deepEqual(acks, [1, 0xffff_ffff]);
    assert.deepEqual(objects, []);
  });

  it('reports a reference to a path never defined, or serId 0 by reference, as the frame sink does', () => {
    const table = new PathTable();
    const define = Buffer.alloc(200);
    const defined = encodeFrame(
      dataFrame(serId(9), SENDER, RECEIVER, new Uint8Array(1)),
      define,
      0,
      undefined,
      table,
    );
    for (const body of [
      [...u32(30), 2, 0, 0, 2, 0, 7, 1, 2, 3],
      [...u32(0), 2, 0, 0, 2, 0, 1, 1, 2, 3],
    ]) {
      const bytes = Buffer.concat([define.subarray(0, defined), frameWith(3, body)]);
      const inPlace = decodeInPlace(bytes, bytes.length);
      expectReason(inPlace, 'invalid-field');
      assert.equal(inPlace.frames.length, 1, 'the frame before the malformed one is delivered');
      expectReason(decodeAll(bytes, []), 'invalid-field');
    }
  });

  it('lets an error thrown by the data sink propagate unchanged', () => {
    const table = new PathTable();
    const frames = [1, 2].map((n) => dataFrame(serId(30), SENDER, RECEIVER, new Uint8Array([n])));
    const out = Buffer.alloc(frames.reduce((sum, f) => sum + frameSize(f), 0));
    let at = 0;
    for (const f of frames) at = encodeFrame(f, out, at, undefined, table);
    const decoder = new FrameDecoder(1024);
    const boom = new Error('sink failed');
    let calls = 0;
    const sink: DataSink = {
      data: () => {
        if (++calls === 2) throw boom;
      },
    };
    assert.throws(
      () => decoder.push(out.subarray(0, at), () => {}, sink),
      (error) => error === boom,
    );
    assert.equal(calls, 2, 'the second frame (by reference) reached the sink');
  });
});

describe('FrameQueue', () => {
  it('keeps frames in order with a running byte total across growth', () => {
    const queue = new FrameQueue(2);
    const frames = Array.from({ length: 37 }, (_, n) =>
      dataFrame(serId(21 + n), SENDER, RECEIVER, new Uint8Array(0)),
    );
    for (const [n, frame] of frames.entries()) queue.push(frame, n + 1);
    assert.equal(queue.size, 37);
    assert.equal(queue.bytes, (37 * 38) / 2);
    assert.equal(queue.sizeAt(3), 4);
    queue.discard(2);
    assert.equal(queue.peekSize(), 3);
    const other = new FrameQueue();
    other.push(frames[0] as DataFrame, 100);
    queue.append(other);
    assert.equal(other.size, 0);
    const drained = queue.drain();
    assert.equal(drained.length, 36);
    assert.equal(drained[0], frames[2]);
    assert.equal(drained[35], frames[0]);
    assert.equal(queue.bytes, 0);
  });
});

describe('canonicalIp', () => {
  it('maps the forms a socket may report to one canonical address', () => {
    assert.equal(canonicalIp('127.0.0.1'), '127.0.0.1');
    assert.equal(canonicalIp('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(canonicalIp('::FFFF:7f00:1'), '127.0.0.1');
    assert.equal(canonicalIp('0:0::1'), '::1');
    assert.equal(canonicalIp('localhost'), undefined);
    assert.equal(canonicalIp('fe80::1%eth0'), undefined);
  });
});
