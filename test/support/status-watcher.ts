// A component on a system's network status port that keeps every event it sees, for tests that wait for
// connection, limit and block events.
import {
  ComponentDefinition,
  type HandlerReturn,
  type KompactSystem,
  type NetworkStatus,
  NetworkStatusPort,
} from '../../src/index.js';
import { DEADLINE_MS, within } from './promises.js';

type StatusKind = NetworkStatus['kind'];

/** Records the status events of its system; requests go out through `status.trigger`. */
export class StatusWatcher extends ComponentDefinition {
  readonly events: NetworkStatus[] = [];
  private readonly waiters: {
    readonly kind: StatusKind;
    readonly count: number;
    readonly resolve: () => void;
  }[] = [];
  readonly status = this.requirePort(NetworkStatusPort, (event): HandlerReturn => {
    this.events.push(event);
    for (const waiter of [...this.waiters]) {
      if (this.count(waiter.kind) >= waiter.count) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });

  /** How many events of `kind` arrived so far. */
  count(kind: StatusKind): number {
    return this.events.filter((event) => event.kind === kind).length;
  }

  /** Resolves once `count` events of `kind` have arrived in all; fails after the test deadline. */
  waitFor(kind: StatusKind, count = 1): Promise<void> {
    if (this.count(kind) >= count) return Promise.resolve();
    return within(
      new Promise<void>((resolve) => this.waiters.push({ kind, count, resolve })),
      DEADLINE_MS,
      `${count} ${kind}`,
    );
  }

  /** The first event of `kind` (waiting for it if none arrived yet). */
  async first<K extends StatusKind>(kind: K): Promise<Extract<NetworkStatus, { kind: K }>> {
    await this.waitFor(kind);
    return this.events.find((event) => event.kind === kind) as Extract<NetworkStatus, { kind: K }>;
  }
}

/** Creates and starts a {@link StatusWatcher} connected to `system`'s network status port. */
export async function watchStatus(system: KompactSystem): Promise<StatusWatcher> {
  const watcher = system.create(() => new StatusWatcher());
  await system.startNotify(watcher);
  system.connectNetworkStatusPort(watcher.onDefinition((d) => d.status));
  return watcher.onDefinition((d) => d);
}
