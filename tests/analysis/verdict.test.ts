import { describe, expect, it } from 'vitest';
import { VerdictSchema, type AttemptReport, type TargetReport, type VerdictKind } from '../../src/contract';
import { verdictFor } from '../../src/core/analysis/verdict';
import { attempt } from './history-fixture';

const T0 = Date.parse('2026-01-01T12:00:00Z');
const target = (
  id: string,
  kind: TargetReport['kind'],
  layer: TargetReport['layer'],
  url: string,
): TargetReport => ({
  id,
  kind,
  layer,
  url,
  status: 'untested',
  rttMs: null,
});

const STUN_A = target('stun-a', 'stun', 'L2', 'stun:stun-a.test:3478');
const STUN_B = target('stun-b', 'stun', 'L2', 'stun:stun-b.test:3478');
const STUN_TCP = target('stun-tcp', 'stun', 'L2', 'stun:stun-a.test:3478?transport=tcp');
const TURN = target('turn-a', 'turn', 'L2', 'turn:turn-a.test:3478?transport=udp');
const GUN = target('gun-a', 'gun', 'L3', 'https://gun-a.test/gun');
const PEERJS = target('peerjs-a', 'peerjs', 'L3', 'https://peerjs-a.test/peerjs');
const LAB = target('lab-stun', 'stun', 'L1', 'stun:127.0.0.1:40000');

type Step = [
  targetId: string,
  probe: string,
  ok: boolean,
  metrics?: AttemptReport['metrics'],
  errorClass?: AttemptReport['errorClass'],
];
const run = (steps: Step[]) =>
  steps.map(([id, probe, ok, metrics, errorClass], i) =>
    attempt(id, probe, T0 + i, ok, metrics ?? {}, errorClass ?? 'timeout'),
  );

const LOCAL_OK: Step = ['local-machine', 'peer-connection', true, { path: 'host' }];
const LAB_OK: Step = ['lab-stun', 'stun-binding', true];

interface Case {
  name: string;
  kind: VerdictKind;
  targets: TargetReport[];
  steps: Step[];
  appFailing?: boolean;
  cancelled?: boolean;
  local?: 'pass' | 'fail' | 'untested';
  crossNetwork?: 'pass' | 'fail' | 'untested';
  message?: RegExp;
  title?: RegExp;
  deciding?: string[];
  /** Every evidence line matches. */
  summaries?: RegExp;
}

