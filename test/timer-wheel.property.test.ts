// The timer wheel against a model, on random sequences of schedules, cancels and clock advances:
// every timer that is not cancelled fires once, at its deadline, in (deadline, schedule order); a
// cancelled one never fires; one host timer is armed exactly while timers are pending.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ComponentCore } from '../src/component/component-core.js';
import type { Clock, ClockTimer } from '../src/timer/clock.js';
import type { ScheduledTimer } from '../src/timer/scheduled-timer.js';
import { TimerFacility } from '../src/timer/timer-facility.js';

/** A host clock that only moves when told, running its timers in due order. */
class ManualClock implements Clock {
  private readonly armed: { due: number; seq: number; callback: () => void }[] = [];
  private seq = 0;

  constructor(private time: number) {}

  get armedCount(): number {
    return this.armed.length;
  }

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, delayMs: number): ClockTimer {
    const timer = { due: this.time + Math.max(0, delayMs), seq: this.seq++, callback };
    this.armed.push(timer);
    this.armed.sort((a, b) => a.due - b.due || a.seq - b.seq);
    return timer as unknown as ClockTimer;
  }

  clearTimer(timer: ClockTimer): void {
    const index = this.armed.indexOf(timer as never);
    if (index !== -1) this.armed.splice(index, 1);
  }

  advance(ms: number): void {
    const target = this.time + ms;
    for (let next = this.armed[0]; next !== undefined && next.due <= target; next = this.armed[0]) {
      this.armed.shift();
      this.time = Math.max(this.time, next.due);
      next.callback();
    }
    this.time = target;
  }
}

type Op =
  | { readonly kind: 'schedule'; readonly delayMs: number }
  | { readonly kind: 'cancel'; readonly pick: number }
  | { readonly kind: 'advance'; readonly ms: number };

const delayArb = fc.oneof(
  fc.integer({ min: 0, max: 70 }),
  fc.integer({ min: 0, max: 5000 }),
  fc.double({ min: 0, max: 300, noNaN: true }),
  fc.integer({ min: 0, max: 2 ** 26 }),
  fc.integer({ min: 0, max: 2 ** 32 }), // beyond the wheel's 2^30 ms: the overflow list
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: delayArb.map((delayMs) => ({ kind: 'schedule', delayMs }) as const) },
  { weight: 2, arbitrary: fc.nat().map((pick) => ({ kind: 'cancel', pick }) as const) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.integer({ min: 0, max: 10 }),
        fc.double({ min: 0, max: 300, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 31 }),
      )
      .map((ms) => ({ kind: 'advance', ms }) as const),
  },
);

describe('TimerFacility (timing wheel)', () => {
  it('fires every uncancelled timer once, at its deadline, in deadline then schedule order', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 0.5, 1e6 + 0.25, 2 ** 30 - 5, 2 ** 33 + 7),
        fc.array(opArb, { maxLength: 300 }),
        (start, ops) => {
          const clock = new ManualClock(start);
          const facility = new TimerFacility(clock);
          const fired: { timer: ScheduledTimer; at: number }[] = [];
          const core = {
            enqueueTimer(timer: ScheduledTimer) {
              fired.push({ timer, at: clock.now() });
              (timer as { state: string }).state = 'fired';
            },
          } as unknown as ComponentCore;
          const order = new Map<ScheduledTimer, number>();
          const all: ScheduledTimer[] = [];
          for (const op of ops) {
            if (op.kind === 'schedule') {
              const timer = facility.schedule(core, op.delayMs, 0, () => {});
              order.set(timer, order.size);
              all.push(timer);
            } else if (op.kind === 'cancel') {
              const timer = all[op.pick % Math.max(1, all.length)];
              if (timer !== undefined) facility.cancel(timer);
            } else {
              fired.length = 0;
              clock.advance(op.ms);
              // The facility caches the clock within one synchronous run; time passing means a new one.
              (facility as unknown as { isNowCached: boolean }).isNowCached = false;
              for (const [i, { timer, at }] of fired.entries()) {
                assert.ok(
                  at >= timer.deadline && at < timer.deadline + 1,
                  `fired at ${at}, due ${timer.deadline}`,
                );
                const previous = fired[i - 1]?.timer;
                if (previous !== undefined) {
                  const inOrder =
                    previous.deadline < timer.deadline ||
                    (previous.deadline === timer.deadline &&
                      (order.get(previous) ?? 0) < (order.get(timer) ?? 0));
                  assert.ok(inOrder, 'fired in deadline, then schedule, order');
                }
              }
            }
            const pending = all.filter((timer) => timer.state === 'pending').length;
            assert.equal(facility.pendingCount, pending);
            assert.equal(
              clock.armedCount,
              pending > 0 ? 1 : 0,
              'one host timer exactly while timers are pending',
            );
          }
          // Run everything out: every pending timer fires; none fires twice; cancelled ones never.
          const pending = all.filter((timer) => timer.state === 'pending');
          fired.length = 0;
          clock.advance(2 ** 34);
          assert.deepEqual(new Set(fired.map(({ timer }) => timer)), new Set(pending));
          assert.equal(fired.length, pending.length);
          assert.ok(all.every((timer) => timer.state !== 'pending'));
          assert.equal(clock.armedCount, 0);
          facility.close();
        },
      ),
      { numRuns: 200 },
    );
  });
});
