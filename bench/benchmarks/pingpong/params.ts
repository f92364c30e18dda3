import { type Params, positiveInteger } from '../../infra/params.js';

/** B1 PingPong: `n` round trips, one message in flight. */
export type PingPongParams = { readonly n: number };

/** Validates B1 parameters that arrived as JSON. */
export function parsePingPongParams(params: Params): PingPongParams {
  return { n: positiveInteger(params, 'n') };
}
