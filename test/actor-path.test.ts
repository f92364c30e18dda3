import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAlias } from '../src/dispatch/alias.js';
import { KompactError } from '../src/internal/kompact-error.js';
import { ActorPath, NamedPath, type PathMarker, UniquePath } from '../src/paths/actor-path.js';
import { PathParseError, type PathParseReason } from '../src/paths/path-parse-error.js';
import { SystemPath, type Transport } from '../src/paths/system-path.js';

const ID = '0f8c2a4e-9b1d-4c3a-8e2f-6a5b4c3d2e1f';

function parseError(reason: PathParseReason, quoted: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof PathParseError, `expected a PathParseError, got ${String(error)}`);
    assert.ok(error instanceof KompactError);
    assert.equal(error.code, 'PATH_PARSE_FAILED');
    assert.equal(error.reason, reason, error.message);
    assert.ok(error.message.includes(JSON.stringify(quoted)), `message quotes the input: ${error.message}`);
    return true;
  };
}

// ---- generators for valid paths -----------------------------------------------------------------

const segmentArb = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 8 })
  .filter((s) => !/[/#*?]/.test(s) && s.length > 0);

const systemArb = fc
  .record({
    transport: fc.constantFrom<Transport>('local', 'tcp', 'thread'),
    host: fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain()),
    port: fc.integer({ min: 0, max: 65535 }),
  })
  .map(({ transport, host, port }) => new SystemPath(transport, host, port));

const uniqueArb = fc
  .tuple(systemArb, fc.uuid())
  .map(([system, id]) => new UniquePath(system, id) as ActorPath);

const namedArb = fc
  .tuple(
    systemArb,
    fc.array(segmentArb, { maxLength: 5 }),
    fc.constantFrom<PathMarker | undefined>(undefined, 'broadcast', 'select'),
  )
  .filter(([, segments, marker]) => segments.length > 0 || marker !== undefined)
  .map(([system, segments, marker]) => new NamedPath(system, segments, marker) as ActorPath);

// ---- tests --------------------------------------------------------------------------------------

describe('SystemPath', () => {
  it('prints transport, host and port as a URL-like string', () => {
    assert.equal(new SystemPath('tcp', '127.0.0.1', 63482).toString(), 'tcp://127.0.0.1:63482');
    assert.equal(new SystemPath('local', 'localhost', 0).toString(), 'local://localhost:0');
  });

  it('prints IPv6 hosts in brackets and keeps them unbracketed in host', () => {
    const path = new SystemPath('tcp', '::1', 9000);
    assert.equal(path.host, '::1');
    assert.equal(path.toString(), 'tcp://[::1]:9000');
  });

  it('canonicalises hosts, so differently written addresses of one system are equal', () => {
    assert.ok(SystemPath.parse('tcp://[0:0::1]:1').equals(SystemPath.parse('tcp://[::1]:1')));
    assert.ok(SystemPath.parse('tcp://Example.COM:1').equals(new SystemPath('tcp', 'example.com', 1)));
    assert.equal(SystemPath.parse('tcp://[::FFFF:1.2.3.4]:1').toString(), 'tcp://[::ffff:102:304]:1');
  });

  it('is equal only for the same transport, host and port', () => {
    const a = new SystemPath('tcp', '127.0.0.1', 1);
    assert.ok(a.equals(new SystemPath('tcp', '127.0.0.1', 1)));
    assert.ok(!a.equals(new SystemPath('local', '127.0.0.1', 1)));
    assert.ok(!a.equals(new SystemPath('tcp', '127.0.0.2', 1)));
    assert.ok(!a.equals(new SystemPath('tcp', '127.0.0.1', 2)));
  });

  it('parses its own string form and nothing after it', () => {
    assert.ok(SystemPath.parse('tcp://10.0.0.1:80').equals(new SystemPath('tcp', '10.0.0.1', 80)));
    assert.throws(() => SystemPath.parse('tcp://10.0.0.1:80/a'), parseError('form', 'tcp://10.0.0.1:80/a'));
  });

  it('rejects bad constructor arguments with p-queue style messages', () => {
    assert.throws(() => new SystemPath('udp' as Transport, '127.0.0.1', 1), {
      name: 'TypeError',
      message: "Expected `transport` to be 'local', 'tcp' or 'thread', got `\"udp\"` (string)",
    });
    assert.throws(() => new SystemPath('tcp', '127.0.0.1', 70000), {
      name: 'TypeError',
      message: 'Expected `port` to be an integer from 0 to 65535, got `70000` (number)',
    });
    assert.throws(() => new SystemPath('tcp', '127.0.0.1', 1.5), TypeError);
    assert.throws(() => new SystemPath('tcp', 5 as unknown as string, 1), TypeError);
    assert.throws(() => new SystemPath('tcp', 'bad host', 1), parseError('address', 'bad host'));
  });
});

describe('ActorPath.parse', () => {
  it('reads a unique path and prints it back', () => {
    const text = `tcp://127.0.0.1:63482#${ID}`;
    const path = ActorPath.parse(text);
    assert.equal(path.kind, 'unique');
    assert.ok(path instanceof UniquePath);
    assert.equal(path.id, ID);
    assert.ok(path.system.equals(new SystemPath('tcp', '127.0.0.1', 63482)));
    assert.equal(path.toString(), text);
  });

  it('reads a named path and prints it back', () => {
    const text = 'tcp://127.0.0.1:63482/my-service/instance1';
    const path = ActorPath.parse(text);
    assert.ok(path.kind === 'named');
    assert.deepEqual(path.segments, ['my-service', 'instance1']);
    assert.equal(path.marker, undefined);
    assert.equal(path.toString(), text);
  });

  it('reads broadcast and select markers as the last segment', () => {
    const broadcast = ActorPath.parse('tcp://127.0.0.1:1/tests/group/*');
    const select = ActorPath.parse('tcp://127.0.0.1:1/tests/group/?');
    assert.ok(broadcast.kind === 'named' && select.kind === 'named');
    assert.deepEqual(broadcast.segments, ['tests', 'group']);
    assert.equal(broadcast.marker, 'broadcast');
    assert.equal(select.marker, 'select');
    assert.equal(broadcast.toString(), 'tcp://127.0.0.1:1/tests/group/*');
    const root = ActorPath.parse('local://127.0.0.1:0/*');
    assert.ok(root.kind === 'named');
    assert.deepEqual(root.segments, []);
  });

  it('reads IPv6 and hostname systems', () => {
    assert.equal(ActorPath.parse('tcp://[::1]:8080/a').system.host, '::1');
    assert.equal(ActorPath.parse('tcp://node-1.example.org:8080/a').system.host, 'node-1.example.org');
  });

  it('keeps unicode and punctuation other than / # * ? inside segments', () => {
    const text = 'tcp://127.0.0.1:1/größe/a b/x:y/日本/🎉/a.b-c_d';
    assert.equal(ActorPath.parse(text).toString(), text);
  });

  it('lower-cases the component id of a unique path', () => {
    const path = ActorPath.parse(`tcp://127.0.0.1:1#${ID.toUpperCase()}`);
    assert.ok(path.kind === 'unique');
    assert.equal(path.id, ID);
  });

  it('round-trips every generated valid path (property)', () => {
    fc.assert(
      fc.property(fc.oneof(uniqueArb, namedArb), (path) => {
        const text = path.toString();
        const parsed = ActorPath.parse(text);
        assert.ok(parsed.equals(path), `${text} parsed to ${parsed.toString()}`);
        assert.equal(parsed.kind, path.kind);
        assert.equal(parsed.toString(), text);
      }),
      { numRuns: 300 },
    );
  });

  it('either parses arbitrary text to a round-tripping path or throws a PathParseError (property)', () => {
    const pieces = fc.constantFrom(
      'tcp://',
      'udp://',
      'local://',
      '[',
      ']',
      ':',
      '/',
      '#',
      '*',
      '?',
      '1',
      '.',
      'a',
    );
    const text = fc.oneof(
      fc.string(),
      fc.array(pieces, { maxLength: 12 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, (input) => {
        try {
          const path = ActorPath.parse(input);
          assert.ok(ActorPath.parse(path.toString()).equals(path));
        } catch (error) {
          assert.ok(error instanceof PathParseError, String(error));
        }
      }),
      { numRuns: 300 },
    );
  });

  const malformed: readonly [PathParseReason, string][] = [
    ['form', '127.0.0.1:1/a'],
    ['form', 'tcp://127.0.0.1:1'],
    ['form', 'tcp://127.0.0.1/a'],
    ['form', 'tcp://[::1]/a'],
    ['transport', 'udp://127.0.0.1:1/a'],
    ['transport', 'http://127.0.0.1:1/a'],
    ['transport', '://127.0.0.1:1/a'],
    ['transport', 'TCP://127.0.0.1:1/a'],
    ['address', 'tcp://:1/a'],
    ['address', 'tcp://256.0.0.1:1/a'],
    ['address', 'tcp://01.2.3.4:1/a'],
    ['address', 'tcp://::1:1/a'],
    ['address', 'tcp://[::1:1/a'],
    ['address', 'tcp://[1.2.3.4]:1/a'],
    ['address', 'tcp://[::g]:1/a'],
    ['address', 'tcp://bad_host:1/a'],
    ['address', 'tcp://-bad.example:1/a'],
    ['address', 'tcp://example.123:1/a'],
    ['port', 'tcp://127.0.0.1:/a'],
    ['port', 'tcp://127.0.0.1:65536/a'],
    ['port', 'tcp://127.0.0.1:-1/a'],
    ['port', 'tcp://127.0.0.1:8o/a'],
    ['port', 'tcp://127.0.0.1:123456/a'],
    ['id', 'tcp://127.0.0.1:1#'],
    ['id', 'tcp://127.0.0.1:1#not-a-uuid'],
    ['id', `tcp://127.0.0.1:1#${ID}/a`],
    ['illegal-character', 'tcp://127.0.0.1:1/a*b'],
    ['illegal-character', 'tcp://127.0.0.1:1/a/b?c'],
    ['illegal-character', 'tcp://127.0.0.1:1/a/b#c'],
    ['illegal-character', 'tcp://127.0.0.1:1/**'],
    ['empty-segment', 'tcp://127.0.0.1:1/'],
    ['empty-segment', 'tcp://127.0.0.1:1/a//b'],
    ['empty-segment', 'tcp://127.0.0.1:1/a/'],
    ['marker-position', 'tcp://127.0.0.1:1/*/a'],
    ['marker-position', 'tcp://127.0.0.1:1/a/?/b'],
    ['marker-position', 'tcp://127.0.0.1:1/a/*/?'],
  ];
  for (const [reason, input] of malformed) {
    it(`rejects ${JSON.stringify(input)} with reason '${reason}'`, () => {
      assert.throws(() => ActorPath.parse(input), parseError(reason, input));
    });
  }

  it('explains that udp is not supported', () => {
    assert.throws(() => ActorPath.parse('udp://127.0.0.1:1/a'), /udp transport is not supported/);
  });

  it('says which port is out of range', () => {
    assert.throws(() => ActorPath.parse('tcp://127.0.0.1:70000/a'), {
      message: 'Cannot parse "tcp://127.0.0.1:70000/a": port 70000 is out of range (0 to 65535)',
    });
  });

  it('rejects a non-string with a TypeError', () => {
    assert.throws(() => ActorPath.parse(42 as unknown as string), {
      name: 'TypeError',
      message: 'Expected `text` to be a string, got `42` (number)',
    });
  });
});

describe('UniquePath and NamedPath', () => {
  const system = new SystemPath('tcp', '127.0.0.1', 1);

  it('compares by kind, system and contents', () => {
    const unique = new UniquePath(system, ID);
    const named = new NamedPath(system, ['a', 'b']);
    assert.ok(unique.equals(ActorPath.parse(`tcp://127.0.0.1:1#${ID}`)));
    assert.ok(named.equals(ActorPath.parse('tcp://127.0.0.1:1/a/b')));
    assert.ok(!named.equals(new NamedPath(system, ['a', 'b'], 'broadcast')));
    assert.ok(!named.equals(new NamedPath(new SystemPath('tcp', '127.0.0.1', 2), ['a', 'b'])));
    assert.ok(!named.equals(unique));
    assert.ok(!unique.equals(named));
  });

  it('are immutable', () => {
    const named = new NamedPath(system, ['a']);
    assert.throws(() => (named.segments as string[]).push('b'), TypeError);
  });

  it('validate their parts', () => {
    assert.throws(() => new UniquePath(system, 'nope'), parseError('id', 'nope'));
    assert.throws(() => new NamedPath(system, ['a/b']), parseError('illegal-character', 'a/b'));
    assert.throws(() => new NamedPath(system, ['']), parseError('empty-segment', ''));
    assert.throws(() => new NamedPath(system, []), parseError('empty-segment', ''));
    assert.throws(() => new NamedPath('tcp://x:1' as unknown as SystemPath, ['a']), TypeError);
    assert.throws(() => new NamedPath(system, ['a'], 'all' as PathMarker), TypeError);
  });

  it('cannot be changed after construction', () => {
    const unique = ActorPath.parse(`tcp://127.0.0.1:1#${ID}`);
    assert.throws(() => {
      (unique as { id: string }).id = 'other';
    }, TypeError);
    assert.throws(() => {
      (system as { port: number }).port = 2;
    }, TypeError);
  });

  it('parse to equal paths however often the same text is parsed, past the parse cache limit', () => {
    const first = ActorPath.parse('tcp://127.0.0.1:1/cached');
    for (let i = 0; i < 2100; i++) {
      const path = ActorPath.parse(`tcp://127.0.0.1:1/svc-${i}`);
      assert.ok(path.kind === 'named' && path.segments[0] === `svc-${i}`);
    }
    assert.ok(ActorPath.parse('tcp://127.0.0.1:1/cached').equals(first));
    assert.throws(() => ActorPath.parse('tcp://127.0.0.1:1/cached/'), PathParseError);
  });

  it('are recognised by ActorPath.isActorPath', () => {
    assert.ok(ActorPath.isActorPath(new UniquePath(system, ID)));
    assert.ok(ActorPath.isActorPath(new NamedPath(system, ['a'])));
    assert.ok(!ActorPath.isActorPath('tcp://127.0.0.1:1/a'));
  });
});

describe('parseAlias', () => {
  it('splits a valid alias into its segments', () => {
    assert.deepEqual(parseAlias('ponger'), ['ponger']);
    assert.deepEqual(parseAlias('tests/group/one'), ['tests', 'group', 'one']);
  });

  const bad: readonly [PathParseReason, string][] = [
    ['empty-segment', ''],
    ['empty-segment', '/a'],
    ['empty-segment', 'a/'],
    ['empty-segment', 'a//b'],
    ['marker-position', '*'],
    ['marker-position', 'group/?'],
    ['marker-position', 'a/*/b'],
    ['illegal-character', 'a#b'],
    ['illegal-character', 'a/b*'],
  ];
  for (const [reason, alias] of bad) {
    it(`rejects ${JSON.stringify(alias)} with reason '${reason}'`, () => {
      assert.throws(() => parseAlias(alias), parseError(reason, alias));
    });
  }

  it('rejects a non-string with a TypeError', () => {
    assert.throws(() => parseAlias(undefined as unknown as string), {
      name: 'TypeError',
      message: 'Expected `alias` to be a string, got `undefined` (undefined)',
    });
  });
});
