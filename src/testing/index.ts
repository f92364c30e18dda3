/**
 * Test helpers for kompact-ts users: virtual time, a system per test, captured logs, and serialiser
 * round trips.
 * Import from `kompact-ts/testing`.
 */

export { pauseOn } from './pause.js';
export { assertRoundTrips, type RoundTrip, roundTrip } from './round-trip.js';
export { SimulatedClock } from './simulated-clock.js';
export { type CapturedLog, captureLogs, testConfig, withSystem } from './with-system.js';
