import type {
  AttemptReport,
  PathResult,
  TargetReport,
  TransportRestriction,
  Verdict,
  VerdictKind,
} from '../../contract';
import {
  checksOf,
  crossNetworkResult,
  evidenceOf,
  groupStatus,
  isSymmetricNat,
  localResult,
  natMapping,
  partnerChecks,
  type Check,
} from './checks';
import { servicesOf } from './services';
import { interceptedTls, ipv6Only, restrictedTransports } from './transport-verdict';
import {
  alsoSentences,
  issuersOf,
  relaysRefusedForPrivateCa,
  verdictNotices,
  type Notice,
} from './verdict-notices';

export interface VerdictInput {
  targets: readonly TargetReport[];
  attempts: readonly AttemptReport[];
  /** The user says the app still fails: a clean result then points at the app. */
  appFailing: boolean;
  /** The run was cancelled before it finished. */
  cancelled: boolean;
}

type Words = Pick<Verdict, 'title' | 'message' | 'action'>;

const KIND_NAMES: Record<string, string> = {
  stun: 'STUN',
  turn: 'TURN',
  gun: 'GUN signaling',
  peerjs: 'PeerJS signaling',
};

const isWebRtcTimeout = (c: Check) =>
  (c.probe === 'ice-gathering' || c.probe === 'peer-connection') && c.last.errorClass === 'timeout';
const names = (checks: readonly Check[]) => [...new Set(checks.map((c) => c.url))].join(', ');
const isExternal = (c: Check) => c.layer === 'L2' || c.layer === 'L3' || c.layer === 'L4';

/**
 * The verdict over one run (DESIGN.md §2), cheapest layer first: the machine (L0) and the embedded
 * lab (L1) must work before an outside server can be blamed; then the servers (L2 STUN/TURN, L3
 * signaling) and the cross-network path (L4). Evidence names the attempts that decided it.
 */
