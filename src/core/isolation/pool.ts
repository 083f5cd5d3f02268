/**
 * Peer hosts: a few child processes that run the engine's WebRTC (`host.ts`): the probes that open
 * RTCPeerConnections and the peer side of partner sessions. The synchronous @roamhq/wrtc calls of a
 * diagnosis' peer pairs no longer queue on one JS thread, and a crash of libwebrtc ends a host, not
 * the engine.
 *
 * A WebRTC job goes to a ready host with the fewest jobs; when no host is ready yet (the first
 * diagnosis of a process, a host that crashed) it waits for one: no WebRTC runs in the engine's
 * own process. Hosts are the pool's, on its ledger; `close()` ends them.
 * A host that dies mid-job fails that job, classified, and is replaced; one that does not give a
 * cancelled job back within `abortGraceMs` is killed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ERROR_CLASSES, type ErrorClass } from '../../contract';
import { TriageError } from '../errors';
import { ProbeFailure, ProbeNotApplicable, type Metrics } from '../probes/types';
import { AttemptLedger, type LedgerEntry } from '../ledger/ledger';
import type { PeerSignal } from '../partner/messages';
import { readReply, type DoneReply, type HostRequest, type JobRequest } from './protocol';

export interface PeerHostOptions {
  /** The host program (dist/peer-host.cjs, out/main/peer-host.js). */
  entry: string;
  /** How many hosts (default: one per core, 2 to 4). */
  size?: number;
  /** The executable that runs `entry` (default: this one; Electron with ELECTRON_RUN_AS_NODE=1). */
  execPath?: string;
  env?: NodeJS.ProcessEnv;
  /** How long a cancelled job may take to come back before its host is killed (default 3 s). */
  abortGraceMs?: number;
}

export interface JobHandlers {
  emit(name: string, data?: Record<string, unknown>): void;
  stage(name: string): void;
  /** A partner job's signal for the partner. */
  signal?(signal: PeerSignal): void;
}

/** Where a partner job's incoming signals come from (`partner/peer-side.ts` SignalQueue). */
export interface SignalSource {
  onSignal(handler: (signal: PeerSignal) => void): void;
}

/**
 * The peer host running a job died (crashed, killed): the job fails with this — class `internal`,
 * `metrics.peerHostLost` — and only the job does; the engine goes on and the pool replaces the host.
 */
export class PeerHostLost extends ProbeFailure {
  constructor(stage: string, what: string, why: string) {
    super('internal', stage, `the peer host process running this ${what} ended (${why})`, {
      peerHostLost: true,
    });
    this.name = 'PeerHostLost';
  }
}

interface PendingJob {
  handlers: JobHandlers;
  /** What the job is, in words ("probe", "partner session"). */
  what: string;
  stage: string;
  resolve(reply: DoneReply): void;
  reject(error: ProbeFailure): void;
}

/**
 * One host per core, 2 to 4: on 2 cores, 2 hosts ran a lab diagnosis in 184 ms against 210 ms with 3
 * and 220 ms with 6 (each host adds its own libwebrtc threads and CPU); see docs/probes.md.
 */
export const DEFAULT_PEER_HOSTS = Math.min(4, Math.max(2, availableParallelism()));

/** Hosts that may die before their first `ready`, in a row, before jobs fail instead of waiting. */
const MAX_FAILED_STARTS = 3;

class PeerHost {
  ready = false;
  private everReady = false;
  private exited = false;
  readonly jobs = new Map<number, PendingJob>();
  private readonly entry: LedgerEntry;

  constructor(
    readonly child: ChildProcess,
    ledger: AttemptLedger,
    private readonly onGone: (host: PeerHost, why: string, wasReady: boolean) => void,
    private readonly onReady: () => void,
  ) {
    this.entry = ledger.register('child-process', `peer host ${child.pid ?? '?'}`, () => this.stop());
    child.on('message', (message) => this.receive(message));
    child.once('exit', (code, signal) => this.gone(signal ?? `exit code ${code}`));
    // a closed channel is the first sign of a dead host: no new job goes to it (its 'exit' follows)
    child.once('disconnect', () => (this.ready = false));
    // A host that started and then died says why in 'exit' (its signal or code); what Node reports as
    // 'error' after that (EPIPE on a write, the channel already disconnected) is the same death seen
    // from the pipe. Only a host that never started (no pid) ends here. The listener stays for the
    // host's life: an 'error' without one would be an uncaught exception in the engine.
    child.on('error', (error) => {
      if (child.pid === undefined) this.gone(error.message);
    });
    this.send({ type: 'warm' });
  }

