import { KompactConfig, type KompactSystem } from '../../../src/index.js';

/**
 * The system every kompact-ts suite runs on: MPP's Kompact settings (`throughput(50)`), logging off so
 * no log line lands in a timed region.
 */
export function buildBenchSystem(): Promise<KompactSystem> {
  return KompactConfig.default().throughput(50).logLevel('silent').build();
}

/** {@link buildBenchSystem} with a network on `127.0.0.1` and a free port (B5's two systems). */
export function buildNetworkBenchSystem(): Promise<KompactSystem> {
  return KompactConfig.default().throughput(50).logLevel('silent').network({ port: 0 }).build();
}
