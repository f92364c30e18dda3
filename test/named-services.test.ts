// Named services on one system: registration, unique and named paths, routing groups, and aliases
// across faults (reference cases 53–57), plus bad input on every registration entry point.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ActorPath,
  BroadcastRouting,
  ComponentDefinition,
  type DeadLetter,
  KompactError,
  msgpackSerialiser,
  NamedPath,
  type NetMessage,
  PathParseError,
  RoundRobinRouting,
  type RoutingPolicy,
  SenderHashRouting,
  SerialisationError,
  Serialisers,
  serId,
  UniquePath,
} from '../src/index.js';
import { captureLogs, withSystem } from '../src/testing/index.js';
import { isKompactError } from './support/errors.js';
import { WARN } from './support/logs.js';

/** pino's level number for `debug`. */
const DEBUG = 20;

import { Probe, settle, startProbe } from './support/probes.js';

function pathOn(system: { systemPath(): { toString(): string } }, rest: string): ActorPath {
  return ActorPath.parse(`${system.systemPath().toString()}${rest}`);
}

describe('registration', () => {
  it('gives a local system the local system path, and unique paths under it', async () => {
    await withSystem(async (system) => {
      assert.equal(system.systemPath().toString(), 'local://127.0.0.1:0');
      const { component } = await startProbe(system);
      const path = await system.register(component);
      assert.ok(path instanceof UniquePath);
      assert.equal(path.id, component.id);
      assert.ok(path.equals(system.actorPathFor(component)));
      assert.ok(ActorPath.parse(path.toString()).equals(path));
    });
  });

  it('case 53: registering a taken alias rejects with DUPLICATE_ENTRY and changes nothing', async () => {
    await withSystem(async (system) => {
      const first = await startProbe(system, 'first');
      const second = await startProbe(system, 'second');
      const path = await system.registerByAlias(first.component, 'ponger');
      assert.ok(path instanceof NamedPath);
      assert.equal(path.toString(), 'local://127.0.0.1:0/ponger');
      await assert.rejects(
        system.registerByAlias(second.component, 'ponger'),
        isKompactError('DUPLICATE_ENTRY'),
      );
      path.tell('hello', system);
      await first.probe.waitFor(1);
      assert.deepEqual(first.probe.texts, ['hello']);
      assert.equal(second.probe.received.length, 0);
    });
  });

  it('lets one component have several aliases, and createAndRegister give a unique path', async () => {
    await withSystem(async (system) => {
      const [component, pathPromise] = system.createAndRegister(() => new Probe('multi'));
      await system.startNotify(component);
      const unique = await pathPromise;
      const a = await system.registerByAlias(component, 'a/one');
      const b = await system.registerByAlias(component, 'b');
      unique.tell('1', system);
      a.tell('2', system);
      b.tell('3', system);
      const probe = component.onDefinition((d) => d);
      await probe.waitFor(3);
      assert.deepEqual(probe.texts, ['1', '2', '3']);
    });
  });

  it('rejects malformed aliases, foreign components and bad policies, and logs each rejection', async () => {
    await withSystem(async (system) => {
      const { component } = await startProbe(system);
      for (const alias of ['', '/a', 'a/', 'a//b', 'a/*', 'a/?', 'a#b']) {
        await assert.rejects(system.registerByAlias(component, alias), PathParseError, `alias ${alias}`);
      }
      await assert.rejects(system.registerByAlias(component, 42 as unknown as string), TypeError);
      await assert.rejects(system.register({} as never), TypeError);
      await assert.rejects(
        system.setRoutingPolicy('g', {} as never),
        /Expected `policy` to be a RoutingPolicy/,
      );
      await withSystem(async (other) => {
        await assert.rejects(other.registerByAlias(component, 'x'), isKompactError('FOREIGN_COMPONENT'));
      });
    });
  });

  it('an ignored rejected registration does not crash the process', async () => {
    await withSystem(async (system) => {
      const { component } = await startProbe(system);
      await system.registerByAlias(component, 'svc');
      void system.registerByAlias(component, 'svc'); // rejected, ignored: must not be an unhandled rejection
      await settle();
    });
  });
});

