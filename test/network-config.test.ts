// Network settings: the advertised host and port in the system path, the warning for a wildcard bind,
// and the `kompact.network` keys of TOML and JSON configuration with their precedence.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  ActorPath,
  ConfigKeys,
  type DeadLetter,
  type KompactConfig,
  KompactError,
  type KompactErrorCode,
  type KompactSystem,
  type NetMessage,
} from '../src/index.js';
import { captureLogs, testConfig, withSystem } from '../src/testing/index.js';
import { selfSignedCertificate } from './support/certificates.js';
import { linesAt, WARN } from './support/logs.js';
import { CLOSED_HOST, closedPort } from './support/ports.js';
import { startNamedProbe, startProbe } from './support/probes.js';
import { DEADLINE_MS, within } from './support/promises.js';

function isKompactError(code: KompactErrorCode, ...mentions: string[]): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof KompactError, `expected a KompactError, got ${String(error)}`);
    assert.equal(error.code, code);
    for (const mention of mentions) {
      assert.ok(error.message.includes(mention), `"${error.message}" names ${mention}`);
    }
    return true;
  };
}

function on(system: KompactSystem, rest: string): ActorPath {
  return ActorPath.parse(`${system.systemPath().toString()}${rest}`);
}

/** Resolves with the first dead letter `system` publishes. */
function firstDeadLetter(system: KompactSystem): Promise<DeadLetter> {
  return new Promise((resolve) => {
    system.deadLetters.subscribe(resolve);
  });
}

function listeningServers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'TCPServerWrap').length;
}

const WILDCARD_WARNING = /wildcard address/;

describe('advertised host', () => {
  it('puts the advertised host and port into the system path and actor paths', async () => {
    await withSystem(
      async (system) => {
        assert.equal(system.systemPath().toString(), 'tcp://127.0.0.1:4711');
        const probe = await startNamedProbe(system, 'svc');
        const path = probe.path;
        assert.equal(path.toString(), 'tcp://127.0.0.1:4711/svc');
        assert.ok(probe.probe.ctx.actorPath().toString().startsWith('tcp://127.0.0.1:4711#'));
      },
      (config) => config.network({ advertisedHost: '127.0.0.1', advertisedPort: 4711 }),
    );
  });

  it('binds every interface, and a remote receiver sees the advertised sender path and can reply to it', async () => {
    await withSystem(
      async (a) => {
        assert.equal(a.systemPath().host, '127.0.0.1');
        await withSystem(
          async (b) => {
            const server = await startNamedProbe(b, 'echo', 'B');
            const client = await startProbe(a, 'client');
            on(b, '/echo').tell('echo hi', client.component);
            await client.probe.waitFor(1);
            assert.deepEqual(client.probe.texts, ['B:hi']);
            const request = server.probe.received[0] as NetMessage;
            assert.equal(request.sender.system.toString(), a.systemPath().toString());
            assert.equal(request.sender.system.host, '127.0.0.1');
          },
          (config) => config.network(),
        );
      },
      (config) => config.network({ host: '0.0.0.0', advertisedHost: '127.0.0.1' }),
    );
  });

  it('warns once at build time when bound to a wildcard address without an advertised host', async () => {
    const { logger, lines } = captureLogs('warn');
    await withSystem(
      (system) => {
        const warnings = linesAt(lines, WARN).filter((line) => WILDCARD_WARNING.test(line.msg));
        assert.equal(warnings.length, 1);
        const message = warnings[0]?.msg ?? '';
        assert.match(message, /advertisedHost/);
        assert.ok(message.includes(system.systemPath().toString()), message);
        assert.equal(system.systemPath().host, '0.0.0.0');
      },
      (config) => config.logger(logger).network({ host: '0.0.0.0' }),
    );
    const quiet = captureLogs('warn');
    await withSystem(
      () => {
        assert.deepEqual(
          quiet.lines.filter((line) => WILDCARD_WARNING.test(line.msg)),
          [],
          'no warning with an advertised host',
        );
      },
      (config) => config.logger(quiet.logger).network({ host: '0.0.0.0', advertisedHost: '127.0.0.1' }),
    );
  });

  it('refuses an invalid advertised host or port at once with CONFIG_INVALID naming the option', () => {
    for (const advertisedHost of ['', '0.0.0.0', '::', '[::1]', 'not a host', '300.1.2.3', 42]) {
      assert.throws(
        () => testConfig().network({ advertisedHost: advertisedHost as string }),
        isKompactError('CONFIG_INVALID', 'advertisedHost'),
        `advertisedHost ${String(advertisedHost)}`,
      );
    }
    for (const advertisedPort of [0, 70_000, 1.5, '4000']) {
      assert.throws(
        () => testConfig().network({ advertisedPort: advertisedPort as number }),
        isKompactError('CONFIG_INVALID', 'advertisedPort'),
        `advertisedPort ${String(advertisedPort)}`,
      );
    }
  });
});