export function verdictFor(input: VerdictInput): Verdict {
  const checks = checksOf(input.targets, input.attempts);
  const local = localResult(checks);
  const crossNetwork = crossNetworkResult(checks);
  // what every verdict says whatever decided it: a certificate expiring soon, a private-CA turns: server
  const notices = verdictNotices(checks);
  const make = (
    kind: VerdictKind,
    confidence: number,
    words: Words,
    deciding: readonly Check[],
    said: readonly Notice['id'][] = [],
    transports?: TransportRestriction,
  ): Verdict => ({
    kind,
    local,
    crossNetwork,
    confidence,
    ...words,
    // a notice the verdict's own words already say is not said again; its evidence always is
    action: [words.action, ...alsoSentences(notices, said)].join(' '),
    evidence: [...notices.flatMap((n) => n.evidence), ...evidenceOf(deciding.length ? deciding : checks)],
    ...(transports ? { transports } : {}),
    services: servicesOf(input.targets, { kind, local, crossNetwork }),
  });

  const testedTargets = new Set(checks.filter((c) => c.status !== 'untested').map((c) => c.targetId));
  if (input.cancelled && input.targets.some((t) => !testedTargets.has(t.id))) {
    return make('inconclusive', 0.2, CANCELLED, []);
  }

  // A hairpin-only session never decides, not even on this machine's loopback.
  const l0 = checks.filter((c) => c.layer === 'L0' && !c.hairpin);
  const l1 = checks.filter((c) => c.layer === 'L1' && !c.hairpin);
  if (groupStatus(l0) === 'fail') return make('local-environment', 0.85, L0_FAILED, l0);
  const l1Status = groupStatus(l1);
  if (l1Status === 'fail' || l1Status === 'mixed') {
    const failed = l1.filter((c) => c.status === 'fail');
    return make('local-environment', l1Status === 'fail' ? 0.8 : 0.6, labFailed(failed), failed);
  }

  // A server whose name the resolver says does not exist is that server's configuration problem: its
  // other probes (gathering, sessions through it) fail for the same reason and are not held against
  // the network or the infrastructure.
  const tested = checks.filter((c) => isExternal(c) && !c.hairpin && c.status !== 'untested');
  const misnamedTargets = new Set(tested.filter((c) => c.nameMissing).map((c) => c.targetId));
  const misnamed = tested.filter((c) => c.nameMissing);
  const external = tested.filter((c) => !misnamedTargets.has(c.targetId));
  const localPassed = local === 'pass';
  // NXDOMAIN means a resolver answered, so such a run is never `offline` either.
  if (misnamed.length > 0) {
    const passed = external.filter((c) => c.status === 'pass');
    return make('app-suspect', 0.8, NAME_MISSING(misnamed, passed), [...misnamed, ...passed, ...l0, ...l1]);
  }
  if (external.length === 0) {
    if (localPassed && !input.appFailing) return make('healthy', 0.5, ONLY_LOCAL, checks);
    return make('inconclusive', 0.1, NOTHING_TESTED, checks);
  }

  const failed = external.filter((c) => c.status === 'fail');
  const passed = external.filter((c) => c.status === 'pass');
  // a relay refused only for a private-CA certificate is the notice's, not a server down or unreliable
  const refusedForCa = new Set(relaysRefusedForPrivateCa(external));
  const down = failed.filter((c) => !c.auth && !refusedForCa.has(c));
  const auth = failed.filter((c) => c.auth);

  // No route: nothing answered, and every probe that opens its own sockets says so. libwebrtc's
  // gathering over UDP never reports a routing error, it only runs out of time, so those timeouts
  // neither prove nor contradict it.
  const routeEvidence = down.filter((c) => !isWebRtcTimeout(c));
  if (
    passed.length === 0 &&
    auth.length === 0 &&
    routeEvidence.length > 0 &&
    routeEvidence.every((c) => c.noRoute)
  ) {
    return make('offline', 0.75, OFFLINE, routeEvidence);
  }

  // a relayed session refused at the credentials never tested the path: it counts with `auth`
  const relay = external.filter((c) => c.layer === 'L4' && !c.auth);
  const allocations = external.filter((c) => c.probe === 'turn-allocation' && !c.auth);
  if (
    relay.some((c) => c.status === 'pass') &&
    allocations.length > 0 &&
    allocations.every((c) => c.status === 'fail')
  ) {
    return make('inconclusive', 0.3, CONFLICT, [...relay, ...allocations]);
  }

  // What the transport matrix shows: only some transports or one address family get out of this
  // network, or a proxy replaces the TURN server's certificate. The network, not the servers.
  const l2 = external.filter((c) => c.layer === 'L2' && !c.auth);
  const transports =
    ipv6Only(external, down) ?? interceptedTls(external) ?? restrictedTransports(external, l2);
  if (transports)
    return make(
      'network-restricted',
      transports.confidence,
      transports.words,
      transports.deciding,
      [],
      transports.restriction,
    );

  // UDP blocked while TCP/TLS works: the network, not the servers.
  const udp = l2.filter((c) => c.transport === 'udp');
  const streams = l2.filter((c) => c.transport === 'tcp' || c.transport === 'tls');
  if (
    udp.length > 0 &&
    udp.every((c) => c.status === 'fail' && !c.noRoute) &&
    streams.some((c) => c.status === 'pass')
  ) {
    return make('network-restricted', 0.8, UDP_BLOCKED(udp), [...udp, ...streams]);
  }

  // Every server of a kind the app needs fails: the infrastructure (a relayed session is a path, not a kind).
  const serverChecks = external.filter((c) => c.layer !== 'L4' && !c.auth);
  const kinds = [...new Set(serverChecks.map((c) => c.kind))];
  const deadKinds = kinds.filter((kind) =>
    serverChecks.filter((c) => c.kind === kind).every((c) => c.status === 'fail'),
  );
  if (deadKinds.length > 0) {
    const dead = serverChecks.filter((c) => deadKinds.includes(c.kind));
    const confidence = localPassed ? 0.85 : 0.6;
    const proof = localProof(l0, l1);
    const working = kinds.filter((k) => !deadKinds.includes(k));
    return make('infrastructure-outage', confidence, outage(deadKinds, dead, localPassed, proof, working), [
      ...dead,
      ...l0,
      ...l1,
    ]);
  }

  // A partner on another network proved what the path does (DESIGN.md §2, L4): that beats inference.
  const partner = partnerChecks(checks);
  const partnerDirect = partner.filter((c) => c.last.metrics.path !== 'relay');
  const partnerRelay = partner.filter((c) => c.last.metrics.path === 'relay');
  if (partner.length > 0 && partner.every((c) => c.status === 'fail')) {
    return make('network-restricted', localPassed ? 0.9 : 0.8, PARTNER_NO_PATH(partner), [...partner, ...l0]);
  }
  if (
    partnerDirect.length > 0 &&
    partnerDirect.every((c) => c.status === 'fail') &&
    partnerRelay.some((c) => c.status === 'pass')
  ) {
    return make('network-restricted', 0.9, PARTNER_NEEDS_TURN(partnerDirect, partnerRelay), partner);
  }
  const directProven = partnerDirect.some((c) => c.status === 'pass');

  // A TLS TURN server whose certificate only the config's tls.caFile makes trusted: our own allocation
  // works, but the WebRTC stack (like Chromium's) checks TURN certificates against the system store
  // only, so no relayed session can work for any browser. Not the network: the server's certificate.
  // Next to a relay that works, it is a notice on whatever verdict the rest decides (verdict-notices.ts).
  const privateCa = relay.filter((c) => refusedForCa.has(c));
  if (relay.length > 0 && relay.every((c) => c.status === 'fail') && privateCa.length === relay.length) {
    const ids = new Set(privateCa.map((c) => c.targetId));
    const proven = allocations.filter((c) => ids.has(c.targetId));
    return make(
      'infrastructure-outage',
      0.8,
      PRIVATE_CA(proven, issuersOf(allocations, proven)),
      [...privateCa, ...proven],
      ['private-ca'],
    );
  }

  // Servers answer, yet no relayed session gets through while this machine connects to itself.
  if (relay.length > 0 && relay.every((c) => c.status === 'fail')) {
    return make('network-restricted', localPassed ? 0.75 : 0.6, RELAY_BLOCKED(relay), [...relay, ...l0]);
  }

  // A server that failed one test but passed another in the same run is not down: it answers, not
  // reliably (loss, congestion, load). Only servers where nothing passed make a partial outage
  // (the network lab's 30% loss read as "2 servers failing").
  const answered = new Set(passed.map((c) => c.targetId));
  const dead = down.filter((c) => !answered.has(c.targetId));
  const unreliable = down.filter((c) => answered.has(c.targetId));
  if (dead.length > 0) {
    return make('partial-outage', 0.8, partial(dead, passed), [...dead, ...passed]);
  }

  if (isSymmetricNat(checks) && !directProven) {
    const nat = checks.filter((c) => c.probe === 'nat-behavior');
    const relayWorks = relay.some((c) => c.status === 'pass');
    return make('network-restricted', 0.7, symmetricNat(natMapping(checks), relayWorks), [...nat, ...relay]);
  }

  if (auth.length > 0) {
    return make('app-suspect', 0.7, TURN_AUTH(auth), auth);
  }

  const hairpinFailed = checks.filter((c) => c.hairpin && c.status === 'fail');
  const deciding = [...unreliable, ...passed, ...l0, ...l1, ...hairpinFailed];
  if (input.appFailing) return make('app-suspect', appConfidence(local, crossNetwork), APP(passed), deciding);
  if (unreliable.length > 0)
    return make('healthy', 0.6, unreliableWords(unreliable, passed, crossNetwork), deciding);
  // everything works for this tool, yet browsers will refuse a server: the title must say so
  const caveat = notices.find((n) => n.id === 'private-ca');
  return make(
    'healthy',
    crossNetwork === 'pass' ? (partner.length > 0 ? 0.9 : 0.8) : 0.65,
    healthy(passed, crossNetwork, partner, caveat),
    deciding,
    caveat ? [caveat.id] : [],
  );
}

