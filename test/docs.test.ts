import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { syncDocs } from '../scripts/sync-docs.js';

describe('the book', () => {
  it('shows exactly the code of the examples it includes', () => {
    assert.deepEqual(syncDocs(true), [], 'run `npm run docs` to refresh the included code');
  });
});
