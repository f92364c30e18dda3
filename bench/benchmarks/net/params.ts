import { type Params, positiveInteger } from '../../infra/params.js';

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
