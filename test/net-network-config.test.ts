import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigKeys } from '../src/index.js';
import { KompactError } from '../src/internal/kompact-error.js';
import {
  NETWORK_CONFIG_KEYS,
  NETWORK_TABLE,
  NetworkSettings,
  networkKeys,
} from '../src/net/network-config.js';

/** A reader over a flat map of dotted keys, as the config's merged tree answers them. */
function reader(values: Record<string, unknown>): (key: string) => unknown {
  return (key) => {
    if (key === NETWORK_TABLE) {
      const table = Object.keys(values).some((k) => k.startsWith(`${NETWORK_TABLE}.`));
      return table ? {} : undefined;
    }
    return values[key];
  };
}

describe('network config', () => {
  it('gives ConfigKeys every network key, and maps each to a network option', () => {
    const configKeys: readonly string[] = Object.values(ConfigKeys);
    for (const key of Object.values(NETWORK_CONFIG_KEYS)) {
      assert.ok(configKeys.includes(key), `ConfigKeys lacks ${key}`);
    }
    assert.deepEqual([...networkKeys()].sort(), Object.values(NETWORK_CONFIG_KEYS).sort());
  });

  it('reports no network without a network() call or a kompact.network table', () => {
    const settings = new NetworkSettings();
    assert.equal(
      settings.check(reader({}), () => 'config'),
      false,
    );
  });

  it('takes each option from its last source, a key or a network() call', () => {
    const settings = new NetworkSettings();
    settings.addCall({ port: 4000, host: '127.0.0.1' });
    settings.noteKey(NETWORK_CONFIG_KEYS.networkPort);
    settings.noteKey('app.greeting');
    const read = reader({ [NETWORK_CONFIG_KEYS.networkPort]: 4001 });
    assert.equal(
      settings.check(read, () => 'config'),
      true,
    );
    assert.deepEqual(
      settings.resolve(read, () => 'config'),
      { port: 4001, host: '127.0.0.1' },
    );
  });

  it('names the key and source of an invalid value', () => {
    const settings = new NetworkSettings();
    settings.noteKey(NETWORK_CONFIG_KEYS.networkPort);
    const read = reader({ [NETWORK_CONFIG_KEYS.networkPort]: 'four thousand' });
    assert.throws(
      () => settings.resolve(read, () => 'app.toml'),
      (error: unknown) =>
        error instanceof KompactError &&
        error.code === 'CONFIG_INVALID' &&
        error.message.startsWith('Invalid value for kompact.network.port (from app.toml): expected '),
    );
  });
});
