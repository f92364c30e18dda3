import { inspect } from 'node:util';

/**
 * A one-line, human-readable description of any thrown or rejected value: an `Error`'s name and message,
 * a string as it is, anything else (`undefined`, a frozen object, a symbol) through `util.inspect`.
 */
export function describeThrown(value: unknown): string {
  if (value instanceof Error) {
    return value.message === '' ? value.name : `${value.name}: ${value.message}`;
  }
  if (typeof value === 'string') return value;
  try {
    return `non-Error value thrown: ${inspect(value, { depth: 2, breakLength: Number.POSITIVE_INFINITY })}`;
  } catch {
    return `non-Error value thrown: ${Object.prototype.toString.call(value)}`;
  }
}
