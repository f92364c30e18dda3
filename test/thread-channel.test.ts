// The thread transport: a ring per direction in a SharedArrayBuffer, published once per turn or every
// PUBLISH_FRAMES frames, with batches that do not fit posted on the port. Two ends of one channel talk
// over a MessageChannel in this thread; the last test goes through a worker system.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import {
  ActorPath,
  ComponentDefinition,
  type KompactSystem,
  type NetMessage,
  Serialisers,
} from '../src/index.js';
import type { DataSink } from '../src/net/frame-decoder.js';
import { NamedPath, type ActorPath as PathOf } from '../src/paths/actor-path.js';
import { SystemPath } from '../src/paths/system-path.js';
import { type SerId, serId } from '../src/serialisation/ser-id.js';
import { withSystem } from '../src/testing/index.js';
import {
  type ChannelMessage,
  isChannelMessage,
  PUBLISH_FRAMES,
  ThreadChannel,
  WAKE_UP,
} from '../src/workers/thread-channel.js';
import { startNamedProbe } from './support/probes.js';
import { within } from './support/promises.js';
import type { ProbeWorkerData } from './support/workers/probe-worker.js';

const SENDER = new NamedPath(SystemPath.parse('thread://worker:1'), ['sender']);
const RECEIVER = new NamedPath(SystemPath.parse('thread://worker:2'), ['receiver']);
const SER_ID: SerId = serId(77);

/** One end on each port of a MessageChannel; `b` records the u32 payloads it receives, in order. */
function pair(ringBytes: number): {
  readonly a: ThreadChannel;
  readonly received: number[];
  readonly others: unknown[];
  readonly ports: readonly MessagePort[];
} {
  const { port1, port2 } = new MessageChannel();
  const a = new ThreadChannel(port1, ringBytes);
  const b = new ThreadChannel(port2, ringBytes);
  const received: number[] = [];
  const others: unknown[] = [];
  const sink: DataSink = {
    data(id, sender, receiver, chunk, offset, length) {
      assert.equal(id, SER_ID);
      assert.equal(sender.toString(), SENDER.toString());
      assert.equal(receiver.toString(), RECEIVER.toString());
      assert.equal(length, 4);
      received.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).readUInt32BE(offset));
    },
  };
  port2.on('message', (message: unknown) => {
    if (isChannelMessage(message)) b.receive(message as ChannelMessage, sink);
    else others.push({ message, receivedBefore: received.length });
  });
  // a's side: b's ring message (b never sends here, but the port must be read to be closed cleanly).
  port1.on('message', () => {});
  return { a, received, others, ports: [port1, port2] };
}

/** One end on each port of a MessageChannel, the receiving end handing every frame to `sink`. */
function wired(ringBytes: number, sink: DataSink): { readonly a: ThreadChannel; readonly close: () => void } {
  const { port1, port2 } = new MessageChannel();
  const a = new ThreadChannel(port1, ringBytes);
  const b = new ThreadChannel(port2, ringBytes);
  port2.on('message', (message: unknown) => {
    if (isChannelMessage(message)) b.receive(message, sink);
  });
  // a's side: b's ring message (b never sends here, but the port must be read to be closed cleanly).
  port1.on('message', () => {});
  return {
    a,
    close: () => {
      port1.close();
      port2.close();
    },
  };
}

/** How a frame is recorded on both sides: its serId, its two paths and its payload in hex. */
function frameLine(id: SerId, sender: PathOf, receiver: PathOf, payload: Uint8Array): string {
  const hex = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('hex');
  return `${id} ${sender.toString()} ${receiver.toString()} ${hex}`;
}

/**
 * Two wired ends whose receiving end records every frame ({@link frameLine}) in `received`; `record`
 * sends the `length` bytes of `chunk` from `offset` and records in `sent` what should arrive.
 */
