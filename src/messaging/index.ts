/**
 * Messaging: `NetMessage`, the envelope of a message sent to an actor path, and the receive backlog
 * it counts against. The package root (`src/index.ts`) re-exports the public part of it.
 */
export { type NetMatchCases, NetMessage } from './net-message.js';
