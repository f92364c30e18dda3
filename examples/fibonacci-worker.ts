// The worker module of the parallel-pool example: a Fibonacci component registered as `fib` on
// every worker of the pool. It answers a number n with the string `n:fib(n)` to the sender.
import {
  ComponentDefinition,
  defineWorker,
  type HandlerReturn,
  type NetMessage,
  Serialisers,
} from '../src/index.js';

/** fib(n), computed the slow way on purpose: CPU-bound work worth a thread. */
export function fibonacci(n: number): number {
  return n < 2 ? n : fibonacci(n - 1) + fibonacci(n - 2);
}

// #region fib
/** Answers `n` with `n:fib(n)`. */
export class Fibonacci extends ComponentDefinition {
  override receiveNetwork(msg: NetMessage): HandlerReturn {
    const n = msg.tryDeserialise(Serialisers.number);
    msg.sender.tell(`${n}:${fibonacci(n)}`, this);
  }
}

export default defineWorker(async (system) => {
  const fib = system.create(() => new Fibonacci());
  await system.startNotify(fib);
  await system.registerByAlias(fib, 'fib');
});
// #endregion fib