const CASES: Case[] = [
  {
    name: 'every layer passes',
    kind: 'healthy',
    targets: [STUN_A, TURN, GUN],
    steps: [
      LOCAL_OK,
      ['stun-a', 'stun-binding', true],
      ['turn-a', 'turn-allocation', true],
      ['turn-a', 'peer-connection', true, { path: 'relay' }],
      ['gun-a', 'gun-signaling', true],
    ],
    local: 'pass',
    crossNetwork: 'pass',
  },
  {
    name: 'every layer passes but the user says the app fails',
    kind: 'app-suspect',
    targets: [STUN_A, TURN],
    steps: [
      LOCAL_OK,
      ['stun-a', 'stun-binding', true],
      ['turn-a', 'peer-connection', true, { path: 'relay' }],
    ],
    appFailing: true,
    message: /the difference is in the app/,
  },
  {
    name: 'every STUN server times out while this machine works',
    kind: 'infrastructure-outage',
    targets: [STUN_A, STUN_B, GUN, LAB],
    steps: [
      LAB_OK,
      LOCAL_OK,
      ['stun-a', 'stun-binding', false],
      ['stun-b', 'stun-binding', false],
      ['gun-a', 'gun-signaling', true],
    ],
    local: 'pass',
    message: /not the app and not the user/,
    deciding: ['stun-a', 'stun-b'],
  },
  {
    name: 'the GUN relay is down while PeerJS works: the outage is GUN, and says PeerJS still works',
    kind: 'infrastructure-outage',
    targets: [STUN_A, GUN, PEERJS],
    steps: [
      LOCAL_OK,
      ['stun-a', 'stun-binding', true],
      ['gun-a', 'gun-signaling', false, {}, 'refused'],
      ['peerjs-a', 'peerjs-signaling', true],
    ],
    local: 'pass',
    message:
      /GUN signaling server failed \(https:\/\/gun-a\.test\/gun\).*Still working: STUN, PeerJS signaling\./,
    deciding: ['gun-a'],
  },
  {
    name: 'every outside server fails, even with --app-failing',
    kind: 'infrastructure-outage',
    targets: [STUN_A, TURN, GUN],
    appFailing: true,
    steps: [
      LOCAL_OK,
      ['stun-a', 'stun-binding', false],
      ['turn-a', 'turn-allocation', false],
      ['turn-a', 'peer-connection', false, { path: 'relay' }],
      ['gun-a', 'gun-signaling', false],
    ],
    local: 'pass',
    crossNetwork: 'fail',
    // several kinds read as one sentence, not "STUN and TURN and GUN signaling"
    title: /^Infrastructure outage: no STUN, TURN or GUN signaling server works$/,
    message: /^Every STUN, TURN and GUN signaling server failed \(/,
  },
  {
    name: 'one STUN server of two fails',
    kind: 'partial-outage',
    targets: [STUN_A, STUN_B],
    steps: [
      ['stun-a', 'stun-binding', true],
      ['stun-b', 'stun-binding', false],
    ],
    message: /stun-b\.test/,
    deciding: ['stun-b'],
  },
  {
    // seen in the network lab (30% loss): tests fail after retries on servers that pass others
    name: 'tests fail on servers that answered other tests (loss): connects, not reliably',
    kind: 'healthy',
    targets: [STUN_A, STUN_B, TURN, GUN],
    steps: [
      LOCAL_OK,
      ['stun-a', 'stun-binding', true],
      ['stun-a', 'nat-behavior', false],
      ['stun-b', 'stun-binding', true],
      ['turn-a', 'turn-allocation', true, { transport: 'udp' }],
      ['turn-a', 'peer-connection', false, { path: 'relay', transport: 'udp' }],
      ['turn-a', 'peer-connection', true, { path: 'relay', transport: 'tcp' }],
      ['gun-a', 'gun-signaling', true],
    ],
    local: 'pass',
    crossNetwork: 'pass',
    message: /not reliably|packet loss/,
    deciding: ['stun-a', 'turn-a'],
  },
  {
    name: 'a server that fails every test is down even when others are flaky',
    kind: 'partial-outage',
    targets: [STUN_A, STUN_B, TURN],
    steps: [
      LOCAL_OK,
      ['stun-a', 'stun-binding', true],
      ['stun-a', 'nat-behavior', false],
      ['stun-b', 'stun-binding', false],
      ['turn-a', 'peer-connection', true, { path: 'relay' }],
    ],
    message: /Failing: stun:stun-b\.test:3478\./,
  },
  {
    name: 'UDP fails while TCP answers',
    kind: 'network-restricted',
    targets: [STUN_A, STUN_TCP],
    steps: [
      ['stun-a', 'stun-binding', false, { transport: 'udp' }],
      ['stun-tcp', 'stun-binding', true, { transport: 'tcp' }],
    ],
    message: /blocks UDP/,
  },
  {
    name: 'servers answer but no relayed session gets through',
    kind: 'network-restricted',
    targets: [STUN_A, TURN],
    steps: [
      LOCAL_OK,
      ['stun-a', 'stun-binding', true],
      ['turn-a', 'turn-allocation', true],
      ['turn-a', 'peer-connection', false, { path: 'relay' }],
    ],
    local: 'pass',
    crossNetwork: 'fail',
    message: /relayed/,
  },
  {
    name: 'a symmetric NAT with a working relay',
    kind: 'network-restricted',
    targets: [STUN_A, TURN],
    steps: [
      ['stun-a', 'stun-binding', true],
      [
        'stun-a',
        'nat-behavior',
        true,
        { mapping: 'address-and-port-dependent', filtering: 'address-and-port-dependent' },
      ],
      ['turn-a', 'peer-connection', true, { path: 'relay' }],
    ],
    crossNetwork: 'pass',
    message: /TURN relay worked|relayed through TURN worked/,
  },
  {
    // seen in the network lab: the server listed first has no RFC 5780 (inconclusive)
    name: 'a symmetric NAT found by one server while another is inconclusive',
    kind: 'network-restricted',
    targets: [STUN_B, STUN_A, TURN],
    steps: [
      LOCAL_OK,
      ['stun-b', 'stun-binding', true],
      ['stun-b', 'nat-behavior', true, { mapping: 'inconclusive', filtering: 'inconclusive' }],
      ['stun-a', 'stun-binding', true],
      [
        'stun-a',
        'nat-behavior',
        true,
        { mapping: 'address-and-port-dependent', filtering: 'address-and-port-dependent' },
      ],
      ['turn-a', 'peer-connection', true, { path: 'relay' }],
    ],
    local: 'pass',
    crossNetwork: 'pass',
    message: /address-and-port-dependent/,
    deciding: ['stun-a', 'turn-a'],
  },
  {
    name: 'the L0 machine test fails',
    kind: 'local-environment',
    targets: [STUN_A],
    steps: [
      ['local-machine', 'peer-connection', false, { path: 'host' }],
      ['stun-a', 'stun-binding', true],
    ],
    local: 'fail',
  },
  {
    name: 'the embedded lab does not answer',
    kind: 'local-environment',
    targets: [STUN_A, LAB],
    steps: [
      ['lab-stun', 'stun-binding', false],
      ['stun-a', 'stun-binding', false],
    ],
    local: 'fail',
  },
  {
    name: 'no name resolves and nothing routes',
    kind: 'offline',
    targets: [STUN_A, GUN],
    steps: [
      ['stun-a', 'stun-binding', false, {}, 'dns'],
      ['gun-a', 'gun-signaling', false, {}, 'unreachable'],
    ],
  },
  {
    // seen in the network lab (no default route): libwebrtc's UDP gathering only times out
    name: 'no route for every socket probe while WebRTC gathering just timed out',
    kind: 'offline',
    targets: [STUN_A, TURN, GUN],
    steps: [
      LOCAL_OK,
      ['stun-a', 'stun-binding', false, {}, 'unreachable'],
      ['stun-a', 'ice-gathering', false, {}, 'timeout'],
      ['stun-a', 'peer-connection', false, { path: 'srflx' }, 'timeout'],
      ['turn-a', 'turn-allocation', false, { transport: 'udp' }, 'unreachable'],
      ['turn-a', 'peer-connection', false, { path: 'relay' }, 'timeout'],
      ['gun-a', 'gun-signaling', false, {}, 'unreachable'],
    ],
    local: 'pass',
    crossNetwork: 'fail',
    deciding: ['stun-a', 'turn-a', 'gun-a'],
  },
  {
    name: 'servers silent (timeouts) while one answers no route: not offline',
    kind: 'infrastructure-outage',
    targets: [STUN_A, GUN],
    steps: [
      LOCAL_OK,
      ['stun-a', 'stun-binding', false, {}, 'timeout'],
      ['stun-a', 'ice-gathering', false, {}, 'timeout'],
      ['gun-a', 'gun-signaling', false, {}, 'unreachable'],
    ],
  },
  {
    name: 'the run was cancelled early',
    kind: 'inconclusive',
    targets: [STUN_A, STUN_B],
    steps: [['stun-a', 'stun-binding', true]],
    cancelled: true,
  },
  {
    name: 'nothing outside was tested',
    kind: 'inconclusive',
    targets: [],
    steps: [],
    message: /no evidence/,
  },
  {
    name: 'a relayed session works while every allocation fails (conflict)',
    kind: 'inconclusive',
    targets: [TURN],
    steps: [
      ['turn-a', 'turn-allocation', false, { transport: 'udp' }],
      ['turn-a', 'peer-connection', true, { path: 'relay' }],
    ],
    message: /intermittently/,
  },
  {
    name: 'TURN refuses the credentials (auth, not down)',
    kind: 'app-suspect',
    targets: [STUN_A, TURN],
    steps: [
      ['stun-a', 'stun-binding', true],
      ['turn-a', 'turn-allocation', false, { transport: 'udp', errorCode: 401 }, 'server-error'],
    ],
    message: /credentials/,
  },
  {
    // seen in the network lab: libwebrtc's gathering and the relayed session meet the same 401
    name: 'TURN refuses the credentials in every probe (allocation, gathering, relayed session)',
    kind: 'app-suspect',
    targets: [STUN_A, TURN, GUN],
    steps: [
      LOCAL_OK,
      ['stun-a', 'stun-binding', true],
      ['gun-a', 'gun-signaling', true],
      ['turn-a', 'turn-allocation', false, { transport: 'udp', errorCode: 401 }, 'server-error'],
      ['turn-a', 'ice-gathering', false, { iceErrorCode: 401 }, 'server-error'],
      ['turn-a', 'peer-connection', false, { path: 'relay', iceErrorCode: 401 }, 'timeout'],
    ],
    local: 'pass',
    message: /refused the username\/credential/,
    deciding: ['turn-a'],
    summaries: /credentials rejected \(401\)/,
  },
  {
    name: 'a reflexive-only session fails alone (hairpinning): never condemns the network',
    kind: 'healthy',
    targets: [STUN_A],
    steps: [
      LOCAL_OK,
      ['stun-a', 'stun-binding', true],
      ['stun-a', 'peer-connection', false, { path: 'srflx' }],
    ],
  },
  {
    name: 'a reflexive session cut short with no metrics, on a STUN server: still only hairpin evidence',
    kind: 'healthy',
    targets: [STUN_A],
    steps: [LOCAL_OK, ['stun-a', 'stun-binding', true], ['stun-a', 'peer-connection', false, {}]],
    crossNetwork: 'untested',
  },
  {
    name: 'a lab reflexive session fails on loopback: the machine is still fine',
    kind: 'healthy',
    targets: [STUN_A, LAB],
    steps: [
      LAB_OK,
      ['lab-stun', 'peer-connection', false, { path: 'srflx' }],
      ['stun-a', 'stun-binding', true],
    ],
    local: 'pass',
  },
  {
    name: 'only the lab ran and passed',
    kind: 'healthy',
    targets: [LAB],
    steps: [LAB_OK],
    local: 'pass',
    crossNetwork: 'untested',
  },
  {
    name: 'a STUN-only run where every server answers',
    kind: 'healthy',
    targets: [STUN_A, STUN_B],
    steps: [
      ['stun-a', 'stun-binding', false],
      ['stun-a', 'stun-binding', true],
      ['stun-b', 'stun-binding', true],
    ],
    local: 'untested',
  },
];

describe('verdictFor (DESIGN.md §2)', () => {
  it.each(CASES)('$name → $kind', (c) => {
    const attempts = run(c.steps);
    const verdict = verdictFor({
      targets: c.targets,
      attempts,
      appFailing: c.appFailing ?? false,
      cancelled: c.cancelled ?? false,
    });
    expect(VerdictSchema.parse(verdict)).toEqual(verdict);
    expect(verdict.kind).toBe(c.kind);
    if (c.local) expect(verdict.local).toBe(c.local);
    if (c.crossNetwork) expect(verdict.crossNetwork).toBe(c.crossNetwork);
    if (c.message) expect(verdict.message).toMatch(c.message);
    if (c.title) expect(verdict.title).toMatch(c.title);
    for (const e of verdict.evidence)
      if (e.attemptId) expect(attempts.map((a) => a.id)).toContain(e.attemptId);
    if (c.deciding) {
      const decided = verdict.evidence.map((e) => e.targetId);
      for (const id of c.deciding) expect(decided).toContain(id);
    }
    if (c.summaries) for (const e of verdict.evidence) expect(e.summary).toMatch(c.summaries);
    expect(verdict.title.length).toBeGreaterThan(0);
    expect(verdict.action.length).toBeGreaterThan(0);
  });

  it('a TLS certificate that expires soon is named by the verdict, whatever decided it (issue 18)', () => {
    const TURNS = target('turns-a', 'turn', 'L2', 'turns:turn-a.test:5349');
    const soon = {
      transport: 'tls',
      tlsWarning: "the server's TLS certificate expires in 5 day(s), on 2026-01-06",
      tlsValidTo: '2026-01-06T12:00:00.000Z',
      tlsDaysLeft: 5,
    };
    const healthy = verdictFor({
      targets: [STUN_A, TURNS],
      attempts: run([
        LOCAL_OK,
        ['stun-a', 'stun-binding', true],
        ['turns-a', 'turn-allocation', true, soon],
        ['turns-a', 'peer-connection', true, { path: 'relay' }],
      ]),
      appFailing: false,
      cancelled: false,
    });
    expect(healthy.kind).toBe('healthy');
    expect(healthy.action).toMatch(
      /Also: renew the TLS certificate of turns:turn-a\.test:5349 before 2026-01-06 \(5 days left\)/,
    );
    expect(healthy.evidence[0]).toMatchObject({
      targetId: 'turns-a',
      summary: expect.stringMatching(/expires in 5 day/),
    });
    // and an outage verdict still carries it
    const outage = verdictFor({
      targets: [STUN_A, TURNS],
      attempts: run([
        LOCAL_OK,
        ['stun-a', 'stun-binding', false],
        ['turns-a', 'turn-allocation', true, soon],
      ]),
      appFailing: false,
      cancelled: false,
    });
    expect(outage.kind).not.toBe('healthy');
    expect(outage.action).toMatch(/renew the TLS certificate of turns:turn-a\.test:5349/);
    // no warning, no sentence
    const plain = verdictFor({
      targets: [STUN_A],
      attempts: run([LOCAL_OK, ['stun-a', 'stun-binding', true]]),
      appFailing: false,
      cancelled: false,
    });
    expect(plain.action).not.toMatch(/renew/);
  });

  it('a private-CA turns: server next to a plain TURN that relays: healthy, and says browsers will not use it', () => {
    const TURN_PLAIN = target('turn-a', 'turn', 'L2', 'turn:turn-a.test:3478?transport=udp');
    const TURNS = target('turns-a', 'turn', 'L2', 'turns:turn-a.test:5349');
    const privateCa = { transport: 'tls', tlsTrustedBy: 'caFile', tlsIssuer: 'CN=RTC Triage lab CA' };
    const verdict = verdictFor({
      targets: [STUN_A, TURN_PLAIN, TURNS],
      attempts: run([
        LOCAL_OK,
        ['stun-a', 'stun-binding', true],
        ['turn-a', 'turn-allocation', true, { transport: 'udp' }],
        ['turn-a', 'peer-connection', true, { path: 'relay' }],
        ['turns-a', 'turn-allocation', true, privateCa],
        ['turns-a', 'peer-connection', false, { path: 'relay' }],
      ]),
      appFailing: false,
      cancelled: false,
    });
    expect(VerdictSchema.parse(verdict)).toEqual(verdict);
    expect(verdict.kind).toBe('healthy');
    // not "answers, not reliably": the server is fine for this tool, browsers refuse its certificate
    expect(verdict.message).not.toMatch(/failed even after retries/);
    expect(verdict.title).toBe(
      'Everything tested works here, but browsers will not relay through turns:turn-a.test:5349',
    );
    expect(verdict.message).toMatch(
      /Browsers will not relay through turns:turn-a\.test:5349: its certificate \(issued by CN=RTC Triage lab CA\) is trusted here only through the config's tls\.caFile/,
    );
    expect(verdict.action).toMatch(/^Give turns:turn-a\.test:5349 a certificate from a publicly trusted CA/);
    expect(verdict.action).not.toMatch(/Nothing to fix/);
    expect(verdict.evidence[0]).toMatchObject({
      targetId: 'turns-a',
      summary: expect.stringMatching(/turns:turn-a\.test:5349: Chromium would not relay through it/),
    });
    // the same server alone: the private-CA verdict, said once, not again as a notice
    const alone = verdictFor({
      targets: [STUN_A, TURNS],
      attempts: run([
        LOCAL_OK,
        ['stun-a', 'stun-binding', true],
        ['turns-a', 'turn-allocation', true, privateCa],
        ['turns-a', 'peer-connection', false, { path: 'relay' }],
      ]),
      appFailing: false,
      cancelled: false,
    });
    expect(alone.kind).toBe('infrastructure-outage');
    expect(alone.title).toBe("WebRTC does not trust the TURN server's certificate");
    expect(alone.message).toContain('CN=RTC Triage lab CA');
    expect(alone.action).not.toMatch(/browsers will not relay/);
    expect(alone.evidence.some((e) => /Chromium would not relay through it/.test(e.summary))).toBe(true);
    // trusted by the system store: a failed relay is no certificate matter, and no notice
    const system = verdictFor({
      targets: [STUN_A, TURN_PLAIN, TURNS],
      attempts: run([
        LOCAL_OK,
        ['stun-a', 'stun-binding', true],
        ['turn-a', 'turn-allocation', true, { transport: 'udp' }],
        ['turn-a', 'peer-connection', true, { path: 'relay' }],
        ['turns-a', 'turn-allocation', true, { ...privateCa, tlsTrustedBy: 'system' }],
        ['turns-a', 'peer-connection', false, { path: 'relay' }],
      ]),
      appFailing: false,
      cancelled: false,
    });
    expect(system.action).not.toMatch(/browsers will not relay/);
    expect(system.message).toMatch(/failed even after retries/);
  });

  it('covers every verdict kind', () => {
    const kinds = new Set(CASES.map((c) => c.kind));
    expect([...kinds].sort()).toEqual([...VerdictSchema.shape.kind.options].sort());
  });

  it('never blames the user for an infrastructure outage', () => {
    for (const c of CASES.filter((x) => x.kind === 'infrastructure-outage' || x.kind === 'partial-outage')) {
      const v = verdictFor({
        targets: c.targets,
        attempts: run(c.steps),
        appFailing: false,
        cancelled: false,
      });
      expect(`${v.message} ${v.action}`).not.toMatch(/your (network|machine|fault)/i);
    }
  });
});

describe('DNS truth: a name that does not exist is that server, not the machine', () => {
  const dnsFailure = (id: string, host: string, code: string, at = T0): AttemptReport => ({
    ...attempt(id, 'stun-binding', at, false, {}, 'dns'),
    errorMessage: `the name ${host} did not resolve (${code})`,
  });
  const nxdomain = (id: string, host: string, at = T0) => dnsFailure(id, host, 'ENOTFOUND', at);
  const noResolver = (id: string, host: string, at = T0) => dnsFailure(id, host, 'EAI_AGAIN', at);

  it('one misspelled name as the only target: "check this URL", not offline', () => {
    const verdict = verdictFor({
      targets: [STUN_A],
      attempts: [
        ...run([LOCAL_OK]),
        nxdomain('stun-a', 'stun-a.test'),
        // gathering through the same URL fails for the same reason and is not held against the network
        { ...attempt('stun-a', 'ice-gathering', T0 + 5, false, {}, 'timeout') },
      ],
      appFailing: false,
      cancelled: false,
    });
    expect(VerdictSchema.parse(verdict)).toBeTruthy();
    expect(verdict.kind).toBe('app-suspect');
    expect(verdict.title).toMatch(/^Check this URL: the name does not resolve \(stun:stun-a\.test:3478\)/);
    expect(verdict.message).toMatch(/NXDOMAIN/);
    expect(verdict.action).toMatch(/^Check this URL/);
    expect(verdict.evidence.some((e) => e.targetId === 'stun-a')).toBe(true);
  });

  it('a misspelled name while a literal-IP server answers: the name, and says the network works', () => {
    const verdict = verdictFor({
      targets: [STUN_A, LAB, target('stun-ip', 'stun', 'L2', 'stun:127.0.0.9:3478')],
      attempts: [
        ...run([LOCAL_OK, LAB_OK, ['stun-ip', 'stun-binding', true]]),
        nxdomain('stun-a', 'stun-a.test'),
      ],
      appFailing: false,
      cancelled: false,
    });
    expect(verdict.kind).toBe('app-suspect');
    expect(verdict.title).toMatch(/Check this URL/);
    expect(verdict.message).toMatch(/Other servers answered \(stun:127\.0\.0\.9:3478\)/);
  });

  it('no resolver answering for every name (EAI_AGAIN) is offline, with the machine action', () => {
    const verdict = verdictFor({
      targets: [STUN_A, STUN_B],
      attempts: [noResolver('stun-a', 'stun-a.test'), noResolver('stun-b', 'stun-b.test', T0 + 1)],
      appFailing: false,
      cancelled: false,
    });
    expect(verdict.kind).toBe('offline');
    expect(verdict.action).toMatch(/^Check this machine's network/);
    expect(verdict.action).not.toMatch(/wait/i);
    expect(verdict.evidence.map((e) => e.targetId).sort()).toEqual(['stun-a', 'stun-b']);
  });

  it('one name missing while the resolver fails for the others is not offline either: a resolver answered', () => {
    const verdict = verdictFor({
      targets: [STUN_A, STUN_B],
      attempts: [nxdomain('stun-a', 'stun-a.test'), noResolver('stun-b', 'stun-b.test', T0 + 1)],
      appFailing: false,
      cancelled: false,
    });
    expect(verdict.kind).not.toBe('offline');
    expect(verdict.title).toMatch(/Check this URL/);
  });
});
