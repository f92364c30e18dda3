/**
 * Test helpers for kompact-ts users: virtual time, a system per test, and captured logs.
 * Import from `kompact-ts/testing`.
 */

export { pauseOn } from './pause.js';
export { SimulatedClock } from './simulated-clock.js';
export { type CapturedLog, captureLogs, testConfig, withSystem } from './with-system.js';