function appConfidence(local: PathResult, crossNetwork: PathResult): number {
  return local === 'pass' && crossNetwork === 'pass' ? 0.8 : 0.6;
}

const CANCELLED: Words = {
  title: 'Diagnosis cancelled',
  message:
    'The diagnosis was stopped before every server was tested, so there is not enough evidence for a verdict.',
  action: 'Run the diagnosis again and let it finish.',
};

const L0_FAILED: Words = {
  title: "This machine's WebRTC stack is failing",
  message:
    'Two peers inside this one process could not connect over host candidates, with no network involved. The problem is this machine — its WebRTC stack, the OS, or security software — before any server or network.',
  action:
    'Check firewall and security software (allow UDP on loopback), restart the machine, and run the diagnosis again. Servers and the app are not the cause.',
};

function labFailed(failed: readonly Check[]): Words {
  return {
    title: "This machine's network stack is failing",
    message: `The embedded lab servers running on this machine did not all answer (${names(failed)}). The problem is on this machine — its network stack, a firewall or security software — before any outside server is involved.`,
    action:
      'Check local firewall and security software (allow UDP on loopback), restart the machine, and run the diagnosis again.',
  };
}

const ONLY_LOCAL: Words = {
  title: 'This machine works; no outside server was tested',
  message:
    'The local tests passed, so this machine and the probe path work. No outside server was configured or tested.',
  action: 'Add the servers your app uses to the configuration (--config) and run the diagnosis again.',
};

