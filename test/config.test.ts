import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import {
  ComponentDefinition,
  ConfigKeys,
  type HandlerReturn,
  KompactConfig,
  KompactError,
  type KompactErrorCode,
} from '../src/index.js';
import { captureLogs, withSystem } from '../src/testing/index.js';
import { WARN } from './support/logs.js';

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kompact-config-test-'));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function isKompactError(code: KompactErrorCode, ...mentions: string[]): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof KompactError, `expected a KompactError, got ${String(error)}`);
    assert.equal(error.code, code);
    for (const mention of mentions)
      assert.ok(error.message.includes(mention), `"${error.message}" names ${mention}`);
    return true;
  };
}

/** Builds a quiet system from `config` (no test-level logger settings needed) and runs `body`. */
function withConfig<T>(
  configure: (config: KompactConfig) => KompactConfig,
  body: Parameters<typeof withSystem<T>>[0],
): Promise<T> {
  return withSystem(body, configure);
}

describe('KompactConfig', () => {
  it('uses Kompact defaults: throughput 50 and message priority 0.5', async () => {
    await withConfig(
      (config) => config,
      (system) => {
        assert.equal(system.throughput, 50);
        assert.equal(system.maxMessages, 25);
        assert.match(system.label, /^kompact-runtime-\d+$/);
      },
    );
  });

  it('gives throughput 10 and max messages 1 for throughput 10 and priority 0.1', async () => {
    await withConfig(
      (config) => config.throughput(10).messagePriority(0.1),
      (system) => {
        assert.equal(system.throughput, 10);
        assert.equal(system.maxMessages, 1);
      },
    );
  });

  it('reads a value from a string and then a file as the file says, also inside onStart', async () => {
    const path = file('merge.toml', 'a = 7\n');
    let seenInOnStart: unknown;
    await withConfig(
      (config) => config.loadConfigString('a = 5').loadConfigFile(path),
      async (system) => {
        class Reader extends ComponentDefinition {
          override onStart(): HandlerReturn {
            seenInOnStart = this.ctx.config.get('a');
          }
        }
        await system.startNotify(system.create(() => new Reader()));
        assert.equal(system.config.get('a'), 7);
        assert.equal(system.config.getNumber('a'), 7);
      },
    );
    assert.equal(seenInOnStart, 7);
  });

  it('lets later sources override earlier ones, whatever their kind', async () => {
    const toml = file('throughput.toml', '[kompact.runtime]\nthroughput = 30\n');
    await withConfig(
      (config) => config.throughput(10).loadConfigFile(toml),
      (system) => assert.equal(system.throughput, 30),
    );
    await withConfig(
      (config) => config.loadConfigFile(toml).throughput(10),
      (system) => assert.equal(system.throughput, 10),
    );
    await withConfig(
      (config) =>
        config
          .setValue(ConfigKeys.throughput, 12)
          .loadConfigString('{"kompact":{"runtime":{"throughput":40}}}', 'json'),
      (system) => assert.equal(system.throughput, 40),
    );
  });

  it("reads Kompact's keys from TOML with tables or dotted keys", async () => {
    await withConfig(
      (config) =>
        config
          .loadConfigString('kompact.runtime.label = "from-toml"\nkompact.runtime.throughput = 8\n')
          .loadConfigString('[kompact.runtime]\nmessage-priority = 0.25\n'),
      (system) => {
        assert.equal(system.label, 'from-toml');
        assert.equal(system.throughput, 8);
        assert.equal(system.maxMessages, 2);
        assert.equal(system.config.getString('kompact.runtime.label'), 'from-toml');
      },
    );
  });

  it("reads Kompact's keys from a JSON file, choosing the format by extension", async () => {
    const path = file(
      'settings.json',
      JSON.stringify({
        kompact: { runtime: { throughput: 20, 'message-priority': 0.5 } },
        app: { name: 'x' },
      }),
    );
    await withConfig(
      (config) => config.loadConfigFile(path),
      (system) => {
        assert.equal(system.throughput, 20);
        assert.equal(system.maxMessages, 10);
        assert.equal(system.config.getString('app.name'), 'x');
      },
    );
  });

  it('merges tables key by key instead of replacing them', async () => {
    await withConfig(
      (config) => config.loadConfigString('[app]\nx = 1\ny = 2\n').loadConfigString('[app]\ny = 3\n'),
      (system) => {
        assert.equal(system.config.get('app.x'), 1);
        assert.equal(system.config.get('app.y'), 3);
      },
    );
  });

  it('stores arbitrary values with setValue under a dotted key', async () => {
    await withConfig(
      (config) => config.setValue('app.greeting', 'hello'),
      (system) => {
        assert.equal(system.config.getString('app.greeting'), 'hello');
        assert.equal(system.config.get('app.missing'), undefined);
        assert.equal(system.config.getNumber('app.missing', 3), 3);
      },
    );
  });

  it('rejects a config read of the wrong type or a missing key with CONFIG_INVALID', async () => {
    await withConfig(
      (config) => config.setValue('app.greeting', 'hello'),
      (system) => {
        assert.throws(
          () => system.config.getNumber('app.greeting'),
          isKompactError('CONFIG_INVALID', 'app.greeting'),
        );
        assert.throws(
          () => system.config.getString('app.nothing'),
          isKompactError('CONFIG_INVALID', 'app.nothing'),
        );
      },
    );
  });

  it('keeps the built configuration immutable', async () => {
    await withConfig(
      (config) => config.setValue('app.n', 1),
      (system) => {
        const tree = system.config.toObject() as { app: { n: number } };
        assert.throws(() => {
          tree.app.n = 2;
        }, TypeError);
        assert.equal(system.config.get('app.n'), 1);
      },
    );
  });
});

