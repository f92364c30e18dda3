import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PathTrie } from '../src/dispatch/path-trie.js';
import {
  BroadcastRouting,
  RoundRobinRouting,
  type RoutingPolicy,
  SenderHashRouting,
  stableHash,
} from '../src/dispatch/routing-policy.js';
import { localNetMessage } from '../src/messaging/net-message.js';
import { ActorPath } from '../src/paths/actor-path.js';
import { Serialisers } from '../src/serialisation/serialisers.js';

const sender = (name: string) => {
  const from = ActorPath.parse(`tcp://127.0.0.1:5000/${name}`);
  return { sender: from, message: localNetMessage(from, from, name, Serialisers.string) };
};

describe('PathTrie', () => {
  it('inserts at a free path and reports a duplicate without changing it', () => {
    const trie = new PathTrie<string>();
    assert.deepEqual(trie.insert(['ponger'], 'P'), { kind: 'inserted' });
    assert.deepEqual(trie.insert(['ponger'], 'Q'), { kind: 'duplicate', existing: 'P' });
    assert.equal(trie.lookup(['ponger']), 'P');
    assert.equal(trie.size, 1);
  });

  it('updates by replacing a value or inserting a new one', () => {
    const trie = new PathTrie<string>();
    assert.deepEqual(trie.update(['svc'], 'A'), { kind: 'inserted' });
    assert.deepEqual(trie.update(['svc'], 'B'), { kind: 'replaced', previous: 'A' });
    assert.equal(trie.lookup(['svc']), 'B');
    assert.equal(trie.size, 1);
  });

  it('looks up exact paths only', () => {
    const trie = new PathTrie<string>();
    trie.insert(['a', 'b'], 'AB');
    assert.equal(trie.lookup(['a', 'b']), 'AB');
    assert.equal(trie.lookup(['a']), undefined);
    assert.equal(trie.lookup(['a', 'b', 'c']), undefined);
    assert.equal(trie.lookup(['b']), undefined);
  });

  it('keeps a value and its descendants independent', () => {
    const trie = new PathTrie<string>();
    trie.insert(['a', 'b'], 'AB');
    assert.deepEqual(trie.insert(['a'], 'A'), { kind: 'inserted' });
    assert.equal(trie.lookup(['a']), 'A');
    assert.equal(trie.remove(['a']), 'A');
    assert.equal(trie.lookup(['a', 'b']), 'AB');
  });

  it('removes a value, prunes empty branches and reports absent paths', () => {
    const trie = new PathTrie<string>();
    trie.insert(['x', 'y', 'z'], 'XYZ');
    assert.equal(trie.remove(['x', 'y']), undefined);
    assert.equal(trie.remove(['nope']), undefined);
    assert.equal(trie.remove(['x', 'y', 'z']), 'XYZ');
    assert.equal(trie.size, 0);
    assert.deepEqual([...trie.entries()], []);
    assert.deepEqual(trie.insert(['x', 'y', 'z'], 'again'), { kind: 'inserted' });
  });

  it('lists a whole subtree, a node before its children, children in insertion order', () => {
    const trie = new PathTrie<string>();
    trie.insert(['tests', 'group', 'one'], '1');
    trie.insert(['tests', 'group', 'two'], '2');
    trie.insert(['tests', 'group', 'two', 'deep'], '2d');
    trie.insert(['tests', 'group'], 'G');
    trie.insert(['tests', 'other'], 'O');
    assert.deepEqual(trie.subtree(['tests', 'group']), ['G', '1', '2', '2d']);
    assert.deepEqual(trie.subtree(['tests']), ['G', '1', '2', '2d', 'O']);
    assert.deepEqual(trie.subtree([]), ['G', '1', '2', '2d', 'O']);
    assert.deepEqual(trie.subtree(['missing']), []);
  });

  it('lists entries with their paths', () => {
    const trie = new PathTrie<number>();
    trie.insert(['a'], 1);
    trie.insert(['a', 'b'], 2);
    trie.insert(['c'], 3);
    assert.deepEqual(
      [...trie.entries()],
      [
        [['a'], 1],
        [['a', 'b'], 2],
        [['c'], 3],
      ],
    );
  });

  it('removes every value matching a predicate', () => {
    const trie = new PathTrie<string>();
    trie.insert(['a'], 'dead');
    trie.insert(['a', 'b'], 'alive');
    trie.insert(['c', 'd'], 'dead');
    assert.equal(
      trie.removeWhere((value) => value === 'dead'),
      2,
    );
    assert.deepEqual([...trie.entries()], [[['a', 'b'], 'alive']]);
  });

  it('treats segments as opaque keys, including __proto__', () => {
    const trie = new PathTrie<string>();
    trie.insert(['__proto__'], 'p');
    trie.insert(['constructor'], 'c');
    assert.equal(trie.lookup(['__proto__']), 'p');
    assert.equal(trie.lookup(['constructor']), 'c');
    assert.equal(trie.lookup(['toString']), undefined);
  });

  it('rejects segments that are not an array of strings', () => {
    const trie = new PathTrie<string>();
    assert.throws(() => trie.insert('a/b' as unknown as string[], 'x'), {
      name: 'TypeError',
      message: 'Expected `segments` to be an array of strings, got `"a/b"` (string)',
    });
    assert.throws(() => trie.lookup([1] as unknown as string[]), TypeError);
  });

  it('agrees with a map of joined paths under random operations (property)', () => {
    const segment = fc.constantFrom('a', 'b', 'c');
    const path = fc.array(segment, { minLength: 1, maxLength: 3 });
    const op = fc.oneof(
      fc.record({ kind: fc.constant('insert' as const), path, value: fc.nat(9) }),
      fc.record({ kind: fc.constant('update' as const), path, value: fc.nat(9) }),
      fc.record({ kind: fc.constant('remove' as const), path }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const trie = new PathTrie<number>();
        const model = new Map<string, number>();
        for (const o of ops) {
          const key = o.path.join('/');
          if (o.kind === 'insert') {
            const result = trie.insert(o.path, o.value);
            const existing = model.get(key);
            if (existing === undefined) {
              assert.deepEqual(result, { kind: 'inserted' });
              model.set(key, o.value);
            } else {
              assert.deepEqual(result, { kind: 'duplicate', existing });
            }
          } else if (o.kind === 'update') {
            trie.update(o.path, o.value);
            model.set(key, o.value);
          } else {
            assert.equal(trie.remove(o.path), model.get(key));
            model.delete(key);
          }
        }
        assert.equal(trie.size, model.size);
        const fromTrie = new Map([...trie.entries()].map(([segments, value]) => [segments.join('/'), value]));
        assert.deepEqual(fromTrie, model);
        for (const prefix of ['a', 'b', 'c']) {
          const expected = [...model].filter(([key]) => key === prefix || key.startsWith(`${prefix}/`));
          assert.equal(trie.subtree([prefix]).length, expected.length);
        }
      }),
    );
  });
});

