// Assertions about the errors kompact-ts raises.
import assert from 'node:assert/strict';
import { KompactError, type KompactErrorCode } from '../../src/index.js';

/** A predicate for `assert.throws`/`assert.rejects`: the error is a KompactError with `code`. */
export function isKompactError(code: KompactErrorCode): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof KompactError, `expected a KompactError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}
