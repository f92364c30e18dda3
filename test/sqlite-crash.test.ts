// Crash safety of the SQLite snapshot store (issue 15, point 4): a child process saves counters as
// fast as they are acknowledged and is killed with SIGKILL at a random moment, 20 times over on one
// database. After each kill the database opens, passes SQLite's integrity check, and every counter's
// snapshot is at least the last value the child reported acknowledged (never older), and no newer
// than the last value it saved.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sqliteSnapshotStore } from '../src/sqlite/index.js';
import { withSystem } from '../src/testing/index.js';
import { within } from './support/promises.js';
import { openRaw } from './support/sqlite.js';

const ROUNDS = 20;
const COUNTERS = 8;
const CHILD_DEADLINE_MS = 30_000;

/** One run of the child until SIGKILL: the last acknowledged value of each counter it reported. */
async function runAndKill(file: string, killAfterMs: number): Promise<Map<string, number>> {
  const script = fileURLToPath(new URL('./support/sqlite-crash-child.js', import.meta.url));
  const child = spawn(process.execPath, [script, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acknowledged = new Map<string, number>();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  // 'close', not 'exit': it comes after the last line in the pipe was read.
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('close', (_code, signal) => resolve(signal)),
  );
  try {
    let started = 0;
    const firstAcks = new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const [what, key, value] = line.split(' ');
        if (what === 'start') started++;
        if (what === 'ack' && key !== undefined) acknowledged.set(key, Number(value));
        if (started === COUNTERS && acknowledged.size === COUNTERS) resolve();
      });
      void exited.then(() => reject(new Error(`the child exited before saving:\n${stderr}`)));
    });
    await within(firstAcks, CHILD_DEADLINE_MS, 'the child saving every counter once');
    await new Promise((resolve) => setTimeout(resolve, killAfterMs));
  } finally {
    child.kill('SIGKILL');
    await within(exited, CHILD_DEADLINE_MS, 'the killed child to exit');
  }
  return acknowledged;
}

describe('The SQLite snapshot store under SIGKILL', () => {
  // One database through all rounds; a test per round, so that none runs into the per-test watchdog
  // on a loaded machine (a round spawns two worker threads and a process: seconds at load 15).
  let dir: string | undefined;
  const floor = new Map<string, number>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kompact-sqlite-crash-'));
  });

  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** One round: run the child, kill it, then check the database and every counter's snapshot. */
  async function round(file: string, round: number): Promise<void> {
    const killAfterMs = Math.floor(Math.random() * 150);
    const acknowledged = await runAndKill(file, killAfterMs);
    for (const [key, value] of acknowledged) floor.set(key, Math.max(floor.get(key) ?? 0, value));

    const raw = openRaw(file);
    try {
      assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok', `round ${round}: integrity`);
    } finally {
      raw.close();
    }
    const store = await sqliteSnapshotStore(file);
    await withSystem(
      async (system) => {
        for (let i = 0; i < COUNTERS; i++) {
          const key = `counter/${i}`;
          const loaded = await system.snapshots.load<{ value: number; padding: string }>(key);
          const least = floor.get(key) ?? 0;
          assert.ok(loaded !== undefined, `round ${round}: ${key} has a snapshot`);
          assert.ok(
            loaded.value >= least,
            `round ${round} (killed ${killAfterMs} ms in): ${key} loaded ${loaded.value}, older than the acknowledged ${least}`,
          );
          assert.ok(loaded.value <= least + 1, `round ${round}: ${key} loaded ${loaded.value}, never saved`);
          assert.equal(loaded.padding.length, loaded.value % 7 === 0 ? 2000 : 0);
          floor.set(key, loaded.value);
        }
      },
      (config) => config.snapshotStore(store),
    );
  }

  for (let n = 1; n <= ROUNDS; n++) {
    it(`never loses an acknowledged save when killed at a random moment (kill ${n} of ${ROUNDS})`, async () => {
      assert.ok(dir !== undefined, 'the temp dir was not made');
      await round(join(dir, 'crash.db'), n);
    });
  }
});
