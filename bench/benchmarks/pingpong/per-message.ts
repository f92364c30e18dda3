import type { Behaviour, Ref } from '../shared/ready-loop.js';

/** Delivers every message on its own microtask: one `queueMicrotask` (and one closure) per message. */
export class MicrotaskRef<M> implements Ref<M> {
  readonly #behaviour: Behaviour<M>;

  constructor(behaviour: Behaviour<M>) {
    this.#behaviour = behaviour;
  }

  tell(msg: M): void {
    queueMicrotask(() => this.#behaviour.receive(msg));
  }
}

function deliver<M>(behaviour: Behaviour<M>, msg: M): void {
  behaviour.receive(msg);
}

/** Delivers every message on its own macrotask: one `setImmediate` per message. */
export class ImmediateRef<M> implements Ref<M> {
  readonly #behaviour: Behaviour<M>;

  constructor(behaviour: Behaviour<M>) {
    this.#behaviour = behaviour;
  }

  tell(msg: M): void {
    setImmediate(deliver<M>, this.#behaviour, msg);
  }
}
