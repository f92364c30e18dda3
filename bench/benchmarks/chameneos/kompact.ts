import {
  type ActorRef,
  type Component,
  ComponentDefinition,
  type KompactSystem,
} from '../../../src/index.js';
import type { Benchmark } from '../../infra/harness.js';
import { CountdownLatch } from '../../infra/latch.js';
import { buildBenchSystem } from '../shared/kompact-system.js';
import { type Colour, colourFor, complement } from './colour.js';
import type { ChameneosParams } from './params.js';

// B4 Chameneos in Kompact's actor flavour (MPP `KOMPACTAC`): one mall; every chameneo sends
// `Meet{colour, self}` to it; the mall pairs the waiting chameneo with the next arrival by forwarding
// the arrival's `Meet` to it; that one takes the complement colour, answers `Change` to its partner,
// and both go back to the mall. After `meetings` meetings the mall answers every arrival `Exit`; a
// chameneo then reports its meeting count to the mall and suicides; the last report counts the latch
// down. Started inside the timed region: each chameneo's `onStart` sends its first `Meet`.

type ChameneoMsg =
  | { readonly kind: 'meet'; readonly colour: Colour; readonly chameneo: ActorRef<ChameneoMsg> }
  | { readonly kind: 'change'; readonly colour: Colour }
  | { readonly kind: 'exit' };

type MallMsg =
  | { readonly kind: 'meet'; readonly colour: Colour; readonly chameneo: ActorRef<ChameneoMsg> }
  | { readonly kind: 'count'; readonly meetings: number };

const EXIT: ChameneoMsg = Object.freeze({ kind: 'exit' });

class Mall extends ComponentDefinition<MallMsg> {
  readonly #meetings: number;
  readonly #chameneos: number;
  readonly #latch: CountdownLatch;
  #waiting: ActorRef<ChameneoMsg> | undefined;
  #held = 0;
  #faded = 0;
  #sumMeetings = 0;

  constructor(meetings: number, chameneos: number, latch: CountdownLatch) {
    super();
    this.#meetings = meetings;
    this.#chameneos = chameneos;
    this.#latch = latch;
  }

  /** Meetings reported by the chameneos (twice the meetings held, when all went well). */
  get sumMeetings(): number {
    return this.#sumMeetings;
  }

  override receiveLocal(msg: MallMsg): void {
    if (msg.kind === 'meet') {
      if (this.#held < this.#meetings) {
        const waiting = this.#waiting;
        if (waiting === undefined) {
          this.#waiting = msg.chameneo;
        } else {
          this.#held++;
          this.#waiting = undefined;
          waiting.tell(msg);
        }
      } else {
        msg.chameneo.tell(EXIT);
        if (this.#waiting !== undefined) {
          this.#waiting.tell(EXIT);
          this.#waiting = undefined;
        }
      }
    } else {
      this.#faded++;
      this.#sumMeetings += msg.meetings;
      if (this.#faded === this.#chameneos) this.#latch.countDown();
    }
  }
}

class Chameneo extends ComponentDefinition<ChameneoMsg> {
  readonly #mall: ActorRef<MallMsg>;
  #colour: Colour;
  #meetings = 0;
  #self: ActorRef<ChameneoMsg> | undefined;

  constructor(mall: ActorRef<MallMsg>, colour: Colour) {
    super();
    this.#mall = mall;
    this.#colour = colour;
  }

  override onStart(): void {
    this.#self = this.ctx.actorRef();
    this.#goToMall();
  }

  override receiveLocal(msg: ChameneoMsg): void {
    switch (msg.kind) {
      case 'meet':
        this.#colour = complement(this.#colour, msg.colour);
        this.#meetings++;
        msg.chameneo.tell({ kind: 'change', colour: this.#colour });
        this.#goToMall();
        break;
      case 'change':
        this.#colour = msg.colour;
        this.#meetings++;
        this.#goToMall();
        break;
      case 'exit':
        this.#mall.tell({ kind: 'count', meetings: this.#meetings });
        this.ctx.suicide();
        break;
    }
  }

  #goToMall(): void {
    this.#mall.tell({ kind: 'meet', colour: this.#colour, chameneo: this.#self! });
  }
}

/** B4 Chameneos on kompact-ts with `ActorRef.tell`. */
export class KompactChameneos implements Benchmark<ChameneosParams> {
  #system: KompactSystem | undefined;
  #params: ChameneosParams | undefined;
  #mall: Component<Mall> | undefined;
  #chameneos: Component<Chameneo>[] = [];
  #latch: CountdownLatch | undefined;

  async setup(params: ChameneosParams): Promise<void> {
    this.#params = params;
    this.#system = await buildBenchSystem();
  }

  async prepareIteration(): Promise<void> {
    const system = this.#system!;
    const { chameneos, meetings } = this.#params!;
    const latch = new CountdownLatch(1);
    const mall = system.create(() => new Mall(meetings, chameneos, latch));
    const mallRef = mall.actorRef();
    for (let i = 0; i < chameneos; i++) {
      const colour = colourFor(i);
      this.#chameneos.push(system.create(() => new Chameneo(mallRef, colour)));
    }
    this.#mall = mall;
    this.#latch = latch;
    await system.startNotify(mall);
  }

  runIteration(): Promise<void> {
    const system = this.#system!;
    for (const chameneo of this.#chameneos) system.start(chameneo);
    return this.#latch!.promise;
  }

  async cleanupIteration(): Promise<void> {
    const system = this.#system!;
    const mall = this.#mall!;
    const sum = mall.onDefinition((definition) => definition.sumMeetings);
    // The last chameneos' suicides may still be queued behind a scheduler yield.
    let alive = this.#chameneos.length;
    for (let tries = 0; tries < 100 && alive > 0; tries++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      alive = this.#chameneos.filter((chameneo) => !chameneo.isDestroyed()).length;
    }
    await system.killNotify(mall);
    this.#mall = undefined;
    this.#chameneos = [];
    const expected = 2 * this.#params!.meetings;
    if (sum !== expected) throw new Error(`Chameneos reported ${sum} meetings, expected ${expected}`);
    if (alive !== 0) throw new Error(`${alive} chameneos did not suicide`);
  }

  async teardown(): Promise<void> {
    await this.#system?.shutdown();
  }
}
