// A test environment that records supervision events, filtering those events by kind, and watching what a
// component's recovery function is called with.
import type {
  Component,
  ComponentDefinition,
  FaultContext,
  KompactConfig,
  KompactSystem,
  SupervisionEvent,
} from '../../src/index.js';
import { type CapturedLog, captureLogs, SimulatedClock, withSystem } from '../../src/testing/index.js';

/** What `withEnv` hands a test body. */
export interface Env {
  readonly system: KompactSystem;
  readonly clock: SimulatedClock;
  readonly lines: CapturedLog[];
  /** Every supervision event, in order. */
  readonly events: SupervisionEvent[];
}

/** A fresh system on a simulated clock, its log lines captured and its supervision events recorded. */
export function withEnv<T>(
  body: (env: Env) => Promise<T>,
  configure: (config: KompactConfig) => KompactConfig = (config) => config,
): Promise<T> {
  const clock = new SimulatedClock();
  const { logger, lines } = captureLogs();
  return withSystem(
    (system) => {
      const events: SupervisionEvent[] = [];
      for (const kind of ['fault', 'recovered', 'recovery-failed', 'recovery-slow', 'gave-up'] as const) {
        system.supervision.on(kind, (event) => events.push(event));
      }
      return body({ system, clock, lines, events });
    },
    (config) => configure(config.clock(clock).logger(logger)),
  );
}

/** The recorded events of one kind, typed as that kind. */
export function ofKind<K extends SupervisionEvent['kind']>(
  events: SupervisionEvent[],
  kind: K,
): Extract<SupervisionEvent, { kind: K }>[] {
  return events.filter((event): event is Extract<SupervisionEvent, { kind: K }> => event.kind === kind);
}

/** Records the contexts a component's recovery function sees, and how often its handler runs. */
export function watchRecovery(component: Component<ComponentDefinition<unknown>>): {
  readonly contexts: FaultContext[];
  readonly handlerRuns: number;
} {
  const seen = { contexts: [] as FaultContext[], handlerRuns: 0 };
  component.setRecoveryFunction((fault) => {
    seen.contexts.push(fault);
    return fault.recoverWith(() => {
      seen.handlerRuns++;
    });
  });
  return seen;
}
