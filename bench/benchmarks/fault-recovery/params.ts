import { type Params, positiveInteger } from '../../infra/params.js';

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