const NOTHING_TESTED: Words = {
  title: 'Not enough was tested',
  message:
    'No outside server could be tested, so there is no evidence about the infrastructure or the network either way.',
  action:
    "Add the app's STUN/TURN and signaling servers to the configuration and run `rtc-triage diagnose --lab`.",
};

function NAME_MISSING(misnamed: readonly Check[], passed: readonly Check[]): Words {
  const hosts = [...new Set(misnamed.map((c) => c.url))];
  const others =
    passed.length > 0 ? ` Other servers answered (${names(passed)}), so this machine's network works.` : '';
  return {
    title: `Check this URL: the name does not resolve (${hosts.join(', ')})`,
    message: `The resolver answered that the host name of ${hosts.join(', ')} does not exist (NXDOMAIN), so this machine's DNS works and nothing was sent to that server. The URL is misspelled, or the server's DNS record was removed.${others}`,
    action: `Check this URL: correct the host name of ${hosts.join(', ')} in the app's server list (and in this tool's configuration), or ask the server's operator for its current name.`,
  };
}

const OFFLINE: Words = {
  title: 'This machine appears to be offline',
  message:
    'No server could be reached and the failures are about this machine, not the servers: the resolver does not answer or there is no route to any of them.',
  action:
    "Check this machine's network: its connection (Wi-Fi, cable, VPN, proxy), default route and DNS resolver, then try again.",
};

const CONFLICT: Words = {
  title: 'The evidence conflicts',
  message:
    'A session relayed through TURN worked, yet every TURN allocation test failed. Something changed during the run, or a server answers intermittently.',
  action:
    'Run `rtc-triage diagnose --lab` again; if it repeats, run `rtc-triage monitor` to watch the pattern.',
};

const UDP_BLOCKED = (udp: readonly Check[]): Words => ({
  title: 'UDP is blocked on this network',
  message: `Every test over UDP failed (${names(udp)}) while the same kind of servers answered over TCP/TLS. The servers are up; this network (firewall, corporate proxy, guest Wi-Fi) blocks UDP.`,
  action:
    "Make sure the app lists a TURN server over TCP or TLS (turns:…:443) so it can fall back; or try from another network. The servers and the app's code are fine.",
});