describe('log lines the distributed chapter promises', () => {
  it('logs a rejected registration whose promise is ignored as a warning, and one the caller handles at debug only, each naming what failed and why', async () => {
    const { logger, lines } = captureLogs('debug');
    await withSystem(
      async (system) => {
        const { component } = await startProbe(system);
        await system.registerByAlias(component, 'svc');
        void system.registerByAlias(component, 'svc');
        await assert.rejects(
          system.setRoutingPolicy('svc', new BroadcastRouting()),
          isKompactError('DUPLICATE_ENTRY'),
        );
        const stored = system.registerByAlias(component, 'a/*');
        await settle(); // looked at later than the next macrotask: it counts as ignored
        await assert.rejects(stored, PathParseError);
        await system.registerByAlias(component, 'b/?').catch(() => {});
        await settle();
        const failures = (level: number): string[] =>
          lines
            .filter((line) => line.level === level && line.msg.startsWith('Could not '))
            .map((line) => line.msg);
        assert.deepEqual(failures(WARN), [
          'Could not register alias svc: KompactError: local://127.0.0.1:0/svc is already registered (use updateAliasRegistration to re-point it) (the promise was ignored)',
          'Could not register alias a/*: PathParseError: Cannot parse "a/*": the marker `*` may not appear in an alias (markers are for sending, not registering) (the promise was ignored)',
        ]);
        assert.deepEqual(failures(DEBUG), [
          'Could not set the routing policy of svc: KompactError: local://127.0.0.1:0/svc is already registered (use updateAliasRegistration to re-point it)',
          'Could not register alias b/?: PathParseError: Cannot parse "b/?": the marker `?` may not appear in an alias (markers are for sending, not registering)',
        ]);
      },
      (config) => config.logger(logger),
    );
  });

  it('keeps a registered component without receiveNetwork active when a path message reaches it, logging that it was ignored', async () => {
    class LocalOnly extends ComponentDefinition<string> {
      readonly seen: string[] = [];
      override receiveLocal(message: string): void {
        this.seen.push(message);
      }
    }
    const { logger, lines } = captureLogs('warn');
    await withSystem(
      async (system) => {
        const component = system.create(() => new LocalOnly());
        await system.startNotify(component);
        const path = await system.registerByAlias(component, 'local-only');
        const sender = await startProbe(system, 'sender');
        path.tell('over the path', sender.probe);
        component.actorRef().tell('after it');
        const deadline = Date.now() + 10_000;
        while (component.onDefinition((d) => d.seen.length) === 0) {
          assert.ok(
            Date.now() < deadline,
            'the local message after the path message was not handled within 10 s',
          );
          await settle();
        }
        assert.ok(component.isActive(), 'the component is still active');
        assert.deepEqual(
          component.onDefinition((d) => d.seen),
          ['after it'],
        );
        const ignored = lines.filter(
          (line) =>
            line.level === WARN &&
            line.msg === 'Network message received by a component that does not handle them; ignored',
        );
        assert.equal(ignored.length, 1, JSON.stringify(lines));
        assert.equal(ignored[0]?.sender, sender.probe.ctx.actorPath().toString());
        assert.equal(ignored[0]?.serId, Serialisers.string.serId);
        assert.equal(system.deadLetters.count, 0, 'ignored, not a dead letter');
      },
      (config) => config.logger(logger),
    );
  });
});

