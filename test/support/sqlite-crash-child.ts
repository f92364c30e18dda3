// The child process of the SIGKILL crash test (sqlite-crash.test.ts): on the database given as its
// argument it reads each counter's last snapshot, then saves ever larger values of all counters at
// once, as fast as they are acknowledged, printing `ack <key> <value>` after each acknowledgement
// (stdout to a pipe is synchronous on Linux: a printed line was acknowledged). It runs until killed.
import { KompactConfig } from '../../src/index.js';
import { sqliteSnapshotStore } from '../../src/sqlite/index.js';

const COUNTERS = 8;
const file = process.argv[2];
if (file === undefined) throw new Error('usage: sqlite-crash-child.js <database file>');

const system = await KompactConfig.default()
  .logLevel('silent')
  .snapshotStore(await sqliteSnapshotStore(file))
  .build();

async function count(key: string): Promise<never> {
  let value = (await system.snapshots.load<{ value: number }>(key))?.value ?? 0;
  process.stdout.write(`start ${key} ${value}\n`);
  for (;;) {
    value += 1;
    // Larger values now and then, so that a torn write would show as a value that does not decode.
    const padding = value % 7 === 0 ? 'x'.repeat(2000) : '';
    await system.snapshots.save(key, { value, padding });
    process.stdout.write(`ack ${key} ${value}\n`);
  }
}

for (let i = 0; i < COUNTERS; i++) void count(`counter/${i}`);
