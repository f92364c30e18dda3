import type { Clock, ClockTimer } from './clock.js';
import {
  createScheduledTimer,
  type ScheduledTimer,
  setTimerState,
  type TimerOwner,
} from './scheduled-timer.js';

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

/** Ids a new facility has room for; the table doubles when full and halves when three quarters idle. */
const INITIAL_CAPACITY = 16;
/** How long the table must have been less than a quarter used before it halves. */
const SHRINK_AFTER_MS = 1000;
/** "No timer" in the id links. */
const NONE = -1;

/**
 * What a timer's owner needs of the timer facility: schedule, cancel one or all of its timers, and
 * free a once-timer that fired. What a component's host hands it; implemented by {@link TimerFacility}.
 */
export interface TimerService {
  /** Schedules a timer for `owner`; `periodMs` 0 means once. Arguments are validated by the caller. */
  schedule(
    owner: TimerOwner,
    delayMs: number,
    periodMs: number,
    handler: (timer: ScheduledTimer) => unknown,
  ): ScheduledTimer;
  /** Cancels a pending timer; a no-op for one already cancelled or fired, or of another facility. */
  cancel(timer: ScheduledTimer): void;
  /** Marks a once-timer whose handler is about to run as fired, and frees its id. */
  fired(timer: ScheduledTimer): void;
  /** Cancels every pending timer of `owner` (it faulted or was destroyed). */
  cancelAllOf(owner: TimerOwner): void;
}

/**
 * One system's timers: a hierarchical timing wheel (levels of 64 slots of 1 ms, 64 ms, 4.1 s, …) and
 * exactly one host timer, armed for the earliest occupied slot. A timer sits at the level of the
 * highest 6-bit group in which its deadline differs from the wheel's time; when the wheel's time
 * reaches a slot above level 0, the slot's timers move down, so each timer moves at most four times
 * whatever its delay.
 *
 * Each timer has an id, an index into a table of typed arrays: its deadline, its neighbours in its
 * wheel slot and its neighbours in its component's list (so a component that faults or is destroyed
 * gives up its timers at once). The handle users hold is a small object with the id; the lists are
 * integers, which the garbage collector never traces, so schedule allocates one 64-byte handle and
 * cancel is an O(1) unlink. Ids are handed out in order, so timers scheduled together are neighbours
 * in memory; when the table is full, the timers in use move down to the lowest ids, or it doubles if
 * more than half is in use. Once less than a quarter has been in use for a second it halves (all
 * amortised O(1)), so a burst of timers does not hold its memory for long.
 *
 * An expiry does not call user code: it queues the timer on its component, so timer handlers run in
 * the component's turn like any other handler. With nothing pending no host timer is armed, so an idle
 * system never holds the process open.
 *
 * Kompact: the timer thread's hierarchical wheel (`cancellable::QuadWheelWithOverflow` of the
 * `hierarchical_hash_wheel_timer` crate: four levels of 256 slots and an overflow list). Levels of 64
 * slots keep every offset within 30 bits, so within JavaScript's 32-bit integer operations.
 */
export class TimerFacility implements TimerService {
  private readonly clock: Clock;
  // ---- the table of timers, by id -------------------------------------------------------------------
  private capacity = INITIAL_CAPACITY;
  /** The handle of each id in use. */
  private readonly handles = new Array<ScheduledTimer | undefined>(INITIAL_CAPACITY).fill(undefined);
  /** Clock time at which each timer is next due. */
  private deadlines = new Float64Array(INITIAL_CAPACITY);
  /** Predecessor in the wheel slot (the first of a slot is its own), or -1 when not in the wheel. */
  private wheelPrev = new Int32Array(INITIAL_CAPACITY);
  /** Successor in the wheel slot, or -1; for a free id, the next free id. */
  private wheelNext = new Int32Array(INITIAL_CAPACITY);
  /** Neighbours in the owner's list. */
  private ownerPrev = new Int32Array(INITIAL_CAPACITY);
  private ownerNext = new Int32Array(INITIAL_CAPACITY);
  /** Ids in use (pending, or expired and queued on their component). */
  private used = 0;
  /**
   * Ids are handed out upwards from `top`, so timers scheduled together sit side by side in the table
   * (a freed id is not reused, which would scatter them); when `top` reaches the end, the timers in
   * use move down to the lowest ids (or the table doubles if it is more than half in use).
   */
  private top = 0;
  /** Clock time since which less than a quarter of the ids are in use, or -1. */
  private sparseSince = -1;
  // ---- the wheel ------------------------------------------------------------------------------------
  /** The first timer of each slot (the levels' slots, then {@link FAR}). */
  private readonly heads = new Int32Array(FAR + 1).fill(NONE);
  /** The last timer of each slot. */
  private readonly tails = new Int32Array(FAR + 1).fill(NONE);
  /** Two words per level: bit `s` of the level's 64 says slot `s` is occupied. */
  private readonly occupied = new Int32Array(2 * LEVELS);
  /** Start of the current epoch: the levels hold deadlines in `epoch` … `epoch + SPAN_MS - 1`. */
  private epoch = 0;
  /**
   * The wheel's time, from the epoch: every timer due before it has been expired. A level-0 slot starts
   * at or after it, a slot of a higher level strictly after it.
   */
  private cursor = 0;
  /** Timers in the wheel. */
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

