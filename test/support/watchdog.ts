// Loaded into every test file's process by `npm test` (`node --test --import .../watchdog.js`): a test
// still running after its deadline ends its file's process with a message naming it, instead of the
// suite hanging, or only failing the whole file at --test-timeout without saying which test hung.
import { afterEach, beforeEach } from 'node:test';

/** Milliseconds one test may run; `KOMPACT_TEST_DEADLINE_MS` overrides it. */
const TEST_DEADLINE_MS = Number(process.env.KOMPACT_TEST_DEADLINE_MS ?? 30_000);

const watches = new Map<string, NodeJS.Timeout>();

beforeEach((t) => {
  const name = t.name;
  const timer = setTimeout(() => {
    process.stderr.write(
      `\nTest "${name}" was still running after ${TEST_DEADLINE_MS} ms: it hangs; ending this file's process.\n`,
    );
    process.exit(1);
  }, TEST_DEADLINE_MS);
  // The watch itself must not keep an otherwise finished process alive.
  timer.unref();
  watches.set(name, timer);
});

afterEach((t) => {
  clearTimeout(watches.get(t.name));
  watches.delete(t.name);
});
