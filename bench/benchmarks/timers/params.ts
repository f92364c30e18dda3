import { type Params, positiveInteger } from '../../infra/params.js';

/**
 * Timers: schedule `timers` once-timers with delays spread over 1–`maxDelayMs` ms, cancel every second
 * one, let the rest fire.
 */
export type TimerParams = { readonly timers: number; readonly maxDelayMs: number };

/** Validates timer-benchmark parameters that arrived as JSON. */
export function parseTimerParams(params: Params): TimerParams {
  const timers = positiveInteger(params, 'timers');
  if (timers < 2) throw new RangeError(`Expected at least 2 \`timers\`, got \`${timers}\``);
  return { timers, maxDelayMs: positiveInteger(params, 'maxDelayMs') };
}
