/**
 * The sessions a pair runs, in order: host candidates only, reflexive candidates only, then relay
 * only through each TURN server both configs list. Each side builds its own ICE configuration from
 * its own config: TURN credentials never travel between the testers, only the server's URL.
 */
import { iceServerFor, udpStun } from '../probes/ice-gathering';
import type { ConfiguredTarget } from '../probes/types';
import type { CandidateType, PeerConnectionConfig } from '../probes/webrtc/wrtc';
import type { PlannedPath } from './messages';
import type { NatPresence } from './nat-check';
import type { JoinBody } from './rendezvous';

export interface SideFacts {
  nat: NatPresence;
  stun: boolean;
  turn: string[];
}

export function sideFacts(targets: readonly ConfiguredTarget[], nat: NatPresence): SideFacts {
  return {
    nat,
    stun: targets.some((t) => t.kind === 'stun' && udpStun(t)),
    turn: targets.filter((t) => t.kind === 'turn').map((t) => t.url),
  };
}

export function joinBody(facts: SideFacts): JoinBody {
  return { t: 'join', turn: facts.turn, nat: facts.nat, stun: facts.stun };
}

/** The host decides the plan from both sides' facts. */
export function buildPlan(host: SideFacts, joiner: JoinBody): PlannedPath[] {
  const plan: PlannedPath[] = [{ index: 0, path: 'host', server: null, skip: null }];
  const srflxSkip = !host.stun
    ? "no STUN server over UDP in the host's config, so the host has no reflexive address"
    : !joiner.stun
      ? "no STUN server over UDP in the joiner's config, so the joiner has no reflexive address"
      : host.nat === 'none' && joiner.nat === 'none'
        ? 'neither tester is behind a NAT: their host addresses are their reflexive ones, so the host-only session already was the direct path'
        : null;
  plan.push({ index: 1, path: 'srflx', server: null, skip: srflxSkip });
  const both = host.turn.filter((url) => joiner.turn.includes(url));
  for (const url of host.turn)
    plan.push({
      index: plan.length,
      path: 'relay',
      server: url,
      skip: both.includes(url) ? null : "only the host's config lists this TURN server",
    });
  for (const url of joiner.turn.filter((u) => !host.turn.includes(u)))
    plan.push({
      index: plan.length,
      path: 'relay',
      server: url,
      skip: "only the joiner's config lists this TURN server",
    });
  if (host.turn.length === 0 && joiner.turn.length === 0)
    plan.push({ index: plan.length, path: 'relay', server: null, skip: 'no TURN server in either config' });
  return plan;
}

/** This side's ICE configuration and kept candidate type for a planned path. */
export function pathSetup(
  planned: PlannedPath,
  targets: readonly ConfiguredTarget[],
  nat: NatPresence,
): { config: PeerConnectionConfig; keep: CandidateType } | { missing: string } {
  if (planned.path === 'host') return { config: { iceServers: [] }, keep: 'host' };
  if (planned.path === 'srflx') {
    const stun = targets.filter((t) => t.kind === 'stun' && udpStun(t));
    // without a NAT, this side's host address is the one the partner must reach
    return {
      config: { iceServers: stun.map((t) => ({ urls: t.url })) },
      keep: nat === 'none' ? 'host' : 'srflx',
    };
  }
  const turn = targets.find((t) => t.kind === 'turn' && t.url === planned.server);
  if (!turn || turn.kind !== 'turn')
    return { missing: `this config does not list the TURN server ${planned.server}` };
  return { config: { iceServers: [iceServerFor(turn)], iceTransportPolicy: 'relay' }, keep: 'relay' };
}
