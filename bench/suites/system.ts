import { KompactConfig, type KompactSystem } from '../../src/index.js';

/**
 * The system every kompact-ts suite runs on: MPP's Kompact settings (`throughput(50)`), logging off so
 * no log line lands in a timed region.
 */
export function buildBenchSystem(): Promise<KompactSystem> {
  return KompactConfig.default().throughput(50).logLevel('silent').build();
}
