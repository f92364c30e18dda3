/**
 * The inspector: a live web page showing a running kompact-ts system (components, port graph,
 * supervision timeline, dead letters, worker systems, network). Import from `kompact-ts/inspector`; nothing of it is
 * loaded by `kompact-ts` itself unless a system is configured with `kompact.inspector.port`.
 */

export { type Inspector, type InspectorOptions, startInspector } from './start-inspector.js';
export type {
  ComponentRow,
  DeadLetterEntry,
  InspectorSnapshot,
  PeerRow,
  PortEdge,
  TimelineEntry,
  WorkerRow,
} from './system-sampler.js';
