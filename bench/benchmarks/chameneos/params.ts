import { type Params, positiveInteger } from '../../infra/params.js';

/** B4 Chameneos: `chameneos` creatures meet through one mall actor until `meetings` meetings happened. */
export type ChameneosParams = { readonly chameneos: number; readonly meetings: number };

/** Validates B4 parameters that arrived as JSON. */
export function parseChameneosParams(params: Params): ChameneosParams {
  const chameneos = positiveInteger(params, 'chameneos');
  if (chameneos < 2) throw new RangeError(`Expected at least 2 \`chameneos\`, got \`${chameneos}\``);
  return { chameneos, meetings: positiveInteger(params, 'meetings') };
}
