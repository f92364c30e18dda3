// A worker module for tests: a counter whose count goes to a SQLite snapshot store opened in the worker
// thread (`defineWorker`'s `snapshotStore`), so a thread that is restarted resumes from what the last
// one saved.
import {
  ComponentDefinition,
  defineWorker,
  type HandlerReturn,
  type NetMessage,
  Serialisers,
} from '../../../src/index.js';
import { sqliteSnapshotStore } from '../../../src/sqlite/index.js';

/** What the durable worker needs from `spawnWorker`'s `data`. */
export interface DurableWorkerData {
  /** The database file. */
  readonly file: string;
}

/**
 * `inc` adds one and answers the count once it is durable; `get` answers the count; `exit` ends the
 * thread with `process.exit(3)` (a fault of the worker).
 */
class DurableCounter extends ComponentDefinition {
  private count = 0;

  override async onStart(): Promise<void> {
    this.count = (await this.ctx.snapshots.load<number>('count')) ?? 0;
  }

  override receiveNetwork(msg: NetMessage): HandlerReturn {
    const text = msg.tryDeserialise(Serialisers.string);
    if (text === 'exit') {
      setTimeout(() => process.exit(3), 0);
      return;
    }
    if (text === 'get') {
      msg.sender.tell(`count ${this.count}`, this);
      return;
    }
    if (text !== 'inc') return;
    this.count += 1;
    const count = this.count;
    return (async () => {
      await this.ctx.snapshots.save('count', count);
      msg.sender.tell(`count ${count}`, this);
    })();
  }
}

export default defineWorker<DurableWorkerData>(
  async (system) => {
    const counter = system.create(() => new DurableCounter());
    await system.startNotify(counter);
    await system.registerByAlias(counter, 'counter');
  },
  { snapshotStore: (data) => sqliteSnapshotStore(data.file) },
);
