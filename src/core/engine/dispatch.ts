import { basename } from 'node:path';
import type { z } from 'zod';
import { isMethodName, methods, type MethodName, type Methods } from '../../contract';
import { issuePath } from '../config/load';
import type { CallContext, CallResult } from './protocol';
import { TriageError, errorMessage } from '../errors';
import type { TriageService } from '../service';

/**
 * The engine side of every adapter: checks the method name, validates the arguments with the
 * contract's zod schema, calls the service, and turns any failure into `{ code, message, field }`.
 * Nothing a caller sends can throw out of here.
 */
export async function dispatch(
  service: TriageService,
  method: unknown,
  rawArgs: unknown,
  context: CallContext = {},
): Promise<CallResult> {
  if (!isMethodName(method)) {
    return {
      ok: false,
      error: {
        code: 'UNKNOWN_METHOD',
        message: `unknown method ${describeMethod(method)}`,
      },
    };
  }
  const parsed = methods[method].args.safeParse(rawArgs ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? issuePath(issue.path) : '(root)';
    return {
      ok: false,
      error: {
        code: 'ARGUMENT_INVALID',
        message: `${method}: ${field}: ${issue?.message ?? 'invalid'}`,
        field,
      },
    };
  }
  try {
    return {
      ok: true,
      value: await call(service, method, parsed.data as MethodInput<typeof method>, context),
    };
  } catch (error) {
    if (error instanceof TriageError) {
      return {
        ok: false,
        error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
      };
    }
    return { ok: false, error: { code: 'INTERNAL', message: errorMessage(error) } };
  }
}

type MethodInput<M extends MethodName> = z.output<Methods[M]['args']>;
type Handler<M extends MethodName> = (
  service: TriageService,
  args: MethodInput<M>,
  context: CallContext,
) => unknown;

/** One handler per method of the contract's table: a method without one does not compile. */
const HANDLERS: { [M in MethodName]: Handler<M> } = {
  runDiagnosis: (service, args) => service.runDiagnosis(args),
  cancelDiagnosis: (service, args) => service.cancelDiagnosis(args),
  lastReport: (service) => service.lastReport(),
  listTargets: (service) => service.listTargets(),
  appInfo: (service) => service.appInfo(),
  history: (service, args) => service.history(args),
  monitorStatus: (service) => service.monitorStatus(),
  setMonitor: (service, args) => service.setMonitor(args),
  getSettings: (service) => service.getSettings(),
  saveSettings: (service, args) => service.saveSettings(args),
  saveTargets: (service, args) => service.saveTargets(args),
  resetTargets: (service) => service.resetTargets(),
  serverStatus: (service, args) => service.serverStatus(args),
  historyCharts: (service, args) => service.historyCharts(args),
  listAttempts: (service, args) => service.listAttempts(args),
  attemptTimeline: (service, args) => service.attemptTimeline(args),
  openBundle: (service, _args, context) => openBundleCall(service, context),
  exportBundle: (service, args, context) => exportBundleCall(service, args, context),
  partnerHost: (service, args) => service.partnerHost(args),
  partnerJoin: (service, args) => service.partnerJoin(args),
  partnerCancel: (service) => service.partnerCancel(),
  partnerStatus: (service) => service.partnerStatus(),
  importCall: (service, args) => service.importCallText(args),
  listCalls: (service) => service.listCalls(),
  getCall: (service, args) => service.getCall(args),
  reproduceCall: (service, args) => service.reproduceCall(args),
};

/** The handler of `method` with its arguments, already checked against that method's schema. */
function call<M extends MethodName>(
  service: TriageService,
  method: M,
  args: MethodInput<M>,
  context: CallContext,
): unknown {
  return (HANDLERS[method] as Handler<M>)(service, args, context);
}

async function openBundleCall(service: TriageService, context: CallContext): Promise<unknown> {
  if (!context.bundleToOpen) {
    throw new TriageError(
      'UNSUPPORTED',
      'openBundle: no bundle file was given (in a browser, send the file as the request body)',
    );
  }
  const picked = await context.bundleToOpen();
  return picked ? service.openBundle(picked.path, picked.name) : null;
}

async function exportBundleCall(
  service: TriageService,
  args: { sinceMs?: number; redact?: boolean },
  context: CallContext,
): Promise<unknown> {
  if (!context.exportTarget)
    throw new TriageError('UNSUPPORTED', 'exportBundle: this face cannot save files');
  const fileName = bundleFileName(new Date());
  const target = await context.exportTarget(fileName);
  if (!target) return null;
  const manifest = await service.exportBundle({ ...args, out: target.path });
  return {
    fileName: basename(target.path),
    savedTo: target.download === null ? target.path : null,
    download: target.download,
    since: manifest.since,
    redacted: manifest.redacted,
    counts: manifest.counts,
  };
}

/** `rtc-triage-2026-01-31T09-15-00Z.zip`: sorts by time, valid on every file system. */
export function bundleFileName(now: Date): string {
  return `rtc-triage-${now.toISOString().slice(0, 19).replace(/:/g, '-')}Z.zip`;
}

/** A caller's method name for a message: never `String(x)`, which throws for some objects. */
function describeMethod(method: unknown): string {
  if (typeof method === 'string') return JSON.stringify(method).slice(0, 80);
  return `(a ${method === null ? 'null' : Array.isArray(method) ? 'array' : typeof method}, not a name)`;
}
