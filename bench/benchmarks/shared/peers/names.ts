/** The JS actor libraries benchmarked beside kompact-ts; the names used in tables and `--json` rows. */
export type PeerName = 'nact' | 'xstate-transition' | 'xstate-machine' | 'effect' | 'comedy';

/** Every peer, in table order. */
export const PEER_NAMES: readonly PeerName[] = [
  'nact',
  'xstate-transition',
  'xstate-machine',
  'effect',
  'comedy',
];

/** Loaders of one benchmark's peer implementations, by peer. */
export type PeerLoaders<B> = Readonly<Partial<Record<PeerName, () => Promise<B>>>>;
