import type { AttemptReport, Evidence, TargetReport, Verdict } from '../../contract';

export interface VerdictInput {
  targets: readonly TargetReport[];
  attempts: readonly AttemptReport[];
  /** The user says the app still fails: a clean result then points at the app. */
  appFailing: boolean;
  /** The run was cancelled before it finished. */
  cancelled: boolean;
}

const NO_ROUTE = new Set(['dns', 'unreachable']);

function lastAttemptOf(targetId: string, attempts: readonly AttemptReport[]): AttemptReport | undefined {
  return attempts.filter((a) => a.targetId === targetId).at(-1);
}

function evidenceFor(targets: readonly TargetReport[], attempts: readonly AttemptReport[]): Evidence[] {
  return targets.map((target) => {
    const last = lastAttemptOf(target.id, attempts);
    const how =
      last?.outcome === 'success'
        ? `answered in ${String(last.metrics.rttMs ?? last.durationMs)} ms`
        : `${last?.errorClass ?? 'no attempt'}: ${last?.errorMessage ?? 'not tested'}`;
    return {
      ...(last ? { attemptId: last.id } : {}),
      targetId: target.id,
      summary: `${target.url} is ${target.status} (${how})`,
    };
  });
}

/**
 * The verdict over one run. This first version reasons over STUN reachability only; the layered
 * model of DESIGN.md §2 (L0 machine, L1 lab, L3 signaling, L4 cross-network) builds on it.
 */
export function verdictFor(input: VerdictInput): Verdict {
  const lab = input.targets.filter((t) => t.layer === 'L1');
  const external = input.targets.filter((t) => t.layer !== 'L1');
  const tested = external.filter((t) => t.status !== 'untested');
  const labTested = lab.filter((t) => t.status !== 'untested');
  const labDown = labTested.filter((t) => t.status === 'down');
  const labPassed = labTested.length > 0 && labDown.length === 0;
  const evidence = evidenceFor(input.targets, input.attempts);
  const base = { local: 'untested', crossNetwork: 'untested', evidence } as const;

  if (input.cancelled && tested.length < input.targets.length) {
    return {
      ...base,
      kind: 'inconclusive',
      confidence: 0.2,
      title: 'Diagnosis cancelled',
      message:
        'The diagnosis was stopped before every server was tested, so there is not enough evidence for a verdict.',
      action: 'Run the diagnosis again and let it finish.',
    };
  }
  if (labDown.length > 0) {
    return {
      ...base,
      kind: 'local-environment',
      confidence: 0.8,
      title: "This machine's network stack is failing",
      message: `Even the embedded lab servers running on this machine did not answer (${labDown.map((t) => t.url).join(', ')}). The problem is on this machine — its network stack, a firewall or security software — before any outside server is involved.`,
      action:
        'Check local firewall and security software (allow UDP on loopback), restart the machine, and run the diagnosis again.',
    };
  }
  if (tested.length === 0 && labPassed) {
    return {
      ...base,
      kind: 'healthy',
      confidence: 0.5,
      title: 'This machine works; no outside server was tested',
      message:
        'The embedded lab on this machine answered every probe, so the probe path itself works. No outside server was configured or tested.',
      action: 'Add the servers your app uses to the configuration (--config) and run the diagnosis again.',
    };
  }
  if (tested.length === 0) {
    return {
      ...base,
      kind: 'inconclusive',
      confidence: 0.1,
      title: 'Nothing was tested',
      message: 'No configured server could be tested, so there is no evidence either way.',
      action: 'Add at least one STUN server to the configuration and run the diagnosis again.',
    };
  }
  const down = tested.filter((t) => t.status === 'down');
  const working = tested.filter((t) => t.status !== 'down');

  if (down.length === 0) {
    const degraded = working.filter((t) => t.status === 'degraded');
    const slow = degraded.length ? ` ${degraded.length} answered only after retries.` : '';
    if (input.appFailing) {
      return {
        ...base,
        kind: 'app-suspect',
        confidence: 0.6,
        title: 'The servers work: look at the app',
        message: `Every STUN server answered (${working.length} of ${tested.length}).${slow} The infrastructure these tests cover is working while the app is reported failing.`,
        action:
          "Check the app's own configuration (ICE server list, signaling URLs) and its logs; attach this report to the ticket.",
      };
    }
    return {
      ...base,
      kind: 'healthy',
      confidence: degraded.length ? 0.6 : 0.7,
      title: 'All servers answered',
      message: `Every STUN server answered (${working.length} of ${tested.length}).${slow}`,
      action:
        "Nothing to fix on the server side. If the app still fails, mark the run as 'app failing' and run it again.",
    };
  }

  const names = down.map((t) => t.url).join(', ');
  if (working.length > 0) {
    return {
      ...base,
      kind: 'partial-outage',
      confidence: 0.8,
      title: `${down.length} of ${tested.length} servers are down`,
      message: `Not answering: ${names}. The others work, so an app that lists several servers has a working fallback.`,
      action: `Remove or replace ${names} in the app's ICE server list; nothing is wrong on the user's side.`,
    };
  }

  const lastFailures = down.map((t) => lastAttemptOf(t.id, input.attempts)).filter((a) => a !== undefined);
  if (lastFailures.length > 0 && lastFailures.every((a) => NO_ROUTE.has(a.errorClass ?? ''))) {
    return {
      ...base,
      kind: 'offline',
      confidence: 0.7,
      title: 'This machine appears to be offline',
      message: 'No server could be reached: names do not resolve or there is no route to any of them.',
      action: 'Check the network connection (Wi-Fi, cable, VPN, proxy) and try again.',
    };
  }
  return {
    ...base,
    kind: 'infrastructure-outage',
    confidence: labPassed ? 0.75 : 0.5,
    title: 'No STUN server answered',
    message: labPassed
      ? `None of the ${tested.length} STUN servers answered (${names}), while the embedded lab on this machine answered every probe. The servers are down or unreachable from this network; the app is not the cause.`
      : `None of the ${tested.length} STUN servers answered (${names}). The servers are likely down, but this run did not prove that this machine's own network path works.`,
    action: labPassed
      ? 'Wait for the servers to recover or switch to other servers; try from another network to rule out a firewall on this one.'
      : 'Run again with --lab to check this machine, and try another network; if the lab passes, the servers are at fault: wait, or switch servers.',
  };
}
