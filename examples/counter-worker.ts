// The worker module of the worker-unstable-counter example: the unstable counter of the remote
// example, registered as `counter` on a worker system, and `chaos`, which kills the whole thread when
// told to (an exception that no component handler catches).
import {
  ComponentDefinition,
  defineWorker,
  type HandlerReturn,
  type NetMessage,
  Serialisers,
} from '../src/index.js';
import { COUNTER_ALIAS, CounterService, QUICK_TIMING } from './remote-unstable-counter.js';

/** Kills its thread when told `kill-thread`: the error is thrown outside any handler. */
class Chaos extends ComponentDefinition {
  override receiveNetwork(msg: NetMessage): HandlerReturn {
    if (msg.tryDeserialise(Serialisers.string) !== 'kill-thread') return;
    setTimeout(() => {
      throw new Error('The counter thread was killed');
    }, 0);
  }
}

// #region worker
export default defineWorker(async (system) => {
  const counter = system.create(() => new CounterService(0, 0, QUICK_TIMING));
  await system.registerByAlias(counter, COUNTER_ALIAS);
  system.start(counter);
  const chaos = system.create(() => new Chaos());
  await system.registerByAlias(chaos, 'chaos');
  system.start(chaos);
});
// #endregion worker
