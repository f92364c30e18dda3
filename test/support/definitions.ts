// Component definitions and component helpers several test files use.
import { type Component, ComponentDefinition, type HandlerReturn, port } from '../../src/index.js';

/** Reads a value off a component's definition. */
export function read<D extends ComponentDefinition<unknown>, T>(component: Component<D>, f: (d: D) => T): T {
  return component.onDefinition(f);
}

/** Requests are numbers; a negative one panics; every other is acknowledged with an indication. */
export const CountPort = port<number, string>('CountPort');

/** Requires CountPort; a message of numbers triggers them as requests, in order. */
export class PortUser extends ComponentDefinition<number[]> {
  readonly acks: string[] = [];
  readonly service = this.requirePort(CountPort, (ack) => {
    this.acks.push(ack);
  });

  override receiveLocal(requests: number[]): HandlerReturn {
    for (const n of requests) this.service.trigger(n);
  }
}

/**
 * Provides CountPort: a negative request panics; every other is recorded and acknowledged with an
 * indication. Registers itself in `registry` when given one.
 */
export class CountProvider extends ComponentDefinition<string> {
  readonly received: number[] = [];
  readonly service = this.providePort(CountPort, (n) => {
    if (n < 0) throw new Error(`negative request ${n}`);
    this.received.push(n);
    this.service.trigger(`ack ${n}`);
  });

  constructor(registry?: CountProvider[]) {
    super();
    registry?.push(this);
  }
}
