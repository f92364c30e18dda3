import type { Benchmark } from '../../infra/harness.js';
import { CountdownLatch } from '../../infra/latch.js';
import { type Behaviour, ReadyLoop, type Ref } from '../shared/ready-loop.js';
import { type FibonacciParams, fibonacci, fibonacciActorCount } from './params.js';

// B3's floors in plain Node. `raw-loop`: the same actor algorithm on the ready-queue loop, each actor
// the "closure actor" of benchmarks.md §5: an object with a ring-buffer mailbox, registered in a `Map`
// by id when spawned (its "start") and removed when it replies (its "kill"), sent one start message
// before its request. `object-tree`: only the allocation, one actor-like object per recursive call
// (~41 M objects/s here), no messages at all.

type FibMsg =
  | { readonly kind: 'start' }
  | { readonly kind: 'request'; readonly n: number }
  | { readonly kind: 'response'; readonly value: number };

const START: FibMsg = Object.freeze({ kind: 'start' });

/** Counts the run down: one result and `actors` removals from the registry. */
class Tracker implements Ref<FibMsg> {
  readonly latch = new CountdownLatch(1);
  result = 0;
  readonly #actors: number;
  #stopped = 0;
  #hasResult = false;

  constructor(actors: number) {
    this.#actors = actors;
  }

  tell(msg: FibMsg): void {
    if (msg.kind !== 'response') throw new Error('The Fibonacci root sent a non-response to the benchmark');
    this.result = msg.value;
    this.#hasResult = true;
    if (this.#stopped === this.#actors) this.latch.countDown();
  }

  actorStopped(): void {
    if (++this.#stopped === this.#actors && this.#hasResult) this.latch.countDown();
  }
}

/** What the raw-loop actors share: the loop, the registry of live actors, the id counter, the tracker. */
class Runtime {
  readonly loop = new ReadyLoop();
  readonly registry = new Map<number, Ref<FibMsg>>();
  nextId = 0;
  tracker: Tracker | undefined;

  /** Spawns an actor for `parent`, registers it, queues its start message; returns its ref. */
  spawn(parent: Ref<FibMsg>): Ref<FibMsg> {
    const id = this.nextId++;
    const actor = new FibonacciBehaviour(this, parent, id);
    const ref = this.loop.spawn(actor);
    actor.self = ref;
    this.registry.set(id, ref);
    ref.tell(START);
    return ref;
  }
}

class FibonacciBehaviour implements Behaviour<FibMsg> {
  self: Ref<FibMsg> | undefined;
  readonly #runtime: Runtime;
  readonly #parent: Ref<FibMsg>;
  readonly #id: number;
  #sum = 0;
  #responses = 0;

  constructor(runtime: Runtime, parent: Ref<FibMsg>, id: number) {
    this.#runtime = runtime;
    this.#parent = parent;
    this.#id = id;
  }

  receive(msg: FibMsg): void {
    switch (msg.kind) {
      case 'start':
        break;
      case 'request':
        if (msg.n <= 2) {
          this.#reply(1);
        } else {
          this.#runtime.spawn(this.self!).tell({ kind: 'request', n: msg.n - 1 });
          this.#runtime.spawn(this.self!).tell({ kind: 'request', n: msg.n - 2 });
        }
        break;
      case 'response':
        this.#sum += msg.value;
        if (++this.#responses === 2) this.#reply(this.#sum);
        break;
    }
  }

  #reply(value: number): void {
    this.#parent.tell({ kind: 'response', value });
    this.#runtime.registry.delete(this.#id);
    this.#runtime.tracker!.actorStopped();
  }
}

/** B3 Fibonacci on the plain-Node ready-queue loop with "closure actors". */
export class RawLoopFibonacci implements Benchmark<FibonacciParams> {
  #n = 0;
  #runtime = new Runtime();

  setup(params: FibonacciParams): void {
    this.#n = params.n;
    this.#runtime = new Runtime();
  }

  prepareIteration(): void {
    this.#runtime.tracker = new Tracker(fibonacciActorCount(this.#n));
  }

  runIteration(): Promise<void> {
    const runtime = this.#runtime;
    const tracker = runtime.tracker!;
    runtime.spawn(tracker).tell({ kind: 'request', n: this.#n });
    return tracker.latch.promise;
  }

  cleanupIteration(): void {
    const { tracker, registry } = this.#runtime;
    const expected = fibonacci(this.#n);
    if (tracker!.result !== expected) {
      throw new Error(`Fibonacci(${this.#n}) = ${tracker!.result}, expected ${expected}`);
    }
    if (registry.size !== 0) throw new Error(`${registry.size} Fibonacci actors still registered`);
  }

  teardown(): void {}
}

/** An actor-like node: parent link, request, the two children, the result. */
class FibonacciNode {
  readonly parent: FibonacciNode | undefined;
  readonly n: number;
  left: FibonacciNode | undefined;
  right: FibonacciNode | undefined;
  value = 0;

  constructor(parent: FibonacciNode | undefined, n: number) {
    this.parent = parent;
    this.n = n;
  }
}

function buildTree(parent: FibonacciNode | undefined, n: number): FibonacciNode {
  const node = new FibonacciNode(parent, n);
  if (n <= 2) {
    node.value = 1;
  } else {
    const left = buildTree(node, n - 1);
    const right = buildTree(node, n - 2);
    node.left = left;
    node.right = right;
    node.value = left.value + right.value;
  }
  return node;
}

/** B3's allocation floor: the tree of 2·F(n) − 1 actor-like objects, built recursively. */
export class ObjectTreeFibonacci implements Benchmark<FibonacciParams> {
  #n = 0;
  #result = 0;

  setup(params: FibonacciParams): void {
    this.#n = params.n;
  }

  prepareIteration(): void {
    this.#result = 0;
  }

  runIteration(): Promise<void> {
    this.#result = buildTree(undefined, this.#n).value;
    return Promise.resolve();
  }

  cleanupIteration(): void {
    const expected = fibonacci(this.#n);
    if (this.#result !== expected)
      throw new Error(`Fibonacci(${this.#n}) = ${this.#result}, expected ${expected}`);
  }

  teardown(): void {}
}
