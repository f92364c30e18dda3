/** Failures of one remote address, and whether it is being refused. */
interface AddressRecord {
  /** Failures since `windowStart`. */
  failures: number;
  windowStart: number;
  /** Until when new connections from the address are refused (0: not refused). */
  refusedUntil: number;
  /** How long the next refusal lasts. */
  nextBackoffMs: number;
}

/** Most addresses remembered; past it the longest-remembered one is forgotten. */
const MAX_ADDRESSES = 4096;

/** The longest refusal, however often an address keeps failing. */
const MAX_BACKOFF_MS = 10 * 60 * 1000;

/**
 * Slows down guessing of the shared secret: counts failed handshake proofs per remote address, and
 * after `maxFailures` within `windowMs` refuses new connections from that address for a backoff that
 * starts at `backoffMs` and doubles (up to 10 minutes) each time the address reaches the limit again.
 *
 * @remarks Success does not clear an address's failures: a guesser that shares an address (a NAT) with
 * a system that knows the secret must not get fresh guesses from that system's connections. The backoff
 * returns to `backoffMs` once a whole window passes after a refusal without the limit being reached
 * again. At most 4096 addresses are remembered (oldest forgotten first), so an attacker with many
 * addresses cannot grow this without bound.
 */
export class HandshakeThrottle {
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #backoffMs: number;
  readonly #addresses = new Map<string, AddressRecord>();

  constructor(maxFailures: number, windowMs: number, backoffMs: number) {
    this.#maxFailures = maxFailures;
    this.#windowMs = windowMs;
    this.#backoffMs = backoffMs;
  }

  /** Whether new connections from `address` are refused at `now`. */
  isRefused(address: string, now: number): boolean {
    if (this.#addresses.size === 0) return false;
    const record = this.#addresses.get(address);
    return record !== undefined && now < record.refusedUntil;
  }

  /**
   * Counts a failed proof from `address` at `now`; returns the refusal it starts in milliseconds, or 0
   * when the address may still try.
   */
  recordFailure(address: string, now: number): number {
    let record = this.#addresses.get(address);
    if (record === undefined) {
      if (this.#addresses.size >= MAX_ADDRESSES) this.#forgetOne(now);
      record = { failures: 0, windowStart: now, refusedUntil: 0, nextBackoffMs: this.#backoffMs };
      this.#addresses.set(address, record);
    } else if (now - record.windowStart >= this.#windowMs) {
      if (record.refusedUntil !== 0 && now - record.refusedUntil >= this.#windowMs) {
        record.nextBackoffMs = this.#backoffMs;
      }
      record.failures = 0;
      record.windowStart = now;
    }
    record.failures++;
    if (record.failures < this.#maxFailures) return 0;
    const backoffMs = record.nextBackoffMs;
    record.refusedUntil = now + backoffMs;
    record.nextBackoffMs = Math.min(backoffMs * 2, Math.max(MAX_BACKOFF_MS, this.#backoffMs));
    record.failures = 0;
    record.windowStart = now;
    return backoffMs;
  }

  /** Forgets an address that is not refused, else the longest-remembered one. */
  #forgetOne(now: number): void {
    for (const [address, record] of this.#addresses) {
      if (now >= record.refusedUntil) {
        this.#addresses.delete(address);
        return;
      }
    }
    const oldest = this.#addresses.keys().next();
    if (oldest.done !== true) this.#addresses.delete(oldest.value);
  }
}