  /** How many ids the table has room for (its memory is about 40 bytes an id). */
  get tableCapacity(): number {
    return this.capacity;
  }

  /** Schedules a timer for `owner`; `periodMs` 0 means once. Arguments are validated by the caller. */
  schedule(
    owner: TimerOwner,
    delayMs: number,
    periodMs: number,
    handler: (timer: ScheduledTimer) => unknown,
  ): ScheduledTimer {
    const now = this.now();
    const deadline = Math.ceil(now + delayMs);
    const id = this.allocate();
    const timer = createScheduledTimer(owner, id, periodMs, handler);
    this.handles[id] = timer;
    this.deadlines[id] = deadline;
    const head = owner.timerHead;
    this.ownerPrev[id] = NONE;
    this.ownerNext[id] = head;
    if (head !== NONE) this.ownerPrev[head] = id;
    owner.timerHead = id;
    // An empty wheel may be far behind the clock: start it at now, so the timer lands where it is due.
    if (this.live === 0) this.restartAt(Math.floor(now));
    this.live++;
    const due = this.insert(id, deadline);
    if (due < this.armedFor) this.arm(due);
    return timer;
  }

  /** Cancels a pending timer; a no-op for one already cancelled or fired. */
  cancel(timer: ScheduledTimer): void {
    const id = timer.id;
    // A pending handle is always the one its id holds; a copy of a handle is not a timer.
    if (timer.state !== 'pending' || this.handles[id] !== timer) return;
    setTimerState(timer, 'cancelled');
    // Not in the wheel: its expiry is queued on its component, which skips it now.
    if (this.wheelPrev[id] !== NONE) {
      this.unlink(id);
      if (--this.live === 0) this.disarm();
    }
    this.release(id);
  }

  /** Marks a once-timer whose handler is about to run as fired, and frees its id. */
  fired(timer: ScheduledTimer): void {
    setTimerState(timer, 'fired');
    this.release(timer.id);
  }

  /** Cancels every pending timer of `owner` (it faulted or was destroyed). */
  cancelAllOf(owner: TimerOwner): void {
    // Cancelling unlinks the head, and a shrink on the way moves ids: read the head afresh each time.
    while (owner.timerHead !== NONE) this.cancel(this.handles[owner.timerHead] as ScheduledTimer);
  }

  /** How many pending timers each owner has (one pass over the table; for an inspector's sampling). */
  pendingByOwner(): Map<TimerOwner, number> {
    const counts = new Map<TimerOwner, number>();
    for (let id = 0; id < this.top; id++) {
      const timer = this.handles[id];
      if (timer === undefined || timer.state !== 'pending') continue;
      counts.set(timer.core, (counts.get(timer.core) ?? 0) + 1);
    }
    return counts;
  }

  /** Cancels everything and disarms the host timer (system shutdown). */
  close(): void {
    for (let id = 0; id < this.top; id++) {
      const timer = this.handles[id];
      if (timer === undefined) continue;
      setTimerState(timer, 'cancelled');
      timer.core.timerHead = NONE;
    }
    this.heads.fill(NONE);
    this.tails.fill(NONE);
    this.occupied.fill(0);
    this.live = 0;
    this.used = 0;
    this.resize(INITIAL_CAPACITY);
    this.top = 0;
    this.sparseSince = -1;
    this.disarm();
  }

  // ---- the table --------------------------------------------------------------------------------------

  private allocate(): number {
    if (this.top === this.capacity) {
      if (this.used >= this.capacity >> 1) this.resize(this.capacity * 2);
      else this.compact();
    }
    if (++this.used >= this.capacity >> 2) this.sparseSince = -1;
    return this.top++;
  }

  /** Takes `id` out of its owner's list and frees it; the id must be out of the wheel. */
  private release(id: number): void {
    const prev = this.ownerPrev[id] as number;
    const next = this.ownerNext[id] as number;
    if (prev !== NONE) this.ownerNext[prev] = next;
    else (this.handles[id] as ScheduledTimer).core.timerHead = next;
    if (next !== NONE) this.ownerPrev[next] = prev;
    this.handles[id] = undefined;
    this.wheelPrev[id] = NONE;
    // With nothing in use, the next timers start from the bottom of the table again.
    if (--this.used === 0) this.top = 0;
    else this.considerShrinking();
  }

