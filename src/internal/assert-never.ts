import { describeValue } from './describe-value.js';

/**
 * Exhaustiveness check for a `switch` over a discriminated union: the compiler rejects a call with a
 * kind left unhandled, and a value that slips past the types at run time throws a `TypeError`.
 */
export function assertNever(value: never): never {
  throw new TypeError(`Unexpected value ${describeValue(value)}`);
}
