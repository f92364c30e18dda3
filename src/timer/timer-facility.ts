import type { ComponentCore } from '../component/component-core.js';
import type { HandlerReturn } from '../component/handled.js';
import type { Clock, ClockTimer } from './clock.js';
import { createScheduledTimer, type ScheduledTimer, setTimerState } from './scheduled-timer.js';

/** The longest delay a host timer takes; later deadlines are reached by re-arming. */
const MAX_HOST_DELAY_MS = 2 ** 31 - 1;

/** Bits of a deadline each wheel level resolves: 64 slots a level. */
const SLOT_BITS = 6;
const SLOTS = 1 << SLOT_BITS;
const SLOT_MASK = SLOTS - 1;
/** Levels of 1 ms, 64 ms, 4.1 s, 4.4 min and 4.7 h slots: together 2^30 ms, about 12.4 days. */
const LEVELS = 5;
/** The milliseconds the levels span; an epoch of the wheel is a multiple of it. */
const SPAN_MS = 2 ** (SLOT_BITS * LEVELS);
/** The slot (after the levels' ones) of the timers due after the current epoch, in no order. */
const FAR = LEVELS * SLOTS;

/** The level of a timer from the highest bit in which its deadline and the wheel's time differ. */
const LEVEL_OF_BIT = Uint8Array.from({ length: 32 }, (_, bit) => Math.floor(bit / SLOT_BITS));

/**
 * One system's timers: a hierarchical timing wheel (levels of 64 slots of 1 ms, 64 ms, 4.1 s, …) and
 * exactly one host timer, armed for the earliest occupied slot. Every slot is a doubly-linked list
 * threaded through the timers themselves, so schedule allocates the handle and nothing else, and
 * cancel is an O(1) unlink that lets the handle go at once. A timer sits at the level of the highest
 * 6-bit group in which its deadline differs from the wheel's time; when the wheel's time reaches a slot
 * above level 0, the slot's timers move down, so each timer moves at most four times whatever its delay.
 *
 * An expiry does not call user code: it queues the timer on its component, so timer handlers run in
 * the component's turn like any other handler. With nothing pending no host timer is armed, so an idle
 * system never holds the process open.
 *
 * Kompact: the timer thread's hierarchical wheel (`cancellable::QuadWheelWithOverflow` of the
 * `hierarchical_hash_wheel_timer` crate: four levels of 256 slots and an overflow list). Levels of 64
 * slots keep every offset within 30 bits, so within JavaScript's 32-bit integer operations.
 */
