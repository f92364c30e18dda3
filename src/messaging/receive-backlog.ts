/**
 * What one connection has handed to components that they have not taken yet: the messages in their
 * mailboxes that came over it, and those messages' payload bytes, against the connection's limits.
 *
 * @remarks A message counts from the moment the dispatcher tells it to a component until that
 * component's turn takes it from the mailbox, or it becomes a dead letter (the component faulted or
 * was destroyed); a message moved to a replacement keeps counting. While the backlog is full the
 * connection withholds its acknowledgements, so the sending system reaches its high-water mark and
 * refuses with `backpressure`; {@link ReceiveBacklog.remove} calls `onDrained` when it is no longer
 * full, and acknowledgements resume.
 *
 * Not exported from the package, but kept in the declarations because {@link DataHandler} names it.
 */
export class ReceiveBacklog {
  /** Messages told to components and not yet taken. */
  messages = 0;
  /** Payload bytes of those messages. */
  bytes = 0;
  /** Whether a limit was reached and the backlog has not dropped under both limits since. */
  isFull = false;
  private readonly maxMessages: number;
  private readonly maxBytes: number;
  private readonly onDrained: () => void;

  /** The session of the connection this backlog belongs to (0 when it has none). */
  readonly session: number;

  constructor(maxMessages: number, maxBytes: number, onDrained: () => void, session = 0) {
    this.session = session;
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
    this.onDrained = onDrained;
  }

  /** One more message of `bytes` payload bytes is in a mailbox. */
  add(bytes: number): void {
    this.messages++;
    this.bytes += bytes;
    if (this.messages >= this.maxMessages || this.bytes >= this.maxBytes) this.isFull = true;
  }

  /** A message of `bytes` payload bytes left its mailbox (taken by a turn, or a dead letter). */
  remove(bytes: number): void {
    this.messages--;
    this.bytes -= bytes;
    if (this.isFull && this.messages < this.maxMessages && this.bytes < this.maxBytes) {
      this.isFull = false;
      this.onDrained();
    }
  }
}