/** What proved this machine works, in words. */
function localProof(l0: readonly Check[], l1: readonly Check[]): string {
  const parts: string[] = [];
  if (groupStatus(l0) === 'pass') parts.push('two peers on this machine connected to each other');
  if (groupStatus(l1) === 'pass') parts.push('the embedded lab on this machine answered every probe');
  return parts.join(' and ') || "this machine's own tests passed";
}

function outage(
  kinds: readonly string[],
  dead: readonly Check[],
  localPassed: boolean,
  proof: string,
  working: readonly string[],
): Words {
  const named = kinds.map((k) => KIND_NAMES[k] ?? k);
  // one sentence however many kinds: "no STUN, TURN or GUN signaling server works"
  const what = series(named, 'and');
  // which kinds still answer tells the support engineer how far the outage reaches (GUN down, PeerJS fine)
  const still = working.length ? ` Still working: ${working.map((k) => KIND_NAMES[k] ?? k).join(', ')}.` : '';
  return {
    title: `Infrastructure outage: no ${series(named, 'or')} server works`,
    message: localPassed
      ? `Every ${what} server failed (${names(dead)}) while ${proof}. The servers are down or unreachable: this is the infrastructure, not the app and not the user.${still}`
      : `Every ${what} server failed (${names(dead)}). The servers are likely down, but this run did not prove that this machine works (no local test ran).${still}`,
    action: localPassed
      ? "Waiting is usually the right answer: such outages end on their own (check the servers' status pages). If it lasts, switch the app to other servers; `rtc-triage history` shows whether it recurs."
      : 'Run `rtc-triage diagnose --lab` to check this machine; if the lab passes, the servers are at fault: wait, or switch servers.',
  };
}

const PRIVATE_CA = (allocations: readonly Check[], issuers: string): Words => {
  return {
    title: "WebRTC does not trust the TURN server's certificate",
    message: `A TURN allocation on ${names(allocations)} works over TLS only because the config's tls.caFile trusts its issuer (${issuers}), but the WebRTC stack checks a TURN server's certificate against the system store alone and gave no relay candidate. Chromium does the same, so no browser user can relay through this server.`,
    action:
      "Give the TURN server a certificate from a publicly trusted CA (or install that CA in every client's system store). The app is not the cause.",
  };
};

const RELAY_BLOCKED = (relay: readonly Check[]): Words => ({
  title: 'Only local connections succeed',
  message: `The servers answer, but no session relayed through TURN got through (${names(relay)}) while this machine connects to itself. Something on this network blocks the relayed media path.`,
  action:
    'Try TURN over TCP/TLS on port 443, or test from another network (`rtc-triage partner`) to confirm. The app is not the cause.',
});

function partial(down: readonly Check[], passed: readonly Check[]): Words {
  const failing = [...new Set(down.map((c) => c.targetId))];
  const working = [...new Set(passed.map((c) => c.targetId))];
  return {
    title: `${failing.length} server${failing.length === 1 ? '' : 's'} failing, ${working.length} working`,
    message: `Failing: ${names(down)}. Other servers of the same kinds work, so an app that lists several has a working fallback.`,
    action: `Remove or replace ${names(down)} in the app's server list. Nothing is wrong on the user's side.`,
  };
}

function symmetricNat(mapping: string | null, relayWorks: boolean): Words {
  return {
    title: 'This network needs a TURN relay',
    message: `The NAT here maps ${mapping ?? 'address-dependently'}: direct peer-to-peer across networks is unlikely to work from here. ${relayWorks ? 'A session relayed through TURN worked.' : 'No relayed session was tested.'}`,
    action: relayWorks
      ? 'Make sure the app lists this TURN server; with it, connections from this network work.'
      : 'Add a TURN server to the configuration and the app; peers on this network cannot connect directly.',
  };
}

/** `srflx`, `relay via turn:…`: the partner sessions by path. */
const partnerPaths = (checks: readonly Check[]) =>
  [
    ...new Set(
      checks.map((c) =>
        c.last.metrics.path === 'relay' ? `relay via ${c.url}` : String(c.last.metrics.path),
      ),
    ),
  ].join(', ');

