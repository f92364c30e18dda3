// A peer system for the kill -9 probe, run as its own process: `node .build/test/support/echo-peer.js`.
// It listens on 127.0.0.1 (a free port), registers `sink`, prints `listening <port>`, then answers every
// `<n>` string with `ack <n>` to its sender.
import { ComponentDefinition, KompactConfig, type NetMessage, Serialisers } from '../../src/index.js';

class EchoSink extends ComponentDefinition {
  override receiveNetwork(msg: NetMessage): void {
    const text = msg.tryDeserialise(Serialisers.string);
    msg.sender.tell(`ack ${text}`, this);
  }
}

const system = await KompactConfig.default()
  .logLevel('silent')
  .network({ host: '127.0.0.1', port: 0 })
  .build();
const sink = system.create(() => new EchoSink());
await system.startNotify(sink);
await system.registerByAlias(sink, 'sink');
process.stdout.write(`listening ${system.systemPath().port}\n`);
// Shut down on SIGTERM; the probe ends it with SIGKILL.
process.once('SIGTERM', () => void system.shutdown());