describe('kompact.network config', () => {
  it('builds a networked system from a [kompact.network] TOML section with its settings', async () => {
    const nowhere = await closedPort();
    const toml = `
      [kompact.network]
      host = "127.0.0.1"
      port = 0
      advertised-host = "127.0.0.1"
      shared-secret = "swordfish-swordfish"
      max-frame-bytes = 1024
      max-connection-retry-attempts = 0
      connection-retry-interval-ms = 5
    `;
    await withSystem(
      async (a) => {
        assert.equal(a.systemPath().transport, 'tcp');
        assert.equal(a.systemPath().host, '127.0.0.1');
        assert.equal(a.config.getNumber(ConfigKeys.networkMaxFrameBytes), 1024);
        await withSystem(
          async (b) => {
            // The shared secret: a peer that knows it talks to this system.
            const server = await startNamedProbe(b, 'sink');
            on(b, '/sink').tell('friend', a);
            await server.probe.waitFor(1);
            assert.deepEqual(server.probe.texts, ['friend']);
            // The frame limit: a larger message is refused at once.
            const tooLarge = firstDeadLetter(a);
            on(b, '/sink').tell('x'.repeat(2000), a);
            const refused = await within(tooLarge, DEADLINE_MS, 'the refused dead letter');
            assert.deepEqual([refused.reason, refused.detail], ['refused', 'too-large']);
          },
          (config) => config.network({ sharedSecret: 'swordfish-swordfish' }),
        );
        // No retries: a system that is not there is given up on after the first attempt.
        const dropped = firstDeadLetter(a);
        ActorPath.parse(`tcp://${CLOSED_HOST}:${nowhere}/svc`).tell('anyone?', a);
        const letter = await within(dropped, DEADLINE_MS, 'the dropped dead letter');
        assert.deepEqual([letter.reason, letter.detail], ['lost', 'dropped']);
      },
      (config) => config.loadConfigString(toml, 'toml'),
    );
  });

  it('turns the network on with its defaults for an empty kompact.network table in JSON', async () => {
    await withSystem(
      (system) => {
        const path = system.systemPath();
        assert.equal(path.transport, 'tcp');
        assert.equal(path.host, '127.0.0.1');
        assert.ok(path.port > 0);
      },
      (config) => config.loadConfigString('{"kompact":{"network":{}}}', 'json'),
    );
  });

  it('lets later sources win per key, network() calls and setValue included', async () => {
    const systemPathOf = (configure: (config: KompactConfig) => KompactConfig): Promise<string> =>
      withSystem((system) => system.systemPath().toString(), configure);
    const toml = '[kompact.network]\nadvertised-host = "10.0.0.1"\nadvertised-port = 4000\n';
    assert.equal(
      await systemPathOf((config) => config.loadConfigString(toml).network({ advertisedPort: 5000 })),
      'tcp://10.0.0.1:5000',
    );
    assert.equal(
      await systemPathOf((config) =>
        config.network({ advertisedHost: '10.0.0.2', advertisedPort: 5000 }).loadConfigString(toml),
      ),
      'tcp://10.0.0.1:4000',
    );
    assert.equal(
      await systemPathOf((config) =>
        config.loadConfigString(toml).setValue(ConfigKeys.networkAdvertisedPort, 6000),
      ),
      'tcp://10.0.0.1:6000',
    );
    assert.equal(
      await systemPathOf((config) =>
        config.network({ advertisedHost: '10.0.0.2' }).network({ advertisedPort: 7000 }),
      ),
      'tcp://10.0.0.2:7000',
    );
    // A bad value that a later source replaces is never used, so it is no error.
    assert.equal(
      await systemPathOf((config) =>
        config
          .loadConfigString('[kompact.network]\nport = 70000\n')
          .network({ port: 0, advertisedPort: 8000 }),
      ),
      'tcp://127.0.0.1:8000',
    );
  });

  it('rejects an unknown key under kompact.network with CONFIG_INVALID naming the key and its source', async () => {
    const build = (text: string) => Promise.resolve().then(() => testConfig().loadConfigString(text).build());
    await assert.rejects(
      build('[kompact.network]\nprot = 4000\n'),
      isKompactError('CONFIG_INVALID', 'kompact.network.prot', 'a toml string', 'port'),
    );
    await assert.rejects(
      build('[kompact.network.tls]\npassphrase = "x"\n'),
      isKompactError('CONFIG_INVALID', 'kompact.network.tls.passphrase'),
    );
    assert.throws(
      () => testConfig().setValue('kompact.network.bogus', 1),
      isKompactError('CONFIG_INVALID', 'kompact.network.bogus', 'setValue'),
    );
    assert.throws(
      () => testConfig().setValue('kompact.network', 5),
      isKompactError('CONFIG_INVALID', 'kompact.network', 'table'),
    );
  });

  it('rejects a bad network value with CONFIG_INVALID naming the key, the value and the source', async () => {
    await assert.rejects(
      Promise.resolve().then(() =>
        testConfig().loadConfigString('[kompact.network]\nport = 70000\n').build(),
      ),
      isKompactError('CONFIG_INVALID', 'kompact.network.port', '70000', 'a toml string'),
    );
    await assert.rejects(
      Promise.resolve().then(() =>
        testConfig()
          .loadConfigString('{"kompact":{"network":{"advertised-host":"0.0.0.0"}}}', 'json')
          .build(),
      ),
      isKompactError('CONFIG_INVALID', 'kompact.network.advertised-host', '0.0.0.0', 'a json string'),
    );
    assert.throws(
      () => testConfig().setValue(ConfigKeys.networkConnectionRetryIntervalMs, '5s'),
      isKompactError('CONFIG_INVALID', 'kompact.network.connection-retry-interval-ms', '5s'),
    );
    assert.throws(
      () => testConfig().setValue(ConfigKeys.networkSharedSecret, new Uint8Array([1, 2])),
      isKompactError('CONFIG_INVALID', 'kompact.network.shared-secret', 'network()'),
    );
  });

  it('reads the handshake budgets and failed-proof limits from kompact.network, and refuses a short secret without showing it', async () => {
    const toml = `
      [kompact.network]
      max-handshaking-connections = 4
      max-handshaking-per-address = 2
      max-handshake-failures = 3
      handshake-failure-window-ms = 1000
      handshake-backoff-ms = 100
    `;
    await withSystem(
      async (system) => {
        assert.equal(system.config.getNumber(ConfigKeys.networkMaxHandshakingConnections), 4);
        assert.equal(system.systemPath().transport, 'tcp');
      },
      (config) => config.loadConfigString(toml, 'toml'),
    );
    for (const key of [
      ConfigKeys.networkMaxHandshakingConnections,
      ConfigKeys.networkMaxHandshakingPerAddress,
      ConfigKeys.networkMaxHandshakeFailures,
      ConfigKeys.networkHandshakeFailureWindowMs,
      ConfigKeys.networkHandshakeBackoffMs,
    ]) {
      assert.throws(() => testConfig().setValue(key, 0), isKompactError('CONFIG_INVALID', key));
    }
    await assert.rejects(
      Promise.resolve().then(() =>
        testConfig().loadConfigString('[kompact.network]\nshared-secret = "hunter2"\n').build(),
      ),
      (error: unknown) => {
        isKompactError('CONFIG_INVALID', 'kompact.network.shared-secret', '16 bytes')(error);
        assert.ok(!(error as Error).message.includes('hunter2'), (error as Error).message);
        return true;
      },
    );
  });

  it('opens no socket for a config without a kompact.network section', async () => {
    const before = listeningServers();
    await withSystem(
      (system) => {
        assert.equal(listeningServers(), before);
        assert.equal(system.systemPath().transport, 'local');
      },
      (config) => config.loadConfigString('[kompact.runtime]\nthroughput = 20\n\n[app]\nnetwork = "none"\n'),
    );
  });
});

