import { type Params, positiveInteger } from '../../infra/params.js';

/**
 * B8a: `components` keys (one component each, for kompact-ts), each saved `savesPerComponent` times
 * with a `bytes`-byte state, as fast as acknowledged, in transactions of at most `batch` saves.
 */
export type SaveRateParams = {
  readonly components: number;
  readonly savesPerComponent: number;
  readonly bytes: number;
  readonly batch: number;
};

/** Validates B8a parameters that arrived as JSON. */
export function parseSaveRateParams(params: Params): SaveRateParams {
  return {
    components: positiveInteger(params, 'components'),
    savesPerComponent: positiveInteger(params, 'savesPerComponent'),
    bytes: positiveInteger(params, 'bytes'),
    batch: positiveInteger(params, 'batch'),
  };
}

/** B8b: saves of `bytes`-byte states over `keys` keys at `rate` saves/s for `durationMs`. */
export type AckLatencyParams = {
  readonly keys: number;
  readonly rate: number;
  readonly durationMs: number;
  readonly bytes: number;
};

/** Validates B8b parameters that arrived as JSON. */
export function parseAckLatencyParams(params: Params): AckLatencyParams {
  return {
    keys: positiveInteger(params, 'keys'),
    rate: positiveInteger(params, 'rate'),
    durationMs: positiveInteger(params, 'durationMs'),
    bytes: positiveInteger(params, 'bytes'),
  };
}
