// B7's worker module for kompact-ts: a ponger registered as `ponger`, answering every number with the
// same number to `msg.sender`.
import { ComponentDefinition, defineWorker, type NetMessage, Serialisers } from '../../../src/index.js';

/** Answers every ping with its index, to the sender's path. */
class ThreadPonger extends ComponentDefinition {
  override receiveNetwork(msg: NetMessage): void {
    msg.sender.tell(msg.tryDeserialise(Serialisers.number), this);
  }
}

/** `ponger`, and `ponger-<i>` for i < `pairs` (B7b's pairs), each its own component. */
export default defineWorker<{ readonly pairs?: number } | undefined>(async (system, data) => {
  const aliases = ['ponger', ...Array.from({ length: data?.pairs ?? 0 }, (_, i) => `ponger-${i}`)];
  for (const alias of aliases) {
    const ponger = system.create(() => new ThreadPonger());
    await system.startNotify(ponger);
    await system.registerByAlias(ponger, alias);
  }
});
