import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { partnerReach, type PartnerPath, type PartnerResult, type PartnerState } from '../../../contract';
import { PartnerView } from './PartnerPanel';
import { cannotBecomeCode, joinCommand, partnerHeadline, partnerRows, qrDataUrl } from './partner-rows';

const NO_WARNING = partnerReach([]);

const path = (
  index: number,
  kind: PartnerPath['path'],
  outcome: PartnerPath['outcome'],
  extra: Partial<PartnerPath> = {},
): PartnerPath => ({
  index,
  path: kind,
  server: kind === 'relay' ? 'turn:turn.example:3478?transport=udp' : null,
  outcome,
  stage: outcome === 'success' ? 'measure' : 'connect',
  errorClass: outcome === 'success' || outcome === 'skipped' ? null : 'timeout',
  message: outcome === 'success' ? null : 'the two testers did not connect directly',
  durationMs: 1200,
  metrics:
    outcome === 'success'
      ? { path: kind, rttMsP50: 23.5, lossPct: 0, throughputKbps: 48_000 }
      : { path: kind },
  ...extra,
});

const PATHS = [path(2, 'relay', 'success'), path(0, 'host', 'timeout'), path(1, 'srflx', 'timeout')];

const RESULT: PartnerResult = {
  schema: 'rtc-triage/partner@1',
  role: 'join',
  correlationId: 'partner-00000000-0000-0000-000000000000',
  runId: 'run-1',
  status: 'completed',
  message: 'done',
  codeProblem: null,
  startedAt: '2026-01-01T12:00:00.000Z',
  finishedAt: '2026-01-01T12:00:30.000Z',
  durationMs: 30_000,
  pairedVia: { targetId: 'gun', kind: 'gun', url: 'https://gun.example/gun' },
  rendezvous: [],
  paths: PATHS,
  crossNetwork: {
    result: 'pass',
    path: 'relay',
    needsTurn: true,
    sameNetwork: false,
    summary: 'Direct connections failed, while the relay through TURN worked.',
  },
  verdict: null,
  cleanup: { opened: 10, released: 10, leaked: 0 },
};

const noop = () => {};

describe('the partner panel', () => {
  it('shows the shared table in plan order, with figures and the reasons of failures', () => {
    const rows = partnerRows(PATHS);
    expect(rows.map((r) => [r.session, r.outcome])).toEqual([
      ['Host-only', 'timeout'],
      ['Direct (reflexive-only)', 'timeout'],
      ['Relay-only (TURN)', 'success'],
    ]);
    expect(rows[2]).toMatchObject({ rtt: '23.5 ms', loss: '0 %', throughput: '48 Mbit/s', note: '' });
    expect(rows[1]?.note).toMatch(/did not connect directly/);
    expect(partnerHeadline(RESULT)).toBe('Connected only through the TURN relay: this network needs TURN.');
  });

  it('tells a code that cannot be completed from one still being typed', () => {
    for (const partial of ['', '7', '7kq2-', '7KQ2 M9X', 'zz9o-zz9o', ' 7KQ2-M9XD '])
      expect(cannotBecomeCode(partial), partial).toBe(false);
    for (const hopeless of ['7KQ2-M9XU', '7KQ!', '7KQ2-M9XD1', 'hello world'])
      expect(cannotBecomeCode(hopeless), hopeless).toBe(true);
  });

  it('puts the join command in the QR code, as an SVG data URL', async () => {
    expect(joinCommand('7KQ2-M9XD')).toBe('rtc-triage partner --join 7KQ2-M9XD');
    const url = await qrDataUrl('7KQ2-M9XD');
    expect(url.startsWith('data:image/svg+xml;charset=utf-8,')).toBe(true);
    expect(decodeURIComponent(url)).toContain('<svg');
    expect(await qrDataUrl('7KQ2-M9XD')).toBe(url);
  });

  it('renders each state: start (code input), waiting (the code), finished (table and what it proves)', () => {
    const render = (state: PartnerState | null) =>
      renderToStaticMarkup(
        createElement(PartnerView, { state, busy: false, onHost: noop, onJoin: noop, onCancel: noop }),
      );
    const start = render(null);
    expect(start).toContain('Show a code');
    expect(start).toContain('placeholder="7KQ2-M9XD"');
    const waiting = render({
      active: true,
      role: 'host',
      phase: 'waiting',
      code: '7KQ2-M9XD',
      expiresAt: '2026-01-01T12:10:00.000Z',
      paths: [],
      result: null,
      reach: NO_WARNING,
    });
    expect(waiting).toContain('7KQ2-M9XD');
    expect(waiting).not.toContain('data-testid="partner-reach"');
    expect(waiting).toContain('rtc-triage partner --join 7KQ2-M9XD');
    expect(waiting).toContain('Cancel');
    const finished = render({
      active: false,
      role: 'join',
      phase: 'finished',
      code: '7KQ2-M9XD',
      expiresAt: null,
      paths: PATHS,
      result: RESULT,
      reach: NO_WARNING,
    });
    expect(finished).toContain('this network needs TURN');
    expect(finished).toContain('Relay-only (TURN)');
    expect(finished).toContain('partner-00000000-0000-0000-000000000000');
  });

  it('warns before a test when a remote partner cannot reach the configured servers', () => {
    const reach = partnerReach([
      { kind: 'gun', url: 'http://127.0.0.1:8765/gun' },
      { kind: 'turn', url: 'turn:127.0.0.1:3478' },
    ]);
    const idle = renderToStaticMarkup(
      createElement(PartnerView, {
        state: {
          active: false,
          role: null,
          phase: 'idle',
          code: null,
          expiresAt: null,
          paths: [],
          result: null,
          reach,
        },
        busy: false,
        onHost: noop,
        onJoin: noop,
        onCancel: noop,
      }),
    );
    expect(idle).toContain('data-testid="partner-reach"');
    expect(idle).toContain('A partner on another network can never pair with you');
    expect(idle).toContain('http://127.0.0.1:8765/gun (this machine only)');
    expect(idle).toContain('A remote partner needs a TURN server both of you can reach');
  });
});