function recording(ringBytes: number): {
  readonly a: ThreadChannel;
  readonly close: () => void;
  readonly sent: string[];
  readonly received: string[];
  record(
    id: SerId,
    sender: PathOf,
    receiver: PathOf,
    chunk: Uint8Array,
    offset?: number,
    length?: number,
  ): void;
} {
  const sent: string[] = [];
  const received: string[] = [];
  const { a, close } = wired(ringBytes, {
    data(id, sender, receiver, chunk, offset, length) {
      received.push(frameLine(id, sender, receiver, chunk.subarray(offset, offset + length)));
    },
  });
  const record = (
    id: SerId,
    sender: PathOf,
    receiver: PathOf,
    chunk: Uint8Array,
    offset = 0,
    length = chunk.length - offset,
  ): void => {
    assert.ok(a.send(id, sender, receiver, chunk, offset, length));
    sent.push(frameLine(id, sender, receiver, chunk.subarray(offset, offset + length)));
  };
  return { a, close, sent, received, record };
}

function send(channel: ThreadChannel, value: number): boolean {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(value);
  return channel.send(SER_ID, SENDER, RECEIVER, payload, 0, 4);
}

/** Waits (turns of the event loop) until `isDone()`, failing with `what` after a deadline. */
async function until(isDone: () => boolean, what: string): Promise<void> {
  let isLate = false;
  await within(
    (async () => {
      while (!isDone() && !isLate) await new Promise((resolve) => setImmediate(resolve));
    })(),
    30_000,
    what,
  ).finally(() => {
    isLate = true;
  });
}

/** Waits until `received` holds `count` values. */
function waitFor(received: readonly number[], count: number, what: string): Promise<void> {
  return until(() => received.length >= count, `${what} (${received.length} arrived)`);
}

