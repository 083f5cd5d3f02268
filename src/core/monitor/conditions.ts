import { attemptRan, type Report, type TargetReport } from '../../contract';
import type { Condition } from './alerts';

export const DIAGNOSIS_FAILED_KEY = 'monitor:diagnosis-failed';
export const LEAKED_KEY = 'cleanup:leaked';
export const OFFLINE_KEY = 'machine:offline';

const KIND_NAMES: Record<string, string> = {
  stun: 'STUN server',
  turn: 'TURN server',
  gun: 'GUN relay',
  peerjs: 'PeerJS server',
  machine: "This machine's WebRTC stack",
};

/**
 * What one diagnosis says is wrong, as alert conditions: every target that is down (nothing on it
 * succeeded, retries included) — or, when the verdict is that this machine is offline, that one
 * condition instead of one per unreachable server — and resources still open when the run ended. `observed` tells which
 * keys this report has evidence about (an untested target has none).
 */
export function conditionsOf(report: Report): {
  conditions: Condition[];
  observed: (key: string) => boolean;
} {
  const conditions: Condition[] = [];
  const tested = new Set<string>([LEAKED_KEY, DIAGNOSIS_FAILED_KEY, OFFLINE_KEY]);
  const offline = report.verdict.kind === 'offline';
  if (offline) {
    // one alert for the machine: its servers are not down, they were out of reach (no evidence on them)
    conditions.push({
      key: OFFLINE_KEY,
      title: report.verdict.title,
      message: `${report.verdict.message} What to do: ${report.verdict.action}`,
    });
  }
  for (const target of offline ? [] : report.targets) {
    if (target.status === 'untested') continue;
    tested.add(targetKey(target.id));
    if (target.status !== 'down') continue;
    conditions.push({
      key: targetKey(target.id),
      targetId: target.id,
      title: titleFor(target),
      message: `${lastFailure(report, target)} Verdict: ${report.verdict.title}.`,
    });
  }
  if (report.cleanup.leaked > 0) {
    conditions.push({
      key: LEAKED_KEY,
      title: `${report.cleanup.leaked} resource(s) still open after a diagnosis`,
      message: `Run ${report.runId} opened ${report.cleanup.opened} resources and released ${report.cleanup.released}: sockets or timers leaked.`,
    });
  }
  return { conditions, observed: (key) => tested.has(key) };
}

/** A monitor cycle whose diagnosis could not run at all (not a busy skip, not a cancel). */
export function diagnosisFailed(message: string): Condition {
  return { key: DIAGNOSIS_FAILED_KEY, title: 'Scheduled diagnoses are failing', message };
}

export function targetKey(id: string): string {
  return `target:${id}`;
}

function titleFor(target: TargetReport): string {
  const what = KIND_NAMES[target.kind] ?? target.kind;
  if (target.kind === 'machine') return `${what} fails`;
  return `${what} ${target.url} is down`;
}

function lastFailure(report: Report, target: TargetReport): string {
  const failed = report.attempts.filter(
    (a) => a.targetId === target.id && attemptRan(a) && a.outcome !== 'success',
  );
  const last = failed.at(-1);
  if (!last) return 'No attempt on it succeeded.';
  return `Last failure: ${last.probe} ${last.outcome}${last.errorClass ? ` (${last.errorClass})` : ''} at ${last.stage}${last.errorMessage ? `: ${last.errorMessage}` : ''}.`;
}
