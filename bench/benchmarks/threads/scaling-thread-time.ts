import { readFileSync } from 'node:fs';
import type { Observations } from '../../infra/harness.js';

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

/** The workers' thread times over an iteration: summed, and the run time of the busiest one. */
export type WorkersTime = ThreadTime & { readonly busiestRunMs: number };

/**
 * The thread times of one iteration's timed region (`wallMs` long): the parent's main thread, the
 * workers' threads summed (zero on the main-thread rows), the busiest working thread's run time (the
 * time the work would take if each thread had a core of its own), and how many cores they kept busy on
 * average; the benchmark's observations (`parentRunMs`, `workersWaitMs`, `coresUsed`…).
 */
export function timeObservations(
  parent: ThreadTime | undefined,
  workers: WorkersTime | undefined,
  wallMs: number,
): Observations {
  if (parent === undefined) return {};
  const workersRunMs = workers?.runMs ?? 0;
  return {
    parentRunMs: parent.runMs,
    parentWaitMs: parent.waitMs,
    workersRunMs,
    workersWaitMs: workers?.waitMs ?? 0,
    busiestRunMs: workers?.busiestRunMs ?? parent.runMs,
    coresUsed: (parent.runMs + workersRunMs) / wallMs,
  };
}
