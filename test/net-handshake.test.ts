import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KompactError } from '../src/internal/kompact-error.js';
import type { Frame } from '../src/net/frame.js';
import { NONCE_BYTES, PROTOCOL_VERSION } from '../src/net/frame.js';
import {
  acceptorHandshake,
  dialerHandshake,
  type HandshakeAction,
  type HandshakeCrypto,
  type HandshakeEnvironment,
  type HandshakeInput,
  type HandshakeState,
  step,
} from '../src/net/handshake.js';
import { handshakeProof, proofMatches } from '../src/net/handshake-proof.js';
import { SystemPath } from '../src/paths/system-path.js';

const DIALER = new SystemPath('tcp', '127.0.0.1', 4000);
const ACCEPTOR = new SystemPath('tcp', '127.0.0.1', 4001);
const STRANGER = new SystemPath('tcp', '::1', 4002);
const SECRET = new TextEncoder().encode('the shared secret');
const WRONG_SECRET = new TextEncoder().encode('a guess');

/** Real proofs over fixed nonces: each crypto's nonces are `fill, fill + 1, ...`, so runs repeat. */
function fixedCrypto(fill: number): HandshakeCrypto {
  let next = fill;
  return {
    nonce: () => new Uint8Array(NONCE_BYTES).fill(next++),
    proof: handshakeProof,
    matches: proofMatches,
  };
}

function env(
  localSystem: SystemPath,
  secret: Uint8Array | undefined,
  crypto: HandshakeCrypto,
  blocked: readonly SystemPath[] = [],
): HandshakeEnvironment {
  return {
    localSystem,
    secret,
    crypto,
    isSystemBlocked: (system) => blocked.some((b) => b.equals(system)),
  };
}

interface Side {
  state: HandshakeState;
  readonly env: HandshakeEnvironment;
  readonly actions: HandshakeAction[];
}

function dialerSide(secret: Uint8Array | undefined, dialled = ACCEPTOR): Side {
  const crypto = fixedCrypto(1);
  return { state: dialerHandshake(crypto, dialled), env: env(DIALER, secret, crypto), actions: [] };
}

function acceptorSide(
  secret: Uint8Array | undefined,
  options: { localSystem?: SystemPath; blocked?: SystemPath[] } = {},
): Side {
  const crypto = fixedCrypto(101);
  return {
    state: acceptorHandshake(crypto),
    env: env(options.localSystem ?? ACCEPTOR, secret, crypto, options.blocked),
    actions: [],
  };
}

/** Feeds `input` to `side`; returns the frames it sends. */
function feed(side: Side, input: HandshakeInput): Frame[] {
  const { state, actions } = step(side.state, input, side.env);
  side.state = state;
  side.actions.push(...actions);
  return actions.flatMap((a) => (a.kind === 'send' ? [a.frame] : []));
}

/** Runs a whole exchange (at most a few rounds): the dialer connects, then frames go back and forth. */
function exchange(dialer: Side, acceptor: Side): void {
  let toAcceptor = feed(dialer, { kind: 'connected', address: '127.0.0.1', isAddressBlocked: false });
  for (let round = 0; round < 4 && toAcceptor.length > 0; round++) {
    const toDialer = toAcceptor.flatMap((frame) => feed(acceptor, { kind: 'frame', frame }));
    toAcceptor = toDialer.flatMap((frame) => feed(dialer, { kind: 'frame', frame }));
  }
}

function kinds(side: Side): string[] {
  return side.actions.map((a) => (a.kind === 'send' ? `send ${a.frame.kind}` : a.kind));
}

function failure(side: Side): Extract<HandshakeAction, { kind: 'fail' }> {
  const fail = side.actions.find((a) => a.kind === 'fail');
  assert.ok(
    fail !== undefined && fail.kind === 'fail',
    `expected a fail action, got ${kinds(side).join(', ')}`,
  );
  return fail;
}

