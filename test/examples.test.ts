import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main as buncherAdaptive } from '../examples/buncher-adaptive.js';
import { main as buncherRegular } from '../examples/buncher-regular.js';
import { main as configuration } from '../examples/configuration.js';
import { main as counter } from '../examples/counter.js';
import { main as durableCounter } from '../examples/durable-counter.js';
import { fibonacci } from '../examples/fibonacci-worker.js';
import { main as helloWorld } from '../examples/hello-world.js';
import { main as helloWorldActor } from '../examples/hello-world-actor.js';
import { main as leaderElection } from '../examples/leader-election.js';
import { main as offLoop } from '../examples/off-loop.js';
import { main as parallelPool } from '../examples/parallel-pool.js';
import { main as pingPongPorts } from '../examples/ping-pong-ports.js';
import { main as quickStart } from '../examples/quick-start.js';
import { main as remoteUnstableCounter } from '../examples/remote-unstable-counter.js';
import { main as unstableCounter } from '../examples/unstable-counter.js';
import { main as workerUnstableCounter } from '../examples/worker-unstable-counter.js';
import type { InspectorSnapshot } from '../src/inspector/index.js';
import { captureLogs, SimulatedClock } from '../src/testing/index.js';
import { ExampleProcess, lastMatch, whenOutput } from './support/processes.js';
import { within } from './support/promises.js';

/** The messages an example process logged: its stdout is piped, so each line is pino's JSON. */
function messagesOf(example: ExampleProcess): string[] {
  return example.lines.map((line) => {
    try {
      return String((JSON.parse(line) as { msg?: unknown }).msg);
    } catch {
      return line;
    }
  });
}

