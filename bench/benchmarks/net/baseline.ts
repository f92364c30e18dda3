import * as net from 'node:net';
import type { Benchmark, Observations } from '../../infra/harness.js';
import { CountdownLatch } from '../../infra/latch.js';
import type { PingPongParams } from '../pingpong/params.js';
import type { NetThroughputPingPongParams } from './params.js';
import { RemoteProcess } from './remote-process.js';
import { rewarmCount, rttObservations } from './round-trip-times.js';

// B5's physical limit: the same message pattern on plain `node:net`, between the same two processes on
// loopback, with frames of the size of a kompact-ts data frame carrying a number once both paths are in
// the connection's path table (src/net/frame.ts): u32 length (19), u8 kind (3), u32 serId (10), two path
// fields (u8 tag 2 + u16 id: the pair's number), f64 payload (the ping's index) = 23 bytes. All pairs
// share one connection, as kompact-ts's pairs do. No acknowledgements, no handshake beyond TCP's.
//
// Two ways to write: `per-message` calls `socket.write` once per frame; `coalesced` writes every frame
// produced while handling one chunk (or starting a run) in one `socket.write`, at the end of that chunk.

/** The bytes of one frame on the wire, length prefix included. */
export const RAW_FRAME_BYTES = 23;
const BODY_BYTES = RAW_FRAME_BYTES - 4;
const DATA_KIND = 3;
const NUMBER_SER_ID = 10;
const PATH_REFERENCE = 2;

/** How a raw endpoint writes its frames. */
export type RawWriteMode = 'per-message' | 'coalesced';

function putFrame(out: Buffer, at: number, pair: number, index: number): void {
  out.writeUInt32BE(BODY_BYTES, at);
  out[at + 4] = DATA_KIND;
  out.writeUInt32BE(NUMBER_SER_ID, at + 5);
  out[at + 9] = PATH_REFERENCE;
  out.writeUInt16BE(pair, at + 10);
  out[at + 12] = PATH_REFERENCE;
  out.writeUInt16BE(pair, at + 13);
  out.writeDoubleBE(index, at + 15);
}

/** Cuts a byte stream into frames, whatever the chunk boundaries. */
export class FrameReader {
  #pending: Buffer | undefined;

