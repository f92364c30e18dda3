import { type Logger, pino } from 'pino';
import { KompactConfig } from '../system/kompact-config.js';
import type { KompactSystem } from '../system/kompact-system.js';

/**
 * A config for tests: quiet unless `KOMPACT_LOG_LEVEL` says otherwise (the environment variable wins
 * over the configured level for every system with the default logger).
 */
export function testConfig(): KompactConfig {
  return KompactConfig.default().logLevel('silent');
}

/**
 * Builds a system, runs `body` with it, and always shuts it down afterwards.
 *
 * @example
 * ```ts
 * await withSystem(async (system) => { ... });
 * await withSystem(async (system) => { ... }, (config) => config.clock(clock));
 * ```
 */
export async function withSystem<T>(
  body: (system: KompactSystem) => Promise<T> | T,
  configure: (config: KompactConfig) => KompactConfig = (config) => config,
): Promise<T> {
  const system = await configure(testConfig()).build();
  try {
    return await body(system);
  } finally {
    await system.shutdown();
  }
}

/** One log line captured by {@link captureLogs}: pino's JSON fields. */
export interface CapturedLog {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** A pino logger that keeps every line in `lines` (for assertions on what was logged). */
export function captureLogs(level: pino.LevelWithSilent = 'trace'): { logger: Logger; lines: CapturedLog[] } {
  const lines: CapturedLog[] = [];
  const logger = pino({ level }, { write: (line: string) => lines.push(JSON.parse(line) as CapturedLog) });
  return { logger, lines };
}