describe('examples', () => {
  it('hello-world greets from its component when started, then terminates', async () => {
    const { logger, lines } = captureLogs('info');
    await helloWorld(logger);
    const hello = lines.find((line) => line.msg === 'Hello World!');
    assert.ok(hello, 'the greeting is logged');
    assert.equal(hello.ctype, 'HelloWorldComponent');
    assert.match(String(hello.cid), /^[0-9a-f-]{36}$/);
  });

  it('hello-world-actor greets when it receives a message, then terminates', async () => {
    const { logger, lines } = captureLogs('info');
    await helloWorldActor(logger);
    assert.ok(lines.some((line) => line.msg === 'Hello World!' && line.ctype === 'HelloWorldActor'));
  });

  it('counter counts every ask, every port request and its start event, and logs its kill at shutdown', async () => {
    const { logger, lines } = captureLogs('info');
    const final = await counter(logger, 100, new SimulatedClock());
    assert.deepEqual(final, { messages: 101, events: 101 });
    const messages = lines.map((line) => line.msg);
    assert.ok(messages.includes('Got a start event!'));
    assert.ok(messages.includes('The final count is: {"messages":101,"events":101}'));
    assert.equal(messages.at(-1), 'Got a kill event!');
  });

  it('ping-pong-ports answers every ping over the port', async () => {
    const { logger } = captureLogs('info');
    assert.equal(await pingPongPorts(logger, 1000), 1000);
  });

  it('buncher-regular batches by size at 1 ping/ms and by its periodic timer at 1 ping/2 ms', async () => {
    const { logger, lines } = captureLogs('info');
    const sizes = await buncherRegular(logger, new SimulatedClock());
    const batched = sizes.reduce((a, b) => a + b, 0);
    assert.ok(
      batched <= 1000 && batched >= 1000 - 76,
      `all pings but the last partial batch arrive, got ${batched}`,
    );
    const full = sizes.filter((size) => size === 100).length;
    assert.ok(full >= 3, `some batches are full (sizes ${sizes.join(', ')})`);
    assert.ok(
      sizes.some((size) => size > 0 && size < 100),
      'some batches are emitted by the timer',
    );
    assert.equal(
      lines.at(-1)?.msg,
      `${batched} of 1000 pings in ${sizes.length} batches: ${full} full, ${sizes.length - full} emitted by the timer`,
    );
  });

  it('buncher-adaptive emits full batches under load and timed batches when traffic is slow', async () => {
    const { logger, lines } = captureLogs('info');
    const { fast, slow } = await buncherAdaptive(logger, new SimulatedClock());
    assert.deepEqual(fast, [100, 100, 100, 100, 100], 'at 1 ping/ms every batch is full');
    assert.ok(slow.length >= 5, `at 1 ping/2 ms batches come by timeout (sizes ${slow.join(', ')})`);
    for (const size of slow)
      assert.ok(size <= 76, `a timed batch holds at most 150/2 + 1 pings, got ${size}`);
    assert.equal(
      lines.at(-1)?.msg,
      `5 batches at 1 ping/ms, all by size; ${slow.length} at 1 ping/2 ms, by the timer`,
    );
  });

  // #region unstable-counter-test
  it('unstable-counter restarts from its last snapshot, not from 0, and crashes sooner the second time', async () => {
    const { logger, lines } = captureLogs('info');
    const { crashes, recoveries } = await unstableCounter(logger, new SimulatedClock(), 5000);
    const recovered = lines.filter((line) => line.msg.startsWith('Recovering UnstableCounter'));
    assert.equal(recovered.length, 5, 'five crashes in 5 s, each recovered');
    const [first, second] = recovered as [(typeof recovered)[0], (typeof recovered)[0]];
    const firstAt = first.atMs as number;
    assert.ok(
      Math.abs(firstAt - 2560) <= 20,
      `first crash after about 2.56 s of virtual time, was ${firstAt}`,
    );
    assert.deepEqual(
      recovered.map((line) => line.count),
      [199, 199, 199, 199, 199],
      'each replacement starts from the snapshot taken at 2 s, not from 0',
    );
    assert.ok((second.atMs as number) - firstAt < firstAt, 'the second crash comes sooner than the first');
    assert.ok(lines.some((line) => line.msg === 'Component panicked with: Error: Count overflowed!'));
    assert.deepEqual([crashes, recoveries], [5, 5]);
    assert.equal(lines.at(-1)?.msg, '5 crashes in 5000 ms, 5 recoveries from the last snapshot');
  });
  // #endregion unstable-counter-test

  it('durable-counter resumes, in a new process, from the count saved before the old one was killed with SIGKILL', async () => {
    const { logger, lines } = captureLogs('info');
    const { savedBeforeKill, resumedFrom } = await within(
      durableCounter(logger),
      60_000,
      'the durable counter demo',
    );
    assert.ok(savedBeforeKill > 0, `the first process saved a count above 0, saved ${savedBeforeKill}`);
    assert.ok(
      resumedFrom >= savedBeforeKill,
      `the second process resumed from ${resumedFrom}, not from before the acknowledged ${savedBeforeKill}`,
    );
    assert.ok(
      lines.some((line) =>
        /^\[second process, pid \d+\] Resuming from the durable snapshot count=/.test(line.msg),
      ),
    );
    assert.equal(lines.at(-1)?.msg, `The restarted process resumed from count=${resumedFrom}, not from 0`);
  });

  it('configuration merges a TOML string and setters, later winning, and components read it', async () => {
    const { logger, lines } = captureLogs('info');
    assert.deepEqual(await configuration(logger), { throughput: 10, maxMessages: 1, greeting: 'Hej' });
    assert.ok(lines.some((line) => line.msg === 'Hej, configuration!'));
  });

  it('quick-start replaces the overflowed counter in place, from its snapshot, behind the same ref', async () => {
    const { logger } = captureLogs('info');
    assert.deepEqual(await quickStart(logger), [200, 'PROMISE_DROPPED', 205]);
  });

  it('off-loop computes Fibonacci numbers on worker threads while the component timer keeps ticking', async () => {
    const { logger, lines } = captureLogs('info');
    const { results, ticks } = await offLoop(logger, 32);
    assert.deepEqual(results, [2_178_309, 1_346_269]);
    assert.ok(ticks >= 1, 'the timer ran while both tasks were off the loop');
    assert.ok(lines.some((line) => line.msg.startsWith('fib(32) = 2178309 and fib(31) = 1346269 in ')));
  });

  it('leader-election: three nodes check in with the bootstrap server and all trust the lowest path', async () => {
    const { logger, lines } = captureLogs('info');
    const { leader, nodes, deadLetters } = await leaderElection(logger, 3);
    assert.equal(nodes.length, 3);
    assert.equal(deadLetters, 0, 'every sender retired before the systems shut down');
    assert.ok(
      !lines.some((line) => line.msg.startsWith('Dead letter')),
      'no dead-letter warning that looks like a failure',
    );
    assert.equal(
      lines.at(-1)?.msg,
      `Leader elected: all 3 nodes trust ${leader}, the lowest path; 0 dead letters`,
      'it ends with a one-line summary',
    );
    assert.equal(leader, nodes[0], 'the lowest path wins');
    for (const node of nodes) {
      assert.ok(
        lines.some((line) => line.system === 'bootstrap' && line.msg.startsWith(`Node ${node} checked in`)),
        `${node} checked in`,
      );
    }
    for (const label of ['node-1', 'node-2', 'node-3']) {
      assert.ok(
        lines.some((line) => line.system === label && line.leader === leader),
        `${label} logged that it trusts ${leader}`,
      );
    }
  });

  it('remote-unstable-counter answers at the same named path across crashes, from the last snapshot', async () => {
    const { logger, lines } = captureLogs('info');
    const answers = await remoteUnstableCounter(logger, 3);
    const recovered = answers.filter((answer) => answer.incarnation > 0);
    assert.ok(
      answers.some((answer) => answer.incarnation === 0),
      'the first counter answered',
    );
    assert.equal(recovered.length, 3, 'recovered counters answered the same path');
    for (const [i, answer] of answers.entries()) {
      const before = answers[i - 1];
      if (before === undefined) continue;
      assert.ok(answer.incarnation >= before.incarnation, 'answers arrive in order');
      if (answer.incarnation === before.incarnation) assert.ok(answer.count >= before.count);
    }
    assert.ok(lines.some((line) => line.msg === 'Component panicked with: Error: Count overflowed!'));
    const first = recovered[0] as (typeof recovered)[0];
    const recovery = lines.find(
      (line) =>
        line.msg.startsWith('Recovering the counter service') && line.incarnation === first.incarnation,
    );
    const snapshot = recovery?.count as number;
    assert.ok(snapshot > 0 && snapshot <= 255, `recovered from a snapshot in (0, 255], got ${snapshot}`);
    assert.ok(first.count >= snapshot, 'the recovered counter counts on from the snapshot, not from 0');
    const incarnations = new Set(answers.map(({ incarnation }) => incarnation)).size;
    assert.equal(
      lines.at(-1)?.msg,
      `${answers.length} answers at one named path from ${incarnations} incarnations of the counter`,
    );
  });

  it('leader-election as separate processes: a bootstrap and three nodes agree on one leader and exit cleanly', {
    timeout: 90_000,
  }, async () => {
    const processes: ExampleProcess[] = [];
    try {
      const bootstrap = new ExampleProcess('bootstrap', 'leader-election.js', ['bootstrap', '127.0.0.1:0']);
      processes.push(bootstrap);
      const address = await whenOutput(
        [bootstrap],
        () => lastMatch(messagesOf(bootstrap), /Bootstrap server at tcp:\/\/(\S+)\/bootstrap/),
        30_000,
      );
      const nodes = [1, 2, 3].map(
        (i) => new ExampleProcess(`node-${i}`, 'leader-election.js', ['node', address]),
      );
      processes.push(...nodes);
      const leader = await whenOutput(
        processes,
        () => {
          const selves = nodes.map((node) => lastMatch(messagesOf(node), / as (tcp:\/\/\S+#[0-9a-f-]{36})/));
          const leaders = nodes.map((node) => lastMatch(messagesOf(node), /Leader is now (tcp:\/\/\S+)/));
          const lowest = [...selves].sort()[0];
          const agreed = !selves.includes(undefined) && leaders.every((leader) => leader === lowest);
          return agreed ? lowest : undefined;
        },
        30_000,
      );
      assert.match(leader, /^tcp:\/\/127\.0\.0\.1:\d+#/);
      const exits = await Promise.all(processes.map((example) => example.stop()));
      assert.deepEqual(
        exits,
        processes.map(() => ({ code: 0, signal: null })),
        'every process shut its system down and exited by itself',
      );
      for (const example of processes) {
        assert.ok(messagesOf(example).includes('Got SIGTERM, shutting down'), example.output());
      }
    } finally {
      for (const example of processes) example.kill();
    }
  });

  it('inspector serves its page with the token it prints, showing the unstable counter and the port graph, until stopped', async () => {
    // --for-ms: it ends by itself even if this test cannot stop it.
    const example = new ExampleProcess('inspector', 'inspector.js', ['--for-ms', '60000']);
    try {
      const url = await whenOutput(
        [example],
        () => lastMatch(example.lines, /^The inspector is at (\S+)$/),
        30_000,
      );
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{16,}\/$/);
      const page = await within(fetch(url), 10_000, 'the page');
      assert.equal(page.status, 200);
      assert.match(await page.text(), /kompact-ts inspector/);
      const refused = await within(fetch(new URL(url).origin), 10_000, 'the page without its token');
      assert.equal(refused.status, 401);
      await refused.text();
      const snapshot = (await (
        await within(fetch(`${url}api/snapshot`), 10_000, 'a snapshot')
      ).json()) as InspectorSnapshot;
      const types = snapshot.components.map((row) => row.type).sort();
      assert.deepEqual(types, [
        'Dashboard',
        'Dashboard',
        'Sensor',
        'Summer',
        'ThreadKiller',
        'UnstableCounter',
      ]);
      assert.deepEqual(
        snapshot.workers.map((worker) => [worker.name, worker.state]),
        [['counter', 'up']],
      );
      assert.equal(snapshot.ports.edges.length, 3);
      const exit = await example.stop();
      assert.deepEqual(exit, { code: 0, signal: null }, example.output());
      assert.ok(example.lines.includes('The inspector stopped.'), example.output());
    } finally {
      example.kill();
    }
  });

  it('parallel-pool computes every Fibonacci number on a pool of worker threads', async () => {
    const { logger, lines } = captureLogs('info');
    const answers = await parallelPool(logger, [20, 21, 22, 23], 2);
    assert.deepEqual(
      [...answers.entries()].sort(([a], [b]) => a - b),
      [20, 21, 22, 23].map((n) => [n, fibonacci(n)]),
    );
    assert.ok(lines.some((line) => /4 Fibonacci numbers on 2 worker threads/.test(line.msg)));
  });

  it('worker-unstable-counter keeps answering at the same path after its thread is killed and restarted', async () => {
    const { logger, lines } = captureLogs('info');
    const run = await workerUnstableCounter(logger, 3, 3);
    assert.equal(run.before.length, 3);
    assert.equal(run.after.length, 3);
    assert.equal(new Set(run.threads).size, 2, 'a new thread after the kill');
    assert.ok(lines.some((line) => line.worker === 'counter' && /faulted/.test(line.msg)));
  });
});
