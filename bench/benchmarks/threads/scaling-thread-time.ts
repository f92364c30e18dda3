import { readFileSync } from 'node:fs';

/** How long the calling thread has run on a core and waited for one, in milliseconds, since it started. */
export type ThreadTime = { readonly runMs: number; readonly waitMs: number };

/**
 * The calling thread's {@link ThreadTime} from Linux's `/proc/thread-self/schedstat`, or `undefined`
 * where there is none (another OS, or a kernel without schedstats).
 *
 * @remarks B7c's wall-clock ratios on a shared 2-core machine say more about the other jobs than about
 * the workers: a thread's wait for a core (the scheduler's run-queue delay) shows how much of an
 * iteration was spent not running, and its run time what the work itself cost on that thread.
 */
export function threadTime(): ThreadTime | undefined {
  try {
    const [runNs, waitNs] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    if (runNs === undefined || waitNs === undefined || Number.isNaN(runNs) || Number.isNaN(waitNs)) {
      return undefined;
    }
    return { runMs: runNs / 1e6, waitMs: waitNs / 1e6 };
  } catch {
    return undefined;
  }
}

/** `after` − `before`, or `undefined` when either is missing. */
export function timeBetween(
  before: ThreadTime | undefined,
  after: ThreadTime | undefined,
): ThreadTime | undefined {
  if (before === undefined || after === undefined) return undefined;
  return { runMs: after.runMs - before.runMs, waitMs: after.waitMs - before.waitMs };
}
