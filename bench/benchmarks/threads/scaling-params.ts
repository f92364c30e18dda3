import { type Params, positiveInteger } from '../../infra/params.js';

/**
 * B7c ParallelScaling: `workers` worker systems (0: the main thread's system alone) run B2's pairs
 * (`fibN` 0) or answer `requests` fib(`fibN`) questions through a pool's select path.
 */
export type ScalingParams = {
  /** 0 runs everything on the main thread's system; W ≥ 1 spreads the work over W worker systems. */
  readonly workers: number;
  readonly pairs: number;
  readonly msgsPerPair: number;
  readonly pipeline: number;
  /** 0 for the ping-pong workload; n ≥ 1 asks fib(n) `requests` times instead. */
  readonly fibN: number;
  readonly requests: number;
};

/** The integer parameter `name` of `params`, at least 0; a TypeError otherwise. */
function nonNegativeInteger(params: Params, name: string): number {
  return params[name] === 0 ? 0 : positiveInteger(params, name);
}

/** Validates B7c parameters that arrived as JSON. */
export function parseScalingParams(params: Params): ScalingParams {
  return {
    workers: nonNegativeInteger(params, 'workers'),
    pairs: positiveInteger(params, 'pairs'),
    msgsPerPair: positiveInteger(params, 'msgsPerPair'),
    pipeline: positiveInteger(params, 'pipeline'),
    fibN: nonNegativeInteger(params, 'fibN'),
    requests: positiveInteger(params, 'requests'),
  };
}

/** The event-loop lag point: `workers` busy worker systems (0: none), a 10 ms timer for `durationMs`. */
export type LagParams = {
  readonly workers: number;
  readonly durationMs: number;
  /** The fib(n) each busy handler computes. */
  readonly fibN: number;
  /** The workers' `threadPriority` (0: normal). */
  readonly threadPriority: number;
};

/** Validates the lag point's parameters that arrived as JSON. */
export function parseLagParams(params: Params): LagParams {
  return {
    workers: nonNegativeInteger(params, 'workers'),
    durationMs: positiveInteger(params, 'durationMs'),
    fibN: positiveInteger(params, 'fibN'),
    threadPriority: params.threadPriority === undefined ? 0 : nonNegativeInteger(params, 'threadPriority'),
  };
}

/** How many of `pairs` pairs worker `index` of `workers` runs: as even a split as there is. */
export function shareOf(pairs: number, workers: number, index: number): number {
  return Math.floor(pairs / workers) + (index < pairs % workers ? 1 : 0);
}

/** What the parent gives each B7c worker (kompact-ts or plain): its number of pairs and B2's sizes. */
export type ScalingWorkerData = {
  readonly pairs: number;
  readonly msgsPerPair: number;
  readonly pipeline: number;
};