const PARTNER_NO_PATH = (partner: readonly Check[]): Words => ({
  title: 'Cross-network connections fail (proven with a partner)',
  message: `A partner test between two networks tried ${partner.length} cross-network session${partner.length === 1 ? '' : 's'} (${partnerPaths(partner)}) and none connected, while the signaling servers paired the two testers. Local connections are not the problem; the path between the networks is.`,
  action:
    'Offer a TURN server over TCP/TLS on port 443 (some networks block UDP), check the TURN credentials, and repeat the partner test; the app is not the cause.',
});

const PARTNER_NEEDS_TURN = (direct: readonly Check[], relay: readonly Check[]): Words => ({
  title: 'This network needs a TURN relay (proven with a partner)',
  message: `A partner on another network could not connect directly (${partnerPaths(direct)} session failed), but connected through the TURN relay (${names(relay.filter((c) => c.status === 'pass'))}). Peers on this network can only reach peers elsewhere through TURN.`,
  action:
    'Make sure the app lists a working TURN server (with valid credentials) in its ICE servers; without it, connections from this network fail. Nothing is down.',
});

const TURN_AUTH = (auth: readonly Check[]): Words => ({
  title: 'TURN credentials are rejected',
  message: `The TURN server answered but refused the username/credential (${names(auth)}). The server is up: the credentials the app uses are wrong or expired.`,
  action: "Fix or rotate the TURN credentials in the app's configuration; nothing is down.",
});

function APP(passed: readonly Check[]): Words {
  return {
    title: 'The infrastructure works: look at the app',
    message: `Every minimal test passed (${passed.length} checks against outside servers) while the app is reported failing. The servers and the network carry WebRTC; the difference is in the app.`,
    action:
      "Check the app's configuration (ICE server list, signaling URLs, credentials) and its logs; attach this report to the ticket.",
  };
}

function unreliableWords(
  unreliable: readonly Check[],
  passed: readonly Check[],
  crossNetwork: PathResult,
): Words {
  const failures = unreliable.map((c) => `${c.probe} to ${c.url}`).join(', ');
  return {
    title: 'Everything connects, but not reliably',
    message: `Every server answered and ${passed.length} checks passed${crossNetwork === 'pass' ? ', and a cross-network path works' : ''}, but some tests failed even after retries on servers that passed others (${failures}). That is the signature of packet loss or congestion on this network, or of an overloaded server: connections work, slowly or after retries.`,
    action:
      'If users report slow or dropping connections, test from another network (or a cable instead of Wi-Fi) and compare; `rtc-triage monitor` shows whether it persists. Nothing is down.',
  };
}

function healthy(
  passed: readonly Check[],
  crossNetwork: PathResult,
  partner: readonly Check[],
  caveat: Notice | undefined,
): Words {
  const direct = partner.some((c) => c.status === 'pass' && c.last.metrics.path !== 'relay');
  const proof =
    partner.length > 0
      ? `, and a partner on another network connected ${direct ? 'directly (this network does not need TURN)' : 'through the TURN relay'}`
      : crossNetwork === 'pass'
        ? ', and a cross-network path works'
        : '';
  const again = "If the app still fails, run again with --app-failing (or mark the run as 'app failing').";
  if (caveat) {
    return {
      title: `Everything tested works here, but browsers will not relay through ${caveat.subject}`,
      message: `All ${passed.length} other checks against outside servers passed${proof}. ${caveat.sentence}`,
      action: `Give ${caveat.subject} a certificate from a publicly trusted CA (or install that CA in every client's system store). ${again}`,
    };
  }
  return {
    title: 'Everything tested works',
    message: `All ${passed.length} checks against outside servers passed${proof}.`,
    action: `Nothing to fix. ${again}`,
  };
}

/** "a", "a and b", "a, b and c" (or "or"). */
function series(words: readonly string[], conjunction: 'and' | 'or'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1) ?? ''}`;
}
