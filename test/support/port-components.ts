// Port types and components the port tests share (test/ports.test.ts, test/port-events.test.ts), and the
// setup most of them start from: a started provider and requirer of PortA.
import {
  type Component,
  ComponentDefinition,
  Handled,
  HandlerError,
  type HandlerReturn,
  type KompactSystem,
  type ProvidedPort,
  port,
  type RequiredPort,
} from '../../src/index.js';
import { read } from './definitions.js';

/** A port of strings both ways. */
export const PortA = port<string, string>('PortA');

/** A second port of strings both ways: its events match PortA's, so only its identity tells them apart. */
export const PortB = port<string, string>('PortB');

/** Provides PortA and records every request it handles, in order. */
export class Recorder extends ComponentDefinition<string> {
  readonly seen: string[] = [];
  readonly a = this.providePort(PortA, (request) => {
    this.seen.push(request);
  });
}

/** Requires PortA and records every indication it handles, in order. */
export class Listener extends ComponentDefinition {
  readonly seen: string[] = [];
  readonly a = this.requirePort(PortA, (indication) => {
    this.seen.push(indication);
  });
}

/** What a port handler of {@link Reactor} returns for a given request. */
export type Reaction = 'ok' | 'throw' | 'benign' | 'recoverable' | 'unrecoverable' | 'shutdown' | 'block';

/** Provides PortA; each request names how its handler ends. Counts handled requests and onKill calls. */
export class Reactor extends ComponentDefinition<string> {
  handled: string[] = [];
  kills = 0;
  gate: Promise<void> = Promise.resolve();
  readonly a = this.providePort(PortA, (request) => this.react(request as Reaction));

  react(reaction: Reaction): HandlerReturn {
    this.handled.push(reaction);
    switch (reaction) {
      case 'ok':
        return Handled.Ok;
      case 'throw':
        throw new Error('port handler boom');
      case 'benign':
        return HandlerError.benign(new Error('port handler shrug'));
      case 'recoverable':
        return HandlerError.recoverable(new Error('port handler trouble'));
      case 'unrecoverable':
        return HandlerError.unrecoverable(new Error('port handler doom'));
      case 'shutdown':
        return Handled.Shutdown;
      case 'block':
        return Handled.blockOn(async () => {
          await this.gate;
          this.handled.push('unblocked');
        });
    }
  }

  override receiveLocal(message: string): HandlerReturn {
    this.handled.push(`msg:${message}`);
  }

  override onKill(): HandlerReturn {
    this.kills++;
  }
}

/** A {@link Recorder} and a {@link Listener}, both started, with their PortA ends; not connected. */
export interface RecorderAndListener {
  readonly provider: Component<Recorder>;
  readonly requirer: Component<Listener>;
  readonly provided: ProvidedPort<string, string>;
  readonly required: RequiredPort<string, string>;
}

/** Creates and starts a {@link Recorder} and a {@link Listener}, leaving the connecting to the test. */
export async function startedRecorderAndListener(system: KompactSystem): Promise<RecorderAndListener> {
  const provider = system.create(() => new Recorder());
  const requirer = system.create(() => new Listener());
  await system.startNotify(provider);
  await system.startNotify(requirer);
  return {
    provider,
    requirer,
    provided: read(provider, (d) => d.a),
    required: read(requirer, (d) => d.a),
  };
}