describe('Routing policies', () => {
  const members = ['m0', 'm1', 'm2'] as const;

  it('broadcast delivers to every member', () => {
    const policy = new BroadcastRouting();
    assert.equal(policy.mode, 'broadcast');
    assert.deepEqual(policy.route(members, sender('s')), ['m0', 'm1', 'm2']);
  });

  it('round-robin sends messages 1..4 of a 3-member group to members 0, 1, 2, 0 (case 55)', () => {
    const policy = new RoundRobinRouting();
    assert.equal(policy.mode, 'select');
    const counts = [0, 0, 0];
    const chosen: string[] = [];
    for (let message = 1; message <= 4; message++) {
      const [member] = policy.route(members, sender('s'));
      assert.ok(member !== undefined);
      chosen.push(member);
      counts[members.indexOf(member)]! += 1;
    }
    assert.deepEqual(chosen, ['m0', 'm1', 'm2', 'm0']);
    assert.deepEqual(counts, [2, 1, 1]);
  });

  it('sender-hash sends every message from the same sender to the same member (case 56)', () => {
    const policy = new SenderHashRouting();
    assert.equal(policy.mode, 'select');
    const counts = [0, 0, 0];
    for (let message = 0; message < 3; message++) {
      const [member] = policy.route(members, sender('the-sender'));
      assert.ok(member !== undefined);
      counts[members.indexOf(member)]! += 1;
    }
    assert.deepEqual([...counts].sort(), [0, 0, 3]);
  });

  it('sender-hash spreads different senders over the members and is stable across instances', () => {
    const a = new SenderHashRouting();
    const b = new SenderHashRouting();
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const [fromA] = a.route(members, sender(`sender-${i}`));
      const [fromB] = b.route(members, sender(`sender-${i}`));
      assert.equal(fromA, fromB);
      seen.add(fromA as string);
    }
    assert.equal(seen.size, 3);
  });

  it('hashes with 32-bit FNV-1a, so every process picks the same member', () => {
    assert.equal(stableHash(''), 0x811c9dc5);
    assert.equal(stableHash('a'), 0xe40c292c);
    assert.equal(stableHash('foobar'), 0xbf9cf968);
  });

  it('returns no member for an empty group and never throws', () => {
    const policies: RoutingPolicy[] = [
      new BroadcastRouting(),
      new RoundRobinRouting(),
      new SenderHashRouting(),
    ];
    for (const policy of policies) {
      assert.deepEqual(policy.route([], sender('s')), [], policy.kind);
    }
  });

  it('round-robin keeps rotating when the group shrinks or grows', () => {
    const policy = new RoundRobinRouting();
    assert.deepEqual(policy.route(['a', 'b', 'c'], sender('s')), ['a']);
    assert.deepEqual(policy.route([], sender('s')), []);
    assert.deepEqual(policy.route(['a', 'b'], sender('s')), ['b']);
    assert.deepEqual(policy.route(['a', 'b'], sender('s')), ['a']);
  });

  it('routes the members of a trie subtree', () => {
    const trie = new PathTrie<string>();
    trie.insert(['tests', 'group', 'one'], 'one');
    trie.insert(['tests', 'group', 'two'], 'two');
    const group = trie.subtree(['tests', 'group']);
    assert.deepEqual(new BroadcastRouting().route(group, sender('s')), ['one', 'two']);
    assert.deepEqual(new RoundRobinRouting().route(trie.subtree(['tests', 'none']), sender('s')), []);
  });
});
