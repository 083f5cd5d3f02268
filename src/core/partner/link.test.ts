import { describe, expect, it } from 'vitest';
import { configuredTarget } from '../config/targets';
import { ProbeFailure } from '../probes/types';
import { AttemptLedger } from '../ledger/ledger';
import { deriveKeys, seal } from './code';
import { Inbox, Outbox, PartnerLink } from './link';
import type { Body, Frame } from './messages';
import type { PartnerTransport } from './transport';

const JOINER = '0123456789abcdef';

/** A transport that keeps what is sent and lets the test deliver frames as a server would. */
function fakeTransport(me: string) {
  let handler: (sealed: string, via: string | null) => void = () => {};
  let gone: (via: string) => void = () => {};
  const sent: Array<{ to: string; seq: number; sealed: string }> = [];
  const transport: PartnerTransport = {
    target: configuredTarget({ kind: 'gun', url: 'http://relay.test/gun', id: 'gun', layer: 'L3' }),
    me,
    send: (to, seq, sealed) => sent.push({ to, seq, sealed }),
    onFrame: (next) => (handler = next),
    onPeerGone: (next) => (gone = next),
    addressOf: (name) => `peer-${name}`,
    failed: new Promise<never>(() => {}),
    quiet: () => {},
  };
  return {
    transport,
    sent,
    deliver: (sealed: string, via: string | null = null) => handler(sealed, via),
    gone: (via: string) => gone(via),
  };
}

describe('the partner inbox', () => {
  it('delivers each frame once, in its sender order, and refuses what is not for this meeting or direction', async () => {
    const keys = await deriveKeys('7KQ2-M9XD');
    const other = await deriveKeys('7KQ2-M9XE');
    const host = fakeTransport('host');
    const got: Frame[] = [];
    const inbox = new Inbox(host.transport, keys, (frame) => got.push(frame));
    const frame = (seq: number, body: Body, from = JOINER, to = 'host') =>
      JSON.stringify({ v: 1, from, to, seq, body });
    const alive: Body = { t: 'alive' };
    host.deliver(seal(keys, frame(1, { t: 'path-start', index: 1 })));
    host.deliver(seal(keys, frame(0, alive)));
    host.deliver(seal(keys, frame(0, alive))); // a relay's duplicate
    host.deliver(seal(keys, frame(2, { t: 'done' })));
    host.deliver(seal(other, frame(3, alive))); // another meeting's key
    host.deliver(seal(keys, frame(3, alive, 'host', JOINER))); // the other direction
    host.deliver(seal(keys, frame(3, alive)), 'peer-someone-else'); // a sender the server names differently
    host.deliver(seal(keys, '{"v":1,"from":"host"}'));
    host.deliver('garbage');
    expect(got.map((f) => [f.seq, f.body.t])).toEqual([
      [0, 'alive'],
      [1, 'path-start'],
      [2, 'done'],
    ]);
    expect(inbox.rejected).toBe(5);
  });

  it('numbers outgoing frames per destination', async () => {
    const keys = await deriveKeys('7KQ2-M9XD');
    const host = fakeTransport('host');
    const outbox = new Outbox(host.transport, keys);
    outbox.send(JOINER, { t: 'alive' });
    outbox.send('fedcba9876543210', { t: 'refused', reason: 'used' });
    outbox.send(JOINER, { t: 'done' });
    expect(host.sent.map((s) => [s.to, s.seq])).toEqual([
      [JOINER, 0],
      ['fedcba9876543210', 0],
      [JOINER, 1],
    ]);
  });
});

describe('the partner link', () => {
  it('says alive, holds frames until the session listens, and ends when the partner goes silent', async () => {
    const keys = await deriveKeys('7KQ2-M9XD');
    const joiner = fakeTransport(JOINER);
    const ledger = new AttemptLedger();
    const scope = ledger.scope();
    const link = new PartnerLink(joiner.transport, new Outbox(joiner.transport, keys), 'host', scope, {
      silenceMs: 1500,
    });
    link.received({ t: 'path-start', index: 0 });
    const seen: Body[] = [];
    link.on((body) => seen.push(body));
    expect(seen).toEqual([{ t: 'path-start', index: 0 }]);
    const alive = link.confirmAlive();
    link.received({ t: 'alive' });
    expect(await alive).toBe(true);
    const error = await link.lost.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeFailure);
    expect((error as ProbeFailure).stage).toBe('partner');
    expect((error as ProbeFailure).message).toMatch(/the partner stopped answering/);
    expect((error as ProbeFailure).metrics.partnerLost).toBe(true);
    expect(await link.confirmAlive()).toBe(false);
    expect(joiner.sent.length).toBeGreaterThan(0); // its own heartbeats
    scope.releaseAll();
    expect(ledger.counts().leaked).toBe(0);
  });

  it('ends at once when the server reports the partner gone, or the partner says it cancelled', async () => {
    const keys = await deriveKeys('7KQ2-M9XD');
    const ledger = new AttemptLedger();
    for (const end of ['gone', 'bye'] as const) {
      const joiner = fakeTransport(JOINER);
      const scope = ledger.scope();
      const link = new PartnerLink(joiner.transport, new Outbox(joiner.transport, keys), 'host', scope, {
        silenceMs: 60_000,
      });
      if (end === 'gone') joiner.gone('peer-host');
      else link.received({ t: 'bye', reason: 'cancelled' });
      const error = (await link.lost.catch((e: unknown) => e)) as ProbeFailure;
      expect(error.message).toMatch(
        end === 'gone' ? /reports the partner gone/ : /the partner cancelled the test/,
      );
      scope.releaseAll();
    }
    expect(ledger.counts().leaked).toBe(0);
  });
});