  get load(): number {
    return this.jobs.size;
  }

  send(request: HostRequest): boolean {
    if (!this.child.connected) return false;
    try {
      // with a callback a failed write is passed here instead of emitted; the 'exit' that follows
      // fails the host's jobs with the real cause
      this.child.send(request, () => {});
      return true;
    } catch {
      return false;
    }
  }

  release(): void {
    this.entry.release();
  }

  private stop(): void {
    this.send({ type: 'shutdown' });
    if (this.child.connected) this.child.disconnect();
    // a host that does not leave by itself is not waited for
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 2_000);
      timer.unref();
      this.child.once('exit', () => clearTimeout(timer));
    }
  }

  private receive(message: unknown): void {
    const reply = readReply(message);
    if (!reply) return; // not from a host of ours: ignored
    if (reply.type === 'ready') {
      this.ready = true;
      this.everReady = true;
      this.onReady();
      return;
    }
    const job = this.jobs.get(reply.job);
    if (!job) return;
    if (reply.type === 'emit') job.handlers.emit(reply.name, reply.data);
    else if (reply.type === 'signal') job.handlers.signal?.(reply.signal);
    else if (reply.type === 'stage') {
      job.stage = reply.name;
      job.handlers.stage(reply.name);
    } else {
      this.jobs.delete(reply.job);
      job.resolve(reply);
    }
  }

  private gone(why: string): void {
    if (this.exited) return;
    this.exited = true;
    this.ready = false;
    for (const job of this.jobs.values()) job.reject(new PeerHostLost(job.stage, job.what, why));
    this.jobs.clear();
    this.entry.release();
    this.onGone(this, why, this.everReady);
  }
}

/**
 * `RTC_TRIAGE_PEER_HOSTS`: how many peer hosts (0 runs every probe in the engine's process, e.g. to
 * rule the hosts out while troubleshooting). Anything but a whole number from 0 to 16 is refused.
 */
export function peerHostsFromEnv(
  options: PeerHostOptions,
  value = process.env.RTC_TRIAGE_PEER_HOSTS,
): PeerHostOptions | undefined {
  if (value === undefined || value.trim() === '') return options;
  if (!/^\d+$/.test(value.trim()) || Number(value) > 16)
    throw new TriageError(
      'CONFIG_INVALID',
      `RTC_TRIAGE_PEER_HOSTS: "${value}" is not a number of peer hosts (0 to 16)`,
      { field: 'RTC_TRIAGE_PEER_HOSTS' },
    );
  return Number(value) === 0 ? undefined : { ...options, size: Number(value) };
}

export class PeerHostPool {
  /** The hosts themselves (child processes); reads zero after `close()`. */
  readonly ledger = new AttemptLedger();
  private readonly hosts = new Set<PeerHost>();
  private readonly timers = this.ledger.scope();
  private nextJob = 1;
  private closed = false;
  /** Jobs a host finished (its own outcome, whatever it was). */
  jobsDone = 0;

  constructor(private readonly options: PeerHostOptions) {}

  /** True when the host program exists (a build without it runs every probe in-process). */
  static available(entry: string): boolean {
    return existsSync(entry);
  }

  get size(): number {
    return this.options.size ?? DEFAULT_PEER_HOSTS;
  }

  /** Hosts started and ready for jobs. */
  get readyHosts(): number {
    return [...this.hosts].filter((h) => h.ready).length;
  }