describe('kompact.network.tls config', () => {
  let pem: { key: string; cert: string } | undefined;
  let skipReason: string | undefined;

  before(() => {
    const made = selfSignedCertificate();
    if (made.kind === 'made') pem = made;
    else skipReason = made.reason;
  });

  it('talks over mutual TLS with PEM text from a [kompact.network.tls] table', async (t) => {
    if (pem === undefined) {
      t.skip(skipReason);
      return;
    }
    const toml = `
      [kompact.network.tls]
      key = '''
${pem.key}'''
      cert = '''
${pem.cert}'''
      ca = ['''
${pem.cert}''']
    `;
    await withSystem(
      async (a) => {
        await withSystem(
          async (b) => {
            const server = await startNamedProbe(b, 'sink');
            on(b, '/sink').tell('over tls', a);
            await server.probe.waitFor(1);
            assert.deepEqual(server.probe.texts, ['over tls']);
          },
          (config) => config.loadConfigString(toml),
        );
      },
      (config) => config.loadConfigString(toml),
    );
  });

  it('names the missing TLS key when the table has only a certificate', async () => {
    await assert.rejects(
      Promise.resolve().then(() =>
        testConfig().loadConfigString('[kompact.network.tls]\ncert = "PEM"\n').build(),
      ),
      isKompactError('CONFIG_INVALID', 'kompact.network.tls.key'),
    );
  });
});
