/**
 * Serialisation: serIds, the Serialiser interface, byte buffers, built-in and msgpack serialisers, the
 * registry and the deserialisation matcher. The package root (`src/index.ts`) re-exports the public part.
 */
export { BufferReader } from './buffer-reader.js';
export { BufferWriter } from './buffer-writer.js';
export { type MatchCases, matchDeserialise } from './match-deserialise.js';
export { type MsgpackSerialiserOptions, msgpackSerialiser } from './msgpack-serialiser.js';
export { isReservedSerId, MAX_RESERVED_SER_ID, ReservedSerIds, type SerId, serId } from './ser-id.js';
export { SerialisationError, type SerialisationErrorReason } from './serialisation-error.js';
export { deserialiseFromBytes, type Serialiser, serialiseToBytes } from './serialiser.js';
export { SerialiserRegistry } from './serialiser-registry.js';
export { Serialisers } from './serialisers.js';
