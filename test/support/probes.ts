// Components that record the path messages they receive, for named-service and network tests.
import {
  ComponentDefinition,
  type HandlerReturn,
  type KompactSystem,
  type NetMessage,
  Serialisers,
} from '../../src/index.js';
import { DEADLINE_MS, within } from './promises.js';

/** Records every network message; `waitFor(n)` resolves once it has `n`. Replies `echo:<text>` to `echo` strings. */
export class Probe extends ComponentDefinition {
  readonly received: NetMessage[] = [];
  private readonly waiters: { readonly count: number; readonly resolve: () => void }[] = [];

  constructor(readonly name = 'probe') {
    super();
  }

  /** The string values received so far. */
  get texts(): string[] {
    return this.received.map((msg) => msg.tryDeserialise(Serialisers.string));
  }

  override receiveNetwork(msg: NetMessage): HandlerReturn {
    this.received.push(msg);
    if (msg.serId === Serialisers.string.serId) {
      const text = msg.tryDeserialise(Serialisers.string);
      if (text.startsWith('echo ')) msg.sender.tell(`${this.name}:${text.slice(5)}`, this);
      if (text === 'crash') throw new Error(`${this.name} crashed`);
    }
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i];
      if (waiter !== undefined && this.received.length >= waiter.count) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  /** Resolves once `count` messages have arrived in total; rejects after `timeoutMs` saying how many did. */
  waitFor(count: number, timeoutMs = DEADLINE_MS): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    const arrived = new Promise<void>((resolve) => this.waiters.push({ count, resolve }));
    return within(arrived, timeoutMs, `${count} messages at ${this.name}`).catch((error: unknown) => {
      throw new Error(`${(error as Error).message} (${this.received.length} arrived)`);
    });
  }
}

/** Creates and starts a probe; returns the component and its definition. */
export async function startProbe(system: KompactSystem, name?: string) {
  let probe: Probe | undefined;
  const component = system.create(() => {
    probe = new Probe(name);
    return probe;
  });
  await within(system.startNotify(component), DEADLINE_MS, `probe ${name ?? 'probe'} to start`);
  return { component, probe: probe as Probe };
}

/** Creates and starts a probe registered under `alias`; returns the component, its definition and its path. */
export async function startNamedProbe(system: KompactSystem, alias: string, name?: string) {
  const started = await startProbe(system, name);
  const path = await system.registerByAlias(started.component, alias);
  return { ...started, path };
}

/** Lets the scheduler run everything queued (a few event-loop turns). */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
