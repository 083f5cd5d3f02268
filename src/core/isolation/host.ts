/**
 * The peer host: a child process that runs the engine's WebRTC probes for the process that started it
 * (`pool.ts`). Every synchronous call into @roamhq/wrtc holds the calling JS thread until libwebrtc's
 * signaling thread answers; with a diagnosis' peer pairs spread over a few hosts, those waits overlap
 * instead of queueing on one event loop.
 *
 * A job runs exactly as in the engine's process: its own ledger scope released in `finally`, its
 * events and stages sent back as they happen, its outcome classified here. The host exits when its
 * parent goes away or asks it to, cancelling whatever runs.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadWrtc } from '../probes/webrtc/wrtc';
import { classifyError } from '../probes/classify';
import { PROBES } from '../probes/registry';
import { systemLookup } from '../probes/resolve';
import { ProbeFailure, ProbeNotApplicable, type Probe, type ResolvedTarget } from '../probes/types';
import { AttemptLedger } from '../runner/ledger';
import type { DoneReply, HostReply, HostRequest, JobOutcome, RunRequest } from './protocol';

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

export function runPeerHost(io: HostIo): void {
  const jobs = new Map<number, AbortController>();
  const collect = collector();
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    for (const controller of jobs.values()) controller.abort();
    const leave = () => (jobs.size === 0 ? io.exit(0) : setTimeout(leave, 10));
    leave();
  };
  io.onParentGone(close);
  io.onRequest((raw) => {
    const request = raw as HostRequest;
    if (typeof raw !== 'object' || raw === null) return;
    if (request.type === 'run' && !closing) {
      collect.busy();
      void runJob(request, jobs, io).then(() => {
        if (jobs.size === 0) collect.idle();
      });
    } else if (request.type === 'abort') jobs.get(request.job)?.abort();
    else if (request.type === 'warm')
      // a machine where libwebrtc cannot load still answers: the job will report it, classified
      void loadWrtc('start').then(
        () => io.send({ type: 'ready' }),
        () => io.send({ type: 'ready' }),
      );
    else if (request.type === 'shutdown') close();
  });
}

async function runJob(request: RunRequest, jobs: Map<number, AbortController>, io: HostIo): Promise<void> {
  const controller = new AbortController();
  jobs.set(request.job, controller);
  const ledger = new AttemptLedger();
  const scope = ledger.scope();
  let stage = 'start';
  let outcome: JobOutcome;
  try {
    const probe = probeNamed(request.probe, request.target);
    if (!probe) throw new ProbeFailure('internal', stage, `the peer host has no probe "${request.probe}"`);
    const result = await probe.run(request.target, {
      signal: controller.signal,
      resources: scope,
      timeouts: request.timeouts,
      correlationId: request.correlationId,
      attempt: request.attempt,
      lookup: systemLookup,
      targets: request.targets,
      emit: (name, data) => io.send({ type: 'emit', job: request.job, name, ...(data ? { data } : {}) }),
      stage: (name) => {
        stage = name;
        io.send({ type: 'stage', job: request.job, name });
      },
    });
    outcome = { outcome: 'success', stage: result.stage, metrics: result.metrics };
  } catch (error) {
    if (error instanceof ProbeNotApplicable) outcome = { outcome: 'not-applicable', reason: error.reason };
    else {
      const failure = classifyError(error, stage);
      outcome = {
        outcome: 'failure',
        errorClass: failure.errorClass,
        stage: failure.stage,
        message: failure.message,
        metrics: failure.metrics,
      };
    }
  } finally {
    scope.releaseAll();
    jobs.delete(request.job);
  }
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
