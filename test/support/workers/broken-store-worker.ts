// A worker module for tests whose snapshot store cannot open (its factory throws).
import { defineWorker } from '../../../src/index.js';

export default defineWorker(async () => {}, {
  snapshotStore: () => {
    throw new Error('the disk is gone');
  },
});
