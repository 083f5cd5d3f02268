/**
 * The peer host: a child process that runs the engine's WebRTC for the process that started it
 * (`pool.ts`): the probes that open RTCPeerConnections, and the peer side of partner sessions. Every synchronous call into @roamhq/wrtc holds the calling JS thread until libwebrtc's
 * signaling thread answers; with a diagnosis' peer pairs spread over a few hosts, those waits overlap
 * instead of queueing on one event loop.
 *
 * A job runs exactly as in the engine's process, through the attempt core: its own ledger scope
 * released on every path, its events, stages (and a partner job's signals) sent back as they
 * happen, its outcome classified here. The host exits when its
 * parent goes away or asks it to, cancelling whatever runs.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadWrtc } from '../probes/webrtc/wrtc';
import { runPeerSide, SignalQueue } from '../partner/peer-side';
import { PROBES } from '../probes/registry';
import { systemLookup } from '../probes/resolve';
import { ProbeFailure, type Probe, type ProbeContext, type ResolvedTarget } from '../probes/types';
import { runAttemptCore } from '../runner/attempt-core';
import { AttemptState } from '../runner/attempt-state';
import { AttemptLedger } from '../ledger/ledger';
import type { DoneReply, HostReply, HostRequest, JobOutcome, PartnerRequest, RunRequest } from './protocol';

export interface HostIo {
  send(reply: HostReply): void;
  onRequest(handler: (request: unknown) => void): void;
  onParentGone(handler: () => void): void;
  exit(code: number): void;
}

/** The probe a request names, for its target's kind. */
export function probeNamed(name: string, target: ResolvedTarget): Probe | undefined {
  return PROBES.find(
    (probe) => probe.name === name && (probe.kinds as ReadonlyArray<string>).includes(target.kind),
  );
}

/**
 * A closed RTCPeerConnection keeps libwebrtc's threads for it (network, worker, a 100 Hz fake audio
 * device) until its wrapper is garbage-collected, and an idle host's small heap is rarely collected:
 * they piled up over a monitor's cycles and slowed every other process. So the host collects as soon
 * as it has no job left.
 */
function collector(): { idle(): void; busy(): void } {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  let timers: NodeJS.Timeout[] = [];
  const busy = () => {
    for (const timer of timers) clearTimeout(timer);
    timers = [];
  };
  return {
    // once the job's last callbacks have run, and once more when libwebrtc has let go of the rest;
    // a job that comes first cancels both (a collection joins threads: not while a probe runs)
    idle: () => {
      busy();
      if (gc) timers = [100, 1_000].map((ms) => setTimeout(gc, ms).unref());
    },
    busy,
  };
}

interface RunningJob {
  controller: AbortController;
  /** A partner job's incoming signals. */
  signals: SignalQueue | null;
}

export function runPeerHost(io: HostIo): void {
  const jobs = new Map<number, RunningJob>();
  const collect = collector();
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    for (const job of jobs.values()) job.controller.abort();
    const leave = () => (jobs.size === 0 ? io.exit(0) : setTimeout(leave, 10));
    leave();
  };
  io.onParentGone(close);
  io.onRequest((raw) => {
    const request = raw as HostRequest;
    if (typeof raw !== 'object' || raw === null) return;
    if ((request.type === 'run' || request.type === 'partner') && !closing) {
      collect.busy();
      void runJob(request, jobs, io).then(() => {
        if (jobs.size === 0) collect.idle();
      });
    } else if (request.type === 'signal') jobs.get(request.job)?.signals?.push(request.signal);
    else if (request.type === 'abort') jobs.get(request.job)?.controller.abort();
    else if (request.type === 'warm')
      // a machine where libwebrtc cannot load still answers: the job will report it, classified
      void loadWrtc('start').then(
        () => io.send({ type: 'ready' }),
        () => io.send({ type: 'ready' }),
      );
    else if (request.type === 'shutdown') close();
  });
}

/**
 * One job, through the attempt core like every attempt (lifecycle, ledger scope released on every
 * path, classification). No safety net here: the job's attempt in the engine has it, and cancels
 * the job (then kills this host if it does not let go).
 */
async function runJob(
  request: RunRequest | PartnerRequest,
  jobs: Map<number, RunningJob>,
  io: HostIo,
): Promise<void> {
  const controller = new AbortController();
  const signals = request.type === 'partner' ? new SignalQueue() : null;
  jobs.set(request.job, { controller, signals });
  const ledger = new AttemptLedger();
  const ended = await runAttemptCore(
    { ledger, signal: controller.signal, deadlineMs: null, what: 'the job', onCancel: 'as-thrown' },
    (scope) => {
      const ctx: ProbeContext = {
        signal: scope.signal,
        resources: scope.resources,
        timeouts: request.timeouts,
        correlationId: request.correlationId,
        attempt: request.attempt,
        lookup: systemLookup,
        targets: request.type === 'run' ? request.targets : [],
        emit: (name, data) => io.send({ type: 'emit', job: request.job, name, ...(data ? { data } : {}) }),
        stage: (name) => {
          scope.stage(name);
          io.send({ type: 'stage', job: request.job, name });
        },
      };
      if (request.type === 'partner')
        return runPeerSide(request.side, ctx, {
          send: (signal) => io.send({ type: 'signal', job: request.job, signal }),
          onSignal: (handler) => signals?.onSignal(handler),
        });
      const probe = probeNamed(request.probe, request.target);
      if (!probe)
        throw new ProbeFailure('internal', 'start', `the peer host has no probe "${request.probe}"`);
      return probe.run(request.target, ctx);
    },
  );
  jobs.delete(request.job);
  const outcome: JobOutcome =
    ended.state === AttemptState.Skipped
      ? { outcome: 'not-applicable', reason: ended.reason }
      : ended.outcome === 'success'
        ? { outcome: 'success', stage: ended.stage, metrics: ended.metrics }
        : {
            outcome: 'failure',
            errorClass: ended.failure.errorClass,
            stage: ended.failure.stage,
            message: ended.failure.message,
            metrics: ended.failure.metrics,
          };
  const done: DoneReply = {
    type: 'done',
    job: request.job,
    opened: ledger.openedByKind(),
    leaked: ledger.counts().leaked,
    ...outcome,
  };
  io.send(done);
}

/** The host's end of a `fork()`ed child's IPC channel. */
export function processIo(): HostIo {
  return {
    send: (reply) => {
      if (process.connected) process.send?.(reply);
    },
    onRequest: (handler) => process.on('message', handler),
    onParentGone: (handler) => process.on('disconnect', handler),
    // not a natural exit: Node freeing its environment runs wrtc finalizers that can crash (see bin/)
    exit: (code) => process.exit(code),
  };
}
