import {
  CallReproductionSchema,
  type Call,
  type CallReproduction,
  type CallSummary,
  type Config,
  type Report,
} from '../../contract';
import { TriageError } from '../errors';
import { CallStore } from '../store/calls';
import type { HistoryStore } from '../store/history';
import { explainCall } from './explain';
import { importCallFile, importCallText, type ImportedCall, type ReproductionPlan } from './import';
import { reproductionConfig, type TurnCredentials } from './reproduce';

/** At most this many imports keep their dump's credentials in memory for a reproduction. */
const MAX_PLANS = 32;

export interface CallDeskDeps {
  store: () => HistoryStore;
  /** The config in effect (its TURN targets lend credentials, its timeouts and retry apply). */
  config: () => Config;
  /** One diagnosis of exactly these targets, through the service (stored like any other run). */
  diagnose: (config: Config, args: { appFailing: boolean; signal?: AbortSignal }) => Promise<Report>;
}

export interface ReproduceArgs {
  callId: string;
  /** Credentials per TURN URL, given by the user (a form, a prompt). */
  credentials?: ReadonlyArray<{ url: string } & TurnCredentials>;
  /** Overrides the service's config as the source of credentials and timeouts (the CLI's --config). */
  config?: Config | null;
  ask?: (url: string) => Promise<TurnCredentials | null>;
  signal?: AbortSignal;
}

/**
 * The service's calls (issue 22): import a dump into the history, list and show calls, and reproduce
 * one by diagnosing exactly its ICE servers. The dump's credentials live only in `plans`, in memory,
 * for as long as this process runs.
 */
export class CallDesk {
  private readonly plans = new Map<string, ReproductionPlan>();
  private calls: CallStore | null = null;

  constructor(private readonly deps: CallDeskDeps) {}

  private callStore(): CallStore {
    this.calls ??= new CallStore(this.deps.store().database);
    return this.calls;
  }

  /** Parses and stores a dump; nothing is stored when it is refused. */
  importFile(file: string, name?: string): Call {
    return this.keep(importCallFile(file, name === undefined ? {} : { name }));
  }

  /** The same from the dump's text (a UI face's upload); `name` is shown only. */
  importText(text: string, name: string): Call {
    return this.keep(importCallText(text, name));
  }

  private keep({ call, plan }: ImportedCall): Call {
    this.callStore().insert(call);
    this.plans.set(call.id, plan);
    if (this.plans.size > MAX_PLANS) this.plans.delete(this.plans.keys().next().value as string);
    return call;
  }

  list(): CallSummary[] {
    return this.callStore().list();
  }

  get(callId: string): Call {
    const call = this.callStore().get(callId);
    if (!call) throw new TriageError('NOT_FOUND', `no imported call ${callId}`, { field: 'callId' });
    return call;
  }

  async reproduce(args: ReproduceArgs): Promise<CallReproduction> {
    const call = this.get(args.callId);
    const given = new Map((args.credentials ?? []).map((c) => [c.url, c]));
    const { config, withoutCredentials } = await reproductionConfig(call, {
      plan: this.plans.get(call.id) ?? null,
      config: args.config ?? this.deps.config(),
      ask: async (url) => {
        const typed = given.get(url);
        if (typed) return { username: typed.username, credential: typed.credential };
        return (await args.ask?.(url)) ?? null;
      },
    });
    // a call that did not work is "the app failing": a clean result then points at the app
    const report = await this.deps.diagnose(config, {
      appFailing: call.outcome !== 'connected',
      ...(args.signal ? { signal: args.signal } : {}),
    });
    this.callStore().setReproduction(call.id, report.runId);
    const explanation = explainCall(call, report);
    return CallReproductionSchema.parse({
      schema: 'rtc-triage/call-reproduction@1',
      call: { ...call, reproducedRunId: report.runId },
      report,
      layer: explanation.layer,
      verdictLine: explanation.verdictLine,
      rows: explanation.rows,
      matrix: report.matrix,
      withoutCredentials,
    });
  }
}
