/**
 * The partner test's scenarios (issue #11) on the lab: a tester in lanA runs `rtc-triage partner
 * --host`, one in lanB `--join CODE`, both through the servers in pub. Printed by `npm run lab` as rows
 * of the same matrix. Each says what both sides must end with — the expectations — and the
 * evidence behind it.
 */
import type { PartnerResult, PartnerStatus, PathResult, VerdictKind } from '../../../src/contract';
import type { NatMode } from './topology';

/** Both sides' ends. The joiner's result is null when the scenario kills it. */
export interface PartnerRun {
  host: PartnerResult;
  join: PartnerResult | null;
  exit: { host: number | null; join: number | null };
  /** killJoiner: how long the host ran on after the kill, and the most the engine allows it. */
  afterKill: { endedMs: number; limitMs: number } | null;
}

export interface PartnerScenario {
  id: string;
  title: string;
  /** natA's translation; natB is always port-preserving. Both drop unsolicited inbound packets. */
  nat: NatMode;
  /** Listed first in both configs, so the pair meets through it (the joiner asks in config order). */
  signaling: 'gun' | 'peerjs';
  /** SIGKILL the joiner once paired (its first session under way). */
  killJoiner?: boolean;
  expect: {
    status: PartnerStatus;
    /** The host's verdict; null: not checked (a lost partner proves nothing about the network). */
    kind: VerdictKind | null;
    /** The verdict's local: untested, as no host-only session connects between two networks. */
    local: PathResult;
    crossNetwork: PathResult;
    path: 'direct' | 'relay' | null;
  };
  evidence(run: PartnerRun): string[];
}

function checks(...items: Array<[boolean, string]>): string[] {
  return items.filter(([ok]) => !ok).map(([, problem]) => problem);
}

const row = (result: PartnerResult, path: string) => result.paths.find((p) => p.path === path);

/** What every completed pair must show: both sides done, through the expected server, one table. */
function bothCompleted(run: PartnerRun, via: 'gun' | 'peerjs'): Array<[boolean, string]> {
  const sides = [run.host, run.join];
  return [
    [run.join !== null, 'the joiner should print a result'],
    [sides.every((s) => s?.status === 'completed'), 'both sides should complete the plan'],
    [sides.every((s) => s?.pairedVia?.kind === via), `both sides should have paired through ${via}`],
    [
      JSON.stringify(run.join?.paths) === JSON.stringify(run.host.paths),
      'both sides should end with the same table',
    ],
    // private addresses do not route between lanA and lanB
    [row(run.host, 'host')?.outcome !== 'success', 'the host-only session cannot connect across the NATs'],
  ];
}

export const PARTNER_SCENARIOS: PartnerScenario[] = [
  {
    id: 'partner-direct',
    title: 'partner test through port-preserving NATs, paired through the GUN relay',
    nat: 'masquerade',
    signaling: 'gun',
    expect: { status: 'completed', kind: 'healthy', local: 'untested', crossNetwork: 'pass', path: 'direct' },
    evidence: (run) => {
      const direct = row(run.host, 'srflx');
      return checks(
        ...bothCompleted(run, 'gun'),
        [direct?.outcome === 'success', `the reflexive session should connect, got ${direct?.outcome}`],
        [typeof direct?.metrics.rttMsP50 === 'number', 'the direct session should measure RTT'],
        [direct?.metrics.burstSent === 200, 'the direct session should send its 200-packet burst'],
        [typeof direct?.metrics.throughputKbps === 'number', 'the direct session should measure throughput'],
        [
          row(run.host, 'relay')?.outcome === 'success',
          'the relay-only session through coturn should connect',
        ],
        [run.host.crossNetwork.needsTurn === false, 'no TURN should be needed'],
        [run.host.crossNetwork.sameNetwork === false, 'the testers are on different networks'],
        [
          /connected directly \(this network does not need TURN\)/.test(run.host.verdict?.message ?? ''),
          'the verdict should say the direct path works without TURN',
        ],
        [
          run.exit.host === 0 && run.exit.join === 0,
          `both should exit 0, got ${run.exit.host}/${run.exit.join}`,
        ],
      );
    },
  },
  {
    id: 'partner-symmetric',
    title: 'partner test with natA symmetric (fully-random), paired through the PeerJS server',
    nat: 'random-fully',
    signaling: 'peerjs',
    expect: {
      status: 'completed',
      kind: 'network-restricted',
      local: 'untested',
      crossNetwork: 'pass',
      path: 'relay',
    },
    evidence: (run) => {
      const direct = row(run.host, 'srflx');
      const relay = row(run.host, 'relay');
      const title = 'This network needs a TURN relay (proven with a partner)';
      return checks(
        ...bothCompleted(run, 'peerjs'),
        [
          direct !== undefined && direct.outcome !== 'success' && direct.outcome !== 'skipped',
          `the reflexive session should run and fail, got ${direct?.outcome}`,
        ],
        [relay?.outcome === 'success', `the relay-only session should connect, got ${relay?.outcome}`],
        [
          relay?.metrics.localCandidateType === 'relay' && relay.metrics.remoteCandidateType === 'relay',
          'the relay session should run relay to relay',
        ],
        [run.host.crossNetwork.needsTurn === true, 'TURN should be needed'],
        [
          [run.host, run.join].every(
            (s) => s?.verdict?.kind === 'network-restricted' && s.verdict.title === title,
          ),
          `both verdicts should say "${title}"`,
        ],
        [
          run.exit.host === 1 && run.exit.join === 1,
          `both should exit 1, got ${run.exit.host}/${run.exit.join}`,
        ],
      );
    },
  },
  {
    id: 'partner-lost',
    title: 'the joiner SIGKILLed mid-session: the host ends on its own, classified, nothing leaked',
    nat: 'masquerade',
    signaling: 'gun',
    killJoiner: true,
    expect: { status: 'partner-lost', kind: null, local: 'untested', crossNetwork: 'untested', path: null },
    evidence: (run) => {
      const ran = run.host.paths.filter((p) => p.stage !== 'not-started' && p.outcome !== 'skipped');
      const last = ran.at(-1);
      const later = run.host.paths.slice(last ? run.host.paths.indexOf(last) + 1 : 0);
      return checks(
        [/partner (was lost|stopped answering|gone)/.test(run.host.message), 'the message should say so'],
        [last?.outcome === 'aborted', `the session under way should be aborted, got ${last?.outcome}`],
        [last?.metrics.partnerLost === true, 'the aborted session should say the partner was lost'],
        [
          later.every(
            (p) => p.outcome === 'skipped' || (p.outcome === 'aborted' && p.stage === 'not-started'),
          ),
          'the sessions after it should be listed as not run',
        ],
        [run.host.cleanup.opened === run.host.cleanup.released, 'the host should release all it opened'],
        [
          run.afterKill !== null && run.afterKill.endedMs <= run.afterKill.limitMs,
          `the host should end within its session's limit (${run.afterKill?.limitMs} ms) after the kill, took ${run.afterKill?.endedMs} ms`,
        ],
        [run.exit.host === 1, `the host should exit 1, got ${run.exit.host}`],
      );
    },
  },
];
