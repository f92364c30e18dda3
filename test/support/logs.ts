// Captured log lines: pino's level numbers and filtering by level.
import type { CapturedLog } from '../../src/testing/index.js';

/** pino's level number for `info`. */
export const INFO = 30;
/** pino's level number for `warn`. */
export const WARN = 40;
/** pino's level number for `error`. */
export const ERROR = 50;

/** The captured lines logged at exactly `level`. */
export function linesAt(lines: CapturedLog[], level: number): CapturedLog[] {
  return lines.filter((line) => line.level === level);
}
