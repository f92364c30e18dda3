/** A parameter value as it travels to a point process (JSON). */
export type ParamValue = number | boolean;

/** A data point's parameters, as they travel to a point process and into `--json` rows. */
export type Params = Readonly<Record<string, ParamValue>>;

/** B1 PingPong: `n` round trips, one message in flight. */
export type PingPongParams = { readonly n: number };

/** B2 ThroughputPingPong: `pairs` independent pairs, each with up to `pipeline` pings in flight. */
export type ThroughputPingPongParams = {
  readonly msgsPerPair: number;
  readonly pipeline: number;
  readonly pairs: number;
  /** Send shared static messages (`true`) or allocate `Ping{index}` / `Pong{index}` per message. */
  readonly staticOnly: boolean;
};

function positiveInteger(params: Params, name: string): number {
  const value = params[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(
      `Expected \`${name}\` to be an integer from 1 and up, got \`${String(value)}\` (${typeof value})`,
    );
  }
  return value;
}

function flag(params: Params, name: string): boolean {
  const value = params[name];
  if (typeof value !== 'boolean') {
    throw new TypeError(`Expected \`${name}\` to be a boolean, got \`${String(value)}\` (${typeof value})`);
  }
  return value;
}

/** Validates B1 parameters that arrived as JSON. */
export function parsePingPongParams(params: Params): PingPongParams {
  return { n: positiveInteger(params, 'n') };
}

/** Validates B2 parameters that arrived as JSON. */
export function parseThroughputPingPongParams(params: Params): ThroughputPingPongParams {
  return {
    msgsPerPair: positiveInteger(params, 'msgsPerPair'),
    pipeline: positiveInteger(params, 'pipeline'),
    pairs: positiveInteger(params, 'pairs'),
    staticOnly: flag(params, 'staticOnly'),
  };
}

/**
 * B5b NetThroughputPingPong: `pairs` pingers on one system, each with up to `pipeline` pings in flight to
 * its own ponger on a second system in another process.
 */
export type NetThroughputPingPongParams = {
  readonly msgsPerPair: number;
  readonly pipeline: number;
  readonly pairs: number;
};

/** Validates B5b parameters that arrived as JSON. */
export function parseNetThroughputPingPongParams(params: Params): NetThroughputPingPongParams {
  return {
    msgsPerPair: positiveInteger(params, 'msgsPerPair'),
    pipeline: positiveInteger(params, 'pipeline'),
    pairs: positiveInteger(params, 'pairs'),
  };
}

/** B3 Fibonacci: the root actor computes F(`n`) by spawning one actor per recursive call (2·F(n) − 1). */
export type FibonacciParams = { readonly n: number };

/** B4 Chameneos: `chameneos` creatures meet through one mall actor until `meetings` meetings happened. */
export type ChameneosParams = { readonly chameneos: number; readonly meetings: number };

/**
 * Timers: schedule `timers` once-timers with delays spread over 1–`maxDelayMs` ms, cancel every second
 * one, let the rest fire.
 */
export type TimerParams = { readonly timers: number; readonly maxDelayMs: number };

/** B6 crash loop: `faults` times, crash the component and time until its replacement handles the next message. */
export type CrashLoopParams = { readonly faults: number };

/**
 * B6 heap: run `faults` crash-loop faults (or as many as fit in `budgetMs` after the checkpoint);
 * compare the heap after the first `checkpoint` faults with the heap at the end.
 */
export type FaultHeapParams = {
  readonly faults: number;
  readonly checkpoint: number;
  readonly budgetMs: number;
};

/** Memory: bytes per idle component, over `components` created (and, with `started`, started) ones. */
export type MemoryParams = { readonly components: number; readonly started: boolean };

/** Validates B3 parameters that arrived as JSON. */
export function parseFibonacciParams(params: Params): FibonacciParams {
  const n = positiveInteger(params, 'n');
  // 2·F(n) − 1 actors: n = 30 is already 1.6 M of them.
  if (n > 32) throw new RangeError(`Expected \`n\` to be at most 32, got \`${n}\``);
  return { n };
}

/** Validates B4 parameters that arrived as JSON. */
export function parseChameneosParams(params: Params): ChameneosParams {
  const chameneos = positiveInteger(params, 'chameneos');
  if (chameneos < 2) throw new RangeError(`Expected at least 2 \`chameneos\`, got \`${chameneos}\``);
  return { chameneos, meetings: positiveInteger(params, 'meetings') };
}

/** Validates timer-benchmark parameters that arrived as JSON. */
export function parseTimerParams(params: Params): TimerParams {
  const timers = positiveInteger(params, 'timers');
  if (timers < 2) throw new RangeError(`Expected at least 2 \`timers\`, got \`${timers}\``);
  return { timers, maxDelayMs: positiveInteger(params, 'maxDelayMs') };
}

/** Validates B6 crash-loop parameters that arrived as JSON. */
export function parseCrashLoopParams(params: Params): CrashLoopParams {
  return { faults: positiveInteger(params, 'faults') };
}

/** Validates B6 heap parameters that arrived as JSON. */
export function parseFaultHeapParams(params: Params): FaultHeapParams {
  const faults = positiveInteger(params, 'faults');
  const checkpoint = positiveInteger(params, 'checkpoint');
  if (checkpoint >= faults) {
    throw new RangeError(`Expected \`checkpoint\` below \`faults\` (${faults}), got \`${checkpoint}\``);
  }
  return { faults, checkpoint, budgetMs: positiveInteger(params, 'budgetMs') };
}

/** Validates memory-benchmark parameters that arrived as JSON. */
export function parseMemoryParams(params: Params): MemoryParams {
  return { components: positiveInteger(params, 'components'), started: flag(params, 'started') };
}

/** F(n) with F(1) = F(2) = 1: what every B3 implementation must compute. */
export function fibonacci(n: number): number {
  let previous = 0;
  let current = 1;
  for (let i = 1; i < n; i++) {
    const next = previous + current;
    previous = current;
    current = next;
  }
  return current;
}

/** Actors one B3 run spawns, the root included: 2·F(n) − 1. */
export function fibonacciActorCount(n: number): number {
  return 2 * fibonacci(n) - 1;
}
