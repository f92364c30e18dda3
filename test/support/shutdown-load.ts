// The shutdown-under-load probe: a system full of busy components, pending timers, asks nobody answers
// and components blocked on promises that never settle, shut down; how long it takes, and whether every
// ask settled.
import { Ask, ComponentDefinition, Handled, type HandlerReturn } from '../../src/index.js';
import { testConfig } from '../../src/testing/index.js';
import { DEADLINE_MS, track, within } from './promises.js';

/**
 * Tells itself `spin` forever and answers asks queued behind its spins; keeps timers pending: one
 * periodic every millisecond, one in a minute.
 */
class Spinner extends ComponentDefinition<'spin' | Ask<number, number>> {
  spins = 0;

  override onStart(): void {
    this.schedulePeriodic(1, 1, () => {
      this.spins++;
    });
    this.scheduleOnce(60_000, () => {});
    this.ctx.actorRef().tell('spin');
  }

  override receiveLocal(msg: 'spin' | Ask<number, number>): HandlerReturn {
    if (msg instanceof Ask) {
      msg.reply(msg.request);
      return undefined;
    }
    this.spins++;
    this.ctx.actorRef().tell('spin');
    return undefined;
  }
}

/** Holds every ask it gets, unanswered; a `block` message blocks it on a promise that never settles. */
class Holder extends ComponentDefinition<Ask<number, number> | 'block'> {
  readonly held: Ask<number, number>[] = [];
  isBlocked = false;

  override receiveLocal(msg: Ask<number, number> | 'block'): HandlerReturn {
    if (msg === 'block') {
      this.isBlocked = true;
      return Handled.blockOn(() => new Promise(() => {}));
    }
    this.held.push(msg);
    return undefined;
  }
}

/** The size of the load. */
export interface ShutdownLoadOptions {
  readonly spinners: number;
  readonly holders: number;
  /** Asks sent to each holder before the shutdown. */
  readonly asksPerHolder: number;
  /** How many of the holders get blocked forever (the grace period has to abandon them). */
  readonly blocked: number;
  readonly graceMs: number;
}

/** What one shutdown under load did. */
export interface ShutdownLoadReport {
  /** From calling `shutdown()` to its promise resolving. */
  readonly shutdownMs: number;
  /** Asks a component took and kept unanswered. */
  readonly heldAsks: number;
  /** Of those, the ones still pending after the shutdown resolved. */
  readonly unsettledHeldAsks: number;
  /** Asks still queued in a component (busy or blocked) when the shutdown began. */
  readonly queuedAsks: number;
  /** Of those, the ones still pending after the shutdown resolved. */
  readonly unsettledQueuedAsks: number;
  /** Messages the spinners handled before the shutdown (that they were busy). */
  readonly spins: number;
  readonly state: string;
}

/**
 * Builds a system on the host clock, loads it, shuts it down and reports; the shutdown has
 * `graceMs + DEADLINE_MS` to complete, else this rejects saying so.
 */
export async function shutdownUnderLoad(options: ShutdownLoadOptions): Promise<ShutdownLoadReport> {
  const system = await testConfig().shutdownGraceMs(options.graceMs).build();
  const spinners = Array.from({ length: options.spinners }, () => system.create(() => new Spinner()));
  const holders = Array.from({ length: options.holders }, () => system.create(() => new Holder()));
  await within(
    Promise.all([...spinners, ...holders].map((component) => system.startNotify(component))),
    DEADLINE_MS,
    'the loaded components to start',
  );
  // Blocked holders first, so the asks sent to them wait in their queues; the others hold theirs.
  for (const holder of holders.slice(0, options.blocked)) holder.actorRef().tell('block');
  const askAll = (targets: typeof holders) =>
    targets.flatMap((holder) =>
      Array.from({ length: options.asksPerHolder }, (_, i) => track(holder.actorRef().ask(i))),
    );
  const held = askAll(holders.slice(options.blocked));
  // Asks queued behind the spinners' spins and behind the blocked holders' blocked handlers.
  const queued = [
    ...askAll(holders.slice(0, options.blocked)),
    ...spinners.map((s) => track(s.actorRef().ask(0))),
  ];
  // Let the load run until the blocked holders are blocked and the others hold their asks, so the
  // shutdown meets all of it mid-flight.
  const isLoaded = (holder: (typeof holders)[number], index: number): boolean =>
    holder.onDefinition((d) =>
      index < options.blocked ? d.isBlocked : d.held.length === options.asksPerHolder,
    );
  const loadDeadline = performance.now() + DEADLINE_MS;
  while (!holders.every(isLoaded)) {
    if (performance.now() > loadDeadline)
      throw new Error(`the holders were not loaded within ${DEADLINE_MS} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const spins = spinners.reduce((sum, spinner) => sum + spinner.onDefinition((d) => d.spins), 0);
  const start = performance.now();
  await within(
    system.shutdown(),
    options.graceMs + DEADLINE_MS,
    `a shutdown with a ${options.graceMs} ms grace period`,
  );
  const shutdownMs = performance.now() - start;
  // A rejection is settled in the next microtasks; give them a turn before counting.
  await new Promise((resolve) => setImmediate(resolve));
  const unsettled = (asks: readonly { readonly settled: boolean }[]) =>
    asks.filter((ask) => !ask.settled).length;
  return {
    shutdownMs,
    heldAsks: held.length,
    unsettledHeldAsks: unsettled(held),
    queuedAsks: queued.length,
    unsettledQueuedAsks: unsettled(queued),
    spins,
    state: system.state,
  };
}
