import { type Params, positiveInteger } from '../../infra/params.js';

/**
 * B7b ThreadThroughputPingPong: `pairs` pingers on the main thread's system, each with up to `pipeline`
 * pings in flight to its own ponger on one worker system.
 */
export type ThreadThroughputParams = {
  readonly msgsPerPair: number;
  readonly pipeline: number;
  readonly pairs: number;
};

/** Validates B7b parameters that arrived as JSON. */
export function parseThreadThroughputParams(params: Params): ThreadThroughputParams {
  return {
    msgsPerPair: positiveInteger(params, 'msgsPerPair'),
    pipeline: positiveInteger(params, 'pipeline'),
    pairs: positiveInteger(params, 'pairs'),
  };
}