describe('delivery to paths', () => {
  it('takes the sender from a definition, its context or its Component alike, and from a system as nobody', async () => {
    await withSystem(async (system) => {
      const receiver = await startProbe(system, 'receiver');
      const path = await system.registerByAlias(receiver.component, 'receiver');
      const sender = await startProbe(system, 'sender');
      path.tell('definition', sender.probe);
      path.tell('context', sender.probe.ctx);
      path.tell('component', sender.component);
      path.tell('system', system);
      await receiver.probe.waitFor(4);
      const senderPath = sender.probe.ctx.actorPath();
      assert.deepEqual(
        receiver.probe.received.map((msg) => [
          msg.tryDeserialise(Serialisers.string),
          msg.sender.equals(senderPath),
        ]),
        [
          ['definition', true],
          ['context', true],
          ['component', true],
          ['system', false],
        ],
      );
      const nobody = receiver.probe.received[3]?.sender;
      assert.ok(nobody instanceof UniquePath, 'a system sends from a unique path');
      assert.ok(nobody.system.equals(system.systemPath()), 'on its own system');
    });
  });

  it('case 54: unique, alias and broadcast-group paths each deliver exactly once to each addressee', async () => {
    await withSystem(async (system) => {
      const unique = await startProbe(system, 'unique');
      const alias = await startProbe(system, 'alias');
      const one = await startProbe(system, 'one');
      const two = await startProbe(system, 'two');
      const uniquePath = await system.register(unique.component);
      await system.registerByAlias(alias.component, 'tests/path-probe');
      await system.registerByAlias(one.component, 'tests/group/one');
      await system.registerByAlias(two.component, 'tests/group/two');
      await system.setRoutingPolicy('tests/group', new BroadcastRouting());
      uniquePath.tell('u', system);
      pathOn(system, '/tests/path-probe').tell('a', system);
      pathOn(system, '/tests/group/*').tell('g', system);
      await Promise.all([
        unique.probe.waitFor(1),
        alias.probe.waitFor(1),
        one.probe.waitFor(1),
        two.probe.waitFor(1),
      ]);
      await settle();
      assert.deepEqual(unique.probe.texts, ['u']);
      assert.deepEqual(alias.probe.texts, ['a']);
      assert.deepEqual(one.probe.texts, ['g']);
      assert.deepEqual(two.probe.texts, ['g']);
    });
  });

  it('case 55: round-robin sends messages 1..4 to members 0, 1, 2, 0', async () => {
    await withSystem(async (system) => {
      const members = [
        await startProbe(system, 'm0'),
        await startProbe(system, 'm1'),
        await startProbe(system, 'm2'),
      ];
      await system.setRoutingPolicy('rr', new RoundRobinRouting());
      for (const [i, member] of members.entries()) await system.registerByAlias(member.component, `rr/m${i}`);
      for (let i = 1; i <= 4; i++) pathOn(system, '/rr').tell(String(i), system);
      await members[0]?.probe.waitFor(2);
      await settle();
      assert.deepEqual(
        members.map((m) => m.probe.texts),
        [['1', '4'], ['2'], ['3']],
      );
    });
  });

  it('case 56: sender-hash select sends every message of one sender to the same member', async () => {
    await withSystem(async (system) => {
      const members = [await startProbe(system), await startProbe(system), await startProbe(system)];
      await system.setRoutingPolicy('hashed', new SenderHashRouting());
      for (const [i, member] of members.entries())
        await system.registerByAlias(member.component, `hashed/m${i}`);
      const sender = await startProbe(system, 'sender');
      for (let i = 0; i < 3; i++) pathOn(system, '/hashed/?').tell(String(i), sender.probe);
      await settle(5);
      assert.deepEqual(members.map((m) => m.probe.received.length).sort(), [0, 0, 3]);
      for (const member of members) {
        for (const msg of member.probe.received) assert.ok(msg.sender.equals(sender.probe.ctx.actorPath()));
      }
    });
  });

  it('routes group/* and group/? without a policy when implicit routes are on, and dead-letters a mode mismatch', async () => {
    await withSystem(
      async (system) => {
        const a = await startProbe(system, 'a');
        const b = await startProbe(system, 'b');
        await system.registerByAlias(a.component, 'team/a');
        await system.registerByAlias(b.component, 'team/b');
        const letters: DeadLetter[] = [];
        system.deadLetters.subscribe((letter) => letters.push(letter));
        pathOn(system, '/team/*').tell('all', system);
        pathOn(system, '/team/?').tell('one', system);
        await settle();
        assert.equal(a.probe.received.length + b.probe.received.length, 3);
        await system.setRoutingPolicy('rr', new RoundRobinRouting());
        await system.registerByAlias(a.component, 'rr/a');
        pathOn(system, '/rr/*').tell('broadcast to a select group', system);
        await settle();
        assert.equal(letters.length, 1);
        assert.equal(letters[0]?.reason, 'unresolved');
        assert.match(letters[0]?.detail ?? '', /round-robin policy cannot broadcast/);
      },
      (config) => config.implicitRoutes(true),
    );
  });

  it('dead-letters group/* and group/? where no routing group is registered, since implicit routes are off by default', async () => {
    await withSystem(async (system) => {
      const a = await startProbe(system, 'a');
      await system.registerByAlias(a.component, 'team/a');
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      pathOn(system, '/team/*').tell('all', system);
      pathOn(system, '/team/?').tell('one', system);
      pathOn(system, '/*').tell('everyone', system);
      await settle();
      assert.equal(a.probe.received.length, 0, 'no implicit route reached the member');
      assert.deepEqual(
        letters.map((l) => [l.path?.toString(), l.reason]),
        [
          ['local://127.0.0.1:0/team/*', 'unresolved'],
          ['local://127.0.0.1:0/team/?', 'unresolved'],
          ['local://127.0.0.1:0/*', 'unresolved'],
        ],
      );
      assert.match(
        letters[0]?.detail ?? '',
        /no routing group is registered at team \(implicit routes are off/,
      );
      pathOn(system, '/team/a').tell('by name', system);
      await a.probe.waitFor(1);
      assert.deepEqual(a.probe.texts, ['by name']);
    });
  });

  it('turns implicit routes on with the kompact.dispatch.implicit-routes key of a TOML source', async () => {
    await withSystem(
      async (system) => {
        const a = await startProbe(system, 'a');
        await system.registerByAlias(a.component, 'team/a');
        pathOn(system, '/team/*').tell('all', system);
        await a.probe.waitFor(1);
        assert.equal(system.deadLetters.count, 0);
      },
      (config) => config.loadConfigString('[kompact.dispatch]\nimplicit-routes = true\n'),
    );
  });

  it('dead-letters a message whose routing policy throws or returns no members, with a log line, never throwing at tell', async () => {
    const { logger, lines } = captureLogs('warn');
    await withSystem(
      async (system) => {
        const a = await startProbe(system, 'a');
        const policies: [string, RoutingPolicy][] = [
          [
            'throws',
            {
              kind: 'throwing',
              mode: 'select',
              route: () => {
                throw new Error('policy bug');
              },
            },
          ],
          ['undefined', { kind: 'forgetful', mode: 'select', route: () => undefined as never }],
          ['stranger', { kind: 'stranger', mode: 'select', route: () => [{ tell() {} }] as never }],
        ];
        for (const [name, policy] of policies) {
          await system.setRoutingPolicy(name, policy);
          await system.registerByAlias(a.component, `${name}/a`);
        }
        const letters: DeadLetter[] = [];
        system.deadLetters.subscribe((letter) => letters.push(letter));
        for (const [name] of policies) {
          assert.doesNotThrow(() => pathOn(system, `/${name}`).tell(name, system), `tell to ${name}`);
        }
        await settle();
        assert.equal(a.probe.received.length, 0);
        assert.deepEqual(
          letters.map((l) => [l.message, l.reason]),
          [
            ['throws', 'unresolved'],
            ['undefined', 'unresolved'],
            ['stranger', 'unresolved'],
          ],
        );
        assert.match(letters[0]?.detail ?? '', /the group's throwing policy threw .*policy bug/);
        assert.match(
          letters[1]?.detail ?? '',
          /forgetful policy returned `undefined` \(undefined\), not an array/,
        );
        assert.match(letters[2]?.detail ?? '', /stranger policy returned something that is not a member/);
        const failures = lines.filter((line) => line.msg.startsWith('Routing policy failed for '));
        assert.equal(failures.length, 3, 'one warning per failed routing');
        assert.match(
          failures[0]?.msg ?? '',
          /local:\/\/127\.0\.0\.1:0\/throws: .*; the message is a dead letter/,
        );
      },
      (config) => config.logger(logger),
    );
  });

  it('dead-letters messages to unknown paths and empty groups, with the path and the value', async () => {
    await withSystem(async (system) => {
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      await system.setRoutingPolicy('empty', new RoundRobinRouting());
      pathOn(system, '/nobody').tell('x', system);
      pathOn(system, '/empty').tell('y', system);
      pathOn(system, '/empty/*').tell('z', system);
      pathOn(system, '#8f0a6d4e-7d4b-4b8e-9f53-0c7f2b7c1a11').tell('w', system);
      assert.deepEqual(
        letters.map((l) => [l.path?.toString(), l.message, l.reason]),
        [
          ['local://127.0.0.1:0/nobody', 'x', 'unresolved'],
          ['local://127.0.0.1:0/empty', 'y', 'unresolved'],
          ['local://127.0.0.1:0/empty/*', 'z', 'unresolved'],
          ['local://127.0.0.1:0#8f0a6d4e-7d4b-4b8e-9f53-0c7f2b7c1a11', 'w', 'unresolved'],
        ],
      );
      assert.match(letters[1]?.detail ?? '', /has no live member/);
      assert.equal(system.deadLetters.count, 4);
    });
  });

  it('dead-letters a path of another system when this one has no network', async () => {
    await withSystem(async (system) => {
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      ActorPath.parse('tcp://127.0.0.1:9/svc').tell('x', system);
      assert.equal(letters[0]?.reason, 'unroutable');
    });
  });

  it('never serialises same-system messages: the receiver gets the very object', async () => {
    await withSystem(async (system) => {
      const { component, probe } = await startProbe(system);
      const path = await system.registerByAlias(component, 'objects');
      const Point = msgpackSerialiser<{ x: number }>(serId(100));
      const value = { x: 1 };
      path.tell(value, system, Point);
      await probe.waitFor(1);
      const msg = probe.received[0] as NetMessage;
      assert.equal(msg.isLocal, true);
      assert.equal(msg.tryDeserialise(Point), value);
      assert.throws(() => msg.tryDeserialise(Serialisers.string), SerialisationError);
      assert.equal(
        msg.match(
          [
            [Serialisers.string, () => 'string'],
            [Point, (p) => `point ${p.x}`],
          ],
          () => 'other',
        ),
        'point 1',
      );
      assert.equal(
        msg.match([[Serialisers.string, () => 'string']], (id) => `other ${id}`),
        'other 100',
      );
    });
  });

  it('refuses a value without a built-in serialiser, and a bad `from`, with a TypeError', async () => {
    await withSystem(async (system) => {
      const path = pathOn(system, '/x');
      // @ts-expect-error the types refuse it too; this checks the run-time refusal a cast gets to
      assert.throws(() => path.tell({ a: 1 }, system), /Expected a serialiser/);
      assert.throws(() => path.tell('x', {} as never), /Expected `from` to be the sending component/);
      assert.throws(() => path.tell('x', system, {} as never), /Expected `serialiser` to be a Serialiser/);
    });
  });

  it('receiveNetwork replies reach the sender through msg.sender', async () => {
    await withSystem(async (system) => {
      const echo = await startProbe(system, 'echo');
      const client = await startProbe(system, 'client');
      const path = await system.registerByAlias(echo.component, 'echo');
      path.tell('echo hi', client.probe);
      await client.probe.waitFor(1);
      assert.deepEqual(client.probe.texts, ['echo:hi']);
    });
  });

  it('a component without receiveNetwork logs and ignores path messages', async () => {
    class Plain extends ComponentDefinition<string> {}
    await withSystem(async (system) => {
      const plain = system.create(() => new Plain());
      await system.startNotify(plain);
      (await system.register(plain)).tell('ignored', system);
      await settle();
      assert.equal(system.deadLetters.count, 0);
    });
  });
});

describe('named services across faults', () => {
  it('case 57: after recoverWith, the old alias is dead until updateAliasRegistration re-points it', async () => {
    await withSystem(async (system) => {
      let replacement: Probe | undefined;
      const original = await startProbe(system, 'A');
      const registered: { duplicate?: unknown } = {};
      original.component.setRecoveryFunction((fault) =>
        fault.recoverWith((_fault, handle) => {
          const next = handle.create(() => {
            replacement = new Probe('B');
            return replacement;
          });
          handle.start(next);
          void handle.registerByAlias(next, 'svc').catch((error: unknown) => {
            registered.duplicate = error;
          });
          pathOn(system, '/svc').tell('before re-registration', system);
          void handle.updateAliasRegistration(next, 'svc');
        }),
      );
      await system.registerByAlias(original.component, 'svc');
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      pathOn(system, '/svc').tell('crash', system);
      await settle(5);
      assert.ok(registered.duplicate instanceof KompactError);
      assert.equal(registered.duplicate.code, 'DUPLICATE_ENTRY');
      assert.deepEqual(
        letters.map((l) => l.reason),
        ['faulty'],
      );
      pathOn(system, '/svc').tell('after', system);
      await replacement?.waitFor(1);
      assert.deepEqual(replacement?.texts, ['after']);
    });
  });

  it('after replaceWith every alias and the unique path reach the replacement, and queued messages follow', async () => {
    await withSystem(async (system) => {
      const generations: Probe[] = [];
      const component = system.create(() => {
        const probe = new Probe(`g${generations.length}`);
        generations.push(probe);
        return probe;
      });
      component.setRecoveryFunction((fault) =>
        fault.replaceWith(() => {
          const probe = new Probe(`g${generations.length}`);
          generations.push(probe);
          return probe;
        }),
      );
      await system.startNotify(component);
      const unique = await system.register(component);
      const alias = await system.registerByAlias(component, 'counter');
      await system.registerByAlias(component, 'team/counter');
      await system.setRoutingPolicy('team', new BroadcastRouting());
      alias.tell('crash', system);
      alias.tell('queued behind the crash', system);
      await settle(5);
      const next = generations[1] as Probe;
      assert.ok(next, 'a replacement was made');
      unique.tell('to the old unique path', system);
      pathOn(system, '/team/*').tell('to the group', system);
      await next.waitFor(3);
      assert.deepEqual(next.texts, ['queued behind the crash', 'to the old unique path', 'to the group']);
      assert.equal(system.deadLetters.count, 0);
      // The replacement can be replaced again: the paths keep following.
      alias.tell('crash', system);
      await settle(5);
      alias.tell('third', system);
      await generations[2]?.waitFor(1);
      assert.deepEqual(generations[2]?.texts, ['third']);
    });
  });

  it('drops every path of a killed component: later messages are unresolved dead letters', async () => {
    await withSystem(async (system) => {
      const { component } = await startProbe(system);
      const unique = await system.register(component);
      const alias = await system.registerByAlias(component, 'gone');
      await system.killNotify(component);
      const letters: DeadLetter[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      unique.tell('a', system);
      alias.tell('b', system);
      assert.deepEqual(
        letters.map((l) => l.reason),
        ['unresolved', 'unresolved'],
      );
      const again = await startProbe(system);
      await system.registerByAlias(again.component, 'gone'); // free again
    });
  });

  it('registration after shutdown rejects with SYSTEM_TERMINATED', async () => {
    let captured: Awaited<ReturnType<typeof startProbe>> | undefined;
    const system = await withSystem(async (s) => {
      captured = await startProbe(s);
      return s;
    });
    await assert.rejects(system.register(captured?.component as never), isKompactError('SYSTEM_TERMINATED'));
  });
});
