import { flag, type Params, positiveInteger } from '../../infra/params.js';

/** B2 ThroughputPingPong: `pairs` independent pairs, each with up to `pipeline` pings in flight. */
export type ThroughputPingPongParams = {
  readonly msgsPerPair: number;
  readonly pipeline: number;
  readonly pairs: number;
  /** Send shared static messages (`true`) or allocate `Ping{index}` / `Pong{index}` per message. */
  readonly staticOnly: boolean;
};

/** Validates B2 parameters that arrived as JSON. */
export function parseThroughputPingPongParams(params: Params): ThroughputPingPongParams {
  return {
    msgsPerPair: positiveInteger(params, 'msgsPerPair'),
    pipeline: positiveInteger(params, 'pipeline'),
    pairs: positiveInteger(params, 'pairs'),
    staticOnly: flag(params, 'staticOnly'),
  };
}
