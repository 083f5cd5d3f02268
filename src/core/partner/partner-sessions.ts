/**
 * The service's side of the partner test: at most one at a time per service, its state kept for
 * the UI (`partnerStatus`: the code, the phase, the rows so far, the result), cancellable.
 */
import { partnerReach, type Config, type TriageEvent } from '../../contract';
import type { PartnerPath, PartnerResult, PartnerRole, PartnerState } from '../../contract/partner';
import { TriageError } from '../errors';
import type { HistoryStore } from '../store/history';
import { parsePartnerCode } from './code';
import { runPartnerJoin, startPartnerHost, type PartnerHostRun } from './partner-test';
import type { PeerSidePlacement } from './session-peer';

export interface PartnerDeps {
  /** Read when a test starts: the UI's saved servers may change between tests. */
  config: () => Config;
  store: () => HistoryStore;
  source: string;
  emit: (event: TriageEvent) => void;
  /** Where the sessions' WebRTC runs (the service's peer hosts), or null: in this process. */
  placePeerSide: () => PeerSidePlacement | null;
}

type SessionState = Omit<PartnerState, 'reach'>;

const IDLE: SessionState = {
  active: false,
  role: null,
  phase: 'idle',
  code: null,
  expiresAt: null,
  paths: [],
  result: null,
};

export class PartnerSessions {
  private state: SessionState = IDLE;
  private controller: AbortController | null = null;

  constructor(private readonly deps: PartnerDeps) {}

  /** The test's state, and whether a remote partner can reach the servers it would use now. */
  status(): PartnerState {
    return { ...this.state, reach: partnerReach(this.deps.config().targets) };
  }

  /** Starts the host's side; the handle lets the CLI print the code and await the result itself. */
  host(args: { codeTtlMs?: number; signal?: AbortSignal }): PartnerHostRun {
    const store = this.deps.store();
    const controller = this.begin('host', args.signal);
    let run: PartnerHostRun;
    try {
      run = startPartnerHost({
        config: this.deps.config(),
        store,
        source: this.deps.source,
        placePeerSide: this.deps.placePeerSide(),
        signal: controller.signal,
        onEvent: (event) => this.onEvent(event),
        ...(args.codeTtlMs !== undefined ? { codeTtlMs: args.codeTtlMs } : {}),
      });
    } catch (error) {
      // refused before it started (no signaling server, a bad lifetime): nothing runs
      this.controller = null;
      this.state = IDLE;
      throw error;
    }
    void run.code.then((code) => {
      if (code && this.controller === controller)
        this.state = { ...this.state, phase: 'waiting', code: code.code, expiresAt: code.expiresAt };
    });
    return { code: run.code, result: this.settle(controller, run.result) };
  }

  /** Starts the joiner's side; a code that is not one is refused at once, before anything starts. */
  join(args: { code: string; signal?: AbortSignal }): Promise<PartnerResult> {
    const code = parsePartnerCode(args.code);
    const store = this.deps.store();
    const controller = this.begin('join', args.signal);
    this.state = { ...this.state, code };
    return this.settle(
      controller,
      runPartnerJoin({
        config: this.deps.config(),
        store,
        source: this.deps.source,
        placePeerSide: this.deps.placePeerSide(),
        signal: controller.signal,
        onEvent: (event) => this.onEvent(event),
        code,
      }),
    );
  }

  cancel(): { cancelled: boolean } {
    if (!this.controller) return { cancelled: false };
    this.controller.abort();
    return { cancelled: true };
  }

  private begin(role: PartnerRole, outer?: AbortSignal): AbortController {
    if (this.controller) throw new TriageError('BUSY', 'a partner test is already running: cancel it first');
    const controller = new AbortController();
    outer?.addEventListener('abort', () => controller.abort(), { once: true });
    this.controller = controller;
    this.state = { ...IDLE, active: true, role, phase: role === 'host' ? 'waiting' : 'pairing' };
    return controller;
  }

  private settle(controller: AbortController, result: Promise<PartnerResult>): Promise<PartnerResult> {
    const end = (value: PartnerResult | null) => {
      if (this.controller !== controller) return;
      this.controller = null;
      this.state = {
        ...this.state,
        active: false,
        phase: 'finished',
        ...(value ? { paths: value.paths, result: value } : {}),
      };
    };
    return result.then(
      (value) => {
        end(value);
        return value;
      },
      (error: unknown) => {
        end(null);
        throw error;
      },
    );
  }

  private onEvent(event: TriageEvent): void {
    if (event.name === 'partner.paired') this.state = { ...this.state, phase: 'testing' };
    if (event.name === 'partner.path.finished' && event.data?.path) {
      const row = event.data.path as PartnerPath;
      this.state = { ...this.state, paths: [...this.state.paths.filter((p) => p.index !== row.index), row] };
    }
    this.deps.emit(event);
  }
}