function upTo(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

describe('ThreadChannel', () => {
  it('keeps order across turns, batches published mid-turn and batches posted because the ring was full', async () => {
    // 512 bytes hold about 20 of these frames: most batches of a 300-frame turn do not fit.
    const { a, received, ports } = pair(512);
    try {
      let next = 0;
      for (const turn of [1, 3, PUBLISH_FRAMES, 300, 2, PUBLISH_FRAMES + 1, 1000, 5]) {
        for (let i = 0; i < turn; i++) assert.ok(send(a, next++));
        // Some turns end with a flush, others leave it to the end of the turn.
        if (turn % 2 === 1) a.flush();
        await new Promise((resolve) => setImmediate(resolve));
      }
      await waitFor(received, next, `${next} frames`);
      assert.deepEqual(received, upTo(next));
    } finally {
      for (const port of ports) port.close();
    }
  });

  it('loses nothing when the ring fills up while the reader is busy, and uses the ring again after', async () => {
    const { a, received, ports } = pair(1024);
    try {
      // All in one turn: the reader reads nothing meanwhile, so the ring fills and the rest is posted.
      for (let i = 0; i < 5000; i++) send(a, i);
      await waitFor(received, 5000, 'the first 5000 frames');
      // The reader has taken every posted batch: small turns go through the ring again, in order.
      for (let i = 5000; i < 5010; i++) {
        send(a, i);
        await new Promise((resolve) => setImmediate(resolve));
      }
      await waitFor(received, 5010, 'the frames after the full ring');
      assert.deepEqual(received, upTo(5010));
    } finally {
      for (const port of ports) port.close();
    }
  });

  it('delivers the frames of a flush before a message posted on the port after it', async () => {
    const { a, received, others, ports } = pair(4096);
    try {
      for (let i = 0; i < 10; i++) send(a, i);
      a.flush();
      ports[0]?.postMessage({ kind: 'marker' });
      for (let i = 10; i < 20; i++) send(a, i);
      a.flush();
      ports[0]?.postMessage({ kind: 'marker' });
      await waitFor(received, 20, '20 frames');
      await until(() => others.length >= 2, 'the two markers');
      // The first marker may find the second batch already read (the same wake-up read both): at least
      // what was flushed before it.
      const [first, second] = others as { receivedBefore: number }[];
      assert.ok((first?.receivedBefore ?? 0) >= 10, `first marker after ${first?.receivedBefore} frames`);
      assert.equal(second?.receivedBefore, 20);
    } finally {
      for (const port of ports) port.close();
    }
  });

  it('delivers every field of a mix of pairs, serIds and payload sizes as it was sent', async () => {
    const other = new NamedPath(SystemPath.parse('thread://worker:3'), ['other']);
    const pairs: [PathOf, PathOf][] = [
      [SENDER, RECEIVER],
      [SENDER, other],
      [other, RECEIVER],
    ];
    const { close, sent, received, record } = recording(1024);
    try {
      for (let i = 0; i < 600; i++) {
        // Runs of one pair (the short path), switches of pair, of serId, and payloads of 0 to 200 bytes.
        const [sender, receiver] = pairs[Math.floor(i / 7) % pairs.length] as [PathOf, PathOf];
        const id = serId(1 + (Math.floor(i / 5) % 3));
        const payload = Buffer.alloc((i * 37) % 201, i % 256);
        // The payload sits inside a larger chunk, as a serialiser's writer leaves it.
        const chunk = Buffer.concat([Buffer.alloc(3, 0xee), payload, Buffer.alloc(2, 0xee)]);
        record(id, sender, receiver, chunk, 3, payload.length);
        if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
      }
      await until(() => received.length >= sent.length, `${sent.length} frames`);
      assert.deepEqual(received, sent);
    } finally {
      close();
    }
  });

  it('delivers the frames of more pairs than it remembers, interleaved, each with its own two paths', async () => {
    const { a, close, sent, received, record: recordFrame } = recording(4096);
    const system = SystemPath.parse('thread://worker:4');
    const paths = Array.from({ length: 300 }, (_, i): PathOf => new NamedPath(system, [`p${i}`]));
    const path = (i: number): PathOf => paths[i] as PathOf;
    const record = (sender: PathOf, receiver: PathOf, payload: Buffer): void =>
      recordFrame(SER_ID, sender, receiver, payload);
    try {
      // 300 paths first, so that the pairs' path-table ids need both bytes.
      for (let i = 0; i < 300; i++) record(path(i), RECEIVER, Buffer.from([i & 0xff]));
      a.flush();
      // 20 pairs of 5 senders (ids above 255) and 20 receivers (ids below), one frame each in turn,
      // then in runs of 3.
      const pairs = Array.from({ length: 20 }, (_, i): [PathOf, PathOf] => [
        path(280 + (i % 5)),
        path(i * 7),
      ]);
      for (let i = 0; i < 400; i++) {
        const [sender, receiver] = pairs[i < 200 ? i % 20 : Math.floor(i / 3) % 20] as [PathOf, PathOf];
        record(sender, receiver, Buffer.from([i >> 8, i & 0xff, 0x5a]));
        if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
      }
      await until(() => received.length >= sent.length, `${sent.length} frames`);
      assert.deepEqual(received, sent);
    } finally {
      close();
    }
  });

  it('delivers frames whose paths travel inline, between frames whose paths are in the path table', async () => {
    // Longer than a path table entry may be: sent in full with every frame, never given an id.
    const long = new NamedPath(SystemPath.parse('thread://worker:3'), ['x'.repeat(1100)]);
    const { a, close, sent, received, record } = recording(4096);
    try {
      for (let i = 0; i < 40; i++) {
        const [sender, receiver] = (
          i % 4 === 0 ? [long, RECEIVER] : i % 4 === 1 ? [SENDER, long] : [SENDER, RECEIVER]
        ) as [PathOf, PathOf];
        const payload = Buffer.from([i, i + 1, i + 2]);
        record(SER_ID, sender, receiver, payload);
        if (i % 10 === 9) a.flush();
      }
      await until(() => received.length >= sent.length, `${sent.length} frames`);
      assert.deepEqual(received, sent);
    } finally {
      close();
    }
  });

  it('keeps order when a frame too big for the rest of the ring is followed by smaller ones', async () => {
    // 256 bytes: a 150-byte payload fits in one piece only at some positions, a 10-byte one almost anywhere.
    const received: number[] = [];
    const sink: DataSink = {
      data(_id, _sender, _receiver, chunk, offset, length) {
        received.push(length === 0 ? -1 : (chunk[offset] as number));
      },
    };
    const { a, close } = wired(256, sink);
    try {
      let next = 0;
      for (let turn = 0; turn < 30; turn++) {
        for (let i = 0; i < 1 + (turn % 4); i++, next++) {
          const payload = Buffer.alloc(next % 3 === 0 ? 150 : 10, next % 256);
          assert.ok(a.send(SER_ID, SENDER, RECEIVER, payload, 0, payload.length));
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      await until(() => received.length >= next, `${next} frames`);
      assert.deepEqual(
        received,
        upTo(next).map((i) => i % 256),
      );
    } finally {
      close();
    }
  });

  it('publishes a batch in the microtask after the code that wrote it, not an event-loop phase later', async () => {
    const posted: unknown[] = [];
    const a = new ThreadChannel({ postMessage: (message) => posted.push(message) });
    for (let i = 0; i < 3; i++) send(a, i);
    assert.deepEqual(posted.slice(1), [], 'nothing before the code that sends has finished');
    await Promise.resolve();
    assert.deepEqual(posted.slice(1), [WAKE_UP], 'the wake-up of the published batch');
    a.close();
  });

  it('stops spinning for replies from a peer that does not answer, but for one flush in 256', async () => {
    const { port1, port2 } = new MessageChannel();
    const a = new ThreadChannel(port1, 4096);
    const b = new ThreadChannel(port2, 4096);
    const toA: number[] = [];
    const toB: number[] = [];
    const sinkOf = (into: number[]): DataSink => ({
      data(_id, _sender, _receiver, chunk, offset) {
        into.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).readUInt32BE(offset));
      },
    });
    port1.on('message', (message: unknown) => {
      if (isChannelMessage(message)) a.receive(message, sinkOf(toA));
    });
    port2.on('message', (message: unknown) => {
      if (isChannelMessage(message)) b.receive(message, sinkOf(toB));
    });
    try {
      // b answers once, so a has read and may spin; then never again (it is in this thread, so a
      // spinning a could not see it answer anyway).
      send(b, 0);
      await waitFor(toA, 1, 'the one frame a gets');
      const sends = 2_000;
      for (let i = 1; i <= sends; i++) {
        send(a, i);
        // A turn of the event loop: the flush runs, and the next spin is not held back as part of a chain.
        await new Promise((resolve) => setImmediate(resolve));
      }
      await waitFor(toB, sends, 'every frame from a');
      const { spins, caught } = a.spinCounts;
      assert.equal(caught, 0);
      // After the nth miss in a row 2^n - 1 flushes are skipped (255 from the 8th on): about 14 spins.
      assert.ok(spins >= 8 && spins <= 20, `a spun at ${spins} of ${sends} flushes`);
    } finally {
      port1.close();
      port2.close();
    }
  });

  it('refuses sends once closed and counts what it had not published', () => {
    const { a, ports } = pair(4096);
    try {
      send(a, 1);
      send(a, 2);
      assert.equal(a.close(), 2);
      assert.equal(a.isClosed, true);
      assert.equal(send(a, 3), false);
    } finally {
      for (const port of ports) port.close();
    }
  });

  it('refuses a ring size that is not a power of two', () => {
    const { port1, port2 } = new MessageChannel();
    try {
      assert.throws(() => new ThreadChannel(port1, 1000), /Expected `ringBytes` to be a power of two/);
    } finally {
      port1.close();
      port2.close();
    }
  });
});

const PROBE_WORKER = new URL('./support/workers/probe-worker.js', import.meta.url);

/** Numbers whose bytes a wrong byte order or a truncated write would change, then ordinary ones. */
function numbersToSend(count: number): number[] {
  const edges = [0, -0, 1.5, -2.25, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  const more = [2 ** 53 + 2, -1e308, 5e-324, 0x7fff_ffff, -0x8000_0000, 123_456.789];
  const all = [...edges, ...more];
  while (all.length < count) all.push(all.length % 7 === 0 ? all.length / 3 : all.length);
  return all;
}

describe('the thread transport', () => {
  it('carries numbers to a worker and back as they were sent, in order with strings between them', async () => {
    await withSystem(async (system: KompactSystem) => {
      const data: ProbeWorkerData = { mirrors: ['mirror'] };
      const worker = await within(system.spawnWorker(PROBE_WORKER, { data }), 60_000, 'a worker to spawn');
      const { probe, component } = await startNamedProbe(system, 'client');
      const mirror = ActorPath.parse(`${worker.systemPath().toString()}/mirror`);
      // More than a ring holds (23 bytes a number frame): the ring wraps around, some turns do not fit.
      const sent: unknown[] = [];
      for (const [i, value] of numbersToSend(20_000).entries()) {
        const message = i % 97 === 50 ? `text ${i}` : value;
        mirror.tell(message, component);
        sent.push(message);
        if (i % 5_000 === 4_999) await new Promise((resolve) => setImmediate(resolve));
      }
      await probe.waitFor(sent.length);
      const received = probe.received.map((msg) =>
        msg.serId === Serialisers.number.serId
          ? msg.tryDeserialise(Serialisers.number)
          : msg.tryDeserialise(Serialisers.string),
      );
      // deepEqual compares with Object.is: -0 and NaN must come back as such.
      assert.deepEqual(received, sent);
    });
  });

  it('keeps 20,000 messages to a worker and their replies in order, more than a ring holds at once', async () => {
    await withSystem(async (system: KompactSystem) => {
      const data: ProbeWorkerData = { probes: ['echo'] };
      const worker = await within(system.spawnWorker(PROBE_WORKER, { data }), 60_000, 'a worker to spawn');
      const { probe, component } = await startNamedProbe(system, 'client');
      const echo = ActorPath.parse(`${worker.systemPath().toString()}/echo`);
      const count = 20_000;
      for (let i = 0; i < count; i++) echo.tell(`echo ${i}`, component);
      await probe.waitFor(count);
      assert.deepEqual(
        probe.texts,
        Array.from({ length: count }, (_, i) => `echo:${i}`),
      );
    });
  });

  it('keeps this thread’s timers running while a ping-pong with a worker keeps both threads busy', async () => {
    /** Tells the mirror a number again for each one it gets back, until told to stop. */
    class Rally extends ComponentDefinition {
      returned = 0;
      isRunning = true;
      constructor(readonly mirror: ActorPath) {
        super();
      }
      override receiveNetwork(_msg: NetMessage): void {
        this.returned++;
        if (this.isRunning) this.mirror.tell(this.returned, this, Serialisers.number);
      }
    }
    await withSystem(async (system: KompactSystem) => {
      const data: ProbeWorkerData = { mirrors: ['mirror'] };
      const worker = await within(system.spawnWorker(PROBE_WORKER, { data }), 60_000, 'a worker to spawn');
      const mirror = ActorPath.parse(`${worker.systemPath().toString()}/mirror`);
      let rally: Rally | undefined;
      const component = system.create(() => {
        rally = new Rally(mirror);
        return rally;
      });
      await system.startNotify(component);
      await system.register(component);
      const started = rally as Rally;
      // One number in flight, answered at once: each thread finds the other's reply right after it wrote its own.
      mirror.tell(0, component, Serialisers.number);
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      clearInterval(ticker);
      started.isRunning = false;
      assert.ok(started.returned > 100, `the rally ran (${started.returned} round trips)`);
      // Unbounded, replies handled in microtasks as they are caught would never let the loop turn.
      assert.ok(ticks >= 10, `a 2 ms interval ticked ${ticks} times in 300 ms`);
    });
  });
});
