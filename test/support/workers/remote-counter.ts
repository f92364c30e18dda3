// A component class made creatable on workers (`worker.create(RemoteCounter, start)`).
import {
  ComponentDefinition,
  type HandlerReturn,
  type NetMessage,
  remotable,
  Serialisers,
} from '../../../src/index.js';

/** Counts `inc` messages and answers `count?` with `count:<n>`; with `hangOnStart`, never finishes starting. */
export class RemoteCounter extends ComponentDefinition {
  constructor(
    private count = 0,
    private readonly hangOnStart = false,
  ) {
    super();
  }

  override onStart(): HandlerReturn {
    if (this.hangOnStart) return new Promise<void>(() => {});
  }

  override receiveNetwork(msg: NetMessage): HandlerReturn {
    const text = msg.tryDeserialise(Serialisers.string);
    if (text === 'inc') this.count++;
    if (text === 'count?') msg.sender.tell(`count:${this.count}`, this);
  }
}
remotable(RemoteCounter, import.meta);

/** The same, not made remotable. */
export class PlainCounter extends ComponentDefinition {}
