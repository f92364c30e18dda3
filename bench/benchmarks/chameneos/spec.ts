import { define, type Implementation, perSecond } from '../../infra/spec.js';
import { type ChameneosParams, parseChameneosParams } from './params.js';

/** B4 Chameneos: many-to-one contention on a hot mall actor. */
export const chameneosSpec = define<ChameneosParams>({
  id: 'B4',
  title: 'Chameneos (hot-mailbox contention, actor flavour)',
  chartMetrics: ['meetings'],
  parse: parseChameneosParams,
  grid: (mode) => {
    const points: { implementation: Implementation; params: ChameneosParams }[] = [];
    const counts = mode === 'smoke' ? [4] : [2, 8, 64];
    const meetings = mode === 'smoke' ? 10_000 : 200_000;
    for (const chameneos of counts) {
      for (const implementation of ['raw-loop', 'kompact-ts'] as const) {
        points.push({ implementation, params: { chameneos, meetings } });
      }
    }
    return points;
  },
  notes: () => [
    'meetings/s = meetings / median time (each meeting is 4 messages: 2 × Meet to the mall, the forwarded Meet, Change); per chameneo = 2 · meetings / chameneos / time. Target: ≥ 2 M meetings/s.',
    'Chameneos are started in the timed region (onStart sends the first Meet); the iteration ends when every chameneo reported its count to the mall after Exit (then it suicides).',
  ],
  metrics: ({ chameneos, meetings }, { seconds }) => [
    perSecond('meetings', 'meetings/s', meetings, seconds),
    perSecond('meetings-per-chameneo', 'meetings/s', (2 * meetings) / chameneos, seconds),
    perSecond('throughput', 'msgs/s', 4 * meetings, seconds),
  ],
  comparedBy: ['chameneos', 'meetings'],
  loaders: {
    'raw-loop': async () => new (await import('./baseline.js')).RawLoopChameneos(),
    'kompact-ts': async () => new (await import('./kompact.js')).KompactChameneos(),
  },
});
