// The SQLite snapshot store (issue 15, points 1, 2 and 5): round trips through a system, durability
// across a close and reopen, last-acknowledged-wins, a locked and a corrupt database, the missing
// driver, and shutdown with pending saves. The SIGKILL crash test is in sqlite-crash.test.ts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KompactError, SerialisationError, Serialisers, type SnapshotWrite } from '../src/index.js';
import { type PackedBatch, type PackedWriter, writePacked } from '../src/snapshots/packed-batch.js';
import { sqliteSnapshotStore } from '../src/sqlite/index.js';
import { testConfig, withSystem } from '../src/testing/index.js';
import { isKompactError } from './support/errors.js';
import { DEADLINE_MS, within } from './support/promises.js';
import { openRaw, withTempDir } from './support/sqlite.js';

describe('sqliteSnapshotStore', () => {
  it('saves, loads, lists and deletes snapshots through a system', async () => {
    await withTempDir(async (dir) => {
      const store = await sqliteSnapshotStore(join(dir, 'state.db'));
      await withSystem(
        async (system) => {
          const value = { count: 42, name: 'counter', list: [1, 2, 3], at: 1.5 };
          await system.snapshots.save('counter/1', value);
          await system.snapshots.save('counter/2', 'two');
          await system.snapshots.save('other', [true, null]);
          assert.deepEqual(await system.snapshots.load('counter/1'), value);
          assert.equal(await system.snapshots.load('missing'), undefined);
          const keys: string[] = [];
          for await (const key of system.snapshots.keys('counter/')) keys.push(key);
          assert.deepEqual(keys.sort(), ['counter/1', 'counter/2']);
          // A prefix is text, not a LIKE pattern: `_` and `%` match only themselves.
          await system.snapshots.save('counter_x', 1);
          const patterned: string[] = [];
          for await (const key of system.snapshots.keys('counter_')) patterned.push(key);
          assert.deepEqual(patterned, ['counter_x']);
          await system.snapshots.delete('counter/1');
          assert.equal(await system.snapshots.load('counter/1'), undefined);
          // Saves and deletes in one batch, keys beyond ASCII, an empty value.
          const batch = [
            system.snapshots.save('ключ/π', 'unicode'),
            system.snapshots.delete('counter/2'),
            system.snapshots.save('empty', new Uint8Array(0), Serialisers.bytes),
          ];
          await within(Promise.all(batch), DEADLINE_MS, 'a batch of saves and a delete');
          assert.equal(await system.snapshots.load('ключ/π'), 'unicode');
          assert.equal(await system.snapshots.load('counter/2'), undefined);
          assert.deepEqual(await system.snapshots.load('empty', Serialisers.bytes), new Uint8Array(0));
        },
        (config) => config.snapshotStore(store),
      );
    });
  });

  it('commits a batch that saves a key twice, deletes another and holds a value that failed to serialise', async () => {
    await withTempDir(async (dir) => {
      const store = await sqliteSnapshotStore(join(dir, 'state.db'));
      await withSystem(
        async (system) => {
          await system.snapshots.save('b', 'before');
          const cyclic: { self?: unknown } = {};
          cyclic.self = cyclic;
          const saves = [
            system.snapshots.save('a', 'x'.repeat(5000)),
            system.snapshots.save('b', 1),
            system.snapshots.save('a', 'short'),
            system.snapshots.delete('b'),
          ];
          assert.throws(() => system.snapshots.save('d', cyclic), SerialisationError);
          saves.push(system.snapshots.save('c', [1, 2]));
          await within(Promise.all(saves), DEADLINE_MS, 'the saves of one turn');
          assert.equal(await system.snapshots.load('a'), 'short');
          assert.equal(await system.snapshots.load('b'), undefined);
          assert.deepEqual(await system.snapshots.load('c'), [1, 2]);
          assert.equal(await system.snapshots.load('d'), undefined);
        },
        (config) => config.snapshotStore(store),
      );
    });
  });

  it('writes a batch of many changes in order, whatever statement each lands in', async () => {
    await withTempDir(async (dir) => {
      const store = await sqliteSnapshotStore(join(dir, 'state.db'));
      try {
        const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
        const save = (key: string, text: string): SnapshotWrite => ({
          kind: 'save',
          key,
          bytes: bytes(text),
        });
        const counted = (from: number, to: number): SnapshotWrite[] =>
          Array.from({ length: to - from }, (_, i) => save(`k/${from + i}`, `v${from + i}`));
        // More saves than one multi-row statement takes: `gone` saved and deleted in the same run,
        // `back` deleted and saved again, `close` saved twice in a row, `twice` saved in two statements
        // (the second alone in the last one: 97 saves after the last delete).
        const changes: SnapshotWrite[] = [
          ...counted(0, 10),
          save('gone', 'soon deleted'),
          { kind: 'delete', key: 'gone' },
          { kind: 'delete', key: 'back' },
          save('back', 'again'),
          save('twice', 'first'),
          save('x', 'x'),
          save('y', 'y'),
          ...counted(10, 100),
          save('close', 'one'),
          save('close', 'two'),
          save('twice', 'last'),
        ];
        await within(store.write(changes), DEADLINE_MS, `a write of ${changes.length} changes`);
        const text = async (key: string): Promise<string | undefined> => {
          const value = await store.load(key);
          return value === undefined ? undefined : new TextDecoder().decode(value);
        };
        assert.equal(await text('twice'), 'last');
        assert.equal(await text('close'), 'two');
        assert.equal(await text('gone'), undefined);
        assert.equal(await text('back'), 'again');
        for (let i = 0; i < 100; i++) assert.equal(await text(`k/${i}`), `v${i}`);
        const keys: string[] = [];
        for await (const key of store.keys()) keys.push(key);
        assert.equal(keys.length, 105);
      } finally {
        await store.close();
      }
    });
  });

  it('moves a large batch of records to its worker instead of copying it, and saves every record', async () => {
    await withTempDir(async (dir) => {
      const store = await sqliteSnapshotStore(join(dir, 'state.db'));
      try {
        // The facade's form of a batch: 400 records of 64 bytes in one 25,600-byte buffer.
        const packed = (count: number, fill: (i: number) => number): PackedBatch => {
          const values = new Uint8Array(64 * count);
          const spans = new Uint32Array(2 * count);
          for (let i = 0; i < count; i++) {
            values.fill(fill(i), 64 * i, 64 * (i + 1));
            spans[2 * i] = 64 * i;
            spans[2 * i + 1] = 64;
          }
          return { keys: Array.from({ length: count }, (_, i) => `k/${i}`), spans, values };
        };
        const writer = store as unknown as PackedWriter;
        const write = (batch: PackedBatch): Promise<void> =>
          new Promise((resolve, reject) => writer[writePacked](batch, { resolve, reject }));
        const large = packed(400, (i) => i & 0xff);
        await within(write(large), DEADLINE_MS, 'the write of 400 records');
        assert.equal(large.values.byteLength, 0, 'the large buffer was moved to the worker (detached here)');
        const small = packed(10, (i) => 0xff - i);
        await within(write(small), DEADLINE_MS, 'the write of 10 records');
        assert.equal(small.values.byteLength, 640, 'a small buffer is copied, not moved');
        for (const i of [0, 9, 10, 399]) {
          const value = await store.load(`k/${i}`);
          assert.deepEqual(value, new Uint8Array(64).fill(i < 10 ? 0xff - i : i & 0xff), `k/${i}`);
        }
      } finally {
        await store.close();
      }
    });
    // Through a system: batches of 1,000 saves, moved, then loaded back.
    await withTempDir(async (dir) => {
      const store = await sqliteSnapshotStore(join(dir, 'state.db'));
      await withSystem(
        async (system) => {
          for (let round = 0; round < 3; round++) {
            const saves = Array.from({ length: 2500 }, (_, i) =>
              system.snapshots.save(`c/${i}`, new Uint8Array(64).fill((i + round) & 0xff), Serialisers.bytes),
            );
            await within(Promise.all(saves), DEADLINE_MS, `round ${round}'s 2,500 saves`);
          }
          for (const i of [0, 999, 1000, 2499]) {
            const value = await system.snapshots.load(`c/${i}`, Serialisers.bytes);
            assert.deepEqual(value, new Uint8Array(64).fill((i + 2) & 0xff), `c/${i}`);
          }
        },
        (config) => config.snapshotStore(store),
      );
    });
  });

  it('keeps acknowledged snapshots after the system and its database closed', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'state.db');
      const store = await sqliteSnapshotStore(file);
      await withSystem(
        async (system) => {
          await system.snapshots.save('k', { kept: true });
        },
        (config) => config.snapshotStore(store),
      );
      const reopened = await sqliteSnapshotStore(file);
      await withSystem(
        async (system) => assert.deepEqual(await system.snapshots.load('k'), { kept: true }),
        (config) => config.snapshotStore(reopened),
      );
      const raw = openRaw(file, { readonly: true });
      try {
        assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      } finally {
        raw.close();
      }
    });
  });

  it('keeps the last acknowledged of many concurrent saves of one key', async () => {
    await withTempDir(async (dir) => {
      const store = await sqliteSnapshotStore(join(dir, 'state.db'));
      await withSystem(
        async (system) => {
          let lastAcknowledged = -1;
          const saves: Promise<void>[] = [];
          for (let i = 0; i < 500; i++) {
            saves.push(
              system.snapshots.save('one', i).then(() => {
                lastAcknowledged = Math.max(lastAcknowledged, i);
              }),
            );
            if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
          }
          await within(Promise.all(saves), DEADLINE_MS, 'the 500 saves');
          assert.equal(lastAcknowledged, 499);
          assert.equal(await system.snapshots.load('one'), 499);
        },
        (config) => config.snapshotStore(store),
      );
    });
  });

  it('rejects saves while another connection locks the database, and works again once it is released', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'state.db');
      const store = await sqliteSnapshotStore(file, { busyTimeoutMs: 50 });
      await withSystem(
        async (system) => {
          await system.snapshots.save('k', 1);
          const locker = openRaw(file);
          try {
            locker.exec('BEGIN EXCLUSIVE');
            await assert.rejects(system.snapshots.save('k', 2), (error: unknown) => {
              assert.ok(error instanceof KompactError);
              assert.equal(error.code, 'SNAPSHOT_FAILED');
              assert.equal((error.cause as { code?: unknown }).code, 'SQLITE_BUSY');
              assert.match(error.message, /Could not save 1 snapshot change\(s\) \(k\): .*locked/);
              return true;
            });
            locker.exec('ROLLBACK');
          } finally {
            locker.close();
          }
          await system.snapshots.save('k', 3);
          assert.equal(await system.snapshots.load('k'), 3);
        },
        (config) => config.snapshotStore(store),
      );
    });
  });

  it('refuses to open a file that is not a database', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'corrupt.db');
      await writeFile(file, 'this is not a SQLite database, just text that is long enough to have a header');
      await assert.rejects(sqliteSnapshotStore(file), (error: unknown) => {
        assert.ok(error instanceof KompactError);
        assert.equal(error.code, 'SNAPSHOT_FAILED');
        assert.match(
          error.message,
          /Could not open the snapshot database .*corrupt\.db: file is not a database/,
        );
        assert.equal((error.cause as { code?: unknown }).code, 'SQLITE_NOTADB');
        return true;
      });
    });
  });

  it('commits pending saves at shutdown before it closes the database', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'state.db');
      const system = await testConfig()
        .snapshotStore(await sqliteSnapshotStore(file))
        .build();
      const saves = [];
      for (let i = 0; i < 100; i++) saves.push(system.snapshots.save(`k${i}`, i));
      await within(system.shutdown(), DEADLINE_MS, 'shutdown');
      await within(Promise.all(saves), DEADLINE_MS, 'the saves made before shutdown');
      await assert.rejects(system.snapshots.save('late', 1), isKompactError('SNAPSHOT_STORE_CLOSED'));
      const raw = openRaw(file, { readonly: true });
      try {
        assert.deepEqual(raw.prepare('SELECT count(*) AS n FROM kompact_snapshots').get(), { n: 100 });
      } finally {
        raw.close();
      }
    });
  });

  it('takes eight writes in flight whatever its batch size', async () => {
    await withTempDir(async (dir) => {
      const inFlight: Record<number, number> = {};
      for (const maxBatchSize of [1, 100, 1000, 5000]) {
        const store = await sqliteSnapshotStore(join(dir, `state-${maxBatchSize}.db`), { maxBatchSize });
        inFlight[maxBatchSize] = store.maxWritesInFlight ?? 1;
        await store.close();
      }
      assert.deepEqual(inFlight, { 1: 8, 100: 8, 1000: 8, 5000: 8 });
    });
  });

  it('refuses invalid arguments with the argument-error shape', async () => {
    await assert.rejects(sqliteSnapshotStore(''), /Expected `file` to be a non-empty file path, got/);
    await assert.rejects(
      sqliteSnapshotStore('x.db', { synchronous: 'OFF' as never }),
      /Expected `options.synchronous` to be one of FULL, EXTRA, NORMAL, got/,
    );
    await assert.rejects(
      sqliteSnapshotStore('x.db', { table: 'a; DROP TABLE b' }),
      /Expected `options.table` to be a plain SQL name/,
    );
    await assert.rejects(sqliteSnapshotStore('x.db', { bogus: 1 } as never), /Unknown option `bogus`/);
  });

  it('names the install command when better-sqlite3 is not installed', async () => {
    // A child process whose module resolution cannot find better-sqlite3 (a resolve hook hides it).
    const hook = new URL('./support/hide-better-sqlite3.js', import.meta.url).href;
    const entry = new URL('../src/sqlite/index.js', import.meta.url).href;
    const register = `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(hook)})`;
    const script = `
      const { sqliteSnapshotStore } = await import(${JSON.stringify(entry)});
      try { await sqliteSnapshotStore(':memory:'); console.log('opened'); }
      catch (error) { console.log(JSON.stringify({ code: error.code, message: error.message })); }
    `;
    const output = await within(
      new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--import', register, '--input-type=module', '-e', script],
          { cwd: fileURLToPath(new URL('.', import.meta.url)), timeout: 30_000 },
          (error, stdout, stderr) =>
            error === null ? resolve(stdout) : reject(new Error(`${error.message}\n${stderr}`)),
        );
      }),
      DEADLINE_MS * 3,
      'the child process without better-sqlite3',
    );
    const result = JSON.parse(output.trim()) as { code: string; message: string };
    assert.equal(result.code, 'DEPENDENCY_MISSING');
    assert.match(result.message, /needs the better-sqlite3 package/);
    assert.match(result.message, /Install it with `npm install better-sqlite3@12`/);
  });
});
