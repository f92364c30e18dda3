import type { ComponentCore } from '../component/component-core.js';
import type { HandlerReturn } from '../component/handled.js';
import type { Clock, ClockTimer } from './clock.js';
import { ScheduledTimer } from './scheduled-timer.js';

/** The longest delay a host timer takes; later deadlines are reached by re-arming. */
const MAX_HOST_DELAY_MS = 2 ** 31 - 1;

/**
 * One system's timers: a bucket per millisecond of deadline, a min-heap of bucket times, and exactly
 * one host timer armed for the earliest bucket. Schedule is O(1) for a deadline that already has a
 * bucket, O(log buckets) otherwise; cancel is O(1) (the entry is marked and skipped when its bucket
 * comes due). An expiry does not call user code: it queues the timer on its component, so timer
 * handlers run in the component's turn like any other handler. With nothing pending no host timer is
 * armed, so an idle system never holds the process open.
 */
export class TimerFacility {
  private readonly clock: Clock;
  private readonly buckets = new Map<number, ScheduledTimer[]>();
  private readonly heap: number[] = [];
  private live = 0;
  private hostTimer: ClockTimer | undefined;
  private armedFor = Number.POSITIVE_INFINITY;
  private readonly onHostTimer = (): void => this.fire();
  private cachedNow = 0;
  private isNowCached = false;
  private cacheUses = 0;
  private readonly forgetNow = (): void => {
    this.isNowCached = false;
  };

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** How many timers are waiting for their deadline. */
  get pendingCount(): number {
    return this.live;
  }

  /** Schedules a timer for `core`; `periodMs` 0 means once. Arguments are validated by the caller. */
  schedule(
    core: ComponentCore,
    delayMs: number,
    periodMs: number,
    handler: (timer: ScheduledTimer) => HandlerReturn,
  ): ScheduledTimer {
    const timer = new ScheduledTimer(core, Math.ceil(this.now() + delayMs), periodMs, handler);
    this.insert(timer);
    this.arm();
    return timer;
  }

  /** Cancels a pending timer; a no-op for one already cancelled or fired. */
  cancel(timer: ScheduledTimer): void {
    if (timer.state !== 'pending') return;
    timer.setState('cancelled');
    if (timer.inWheel) {
      timer.inWheel = false;
      this.live--;
      if (this.live === 0) this.reset();
    }
  }

  /** Cancels everything and disarms the host timer (system shutdown). */
  close(): void {
    for (const bucket of this.buckets.values()) {
      for (const timer of bucket) if (timer.state === 'pending') timer.setState('cancelled');
    }
    this.live = 0;
    this.reset();
  }

  /**
   * The clock's time, read at most once per 256 schedules within one synchronous run (a host clock
   * read costs about 100 ns). Like Node's own timers, which measure from the event loop's cached
   * time, a delay counts from at most a few hundred schedules before the call.
   */
  private now(): number {
    if (!this.isNowCached) {
      this.isNowCached = true;
      this.cacheUses = 0;
      this.cachedNow = this.clock.now();
      queueMicrotask(this.forgetNow);
    } else if (++this.cacheUses === 256) {
      this.cacheUses = 0;
      this.cachedNow = this.clock.now();
    }
    return this.cachedNow;
  }

  private insert(timer: ScheduledTimer): void {
    const deadline = timer.deadline;
    const bucket = this.buckets.get(deadline);
    if (bucket === undefined) {
      this.buckets.set(deadline, [timer]);
      heapPush(this.heap, deadline);
    } else {
      bucket.push(timer);
    }
    timer.inWheel = true;
    this.live++;
  }

  private arm(): void {
    const next = this.heap[0];
    if (next === undefined || next >= this.armedFor) return;
    if (this.hostTimer !== undefined) this.clock.clearTimer(this.hostTimer);
    const delay = Math.min(MAX_HOST_DELAY_MS, Math.max(0, next - this.clock.now()));
    this.armedFor = next;
    this.hostTimer = this.clock.setTimer(this.onHostTimer, delay);
  }

  private reset(): void {
    if (this.hostTimer !== undefined) this.clock.clearTimer(this.hostTimer);
    this.hostTimer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    this.buckets.clear();
    this.heap.length = 0;
  }

  private fire(): void {
    this.hostTimer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    const heap = this.heap;
    while (heap.length > 0 && (heap[0] as number) <= now) {
      const due = heapPop(heap);
      const bucket = this.buckets.get(due);
      this.buckets.delete(due);
      if (bucket === undefined) continue;
      for (const timer of bucket) {
        if (!timer.inWheel) continue;
        timer.inWheel = false;
        this.live--;
        timer.core.enqueueTimer(timer);
        if (timer.periodMs > 0 && timer.state === 'pending') {
          timer.deadline += timer.periodMs;
          this.insert(timer);
        }
      }
    }
    if (this.live === 0) this.reset();
    else this.arm();
  }
}

function heapPush(heap: number[], value: number): void {
  let index = heap.length;
  heap.push(value);
  while (index > 0) {
    const parent = (index - 1) >> 1;
    const above = heap[parent] as number;
    if (above <= value) break;
    heap[index] = above;
    index = parent;
  }
  heap[index] = value;
}

function heapPop(heap: number[]): number {
  const top = heap[0] as number;
  const last = heap.pop() as number;
  const size = heap.length;
  if (size > 0) {
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && (heap[right] as number) < (heap[left] as number) ? right : left;
      if ((heap[child] as number) >= last) break;
      heap[index] = heap[child] as number;
      index = child;
    }
    heap[index] = last;
  }
  return top;
}