export class TimerFacility {
  private readonly clock: Clock;
  /** The first timer of each slot (the levels' slots, then {@link FAR}). */
  private readonly heads = new Array<ScheduledTimer | undefined>(FAR + 1).fill(undefined);
  /** The last timer of each slot. */
  private readonly tails = new Array<ScheduledTimer | undefined>(FAR + 1).fill(undefined);
  /** Two words per level: bit `s` of the level's 64 says slot `s` is occupied. */
  private readonly occupied = new Int32Array(2 * LEVELS);
  /** Start of the current epoch: the levels hold deadlines in `epoch` … `epoch + SPAN_MS - 1`. */
  private epoch = 0;
  /**
   * The wheel's time, from the epoch: every timer due before it has been expired. A level-0 slot starts
   * at or after it, a slot of a higher level strictly after it.
   */
  private cursor = 0;
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
    const now = this.now();
    const deadline = Math.ceil(now + delayMs);
    const timer = createScheduledTimer(core, deadline, periodMs, handler);
    // An empty wheel may be far behind the clock: start it at now, so the timer lands where it is due.
    if (this.live === 0) this.restartAt(Math.floor(now));
    this.live++;
    const due = this.insert(timer, deadline);
    if (due < this.armedFor) this.arm(due);
    return timer;
  }

  /** Cancels a pending timer; a no-op for one already cancelled or fired. */
  cancel(timer: ScheduledTimer): void {
    if (timer.state !== 'pending') return;
    setTimerState(timer, 'cancelled');
    // Not in the wheel: its expiry is queued on its component, which skips it now.
    if (timer.wheelPrev === undefined) return;
    this.unlink(timer);
    if (--this.live === 0) this.disarm();
  }

  /** Cancels everything and disarms the host timer (system shutdown). */
  close(): void {
    for (let slot = 0; slot <= FAR; slot++) {
      for (let timer = this.heads[slot]; timer !== undefined; timer = this.heads[slot]) {
        this.unlinkHead(timer, slot);
        setTimerState(timer, 'cancelled');
      }
    }
    this.live = 0;
    this.disarm();
  }

  /**
   * The clock's time, read at most once per 256 schedules within one synchronous run (a host clock
   * read costs about 100 ns). Like Node's own timers, which measure from the event loop's cached
   * time, a delay counts from at most a few hundred schedules before the call.
   */
  private now(): number {
    if (!this.isNowCached || ++this.cacheUses === 256) this.readClock();
    // Always read the field: merging it with a call's result would box the double on every schedule.
    return this.cachedNow;
  }

  private readClock(): void {
    if (!this.isNowCached) {
      this.isNowCached = true;
      queueMicrotask(this.forgetNow);
    }
    this.cacheUses = 0;
    this.cachedNow = this.clock.now();
  }

  /** Sets the wheel's time to `time` (whole ms); only while the wheel holds no timer. */
  private restartAt(time: number): void {
    this.epoch = Math.floor(time / SPAN_MS) * SPAN_MS;
    this.cursor = time - this.epoch;
  }

  /**
   * Puts `timer`, due at whole millisecond `due`, in its slot and returns the time the slot falls due.
   * The slot is {@link FAR} after the epoch, else `level << SLOT_BITS | slot`, the level from the
   * highest 6-bit group in which `due` differs from the wheel's time; an overdue timer goes to the
   * slot due now (so timers that were late when scheduled run in the order they were scheduled).
   */
  private insert(timer: ScheduledTimer, due: number): number {
    const cursor = this.cursor;
    let offset = due - this.epoch;
    if (offset < cursor) offset = cursor;
    if (offset >= SPAN_MS) {
      this.link(timer, FAR);
      return this.epoch + SPAN_MS;
    }
    const level = LEVEL_OF_BIT[31 - Math.clz32((offset ^ cursor) | SLOT_MASK)] as number;
    const shift = level * SLOT_BITS;
    this.link(timer, (level << SLOT_BITS) | ((offset >>> shift) & SLOT_MASK));
    return this.epoch + ((offset >>> shift) << shift);
  }

  /**
   * The slot {@link insert} chose for a timer due at `due`, which stays its slot until the wheel's time
   * reaches the slot (so a timer needs no field for it): the time only moves within the span of the
   * slot's level, below the slot's start.
   */
  private slotFor(due: number): number {
    const cursor = this.cursor;
    let offset = due - this.epoch;
    if (offset < cursor) offset = cursor;
    if (offset >= SPAN_MS) return FAR;
    const level = LEVEL_OF_BIT[31 - Math.clz32((offset ^ cursor) | SLOT_MASK)] as number;
    return (level << SLOT_BITS) | ((offset >>> (level * SLOT_BITS)) & SLOT_MASK);
  }

  /**
   * Appends `timer` to the list of `slot`. The first timer of a list is its own `wheelPrev`, so a timer
   * is in the wheel exactly when `wheelPrev` is set. A timer goes after the slot's tail, the one put
   * there last and likely still in the CPU cache; a circular list would also touch the slot's oldest.
   */
  private link(timer: ScheduledTimer, slot: number): void {
    const tail = this.tails[slot];
    if (tail === undefined) {
      timer.wheelPrev = timer;
      this.heads[slot] = timer;
      if (slot < FAR) this.occupied[slot >> 5] = (this.occupied[slot >> 5] as number) | (1 << (slot & 31));
    } else {
      timer.wheelPrev = tail;
      tail.wheelNext = timer;
    }
    this.tails[slot] = timer;
  }

  /** Takes `timer` out of its slot's list; only the first and the last of a list need the slot. */
  private unlink(timer: ScheduledTimer): void {
    const prev = timer.wheelPrev as ScheduledTimer;
    const next = timer.wheelNext;
    if (prev === timer) {
      this.unlinkHead(timer, this.slotFor(Math.ceil(timer.deadline)));
      return;
    }
    prev.wheelNext = next;
    if (next === undefined) this.tails[this.slotFor(Math.ceil(timer.deadline))] = prev;
    else next.wheelPrev = prev;
    timer.wheelPrev = undefined;
    timer.wheelNext = undefined;
  }

  /** Takes `timer`, the first timer of `slot`, out of the slot's list. */
  private unlinkHead(timer: ScheduledTimer, slot: number): void {
    const next = timer.wheelNext;
    this.heads[slot] = next;
    if (next === undefined) {
      this.tails[slot] = undefined;
      if (slot < FAR) this.occupied[slot >> 5] = (this.occupied[slot >> 5] as number) & ~(1 << (slot & 31));
    } else {
      next.wheelPrev = next;
    }
    timer.wheelPrev = undefined;
    timer.wheelNext = undefined;
  }

  /** Empties `slot` and returns its former list (still linked through `wheelNext`). */
  private takeSlot(slot: number): ScheduledTimer | undefined {
    const first = this.heads[slot];
    this.heads[slot] = undefined;
    this.tails[slot] = undefined;
    if (slot < FAR) this.occupied[slot >> 5] = (this.occupied[slot >> 5] as number) & ~(1 << (slot & 31));
    return first;
  }

  /** Puts the timers of a list from {@link takeSlot} back in the wheel, in their slots for its time now. */
  private reinsert(first: ScheduledTimer | undefined): void {
    for (let timer = first; timer !== undefined; ) {
      const next = timer.wheelNext;
      timer.wheelPrev = undefined;
      timer.wheelNext = undefined;
      this.insert(timer, Math.ceil(timer.deadline));
      timer = next;
    }
  }

  /**
   * The earliest occupied slot of the levels, as `level << SLOT_BITS | slot`, or -1. Slots of a lower
   * level hold earlier deadlines than any slot above it, and a level's occupied slots all lie at or
   * after the wheel's time, so the lowest occupied slot of the lowest occupied level is the earliest.
   */
  private earliestSlot(): number {
    const occupied = this.occupied;
    for (let level = 0; level < LEVELS; level++) {
      const low = occupied[2 * level] as number;
      if (low !== 0) return (level << SLOT_BITS) | lowestBit(low);
      const high = occupied[2 * level + 1] as number;
      if (high !== 0) return (level << SLOT_BITS) | (32 + lowestBit(high));
    }
    return -1;
  }

  /** When `slot` of the levels falls due, from the epoch. */
  private slotStart(slot: number): number {
    const shift = (slot >> SLOT_BITS) * SLOT_BITS;
    const levelSpan = SLOTS << shift;
    // The level's span containing the wheel's time, then the slot within it (levelSpan ≤ 2^30).
    return (this.cursor & ~(levelSpan - 1)) + ((slot & SLOT_MASK) << shift);
  }

  /** When the next slot falls due: the earliest occupied one, else the end of the epoch for far timers. */
  private nextDue(): number {
    const slot = this.earliestSlot();
    if (slot >= 0) return this.epoch + this.slotStart(slot);
    return this.heads[FAR] === undefined ? Number.POSITIVE_INFINITY : this.epoch + SPAN_MS;
  }

  private arm(due: number): void {
    if (this.hostTimer !== undefined) this.clock.clearTimer(this.hostTimer);
    const delay = Math.min(MAX_HOST_DELAY_MS, Math.max(0, due - this.clock.now()));
    this.armedFor = due;
    this.hostTimer = this.clock.setTimer(this.onHostTimer, delay);
  }

  private disarm(): void {
    if (this.hostTimer !== undefined) this.clock.clearTimer(this.hostTimer);
    this.hostTimer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  private fire(): void {
    this.hostTimer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    this.advanceTo(Math.floor(this.clock.now()));
    if (this.live === 0) this.disarm();
    else this.arm(this.nextDue());
  }

  /**
   * Expires every timer due at or before `time` (whole ms), slot by slot in deadline order, moving the
   * timers of a higher level's slot down when its start is reached, then sets the wheel's time to `time`.
   */
  private advanceTo(time: number): void {
    for (;;) {
      const slot = this.earliestSlot();
      if (slot < 0) {
        // Only far timers (or none) left: when the epoch is over, the next one places them.
        if (this.heads[FAR] === undefined || this.epoch + SPAN_MS > time) break;
        const far = this.takeSlot(FAR);
        this.epoch += SPAN_MS;
        this.cursor = 0;
        this.reinsert(far);
        continue;
      }
      const start = this.slotStart(slot);
      if (this.epoch + start > time) break;
      if (slot < SLOTS) {
        this.cursor = start;
        // Timers that come back overdue (a late periodic one) join this slot and run again here.
        for (let timer = this.heads[slot]; timer !== undefined; timer = this.heads[slot]) {
          this.unlinkHead(timer, slot);
          this.expire(timer);
        }
      } else {
        const moving = this.takeSlot(slot);
        this.cursor = start;
        this.reinsert(moving);
      }
    }
    if (this.live > 0 && time - this.epoch < SPAN_MS) this.cursor = Math.max(this.cursor, time - this.epoch);
  }

  private expire(timer: ScheduledTimer): void {
    this.live--;
    timer.core.enqueueTimer(timer);
    if (timer.periodMs > 0 && timer.state === 'pending') {
      timer.deadline += timer.periodMs;
      this.live++;
      this.insert(timer, Math.ceil(timer.deadline));
    }
  }
}

/** The index of the lowest set bit of a non-zero 32-bit word. */
function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}
