import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main as counter } from '../examples/counter.js';
import { main as helloWorldActor } from '../examples/hello-world-actor.js';
import { main as helloWorld } from '../examples/hello-world.js';
import { captureLogs } from '../src/testing/index.js';

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

  it('counter counts every ask and its start event, and logs its kill at shutdown', async () => {
    const { logger, lines } = captureLogs('info');
    const final = await counter(logger, 100);
    assert.deepEqual(final, { messages: 101, events: 1 });
    const messages = lines.map((line) => line.msg);
    assert.ok(messages.includes('Got a start event!'));
    assert.ok(messages.includes('The final count is: {"messages":101,"events":1}'));
    assert.equal(messages.at(-1), 'Got a kill event!');
  });
});
