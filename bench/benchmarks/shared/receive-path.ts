import type { Dispatcher } from '../../../src/dispatch/dispatcher.js';
import {
  ActorPath,
  ComponentDefinition,
  KompactConfig,
  type NetMessage,
  Serialisers,
  SystemPath,
} from '../../../src/index.js';
import { messageSource } from '../../../src/paths/message-source.js';
import type { ChunkRange } from '../../../src/serialisation/buffer-writer.js';
import { type Serialiser, serialiseInto, serialiseToBytes } from '../../../src/serialisation/serialiser.js';

// The receiving side that the TCP and thread transports share, alone, for counting its CPU work per
// message without a transport or a second thread: a decoded frame's fields go to `Dispatcher.receive`
// as a decoder hands them over (shared path objects, an 8-byte number payload at an offset in a chunk
// of 1,000), the component's turn deserialises the number and replies to the sender, a path of another
// system, and a stand-in network link serialises the reply with `serialiseInto` (as both links do).
//   valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null node --single-threaded \
//     .build/bench/benchmarks/shared/receive-path.js N [PAIRS]
// at N = 50,000 and 250,000: (difference of the instruction counts) / 200,000 is the instructions per
// message. PAIRS receivers (aliases ponger-0, …) get the frames in runs of 50. MODE=receive leaves the
// reply out (the handler only reads the number).

const count = Number(process.argv[2] ?? '100000');
const pairs = Number(process.argv[3] ?? '1');
const replies = process.env.MODE !== 'receive';
let handled = 0;

class Ponger extends ComponentDefinition {
  override receiveNetwork(msg: NetMessage): void {
    const value = msg.tryDeserialise(Serialisers.number);
    if (replies) msg.sender.tell(value, this);
    else handled++;
  }
}

const system = await KompactConfig.default().throughput(50).logLevel('silent').build();
const dispatcher = system[messageSource]().dispatcher as Dispatcher;
const range: ChunkRange = { chunk: new Uint8Array(0), offset: 0, length: 0 };
dispatcher.attachRemote({
  send(_sender: ActorPath, _receiver: ActorPath, value: unknown, serialiser: Serialiser<unknown>): void {
    serialiseInto(serialiser, value, range);
    handled++;
  },
  sendBytes(): void {
    handled++;
  },
});
const receivers: ActorPath[] = [];
for (let i = 0; i < pairs; i++) {
  const ponger = system.create(() => new Ponger());
  await system.startNotify(ponger);
  receivers.push(await system.registerByAlias(ponger, `ponger-${i}`));
}
const peer = new SystemPath('tcp', '127.0.0.1', 9);
const senders = receivers.map((_, i) => ActorPath.parse(`${peer.toString()}/pinger-${i}`));
const BATCH = 1000;
const RUN = 50;
const chunk = new Uint8Array(BATCH * 8);
for (let i = 0; i < BATCH; i++) chunk.set(serialiseToBytes(Serialisers.number, i), i * 8);
for (let done = 0; done < count; done += BATCH) {
  for (let i = 0; i < BATCH; i++) {
    const pair = Math.floor(i / RUN) % pairs;
    dispatcher.receive(
      senders[pair] as ActorPath,
      receivers[pair] as ActorPath,
      Serialisers.number.serId,
      chunk,
      i * 8,
      8,
    );
  }
  await new Promise((resolve) => setImmediate(resolve));
}
await system.shutdown();
if (handled < count) throw new Error(`only ${handled} of ${count} messages were handled`);