describe('KompactConfig validation', () => {
  const badSetters: [string, () => unknown, string, string][] = [
    ['throughput(0)', () => KompactConfig.default().throughput(0), 'kompact.runtime.throughput', '0'],
    ['throughput(-3)', () => KompactConfig.default().throughput(-3), 'kompact.runtime.throughput', '-3'],
    ['throughput(2.5)', () => KompactConfig.default().throughput(2.5), 'kompact.runtime.throughput', '2.5'],
    [
      'throughput(NaN)',
      () => KompactConfig.default().throughput(Number.NaN),
      'kompact.runtime.throughput',
      'NaN',
    ],
    [
      'messagePriority(0)',
      () => KompactConfig.default().messagePriority(0),
      'kompact.runtime.message-priority',
      '0',
    ],
    [
      'messagePriority(1)',
      () => KompactConfig.default().messagePriority(1),
      'kompact.runtime.message-priority',
      '1',
    ],
    [
      'messagePriority(1.5)',
      () => KompactConfig.default().messagePriority(1.5),
      'kompact.runtime.message-priority',
      '1.5',
    ],
    ["label('')", () => KompactConfig.default().label(''), 'kompact.runtime.label', '""'],
    [
      "logLevel('loud')",
      () => KompactConfig.default().logLevel('loud' as 'info'),
      'kompact.log.level',
      'loud',
    ],
    [
      "setValue(throughput, '10')",
      () => KompactConfig.default().setValue(ConfigKeys.throughput, '10'),
      'kompact.runtime.throughput',
      '10',
    ],
  ];

  for (const [call, make, key, value] of badSetters) {
    it(`rejects ${call} at once with CONFIG_INVALID naming the key and the value`, () => {
      assert.throws(make, isKompactError('CONFIG_INVALID', key, value));
    });
  }

  it('rejects a bad value loaded from TOML with CONFIG_INVALID naming the key and the value', async () => {
    const config = KompactConfig.default()
      .logLevel('silent')
      .loadConfigString('[kompact.runtime]\nthroughput = -7\n');
    await assert.rejects(
      Promise.resolve().then(() => config.build()),
      isKompactError('CONFIG_INVALID', 'kompact.runtime.throughput', '-7'),
    );
  });

  it('rejects a bad value loaded from a JSON file with CONFIG_INVALID naming the key and the value', async () => {
    const path = file('bad.json', JSON.stringify({ kompact: { runtime: { 'message-priority': 2 } } }));
    const config = KompactConfig.default().logLevel('silent').loadConfigFile(path);
    await assert.rejects(
      Promise.resolve().then(() => config.build()),
      isKompactError('CONFIG_INVALID', 'kompact.runtime.message-priority', '2'),
    );
  });

  it('accepts a bad value that a later source overrides', async () => {
    await withConfig(
      (config) => config.loadConfigString('[kompact.runtime]\nthroughput = 0\n').throughput(5),
      (system) => assert.equal(system.throughput, 5),
    );
  });

  it('rejects text that does not parse with CONFIG_LOAD_FAILED', () => {
    assert.throws(
      () => KompactConfig.default().loadConfigString('this is = = not toml'),
      isKompactError('CONFIG_LOAD_FAILED'),
    );
    assert.throws(
      () => KompactConfig.default().loadConfigString('{"kompact": ', 'json'),
      isKompactError('CONFIG_LOAD_FAILED'),
    );
    assert.throws(
      () => KompactConfig.default().loadConfigString('[1, 2]', 'json'),
      isKompactError('CONFIG_LOAD_FAILED'),
    );
  });

  it('rejects a file that does not parse or does not exist with CONFIG_LOAD_FAILED naming the file', () => {
    const broken = file('broken.toml', '[kompact.runtime\nthroughput = 1\n');
    assert.throws(
      () => KompactConfig.default().loadConfigFile(broken),
      isKompactError('CONFIG_LOAD_FAILED', broken),
    );
    const missing = join(dir, 'missing.toml');
    assert.throws(
      () => KompactConfig.default().loadConfigFile(missing),
      isKompactError('CONFIG_LOAD_FAILED', missing),
    );
  });

  it('names the setter that was given a bad value, not setValue', () => {
    assert.throws(
      () => KompactConfig.default().throughput(-1),
      isKompactError('CONFIG_INVALID', 'kompact.runtime.throughput (from throughput())', '`-1`'),
    );
    assert.throws(
      () => KompactConfig.default().shutdownGraceMs(-5),
      isKompactError('CONFIG_INVALID', '(from shutdownGraceMs())'),
    );
    assert.throws(
      () => KompactConfig.default().setValue(ConfigKeys.throughput, -1),
      isKompactError('CONFIG_INVALID', '(from setValue(kompact.runtime.throughput))'),
    );
  });

  it('refuses a config file whose extension is neither .toml nor .json with CONFIG_INVALID naming the supported ones, before reading it', () => {
    const yaml = file('app.yaml', 'kompact:\n  runtime:\n    throughput: 10\n');
    assert.throws(
      () => KompactConfig.default().loadConfigFile(yaml),
      isKompactError('CONFIG_INVALID', yaml, '`.yaml` is not a supported extension', '.toml and .json'),
    );
    assert.throws(
      () => KompactConfig.default().loadConfigFile(join(dir, 'missing.yml')),
      isKompactError('CONFIG_INVALID', '`.yml`'),
    );
    assert.throws(
      () => KompactConfig.default().loadConfigFile(join(dir, 'settings')),
      isKompactError('CONFIG_INVALID', 'it has no extension', '.toml and .json'),
    );
    assert.throws(
      () => KompactConfig.default().loadConfigFile(join(dir, 'x.constructor')),
      isKompactError('CONFIG_INVALID', '`.constructor`'),
    );
  });

  it('refuses a malformed setValue key, a logger that is not pino and a clock that is not a Clock with a TypeError', () => {
    assert.throws(() => KompactConfig.default().setValue('', 1), TypeError);
    assert.throws(() => KompactConfig.default().setValue('a..b', 1), TypeError);
    assert.throws(() => KompactConfig.default().logger({} as never), TypeError);
    assert.throws(() => KompactConfig.default().clock({} as never), TypeError);
  });
});