  /**
   * Halves the table when less than a quarter of it has been in use for {@link SHRINK_AFTER_MS}: a
   * burst of timers leaves its memory behind only for a while, and a table that fills and empties
   * again and again (a timer-heavy loop) is not rebuilt every time.
   */
  private considerShrinking(): void {
    if (this.used >= this.capacity >> 2 || this.capacity === INITIAL_CAPACITY) return;
    const now = this.now();
    if (this.sparseSince < 0) this.sparseSince = now;
    else if (now - this.sparseSince >= SHRINK_AFTER_MS) {
      this.shrink();
      this.sparseSince = this.used < this.capacity >> 2 && this.capacity > INITIAL_CAPACITY ? now : -1;
    }
  }

  /** Moves the timers in use to the lowest ids, in the order they had, then halves the table. */
  private shrink(): void {
    this.compact();
    this.resize(this.capacity >> 1);
  }

  /** Moves the timers in use to the lowest ids, keeping their order; `top` ends just above them. */
  private compact(): void {
    const handles = this.handles;
    let to = 0;
    for (let from = 0; from < this.top; from++) {
      if (handles[from] === undefined) continue;
      if (from !== to) this.move(from, to);
      to++;
    }
    this.top = to;
  }

  /** Gives the timer of id `from` the free id `to`, fixing every link to it. */
  private move(from: number, to: number): void {
    const timer = this.handles[from] as ScheduledTimer;
    const deadline = this.deadlines[from] as number;
    this.handles[to] = timer;
    this.handles[from] = undefined;
    (timer as { id: number }).id = to;
    this.deadlines[to] = deadline;
    const wheelPrev = this.wheelPrev;
    const wheelNext = this.wheelNext;
    const prev = wheelPrev[from] as number;
    const next = wheelNext[from] as number;
    if (prev === NONE) {
      wheelPrev[to] = NONE;
      wheelNext[to] = NONE;
    } else {
      const slot = prev === from || next === NONE ? this.slotFor(Math.ceil(deadline)) : 0;
      if (prev === from) {
        wheelPrev[to] = to;
        this.heads[slot] = to;
      } else {
        wheelPrev[to] = prev;
        wheelNext[prev] = to;
      }
      wheelNext[to] = next;
      if (next === NONE) this.tails[slot] = to;
      else wheelPrev[next] = to;
    }
    const ownerPrev = this.ownerPrev[from] as number;
    const ownerNext = this.ownerNext[from] as number;
    this.ownerPrev[to] = ownerPrev;
    this.ownerNext[to] = ownerNext;
    if (ownerPrev !== NONE) this.ownerNext[ownerPrev] = to;
    else timer.core.timerHead = to;
    if (ownerNext !== NONE) this.ownerPrev[ownerNext] = to;
  }

  private resize(capacity: number): void {
    const keep = Math.min(this.capacity, capacity);
    // Grown by push and cut by length: `new Array(n)` of a large n makes a slow dictionary array.
    const handles = this.handles;
    if (capacity < handles.length) handles.length = capacity;
    while (handles.length < capacity) handles.push(undefined);
    this.deadlines = resized(this.deadlines, new Float64Array(capacity), keep);
    this.wheelPrev = resized(this.wheelPrev, new Int32Array(capacity), keep);
    this.wheelNext = resized(this.wheelNext, new Int32Array(capacity), keep);
    this.ownerPrev = resized(this.ownerPrev, new Int32Array(capacity), keep);
    this.ownerNext = resized(this.ownerNext, new Int32Array(capacity), keep);
    this.capacity = capacity;
  }

  // ---- the clock -------------------------------------------------------------------------------------

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

  // ---- the wheel -------------------------------------------------------------------------------------

  /** Sets the wheel's time to `time` (whole ms); only while the wheel holds no timer. */
  private restartAt(time: number): void {
    this.epoch = Math.floor(time / SPAN_MS) * SPAN_MS;
    this.cursor = time - this.epoch;
  }