  /** The hosts' process ids (for tests and diagnostics). */
  get pids(): number[] {
    return [...this.hosts].map((h) => h.child.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** Starts hosts up to `size`; they load libwebrtc and report ready. Idempotent. */
  warm(): void {
    if (this.closed) return;
    while (this.hosts.size < this.size) {
      const child = fork(this.options.entry, [], {
        execPath: this.options.execPath ?? process.execPath,
        env: this.options.env ?? process.env,
        // the host has no stdout (our --json output must stay clean); its stderr is ours
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        serialization: 'json',
      });
      const host = new PeerHost(
        child,
        this.ledger,
        (gone, why, wasReady) => {
          this.hosts.delete(gone);
          if (!wasReady) this.startFailed(why);
          // a waiting job starts the replacement (warm) and waits for it
          else this.wake();
        },
        () => {
          this.failedStarts = 0;
          this.wake();
        },
      );
      this.hosts.add(host);
    }
  }

  /** Resolves when `count` hosts are ready (or rejects after `timeoutMs`): for warm-up before timing. */
  async ready(count = this.size, timeoutMs = 30_000): Promise<void> {
    this.warm();
    const deadline = Date.now() + timeoutMs;
    while (this.readyHosts < Math.min(count, this.size)) {
      if (this.closed || Date.now() > deadline)
        throw new Error(`peer hosts: ${this.readyHosts} of ${count} ready after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Hosts that ended before they were ever ready, in a row: past MAX_FAILED_STARTS, jobs fail. */
  private failedStarts = 0;
  private lastStartFailure = '';
  private readonly waiting = new Set<() => void>();

  private wake(): void {
    for (const waiter of [...this.waiting]) waiter();
  }

  private startFailed(why: string): void {
    this.failedStarts++;
    this.lastStartFailure = why;
    this.wake();
  }

  /**
   * The least busy ready host; while none is ready (the first diagnosis of a process, a host being
   * replaced) the job waits for one — it never runs in the engine's process instead (issue 20).
   * Fails when the pool closes, the job is cancelled, or hosts keep dying before they are ready.
   */
  private async readyHost(signal: AbortSignal): Promise<PeerHost> {
    for (;;) {
      if (this.closed) throw new ProbeFailure('aborted', 'start', 'the peer hosts were shut down');
      if (signal.aborted) throw new ProbeFailure('aborted', 'start', 'cancelled');
      if (this.failedStarts >= MAX_FAILED_STARTS)
        throw new ProbeFailure(
          'internal',
          'start',
          `no peer host could start (${this.failedStarts} ended before they were ready; last: ${this.lastStartFailure})`,
        );
      this.warm(); // replaces a host that ended
      const host = [...this.hosts].filter((h) => h.ready).sort((a, b) => a.load - b.load)[0];
      if (host) return host;
      await new Promise<void>((resolve) => {
        const done = () => {
          this.waiting.delete(done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.waiting.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  /**
   * Runs one job — a probe, or a partner session's peer side — in the least busy ready host (waiting
   * for one if needed); `signal` cancels it there. A partner job's signals come from `signals`.
   */
  async run(
    request: JobRequest,
    handlers: JobHandlers,
    signal: AbortSignal,
    signals?: SignalSource,
  ): Promise<DoneReply> {
    const host = await this.readyHost(signal);
    const job = this.nextJob++;
    return new Promise<DoneReply>((resolve, reject) => {
      let grace: LedgerEntry | null = null;
      const onAbort = () => {
        host.send({ type: 'abort', job });
        grace = this.timers.timeout('peer host abort grace', this.options.abortGraceMs ?? 3_000, () => {
          if (host.jobs.has(job)) host.child.kill('SIGKILL');
        });
      };
      const settle = () => {
        signal.removeEventListener('abort', onAbort);
        grace?.release();
      };
      host.jobs.set(job, {
        handlers,
        what: request.type === 'partner' ? 'partner session' : 'probe',
        stage: 'start',
        resolve: (reply) => {
          settle();
          this.jobsDone++;
          resolve(reply);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      if (!host.send({ type: 'run', ...request, job } as HostRequest)) {
        host.jobs.delete(job);
        settle();
        reject(new ProbeFailure('internal', 'start', 'the peer host could not be reached'));
        return;
      }
      signals?.onSignal((partnerSignal) => host.send({ type: 'signal', job, signal: partnerSignal }));
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
    });
  }

  /** Ends every host (cancelling their jobs); nothing of the pool is left running. */
  close(): void {
    this.closed = true;
    this.wake();
    this.timers.releaseAll();
    for (const host of [...this.hosts]) host.release();
    this.hosts.clear();
  }
}

/** A finished host job as the probe's own result or error. */
export function outcomeOf(reply: DoneReply): { stage: string; metrics: Metrics } {
  if (reply.outcome === 'success') return { stage: reply.stage, metrics: reply.metrics };
  if (reply.outcome === 'not-applicable') throw new ProbeNotApplicable(reply.reason);
  throw new ProbeFailure(errorClassOf(reply.errorClass), reply.stage, reply.message, reply.metrics);
}

function errorClassOf(value: string): ErrorClass {
  return (ERROR_CLASSES as ReadonlyArray<string>).includes(value) ? (value as ErrorClass) : 'internal';
}
