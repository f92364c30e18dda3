// Two networked systems on loopback for a test, always both shut down.
import type { KompactConfig, KompactSystem } from '../../src/index.js';
import { withSystem } from '../../src/testing/index.js';

/**
 * Runs `body` with two systems on loopback, each configured by `configure` (default: the network with
 * its default options), shutting both down whatever happens.
 */
export async function withTwoSystems(
  body: (a: KompactSystem, b: KompactSystem) => Promise<void>,
  configure: (config: KompactConfig) => KompactConfig = (config) => config.network(),
): Promise<void> {
  await withSystem(async (a) => withSystem(async (b) => body(a, b), configure), configure);
}