  /**
   * Puts timer `id`, due at whole millisecond `due`, in its slot and returns the time the slot falls
   * due. The slot is {@link FAR} after the epoch, else `level << SLOT_BITS | slot`, the level from the
   * highest 6-bit group in which `due` differs from the wheel's time; an overdue timer goes to the
   * slot due now (so timers that were late when scheduled run in the order they were scheduled).
   */
  private insert(id: number, due: number): number {
    const cursor = this.cursor;
    let offset = due - this.epoch;
    if (offset < cursor) offset = cursor;
    if (offset >= SPAN_MS) {
      this.link(id, FAR);
      return this.epoch + SPAN_MS;
    }
    const level = LEVEL_OF_BIT[31 - Math.clz32((offset ^ cursor) | SLOT_MASK)] as number;
    const shift = level * SLOT_BITS;
    this.link(id, (level << SLOT_BITS) | ((offset >>> shift) & SLOT_MASK));
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
   * Appends timer `id` to the list of `slot`. The first timer of a list is its own predecessor, so a
   * timer is in the wheel exactly when its `wheelPrev` is set. A timer goes after the slot's tail, the
   * one put there last and likely still in the CPU cache.
   */
  private link(id: number, slot: number): void {
    const tail = this.tails[slot] as number;
    this.wheelNext[id] = NONE;
    if (tail === NONE) {
      this.wheelPrev[id] = id;
      this.heads[slot] = id;
      if (slot < FAR) this.occupied[slot >> 5] = (this.occupied[slot >> 5] as number) | (1 << (slot & 31));
    } else {
      this.wheelPrev[id] = tail;
      this.wheelNext[tail] = id;
    }
    this.tails[slot] = id;
  }

  /** Takes timer `id` out of its slot's list; only the first and the last of a list need the slot. */
  private unlink(id: number): void {
    const wheelPrev = this.wheelPrev;
    const wheelNext = this.wheelNext;
    const prev = wheelPrev[id] as number;
    const next = wheelNext[id] as number;
    if (prev === id) {
      this.unlinkHead(id, this.slotFor(Math.ceil(this.deadlines[id] as number)));
      return;
    }
    wheelNext[prev] = next;
    if (next === NONE) this.tails[this.slotFor(Math.ceil(this.deadlines[id] as number))] = prev;
    else wheelPrev[next] = prev;
    wheelPrev[id] = NONE;
    wheelNext[id] = NONE;
  }

  /** Takes timer `id`, the first of `slot`, out of the slot's list. */
  private unlinkHead(id: number, slot: number): void {
    const next = this.wheelNext[id] as number;
    this.heads[slot] = next;
    if (next === NONE) {
      this.tails[slot] = NONE;
      if (slot < FAR) this.occupied[slot >> 5] = (this.occupied[slot >> 5] as number) & ~(1 << (slot & 31));
    } else {
      this.wheelPrev[next] = next;
    }
    this.wheelPrev[id] = NONE;
    this.wheelNext[id] = NONE;
  }

  /** Empties `slot` and returns the first id of its former list (still linked through `wheelNext`). */
  private takeSlot(slot: number): number {
    const first = this.heads[slot] as number;
    this.heads[slot] = NONE;
    this.tails[slot] = NONE;
    if (slot < FAR) this.occupied[slot >> 5] = (this.occupied[slot >> 5] as number) & ~(1 << (slot & 31));
    return first;
  }

  /** Puts the timers of a list from {@link takeSlot} back in the wheel, in their slots for its time now. */
  private reinsert(first: number): void {
    for (let id = first; id !== NONE; ) {
      const next = this.wheelNext[id] as number;
      this.insert(id, Math.ceil(this.deadlines[id] as number));
      id = next;
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
    return this.heads[FAR] === NONE ? Number.POSITIVE_INFINITY : this.epoch + SPAN_MS;
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
        if (this.heads[FAR] === NONE || this.epoch + SPAN_MS > time) break;
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
        for (let id = this.heads[slot] as number; id !== NONE; id = this.heads[slot] as number) {
          this.unlinkHead(id, slot);
          this.expire(id, time);
        }
      } else {
        const moving = this.takeSlot(slot);
        this.cursor = start;
        this.reinsert(moving);
      }
    }
    if (this.live > 0 && time - this.epoch < SPAN_MS) this.cursor = Math.max(this.cursor, time - this.epoch);
  }

  /**
   * Queues the timer of `id` (out of the wheel now) on its component; a periodic one goes back in, at
   * its next deadline after `time` (now).
   */
  private expire(id: number, time: number): void {
    this.live--;
    const timer = this.handles[id] as ScheduledTimer;
    timer.core.enqueueTimer(timer);
    // The component may have cancelled it (it is faulty or destroyed), which freed the id.
    if (timer.periodMs > 0 && timer.state === 'pending') {
      const period = timer.periodMs;
      let deadline = (this.deadlines[id] as number) + period;
      // The host timer fired late (a blocked event loop): run once for the periods missed, not once
      // each, keeping the phase. Replaying them would queue one expiry per missed period at once, and a
      // handler slower than its period would fall further behind with every turn.
      if (deadline <= time) deadline += (Math.floor((time - deadline) / period) + 1) * period;
      this.deadlines[id] = deadline;
      this.live++;
      this.insert(id, Math.ceil(deadline));
    }
  }
}

/** `to` with the first `count` elements of `from`. */
function resized<T extends Float64Array | Int32Array>(from: T, to: T, count: number): T {
  to.set(from.subarray(0, count) as never);
  return to;
}

/** The index of the lowest set bit of a non-zero 32-bit word. */
function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}