describe('KompactConfig unknown keys', () => {
  it('refuses an unknown key under kompact from TOML, JSON and setValue with CONFIG_INVALID naming it and the closest known key', () => {
    const jsonFile = file('typo.json', JSON.stringify({ kompact: { runtime: { throughtput: 10 } } }));
    const attempts: [string, () => unknown, string, string][] = [
      [
        'TOML',
        () => KompactConfig.default().loadConfigString('[kompact.runtime]\nthroughtput = 10\n'),
        'kompact.runtime.throughtput (from a toml string)',
        'did you mean `kompact.runtime.throughput`?',
      ],
      [
        'a JSON file',
        () => KompactConfig.default().loadConfigFile(jsonFile),
        `kompact.runtime.throughtput (from ${jsonFile})`,
        'did you mean `kompact.runtime.throughput`?',
      ],
      [
        'a JSON string with a dotted key',
        () => KompactConfig.default().loadConfigString('{"kompact.log.levle": "warn"}', 'json'),
        'kompact.log.levle',
        'did you mean `kompact.log.level`?',
      ],
      [
        'setValue',
        () => KompactConfig.default().setValue('kompact.runtime.message-prority', 0.2),
        'kompact.runtime.message-prority (from setValue(kompact.runtime.message-prority))',
        'did you mean `kompact.runtime.message-priority`?',
      ],
      [
        'a misspelt table',
        () => KompactConfig.default().loadConfigString('[kompact.runtme]\nthroughput = 10\n'),
        'kompact.runtme',
        'did you mean `kompact.runtime`?',
      ],
      [
        'a misspelt network key',
        () => KompactConfig.default().setValue('kompact.network.shared-secert', 'swordfish'),
        'kompact.network.shared-secert',
        'did you mean `kompact.network.shared-secret`?',
      ],
      [
        'an unrelated key',
        () => KompactConfig.default().setValue('kompact.runtime.colour', 'blue'),
        'kompact.runtime.colour',
        'The keys of kompact.runtime are',
      ],
    ];
    for (const [source, attempt, key, hint] of attempts) {
      assert.throws(attempt, isKompactError('CONFIG_INVALID', key, hint), source);
    }
  });

  it('refuses a misspelt network() or tls option with CONFIG_INVALID naming the closest option, instead of building without it', () => {
    assert.throws(
      () => KompactConfig.default().network({ sharedsecret: 'swordfish' } as never),
      isKompactError('CONFIG_INVALID', '`sharedsecret`', 'did you mean `sharedSecret`?'),
    );
    assert.throws(
      () => KompactConfig.default().network({ prot: 4000 } as never),
      isKompactError('CONFIG_INVALID', '`prot`', 'did you mean `port`?'),
    );
    assert.throws(
      () =>
        KompactConfig.default().network({ tls: { key: 'k', cert: 'c', rejectUnauthorised: false } as never }),
      isKompactError('CONFIG_INVALID', '`tls.rejectUnauthorised`', 'did you mean `tls.rejectUnauthorized`?'),
    );
    assert.throws(
      () => KompactConfig.default().network({ logger: pino({ level: 'silent' }) } as never),
      isKompactError('CONFIG_INVALID', '`logger`'),
      'an option the system sets itself would be ignored: refused',
    );
  });

  it('warns that a Kompact key kompact-ts does not implement is ignored, and builds', async () => {
    const { logger, lines } = captureLogs('warn');
    await withConfig(
      (config) =>
        config
          .loadConfigString(
            '[kompact.runtime]\nscheduler = "small"\n[kompact.net.buffer_config]\nchunk_size = 128000\n',
          )
          .setValue('kompact.dispatch.actor-lookup.gc.algorithm', 'AIMD')
          .logger(logger),
      async (system) => {
        assert.equal(
          system.config.get('kompact.runtime.scheduler'),
          'small',
          'the value is kept in the config',
        );
      },
    );
    const warnings = lines.filter((line) => line.level === WARN).map((line) => line.msg);
    for (const key of [
      'kompact.runtime.scheduler',
      'kompact.net.buffer_config.chunk_size',
      'kompact.dispatch.actor-lookup.gc.algorithm',
    ]) {
      assert.ok(
        warnings.some(
          (msg) =>
            msg.includes(`Config key ${key} (from `) && msg.includes('does not implement; it is ignored'),
        ),
        `a warning for ${key} in ${JSON.stringify(warnings)}`,
      );
    }
  });

  it("keeps keys of the user's own outside kompact, readable through the config", async () => {
    await withConfig(
      (config) =>
        config
          .loadConfigString('[app]\ngreeting = "Hej"\n[myteam.limits]\nretries = 3\n')
          .setValue('app.colour', 'blue'),
      async (system) => {
        assert.equal(system.config.getString('app.greeting'), 'Hej');
        assert.equal(system.config.getNumber('myteam.limits.retries'), 3);
        assert.equal(system.config.getString('app.colour'), 'blue');
      },
    );
  });
});
