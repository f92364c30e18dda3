import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlushScheduler, type FlushTiming } from '../src/net/flush-scheduler.js';
import { DEADLINE_MS, within } from './support/promises.js';

/** A flush target that records its name in `log` each time it is flushed. */
function target(name: string, log: string[]): { flush(): void } {
  return { flush: () => log.push(name) };
}

/** A target named `again` that requests another flush from inside its first one. */
function requestingAgainOnce(scheduler: FlushScheduler, log: string[]): { flush(): void } {
  let flushes = 0;
  const again = {
    flush: () => {
      log.push(`again ${++flushes}`);
      if (flushes === 1) scheduler.request(again);
    },
  };
  return again;
}

/** Resolves after the check phase of this event-loop iteration (every microtask ran before it). */
function checkPhase(): Promise<void> {
  return within(new Promise<void>((resolve) => setImmediate(resolve)), DEADLINE_MS, 'the check phase');
}

describe('FlushScheduler', () => {
  for (const timing of ['after-drain', 'check-phase'] as const satisfies readonly FlushTiming[]) {
    it(`flushes each requested target once, in the order of their first request (${timing})`, async () => {
      const log: string[] = [];
      const [a, b, c] = [target('a', log), target('b', log), target('c', log)];
      const scheduler = new FlushScheduler(timing);
      for (const requested of [a, b, a, c, b, a, c]) scheduler.request(requested);
      await checkPhase();
      assert.deepEqual(log, ['a', 'b', 'c']);
      // A new round starts empty: the same targets are flushed again, once each.
      scheduler.request(c);
      scheduler.request(a);
      scheduler.request(c);
      await checkPhase();
      assert.deepEqual(log, ['a', 'b', 'c', 'c', 'a']);
    });
  }

  it('flushes after the code running now, before the check phase, with after-drain', async () => {
    const log: string[] = [];
    const scheduler = new FlushScheduler('after-drain');
    scheduler.request(target('a', log));
    assert.deepEqual(log, []);
    await Promise.resolve();
    assert.deepEqual(log, ['a']);
  });

  it('holds requests until the last release, then flushes each target once, at once', async () => {
    const log: string[] = [];
    const [a, b] = [target('a', log), target('b', log)];
    const scheduler = new FlushScheduler('after-drain');
    scheduler.hold();
    scheduler.hold();
    scheduler.request(a);
    scheduler.request(b);
    scheduler.request(a);
    await Promise.resolve();
    assert.deepEqual(log, [], 'no microtask flushed while held');
    scheduler.release();
    assert.deepEqual(log, [], 'an inner release flushes nothing');
    scheduler.release();
    assert.deepEqual(log, ['a', 'b'], 'the last release flushed');
    await checkPhase();
    assert.deepEqual(log, ['a', 'b'], 'nothing flushed twice');
  });

  it('flushes a target that requests again while a release flushes it in the next turn', async () => {
    const log: string[] = [];
    const scheduler = new FlushScheduler('after-drain');
    const again = requestingAgainOnce(scheduler, log);
    scheduler.hold();
    scheduler.request(again);
    scheduler.release();
    assert.deepEqual(log, ['again 1']);
    await checkPhase();
    assert.deepEqual(log, ['again 1', 'again 2']);
  });

  it('flushes a target that requests again while it is flushed in the next turn', async () => {
    const log: string[] = [];
    const scheduler = new FlushScheduler('after-drain');
    const again = requestingAgainOnce(scheduler, log);
    scheduler.request(again);
    scheduler.request(target('b', log));
    await Promise.resolve();
    assert.deepEqual(log, ['again 1', 'b']);
    await checkPhase();
    assert.deepEqual(log, ['again 1', 'b', 'again 2']);
  });

  it('flushes nothing after dispose', async () => {
    const log: string[] = [];
    const scheduler = new FlushScheduler('check-phase');
    scheduler.request(target('a', log));
    scheduler.request(target('b', log));
    scheduler.dispose();
    await checkPhase();
    assert.deepEqual(log, []);
  });
});