  /** Calls `onFrame` with the pair and index of every frame `chunk` completes, in order. */
  push(chunk: Buffer, onFrame: (pair: number, index: number) => void): void {
    let bytes = chunk;
    if (this.#pending !== undefined) {
      bytes = Buffer.concat([this.#pending, chunk]);
      this.#pending = undefined;
    }
    let at = 0;
    while (bytes.length - at >= 4) {
      const length = bytes.readUInt32BE(at);
      if (length !== BODY_BYTES) throw new Error(`Unexpected raw frame length ${length}`);
      const end = at + 4 + length;
      if (end > bytes.length) break;
      if (bytes[at + 4] !== DATA_KIND) throw new Error(`Unexpected raw frame kind ${bytes[at + 4]}`);
      onFrame(bytes.readUInt16BE(at + 13), bytes.readDoubleBE(at + 15));
      at = end;
    }
    if (at < bytes.length) this.#pending = Buffer.from(bytes.subarray(at));
  }
}

/** Writes frames to a socket, one write each or one write per {@link FrameWriter.flush}. */
export class FrameWriter {
  readonly #socket: net.Socket;
  readonly #isCoalesced: boolean;
  readonly #pairs: number[] = [];
  readonly #indices: number[] = [];

  constructor(socket: net.Socket, mode: RawWriteMode) {
    this.#socket = socket;
    this.#isCoalesced = mode === 'coalesced';
  }

  send(pair: number, index: number): void {
    if (this.#isCoalesced) {
      this.#pairs.push(pair);
      this.#indices.push(index);
      return;
    }
    const out = Buffer.allocUnsafe(RAW_FRAME_BYTES);
    putFrame(out, 0, pair, index);
    this.#socket.write(out);
  }

  /** Writes what {@link FrameWriter.send} queued (coalesced mode), in one write. */
  flush(): void {
    const count = this.#pairs.length;
    if (count === 0) return;
    const out = Buffer.allocUnsafe(count * RAW_FRAME_BYTES);
    for (let i = 0; i < count; i++) {
      putFrame(out, i * RAW_FRAME_BYTES, this.#pairs[i]!, this.#indices[i]!);
    }
    this.#pairs.length = 0;
    this.#indices.length = 0;
    this.#socket.write(out);
  }
}

/** The remote side of the raw baselines: answers every frame with a frame of the same pair and index. */
export function listenRawEcho(mode: RawWriteMode): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    const reader = new FrameReader();
    const writer = new FrameWriter(socket, mode);
    const echo = (pair: number, index: number): void => writer.send(pair, index);
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk, echo);
        writer.flush();
      } catch (error) {
        // The point process sees the connection close and fails the point; say why here (stderr).
        console.error(error);
        socket.destroy();
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** A plain TCP connection to `address` (`host:port`, as a remote process reports it), with Nagle off. */
export async function connectNoDelay(address: string): Promise<net.Socket> {
  const separator = address.lastIndexOf(':');
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({
      host: address.slice(0, separator),
      port: Number(address.slice(separator + 1)),
    });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
  socket.setNoDelay(true);
  return socket;
}

/** The point process's end: the remote echo server and one connection to it. */
class RawClient {
  readonly remote: RemoteProcess;
  readonly socket: net.Socket;
  readonly writer: FrameWriter;
  /** Rejects when the connection closes before {@link RawClient.close}. */
  readonly closed: Promise<never>;
  #isClosing = false;

  private constructor(remote: RemoteProcess, socket: net.Socket, mode: RawWriteMode) {
    this.remote = remote;
    this.socket = socket;
    this.writer = new FrameWriter(socket, mode);
    let failure: Error | undefined;
    socket.on('error', (error) => {
      failure ??= error;
    });
    this.closed = new Promise<never>((_, reject) => {
      socket.once('close', () =>
        reject(
          new Error(
            this.#isClosing
              ? 'closed'
              : `The raw connection closed unexpectedly: ${failure?.message ?? 'by the peer'}`,
          ),
        ),
      );
    });
    this.closed.catch(() => {});
  }

  static async open(mode: RawWriteMode, onFrame: (pair: number, index: number) => void): Promise<RawClient> {
    const remote = await RemoteProcess.start({
      implementation: mode === 'coalesced' ? 'raw-net-coalesced' : 'raw-net-per-message',
      aliases: [],
    });
    try {
      const socket = await connectNoDelay(remote.address);
      const client = new RawClient(remote, socket, mode);
      const reader = new FrameReader();
      socket.on('data', (chunk: Buffer) => {
        try {
          reader.push(chunk, onFrame);
          client.writer.flush();
        } catch (error) {
          socket.destroy(error as Error);
        }
      });
      return client;
    } catch (error) {
      await remote.stop();
      throw error;
    }
  }

  /** Resolves with `latch` or rejects when the connection or the remote side died first. */
  race(latch: CountdownLatch): Promise<void> {
    return Promise.race([latch.promise, this.closed, this.remote.unexpectedExit]);
  }

  async close(): Promise<void> {
    this.#isClosing = true;
    this.socket.destroy();
    await this.remote.stop();
  }
}

/** B5a NetPingPong on raw `node:net`: `n` round trips, one frame in flight; times each round trip. */
export class RawNetPingPong implements Benchmark<PingPongParams> {
  readonly #mode: RawWriteMode;
  #client: RawClient | undefined;
  #roundTrips = 0;
  #target = 0;
  #next = 0;
  #sentAt = 0;
  #misordered = 0;
  #rttsUs = new Float64Array(1);
  #latch: CountdownLatch | undefined;
  #observations: Observations = {};

  constructor(mode: RawWriteMode) {
    this.#mode = mode;
  }

  async setup(params: PingPongParams): Promise<void> {
    this.#roundTrips = params.n;
    this.#client = await RawClient.open(this.#mode, this.#onFrame);
    // One untimed round trip: the connection is warm before the first iteration.
    await this.#run(1);
  }

  async prepareIteration(): Promise<void> {
    this.#rttsUs = new Float64Array(this.#roundTrips);
    await this.#run(rewarmCount(this.#roundTrips));
  }

  runIteration(): Promise<void> {
    return this.#run(this.#roundTrips);
  }

  cleanupIteration(): Promise<void> {
    if (this.#next !== this.#roundTrips) {
      throw new Error(`NetPingPong finished with ${this.#roundTrips - this.#next} round trips left`);
    }
    if (this.#misordered !== 0)
      throw new Error(`NetPingPong received ${this.#misordered} pongs out of order`);
    this.#observations = rttObservations(this.#rttsUs);
    return this.#client!.remote.collectGarbage();
  }

  iterationObservations(): Observations {
    return this.#observations;
  }

  async teardown(): Promise<void> {
    await this.#client?.close();
  }

  #run(roundTrips: number): Promise<void> {
    const client = this.#client!;
    const latch = new CountdownLatch(1);
    this.#latch = latch;
    this.#target = roundTrips;
    this.#next = 0;
    this.#misordered = 0;
    this.#send();
    client.writer.flush();
    return client.race(latch);
  }

  #send(): void {
    this.#sentAt = performance.now();
    this.#client!.writer.send(0, this.#next);
  }

  readonly #onFrame = (_pair: number, index: number): void => {
    const receivedAt = performance.now();
    if (index !== this.#next) this.#misordered++;
    if (this.#next < this.#rttsUs.length) this.#rttsUs[this.#next] = (receivedAt - this.#sentAt) * 1000;
    if (++this.#next < this.#target) this.#send();
    else this.#latch!.countDown();
  };
}

/** B5b NetThroughputPingPong on raw `node:net`: `pairs` pipelined ping streams over one connection. */
export class RawNetThroughputPingPong implements Benchmark<NetThroughputPingPongParams> {
  readonly #mode: RawWriteMode;
  #client: RawClient | undefined;
  #count = 0;
  #pipeline = 1;
  #sent: number[] = [];
  #received: number[] = [];
  #finished = 0;
  #invalid = 0;
  #latch: CountdownLatch | undefined;

  constructor(mode: RawWriteMode) {
    this.#mode = mode;
  }

  async setup(params: NetThroughputPingPongParams): Promise<void> {
    this.#client = await RawClient.open(this.#mode, this.#onFrame);
    // One untimed round trip per pair: the connection is warm before the first iteration.
    this.#count = 1;
    this.#pipeline = 1;
    await this.#run(params.pairs);
    this.#count = params.msgsPerPair;
    this.#pipeline = params.pipeline;
  }

  async prepareIteration(): Promise<void> {
    const count = this.#count;
    this.#count = rewarmCount(count);
    try {
      await this.#run(this.#sent.length);
    } finally {
      this.#count = count;
    }
  }

  runIteration(): Promise<void> {
    return this.#run(this.#sent.length);
  }

  cleanupIteration(): Promise<void> {
    const short = this.#received.find((received) => received !== this.#count);
    if (short !== undefined) {
      throw new Error(`NetThroughputPingPong pinger received ${short} pongs, expected ${this.#count}`);
    }
    if (this.#invalid !== 0) {
      throw new Error(`NetThroughputPingPong received ${this.#invalid} pongs for pings never sent`);
    }
    return this.#client!.remote.collectGarbage();
  }

  async teardown(): Promise<void> {
    await this.#client?.close();
  }

  #run(pairs: number): Promise<void> {
    const client = this.#client!;
    const latch = new CountdownLatch(1);
    this.#latch = latch;
    this.#sent = new Array<number>(pairs).fill(0);
    this.#received = new Array<number>(pairs).fill(0);
    this.#finished = 0;
    this.#invalid = 0;
    const inFlight = Math.min(this.#pipeline, this.#count);
    const writer = client.writer;
    for (let pair = 0; pair < pairs; pair++) {
      while (this.#sent[pair]! < inFlight) writer.send(pair, this.#sent[pair]!++);
    }
    writer.flush();
    return client.race(latch);
  }

  readonly #onFrame = (pair: number, index: number): void => {
    const sent = this.#sent[pair];
    if (sent === undefined || !(index >= 0 && index < sent)) {
      this.#invalid++;
      return;
    }
    const received = ++this.#received[pair]!;
    if (sent < this.#count) {
      this.#client!.writer.send(pair, sent);
      this.#sent[pair] = sent + 1;
    } else if (received === this.#count && ++this.#finished === this.#sent.length) {
      this.#latch!.countDown();
    }
  };
}
