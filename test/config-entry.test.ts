// Declared config entries (Kompact's kompact_config! / ConfigEntry<T>): typed readers for durations,
// byte sizes and arrays, defaults, validation, and config.get(entry) from a system's configuration.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ComponentDefinition, ConfigEntry, ConfigType, type HandlerReturn } from '../src/index.js';
import { testConfig, withSystem } from '../src/testing/index.js';
import { isKompactError } from './support/errors.js';

const FLUSH = ConfigEntry.of({
  key: 'app.flush-interval',
  type: ConfigType.durationMs,
  default: 5_000,
  doc: 'How often the buffer is flushed.',
});
const BUFFER = ConfigEntry.of({ key: 'app.buffer', type: ConfigType.bytes, doc: 'Buffer size.' });
const PEERS = ConfigEntry.of({
  key: 'app.peers',
  type: ConfigType.array(ConfigType.string),
  default: [],
  doc: 'Peer addresses.',
});
const WORKERS = ConfigEntry.of({
  key: 'app.workers',
  type: ConfigType.integer,
  default: 4,
  validate: (n) => (n >= 1 ? undefined : 'expected at least 1'),
});

describe('ConfigEntry', () => {
  it('reads durations with units, or as milliseconds', () => {
    const read = (raw: unknown) => ConfigType.durationMs.read(raw);
    assert.equal(read('5s'), 5000);
    assert.equal(read('100ms'), 100);
    assert.equal(read('100 ms'), 100);
    assert.equal(read('1.5h'), 5_400_000);
    assert.equal(read('2m'), 120_000);
    assert.equal(read('250us'), 0.25);
    assert.equal(read(42), 42);
    assert.equal(read('5 parsecs'), undefined);
    assert.equal(read('s'), undefined);
    assert.equal(read(-1), undefined);
  });

  it('reads byte sizes in powers of 1000 and 1024, in any case, as whole bytes', () => {
    const read = (raw: unknown) => ConfigType.bytes.read(raw);
    assert.equal(read('8MiB'), 8 * 1024 * 1024);
    assert.equal(read('256KB'), 256_000);
    assert.equal(read('256kb'), 256_000);
    assert.equal(read('1.5 KiB'), 1536);
    assert.equal(read('128000'), undefined, 'a string needs a unit');
    assert.equal(read(128_000), 128_000);
    assert.equal(read('0.5B'), undefined);
  });

  it('reads arrays element by element', () => {
    const durations = ConfigType.array(ConfigType.durationMs);
    assert.deepEqual(durations.read(['1s', '2ms', 3]), [1000, 2, 3]);
    assert.equal(durations.read(['1s', 'soon']), undefined);
    assert.equal(durations.read('1s'), undefined);
  });

  it('gives the configured value through config.get(entry), or the default', async () => {
    await withSystem(
      async (system) => {
        assert.equal(system.config.get(FLUSH), 100);
        assert.equal(system.config.get(BUFFER), 8 * 1024 * 1024);
        assert.deepEqual(system.config.get(PEERS), ['tcp://127.0.0.1:4000']);
        assert.equal(system.config.get(WORKERS), 4, 'the default');
        assert.equal(system.config.get('app.flush-interval'), '100ms', 'the raw value by key, as before');
      },
      (config) =>
        config.loadConfigString(
          ['[app]', 'flush-interval = "100ms"', 'buffer = "8MiB"', 'peers = ["tcp://127.0.0.1:4000"]'].join(
            '\n',
          ),
        ),
    );
  });

  it('names the key when a value is missing, of the wrong type, or fails validation', async () => {
    await withSystem(
      async (system) => {
        assert.throws(() => system.config.get(BUFFER), isKompactError('CONFIG_INVALID'));
        assert.throws(() => system.config.get(BUFFER), /Missing config key app\.buffer/);
        assert.throws(
          () => system.config.get(FLUSH),
          /Invalid value for app\.flush-interval: expected a duration such as "5s" or "100ms"/,
        );
        assert.throws(
          () => system.config.get(WORKERS),
          /Invalid value for app\.workers: expected at least 1, got `0`/,
        );
      },
      (config) => config.setValue('app.flush-interval', 'soon').setValue('app.workers', 0),
    );
  });

  it('is set through the entry itself, checked against its type at once', async () => {
    await withSystem(
      async (system) => {
        assert.equal(system.config.get(FLUSH), 250);
        assert.equal(system.config.get(WORKERS), 8);
      },
      (config) => config.setValue(FLUSH, 250).setValue(WORKERS, 8),
    );
    assert.throws(
      () => testConfig().setValue(WORKERS, 0),
      /Invalid value for app\.workers: expected at least 1/,
    );
    assert.throws(
      () => testConfig().setValue(BUFFER, -5),
      /Invalid value for app\.buffer: expected a byte size/,
    );
  });

  it('is read the same way from a component, and refuses a bad declaration at once', async () => {
    class Flusher extends ComponentDefinition<never> {
      everyMs = 0;
      override onStart(): HandlerReturn {
        this.everyMs = this.ctx.config.get(FLUSH);
      }
    }
    const system = await testConfig().setValue(FLUSH.key, '2s').build();
    try {
      const flusher = system.create(() => new Flusher());
      await system.startNotify(flusher);
      assert.equal(
        flusher.onDefinition((d) => d.everyMs),
        2000,
      );
    } finally {
      await system.shutdown();
    }
    assert.throws(
      () => ConfigEntry.of({ key: 'a..b', type: ConfigType.string }),
      /Expected `key` to be a dotted config key/,
    );
    assert.throws(
      () => ConfigEntry.of({ key: 'a', type: ConfigType.bytes, default: -1 }),
      /Expected the default of a to be a byte size/,
    );
    assert.throws(
      () => ConfigEntry.of({ key: 'a', type: {} as never }),
      /Expected `type` to be a config reader/,
    );
  });
});
