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
  | { readonly kind: 'schedule'; readonly delayMs: number; readonly owner: number }
  | { readonly kind: 'release'; readonly owner: number }
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
  {
    weight: 5,
    arbitrary: fc
      .tuple(delayArb, fc.integer({ min: 0, max: 1 }))
      .map(([delayMs, owner]) => ({ kind: 'schedule', delayMs, owner }) as const),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 1 }).map((owner) => ({ kind: 'release', owner }) as const),
  },
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
          // Two owners standing in for components: an expiry "runs" at once (the facility frees the id).
          const owners = [0, 1].map(
            () =>
              ({
                timerHead: -1,
                enqueueTimer(timer: ScheduledTimer) {
                  fired.push({ timer, at: clock.now() });
                  facility.fired(timer);
                },
              }) as unknown as ComponentCore,
          );
          const deadlines = new Map<ScheduledTimer, number>();
          const order = new Map<ScheduledTimer, number>();
          const all: ScheduledTimer[] = [];
          for (const op of ops) {
            if (op.kind === 'schedule') {
              const timer = facility.schedule(owners[op.owner] as ComponentCore, op.delayMs, 0, () => {});
              deadlines.set(timer, Math.ceil(clock.now() + op.delayMs));
              order.set(timer, order.size);
              all.push(timer);
            } else if (op.kind === 'cancel') {
              const timer = all[op.pick % Math.max(1, all.length)];
              if (timer !== undefined) facility.cancel(timer);
            } else if (op.kind === 'release') {
              const owner = owners[op.owner] as ComponentCore;
              facility.cancelAllOf(owner);
              assert.equal(owner.timerHead, -1);
              for (const timer of all) if (timer.core === owner) assert.notEqual(timer.state, 'pending');
            } else {
              fired.length = 0;
              clock.advance(op.ms);
              // The facility caches the clock within one synchronous run; time passing means a new one.
              (facility as unknown as { isNowCached: boolean }).isNowCached = false;
              for (const [i, { timer, at }] of fired.entries()) {
                const deadline = deadlines.get(timer) as number;
                assert.ok(at >= deadline && at < deadline + 1, `fired at ${at}, due ${deadline}`);
                const previous = fired[i - 1]?.timer;
                if (previous !== undefined) {
                  const previousDeadline = deadlines.get(previous) as number;
                  const inOrder =
                    previousDeadline < deadline ||
                    (previousDeadline === deadline && (order.get(previous) ?? 0) < (order.get(timer) ?? 0));
                  assert.ok(inOrder, 'fired in deadline, then schedule, order');
                }
              }
            }
            const pendingTimers = all.filter((timer) => timer.state === 'pending');
            const pending = pendingTimers.length;
            assert.equal(facility.pendingCount, pending);
            const ids = new Set(pendingTimers.map((timer) => timer.id));
            assert.equal(ids.size, pending, 'pending timers have distinct ids');
            for (const id of ids) assert.ok(id >= 0 && id < facility.tableCapacity);
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

  it('halves its table once it has been mostly idle for a second, and the moved timers still fire', () => {
    const clock = new ManualClock(0);
    const facility = new TimerFacility(clock);
    const fired: ScheduledTimer[] = [];
    const owner = {
      timerHead: -1,
      enqueueTimer(timer: ScheduledTimer) {
        fired.push(timer);
        facility.fired(timer);
      },
    } as unknown as ComponentCore;
    const freshTime = (): void => {
      (facility as unknown as { isNowCached: boolean }).isNowCached = false;
    };
    const timers = Array.from({ length: 1000 }, (_, i) => facility.schedule(owner, 100_000 + i, 0, () => {}));
    assert.equal(facility.tableCapacity, 1024);
    // Keep every 100th timer, the last ones (high ids) among them; cancel the rest.
    const kept = timers.filter((_, i) => i % 100 === 99);
    for (const [i, timer] of timers.entries()) if (i % 100 !== 99) facility.cancel(timer);
    assert.equal(facility.tableCapacity, 1024, 'no shrink before the table has been idle a while');
    const capacities: number[] = [];
    for (let second = 0; second < 8; second++) {
      clock.advance(1000);
      freshTime();
      // Any release lets the table consider shrinking.
      facility.cancel(facility.schedule(owner, 1, 0, () => {}));
      capacities.push(facility.tableCapacity);
    }
    // Ten timers stay pending: 32 ids is the least that keeps them under a quarter of the table.
    assert.deepEqual(capacities, [512, 256, 128, 64, 32, 32, 32, 32]);
    assert.equal(facility.pendingCount, kept.length);
    assert.ok(kept.every((timer) => timer.id < 32));
    clock.advance(200_000);
    assert.deepEqual(fired, kept, 'the kept timers fire in deadline order after moving');
    assert.equal(owner.timerHead, -1);
    facility.close();
  });

  it('runs a periodic timer whose host timer fired late once for the missed periods, keeping its phase', () => {
    // A host clock whose timers fire late, as when the event loop was blocked: `jump` moves time on,
    // then runs what fell due, with the clock already at the new time.
    let time = 0;
    let armed: (() => void) | undefined;
    const lateClock: Clock = {
      now: () => time,
      setTimer(callback) {
        armed = callback;
        return callback as unknown as ClockTimer;
      },
      clearTimer(timer) {
        if (armed === (timer as unknown)) armed = undefined;
      },
    };
    const jump = (ms: number): void => {
      time += ms;
      (facility as unknown as { isNowCached: boolean }).isNowCached = false;
      const callback = armed;
      armed = undefined;
      callback?.();
    };
    const facility = new TimerFacility(lateClock);
    const firedAt: number[] = [];
    const owner = {
      timerHead: -1,
      enqueueTimer() {
        firedAt.push(time);
      },
    } as unknown as ComponentCore;
    facility.schedule(owner, 10, 3, () => {});
    jump(10);
    assert.deepEqual(firedAt, [10]);
    jump(10_000); // 3333 periods late
    assert.deepEqual(firedAt, [10, 10_010], 'one expiry for all the missed periods');
    jump(1); // 10_011: before the next deadline of the original phase, 10_012
    assert.deepEqual(firedAt, [10, 10_010]);
    jump(1);
    assert.deepEqual(firedAt, [10, 10_010, 10_012]);
    facility.close();
  });

  it('gives a component all its timers back at once with cancelAllOf, and leaves others alone', () => {
    const clock = new ManualClock(0);
    const facility = new TimerFacility(clock);
    const fired: ScheduledTimer[] = [];
    const makeOwner = (): ComponentCore =>
      ({
        timerHead: -1,
        enqueueTimer(timer: ScheduledTimer) {
          fired.push(timer);
          facility.fired(timer);
        },
      }) as unknown as ComponentCore;
    const a = makeOwner();
    const b = makeOwner();
    const ofA = Array.from({ length: 50 }, (_, i) => facility.schedule(a, 10 + i, 0, () => {}));
    const ofB = Array.from({ length: 50 }, (_, i) =>
      facility.schedule(b, 10 + i, i % 2 === 0 ? 0 : 5, () => {}),
    );
    facility.cancelAllOf(b);
    assert.ok(ofB.every((timer) => timer.state === 'cancelled'));
    assert.equal(b.timerHead, -1);
    assert.equal(facility.pendingCount, 50);
    clock.advance(100);
    assert.deepEqual(fired, ofA);
    assert.equal(clock.armedCount, 0);
    facility.close();
  });
});