describe('handshake step function', () => {
  it('establishes both sides with a shared secret, the dialer proving first', () => {
    const dialer = dialerSide(SECRET);
    const acceptor = acceptorSide(SECRET);
    exchange(dialer, acceptor);
    assert.deepEqual(kinds(dialer), ['send hello', 'send hello-ack', 'establish']);
    assert.deepEqual(kinds(acceptor), ['identify', 'send hello', 'send hello-ack', 'establish']);
    assert.deepEqual(dialer.state, { kind: 'established', peer: ACCEPTOR });
    assert.deepEqual(acceptor.state, { kind: 'established', peer: DIALER });
    const [hello] = dialer.actions;
    assert.ok(hello?.kind === 'send' && hello.frame.kind === 'hello');
    assert.equal(hello.frame.version, PROTOCOL_VERSION);
    assert.equal(hello.frame.proof, undefined);
    const acceptorHello = acceptor.actions[1];
    assert.ok(acceptorHello?.kind === 'send' && acceptorHello.frame.kind === 'hello');
    assert.equal(acceptorHello.frame.proof, undefined, 'the acceptor gives no proof before the dialer has');
  });

  it('establishes both sides without a secret, with no proofs on the wire', () => {
    const dialer = dialerSide(undefined);
    const acceptor = acceptorSide(undefined);
    exchange(dialer, acceptor);
    assert.equal(dialer.state.kind, 'established');
    assert.equal(acceptor.state.kind, 'established');
    for (const action of [...dialer.actions, ...acceptor.actions]) {
      if (action.kind === 'send' && action.frame.kind === 'hello-ack')
        assert.equal(action.frame.proof, undefined);
    }
  });

  it('is deterministic: the same crypto gives the same frames', () => {
    const first = [dialerSide(SECRET), acceptorSide(SECRET)] as const;
    const second = [dialerSide(SECRET), acceptorSide(SECRET)] as const;
    exchange(...first);
    exchange(...second);
    assert.deepEqual(first[0].actions, second[0].actions);
    assert.deepEqual(first[1].actions, second[1].actions);
  });

  it('refuses a dialer whose proof fails, telling the host before it fails with a bye', () => {
    const dialer = dialerSide(WRONG_SECRET);
    const acceptor = acceptorSide(SECRET);
    exchange(dialer, acceptor);
    assert.deepEqual(kinds(acceptor), ['identify', 'send hello', 'authentication-failed', 'fail']);
    const fail = failure(acceptor);
    assert.ok(fail.error instanceof KompactError);
    assert.equal(fail.error.code, 'HANDSHAKE_FAILED');
    assert.match(fail.error.message, /the dialer does not know the shared secret/);
    assert.equal(fail.isByeUseful, true);
    assert.equal(acceptor.state.kind, 'failed');
    assert.equal(dialer.state.kind, 'dialer-await-hello-ack', 'the dialer never got a proof to check');
  });

  it('refuses an acceptor whose proof fails', () => {
    const dialer = dialerSide(SECRET);
    feed(dialer, { kind: 'connected', address: '127.0.0.1', isAddressBlocked: false });
    feed(dialer, {
      kind: 'frame',
      frame: {
        kind: 'hello',
        version: PROTOCOL_VERSION,
        system: ACCEPTOR,
        nonce: new Uint8Array(NONCE_BYTES),
        proof: undefined,
      },
    });
    feed(dialer, { kind: 'frame', frame: { kind: 'hello-ack', proof: new Uint8Array(32).fill(7) } });
    assert.match(
      failure(dialer).error.message,
      /Handshake refused: the peer does not know the shared secret/,
    );
    assert.equal(dialer.state.kind, 'failed');
  });

  it('refuses a hello that carries a proof (protocol version 2 sends proofs in hello-ack)', () => {
    const acceptor = acceptorSide(SECRET);
    const frames = feed(acceptor, {
      kind: 'frame',
      frame: {
        kind: 'hello',
        version: PROTOCOL_VERSION,
        system: DIALER,
        nonce: new Uint8Array(NONCE_BYTES),
        proof: new Uint8Array(32),
      },
    });
    assert.deepEqual(frames, []);
    assert.match(failure(acceptor).error.message, /the peer sent a proof in its hello/);
    assert.equal(acceptor.state.kind, 'failed');
  });

  it('refuses, at warn, an acceptor that names another system than the one dialled', () => {
    const dialer = dialerSide(SECRET);
    const acceptor = acceptorSide(SECRET, { localSystem: STRANGER });
    exchange(dialer, acceptor);
    assert.deepEqual(kinds(dialer), ['send hello', 'fail'], 'no proof goes to the wrong system');
    const fail = failure(dialer);
    assert.equal(fail.level, 'warn');
    assert.match(fail.error.message, /dialled tcp:\/\/127\.0\.0\.1:4001, but the acceptor names itself/);
  });

  it('refuses a secret on the dialer only, and on the acceptor only', () => {
    const dialerOnly = [dialerSide(SECRET), acceptorSide(undefined)] as const;
    exchange(...dialerOnly);
    assert.deepEqual(kinds(dialerOnly[1]), ['identify', 'send hello', 'authentication-failed', 'fail']);
    assert.match(
      failure(dialerOnly[1]).error.message,
      /the dialer has a shared secret and none is configured here/,
    );

    const acceptorOnly = [dialerSide(undefined), acceptorSide(SECRET)] as const;
    exchange(...acceptorOnly);
    assert.deepEqual(kinds(acceptorOnly[1]), ['identify', 'send hello', 'authentication-failed', 'fail']);
    assert.match(failure(acceptorOnly[1]).error.message, /the dialer sent no shared-secret proof/);
  });

  it('refuses a blocked system after learning its name, before sending anything', () => {
    const dialer = dialerSide(undefined);
    const acceptor = acceptorSide(undefined, { blocked: [DIALER] });
    exchange(dialer, acceptor);
    assert.deepEqual(kinds(acceptor), ['identify', 'fail']);
    assert.match(failure(acceptor).error.message, /system tcp:\/\/127\.0\.0\.1:4000 is blocked/);
  });

  it('destroys a dialer whose peer address is blocked, without a hello', () => {
    const dialer = dialerSide(undefined);
    const frames = feed(dialer, { kind: 'connected', address: '127.0.0.1', isAddressBlocked: true });
    assert.deepEqual(frames, []);
    assert.deepEqual(kinds(dialer), ['destroy']);
    assert.equal(dialer.state.kind, 'failed');
  });

  it("takes a bye as the peer's refusal, without answering it with a bye", () => {
    const dialer = dialerSide(undefined);
    feed(dialer, { kind: 'connected', address: '127.0.0.1', isAddressBlocked: false });
    feed(dialer, { kind: 'frame', frame: { kind: 'bye', isError: true, reason: 'go away' } });
    const fail = failure(dialer);
    assert.equal(fail.isByeUseful, false);
    assert.match(fail.error.message, /The peer refused the connection: go away/);
  });

  it('refuses a frame out of order, and fails on its timeout', () => {
    const acceptor = acceptorSide(undefined);
    feed(acceptor, { kind: 'frame', frame: { kind: 'hello-ack', proof: undefined } });
    assert.match(failure(acceptor).error.message, /unexpected hello-ack frame during the handshake/);

    const late = acceptorSide(undefined);
    feed(late, { kind: 'timeout', timeoutMs: 1234 });
    assert.match(failure(late).error.message, /Handshake did not complete within 1234 ms/);
  });

  it('ignores every input once it has ended', () => {
    const dialer = dialerSide(undefined);
    const acceptor = acceptorSide(undefined);
    exchange(dialer, acceptor);
    const before = acceptor.actions.length;
    feed(acceptor, { kind: 'timeout', timeoutMs: 1 });
    feed(acceptor, { kind: 'frame', frame: { kind: 'hello-ack', proof: undefined } });
    assert.equal(acceptor.actions.length, before);
    assert.equal(acceptor.state.kind, 'established');
  });
});
