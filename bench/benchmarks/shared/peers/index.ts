import * as faultRecovery from '../../fault-recovery/peers/index.js';
import * as fibonacci from '../../fibonacci/peers/index.js';
import * as memory from '../../memory/peers/index.js';
import * as pingPong from '../../pingpong/peers/index.js';
import * as throughputPingPong from '../../throughput-pingpong/peers/index.js';
import * as timers from '../../timers/peers/index.js';

// The JS peers of the suite by benchmark, gathered from each benchmark's peers/index.ts (where the
// implementations, the notes and the remarks live) for the specs' `peerKey` and check.ts.

export { PEER_NAMES, type PeerLoaders, type PeerName } from './names.js';

/** The peer implementations per benchmark; a peer missing from a benchmark has its reason in {@link peerNotes}. */
export const peerLoaders = {
  B1: pingPong.loaders,
  B2: throughputPingPong.loaders,
  B3: fibonacci.loaders,
  B6: faultRecovery.loaders,
} as const;

/** Heap bytes per pending delayed message of the peers that can schedule one (see timers/peers). */
export const peerTimers = timers.bytesPerPendingTimer;

/** Why a peer has no implementation of a benchmark: `peerNotes[benchmark][peer]`. */
export const peerNotes: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  B3: fibonacci.notes,
  Timers: timers.notes,
  B6: faultRecovery.notes,
};

/**
 * How a peer's implementation deviates from the benchmark's wording or what it relies on, for the notes
 * under a table: `peerRemarks[benchmark][peer]`.
 */
export const peerRemarks: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  B1: pingPong.remarks,
  B3: fibonacci.remarks,
  B6: faultRecovery.remarks,
  Timers: timers.remarks,
  memory: memory.remarks,
};

/** Heap bytes per idle actor of each peer (see memory/peers). */
export const peerMemory = memory.bytesPerIdleActor;
