import { flag, type Params, positiveInteger } from '../../infra/params.js';

/** Memory: bytes per idle component, over `components` created (and, with `started`, started) ones. */
export type MemoryParams = { readonly components: number; readonly started: boolean };

/** Validates memory-benchmark parameters that arrived as JSON. */
export function parseMemoryParams(params: Params): MemoryParams {
  return { components: positiveInteger(params, 'components'), started: flag(params, 'started') };
}
