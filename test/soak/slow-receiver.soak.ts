// Soak: a sender that never pauses and a receiver that handles slowly, for 15 s (SOAK_SECONDS to
// change), both on loopback in this process. With backpressure the receiver's mailbox stays within its
// receive backlog, the sender's extra sends are refused (`backpressure`), and the heap stops growing;
// without it the mailbox grew by every acknowledged message. Prints its figures as test diagnostics.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import {
  ActorPath,
  ComponentDefinition,
  Handled,
  type HandlerReturn,
  type KompactSystem,
  type NetMessage,
} from '../../src/index.js';
import { testConfig } from '../../src/testing/index.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 15);

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapMb(): number {
  gc();
  gc();
  return v8.getHeapStatistics().used_heap_size / 2 ** 20;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Handles every message, but waits a millisecond after every 50th: at most some 40,000 a second. */
class SlowReceiver extends ComponentDefinition {
  handled = 0;

  override receiveNetwork(_msg: NetMessage): HandlerReturn {
    if (++this.handled % 50 === 0) return Handled.blockOn(() => sleep(1));
  }
}

describe('slow receiver soak', () => {
  it(`keeps the receiver's heap bounded under a sender that never pauses (${SECONDS} s)`, {
    timeout: (SECONDS + 60) * 1000,
  }, async (t) => {
    const receiver = await testConfig().network().build();
    const sender = await testConfig().network().build();
    try {
      let slow: SlowReceiver | undefined;
      const component = receiver.create(() => {
        slow = new SlowReceiver();
        return slow;
      });
      await receiver.startNotify(component);
      await receiver.registerByAlias(component, 'slow');
      const path = ActorPath.parse(`${receiver.systemPath().toString()}/slow`);
      const senderLetters = countLetters(sender);
      const receiverLetters = countLetters(receiver);
      const payload = 'x'.repeat(100);
      path.tell(payload, sender);
      const before = heapMb();
      let sent = 0;
      let peakMb = before;
      const end = performance.now() + SECONDS * 1000;
      let nextSample = performance.now() + 1000;
      while (performance.now() < end) {
        for (let i = 0; i < 500; i++) path.tell(payload, sender);
        sent += 500;
        await new Promise((resolve) => setImmediate(resolve));
        if (performance.now() >= nextSample) {
          nextSample += 1000;
          peakMb = Math.max(peakMb, v8.getHeapStatistics().used_heap_size / 2 ** 20);
        }
      }
      const after = heapMb();
      const handled = (slow as SlowReceiver).handled;
      await receiver.shutdown();
      await sleep(100);
      const figures = {
        seconds: SECONDS,
        sent,
        handled,
        refusedAtSender: senderLetters.get('refused/backpressure'),
        lostAtSender: senderLetters.get('lost/unacknowledged'),
        deadLettersAtReceiver: receiverLetters.total(),
        heapBeforeMb: Math.round(before),
        heapAfterMb: Math.round(after),
        heapPeakMb: Math.round(peakMb),
      };
      t.diagnostic(JSON.stringify(figures));
      assert.ok(figures.refusedAtSender > 0, 'the sender felt the slow receiver');
      // The default backlog (65536 messages) plus the sender's 16 MiB of unacknowledged frames.
      assert.ok(after - before < 150, `heap grew by ${Math.round(after - before)} MB`);
    } finally {
      await Promise.all([receiver.shutdown(), sender.shutdown()]);
    }
  });
});

function countLetters(system: KompactSystem): { get(key: string): number; total(): number } {
  const counts = new Map<string, number>();
  let total = 0;
  system.deadLetters.subscribe((letter) => {
    total++;
    const key = `${letter.reason}/${letter.detail ?? ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  return { get: (key) => counts.get(key) ?? 0, total: () => total };
}
