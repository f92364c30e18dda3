// The kill -9 probe: a stream of messages to a peer in another process, which is killed with SIGKILL
// mid-stream; on the sender every message must come back as acknowledged (the peer's `ack <n>`) or as
// a dead letter with a reason.
import { ActorPath, type DeadLetter, NetMessage, Serialisers } from '../../src/index.js';
import { withSystem } from '../../src/testing/index.js';
import { startProbe } from './probes.js';
import { ExampleProcess, lastMatch, whenOutput } from './processes.js';
import { DEADLINE_MS, within } from './promises.js';

/** The size of a kill -9 run. */
export interface KilledPeerOptions {
  /** Acknowledgements to wait for before the kill. */
  readonly acksBeforeKill: number;
  /** Messages sent per event-loop turn while streaming. */
  readonly perTurn: number;
  /**
   * Stop streaming once `acksBeforeKill` came and kill the peer when it has acknowledged everything, so
   * nothing is queued in it at the kill; else kill it with its backlog.
   */
  readonly killWhenCaughtUp: boolean;
  /** Turns to keep streaming after the kill. */
  readonly turnsAfterKill: number;
  /** How long to wait for every message to be accounted for. */
  readonly accountDeadlineMs: number;
}

/** What the sender saw. */
export interface KilledPeerReport {
  readonly sent: number;
  readonly acknowledged: number;
  /** Dead letters of the stream, by `reason/detail` (`refused/backpressure` ones were never sent). */
  readonly lost: Readonly<Record<string, number>>;
  /** Messages both acknowledged and reported lost (an unacknowledged frame may still have been handled). */
  readonly both: number;
  /**
   * Messages neither acknowledged by the peer nor reported lost. The peer's transport acknowledges a
   * frame when it has read it, not when a component has handled it: frames read and still queued in the
   * peer when it was killed are gone without a report, and can only lie between the last
   * acknowledgement and the first loss.
   */
  readonly unaccounted: readonly number[];
  /**
   * Unaccounted messages outside that window: before the last acknowledgement (the peer answered
   * later ones) or after the first loss (the sender lost track of one). Must be empty.
   */
  readonly holes: readonly number[];
  /** The lowest sequence number reported `lost` (refusals at send time aside); `sent` for none. */
  readonly firstLost: number;
  /** The highest sequence number the peer acknowledged (-1 for none). */
  readonly lastAcknowledged: number;
  readonly elapsedMs: number;
}

function sequenceOf(letter: DeadLetter): number | undefined {
  const message =
    letter.message instanceof NetMessage ? letter.message.tryDeserialise(Serialisers.string) : letter.message;
  return typeof message === 'string' && /^\d+$/.test(message) ? Number(message) : undefined;
}

/** Streams to a child-process peer, SIGKILLs it mid-stream and accounts for every message sent. */
export async function killPeerMidStream(options: KilledPeerOptions): Promise<KilledPeerReport> {
  // Compiled to .build/test/support/, like the examples' processes one folder up.
  const peer = new ExampleProcess('echo-peer', '../test/support/echo-peer.js', []);
  try {
    const port = await whenOutput([peer], () => lastMatch(peer.lines, /^listening (\d+)$/), DEADLINE_MS);
    return await withSystem(
      async (system) => {
        const started = performance.now();
        const lost = new Map<number, string>();
        system.deadLetters.subscribe((letter) => {
          const seq = sequenceOf(letter);
          if (seq !== undefined) lost.set(seq, `${letter.reason}/${letter.detail ?? '-'}`);
        });
        const { probe } = await startProbe(system, 'sender');
        const acked = new Set<number>();
        let read = 0;
        const ackCount = (): number => {
          for (; read < probe.received.length; read++) {
            const text = probe.received[read]?.tryDeserialise(Serialisers.string) ?? '';
            acked.add(Number(text.slice(4)));
          }
          return acked.size;
        };
        const sink = ActorPath.parse(`tcp://127.0.0.1:${port}/sink`);
        let sent = 0;
        const turn = (): Promise<void> =>
          new Promise((resolve) =>
            setImmediate(() => {
              for (let i = 0; i < options.perTurn; i++) sink.tell(String(sent++), probe);
              resolve();
            }),
          );
        const streamDeadline = performance.now() + DEADLINE_MS;
        while (probe.received.length < options.acksBeforeKill) {
          if (performance.now() > streamDeadline)
            throw new Error(`only ${probe.received.length} acks within ${DEADLINE_MS} ms\n${peer.output()}`);
          await turn();
        }
        if (options.killWhenCaughtUp) {
          // Kill the peer with nothing of ours in it: every message so far acknowledged.
          const caughtUp = performance.now() + DEADLINE_MS;
          while (ackCount() < sent) {
            if (performance.now() > caughtUp)
              throw new Error(`only ${acked.size} of ${sent} acknowledged within ${DEADLINE_MS} ms`);
            await new Promise((r) => setTimeout(r, 1));
          }
        }
        peer.kill();
        for (let i = 0; i < options.turnsAfterKill; i++) await turn();
        // The first message lost on the way (refusals at send time aside), or `sent` for none yet. A
        // message the peer answered is not lost, even when its frame is reported `unacknowledged`: the
        // peer may answer before its acknowledgement leaves (it withholds acknowledgements while its
        // receive backlog is full), and the kill can come in between.
        const firstLostSeq = (): number => {
          let first = sent;
          for (const [seq, reason] of lost)
            if (seq < first && reason.startsWith('lost/') && !acked.has(seq)) first = seq;
          return first;
        };
        // Acknowledgements come in order, and so do losses once the connection is gone: done when
        // the dead letters form an unbroken run from the first loss to the last message sent.
        const settled = (): boolean => {
          ackCount();
          const first = firstLostSeq();
          if (first === sent) return false;
          for (let seq = sent - 1; seq > first; seq--) if (!lost.has(seq)) return false;
          return true;
        };
        const accountDeadline = performance.now() + options.accountDeadlineMs;
        while (!settled() && performance.now() < accountDeadline) await new Promise((r) => setTimeout(r, 20));
        await within(peer.exited, DEADLINE_MS, 'the killed peer to exit');
        let lastAcknowledged = -1;
        for (const seq of acked) if (seq > lastAcknowledged) lastAcknowledged = seq;
        const firstLost = firstLostSeq();
        const unaccounted: number[] = [];
        const holes: number[] = [];
        let both = 0;
        const reasons: Record<string, number> = {};
        for (let seq = 0; seq < sent; seq++) {
          const reason = lost.get(seq);
          if (reason !== undefined) reasons[reason] = (reasons[reason] ?? 0) + 1;
          if (acked.has(seq) && reason !== undefined) both++;
          if (!acked.has(seq) && reason === undefined) {
            unaccounted.push(seq);
            if (seq < lastAcknowledged || seq > firstLost) holes.push(seq);
          }
        }
        return {
          sent,
          acknowledged: acked.size,
          lost: reasons,
          both,
          unaccounted,
          holes,
          firstLost,
          lastAcknowledged,
          elapsedMs: performance.now() - started,
        };
      },
      (config) =>
        config.network({
          host: '127.0.0.1',
          port: 0,
          connectionRetryIntervalMs: 50,
          maxConnectionRetryAttempts: 2,
          handshakeTimeoutMs: 1000,
        }),
    );
  } finally {
    peer.kill();
  }
}
