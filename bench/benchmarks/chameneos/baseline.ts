import type { Benchmark } from '../../infra/harness.js';
import { CountdownLatch } from '../../infra/latch.js';
import { type Behaviour, ReadyLoop, type Ref } from '../shared/ready-loop.js';
import { type Colour, colourFor, complement } from './colour.js';
import type { ChameneosParams } from './params.js';

// B4 Chameneos on the plain-Node ready-queue loop: the same mall, the same messages (allocated the same
// way), the same pairing; a chameneo "suicides" by dropping out (the loop has no lifecycle).

type ChameneoMsg =
  | { readonly kind: 'meet'; readonly colour: Colour; readonly chameneo: Ref<ChameneoMsg> }
  | { readonly kind: 'change'; readonly colour: Colour }
  | { readonly kind: 'exit' }
  | { readonly kind: 'start' };

type MallMsg =
  | { readonly kind: 'meet'; readonly colour: Colour; readonly chameneo: Ref<ChameneoMsg> }
  | { readonly kind: 'count'; readonly meetings: number };

const EXIT: ChameneoMsg = Object.freeze({ kind: 'exit' });
const START: ChameneoMsg = Object.freeze({ kind: 'start' });

class Mall implements Behaviour<MallMsg> {
  readonly #meetings: number;
  readonly #chameneos: number;
  readonly #latch: CountdownLatch;
  #waiting: Ref<ChameneoMsg> | undefined;
  #held = 0;
  #faded = 0;
  sumMeetings = 0;

  constructor(meetings: number, chameneos: number, latch: CountdownLatch) {
    this.#meetings = meetings;
    this.#chameneos = chameneos;
    this.#latch = latch;
  }

  receive(msg: MallMsg): void {
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
      this.sumMeetings += msg.meetings;
      if (this.#faded === this.#chameneos) this.#latch.countDown();
    }
  }
}

class Chameneo implements Behaviour<ChameneoMsg> {
  readonly #mall: Ref<MallMsg>;
  #colour: Colour;
  #meetings = 0;
  #self: Ref<ChameneoMsg> | undefined;
  hasExited = false;

  constructor(mall: Ref<MallMsg>, colour: Colour) {
    this.#mall = mall;
    this.#colour = colour;
  }

  bind(self: Ref<ChameneoMsg>): void {
    this.#self = self;
  }

  receive(msg: ChameneoMsg): void {
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
        this.hasExited = true;
        break;
      case 'start':
        this.#goToMall();
        break;
    }
  }

  #goToMall(): void {
    this.#mall.tell({ kind: 'meet', colour: this.#colour, chameneo: this.#self! });
  }
}

/** B4 Chameneos on the plain-Node ready-queue loop (the physical limit). */
export class RawLoopChameneos implements Benchmark<ChameneosParams> {
  #params: ChameneosParams | undefined;
  #loop = new ReadyLoop();
  #mall: Mall | undefined;
  #chameneos: { readonly chameneo: Chameneo; readonly ref: Ref<ChameneoMsg> }[] = [];
  #latch: CountdownLatch | undefined;

  setup(params: ChameneosParams): void {
    this.#params = params;
    this.#loop = new ReadyLoop();
  }

  prepareIteration(): void {
    const { chameneos, meetings } = this.#params!;
    const latch = new CountdownLatch(1);
    const mall = new Mall(meetings, chameneos, latch);
    const mallRef = this.#loop.spawn(mall);
    for (let i = 0; i < chameneos; i++) {
      const chameneo = new Chameneo(mallRef, colourFor(i));
      const ref = this.#loop.spawn(chameneo);
      chameneo.bind(ref);
      this.#chameneos.push({ chameneo, ref });
    }
    this.#mall = mall;
    this.#latch = latch;
  }

  runIteration(): Promise<void> {
    for (const { ref } of this.#chameneos) ref.tell(START);
    return this.#latch!.promise;
  }

  cleanupIteration(): void {
    const expected = 2 * this.#params!.meetings;
    const sum = this.#mall!.sumMeetings;
    const alive = this.#chameneos.filter(({ chameneo }) => !chameneo.hasExited).length;
    this.#chameneos = [];
    this.#mall = undefined;
    if (sum !== expected) throw new Error(`Chameneos reported ${sum} meetings, expected ${expected}`);
    if (alive !== 0) throw new Error(`${alive} chameneos did not exit`);
  }

  teardown(): void {}
}
